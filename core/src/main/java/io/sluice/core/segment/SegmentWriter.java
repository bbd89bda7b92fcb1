package io.sluice.core.segment;

import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.segment.SegmentFooter.ColumnChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Field;

/** Encodes the rows of one write request, bucket by bucket, into the bytes of a segment object. */
public final class SegmentWriter {
  private SegmentWriter() {}

  /**
   * Encodes batches into one segment with the {@linkplain SegmentCompression#DEFAULT default
   * compression}; see {@link #encode(List, SegmentCompression)}.
   */
  public static EncodedSegment encode(List<BucketBatch> batches) {
    return encode(batches, SegmentCompression.DEFAULT);
  }

  /**
   * Encodes batches into one segment: an Arrow IPC stream (schema, one record batch with its
   * buffers compressed as {@code compression} says, end of stream) per bucket in ascending bucket
   * order, then the footer and trailer. Arrow writes every stream straight into the segment's
   * bytes, and every checksum is computed there. Empty batches are left out. The batches are read,
   * not closed.
   *
   * @throws IllegalArgumentException if a bucket is negative or given twice
   */
  public static EncodedSegment encode(List<BucketBatch> batches, SegmentCompression compression) {
    List<BucketBatch> sorted = new ArrayList<>(batches);
    sorted.sort(Comparator.comparingInt(BucketBatch::bucket));
    long estimate = SegmentFormat.HEADER_SIZE + SegmentFormat.TRAILER_SIZE;
    for (int i = 0; i < sorted.size(); i++) {
      int bucket = sorted.get(i).bucket();
      if (bucket < 0) {
        throw new IllegalArgumentException("Cannot write segment: invalid bucket " + bucket);
      }
      if (i > 0 && sorted.get(i - 1).bucket() == bucket) {
        throw new IllegalArgumentException(
            "Cannot write segment: bucket " + bucket + " given twice");
      }
      estimate += estimatedSize(sorted.get(i).root());
    }
    SegmentBuffer out = new SegmentBuffer((int) Math.min(estimate, Integer.MAX_VALUE - 8));
    byte[] header = new byte[SegmentFormat.HEADER_SIZE];
    System.arraycopy(SegmentFormat.MAGIC, 0, header, 0, SegmentFormat.MAGIC.length);
    SegmentFormat.littleEndian(header, SegmentFormat.MAGIC.length, 8)
        .putInt(SegmentFormat.VERSION)
        .putInt(0);
    out.write(header);
    List<BucketEntry> entries = new ArrayList<>();
    List<BucketRange> ranges = new ArrayList<>();
    for (BucketBatch batch : sorted) {
      if (batch.root().getRowCount() == 0) {
        continue;
      }
      BucketEntry entry = writeBucket(batch, compression, out);
      entries.add(entry);
      ranges.add(entry.range());
    }
    byte[] footer = new SegmentFooter(SegmentFormat.VERSION, entries).encode();
    out.write(footer);
    byte[] trailer = new byte[SegmentFormat.TRAILER_SIZE];
    SegmentFormat.littleEndian(trailer, 0, SegmentFormat.TRAILER_SIZE)
        .putInt(footer.length)
        .putInt(SegmentFormat.crc(footer, 0, footer.length))
        .putInt(SegmentFormat.VERSION)
        .put(SegmentFormat.MAGIC);
    out.write(trailer);
    return new EncodedSegment(out.toBytes(), ranges);
  }

  /**
   * Room for a bucket's stream: its buffers as they are (compression seldom grows them, and random
   * bytes hardly shrink) plus the messages, so that the array is seldom copied to grow.
   */
  private static long estimatedSize(VectorSchemaRoot root) {
    long buffers = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      buffers += vector.getBufferSize();
    }
    return buffers + 1024 + 64L * root.getFieldVectors().size();
  }

  private static BucketEntry writeBucket(
      BucketBatch batch, SegmentCompression compression, SegmentBuffer out) {
    int offset = out.size();
    arrowStream(batch.root(), compression, out);
    byte[] bytes = out.array();
    int length = out.size() - offset;
    StreamLayout layout;
    try {
      layout = StreamLayout.parse(bytes, offset, length);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("Cannot write segment: Arrow wrote an unexpected stream", e);
    }
    if (length - layout.bodyEnd() != SegmentFormat.EOS_SIZE) {
      throw new IllegalStateException(
          "Cannot write segment: expected one record batch and end of stream, got "
              + (length - layout.bodyEnd())
              + " bytes after the body");
    }
    byte[] check = new byte[SegmentFormat.BUCKET_CHECK_SIZE];
    SegmentFormat.littleEndian(check, 0, check.length)
        .putInt(length)
        .putInt(SegmentFormat.crc(bytes, offset, length));
    out.write(check);

    int bodyStart = Math.toIntExact(layout.bodyStart());
    List<Field> fields = layout.schema().getFields();
    List<ColumnChunk> columns = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      int start = bodyStart + Math.toIntExact(layout.columnStart()[i]);
      int columnLength = Math.toIntExact(layout.columnLength(i));
      columns.add(
          new ColumnChunk(
              fields.get(i).getName(),
              offset + start,
              offset + start + columnLength,
              SegmentFormat.crc(bytes, offset + start, columnLength)));
    }
    int bodyEnd = Math.toIntExact(layout.bodyEnd());
    CRC32C tail = new CRC32C();
    tail.update(bytes, offset + bodyEnd, length - bodyEnd);
    tail.update(check);
    return new BucketEntry(
        batch.bucket(),
        batch.schemaId(),
        offset,
        length + check.length,
        batch.root().getRowCount(),
        offset + bodyStart,
        SegmentFormat.crc(bytes, offset, bodyStart),
        columns,
        (int) tail.getValue());
  }

  private static void arrowStream(
      VectorSchemaRoot root, SegmentCompression compression, SegmentBuffer out) {
    if (compression.codec() != CompressionUtil.CodecType.ZSTD) {
      arrowStream(root, compression.factory(), compression, out);
      return;
    }
    try (ZstdBufferCodec codec = new ZstdBufferCodec(compression.level())) {
      arrowStream(root, codec.factory(), compression, out);
    }
  }

  private static void arrowStream(
      VectorSchemaRoot root,
      CompressionCodec.Factory codecs,
      SegmentCompression compression,
      SegmentBuffer out) {
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(
            root,
            new DictionaryProvider.MapDictionaryProvider(),
            out,
            IpcOption.DEFAULT,
            codecs,
            compression.codec(),
            compression.codec() == CompressionUtil.CodecType.ZSTD
                ? Optional.of(compression.level())
                : Optional.empty())) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write segment: Arrow stream to memory failed", e);
    }
  }
}
