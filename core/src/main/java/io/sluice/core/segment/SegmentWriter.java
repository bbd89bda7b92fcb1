package io.sluice.core.segment;

import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.segment.SegmentFooter.ColumnChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Field;

/** Encodes the rows of one write request, bucket by bucket, into the bytes of a segment object. */
public final class SegmentWriter {
  private SegmentWriter() {}

  /**
   * Encodes batches into one segment: an Arrow IPC stream (schema, one ZSTD-compressed record
   * batch, end of stream) per bucket in ascending bucket order, then the footer and trailer. Empty
   * batches are left out. The batches are read, not closed.
   *
   * @throws IllegalArgumentException if a bucket is negative or given twice
   */
  public static EncodedSegment encode(List<BucketBatch> batches) {
    List<BucketBatch> sorted = new ArrayList<>(batches);
    sorted.sort(Comparator.comparingInt(BucketBatch::bucket));
    for (int i = 0; i < sorted.size(); i++) {
      int bucket = sorted.get(i).bucket();
      if (bucket < 0) {
        throw new IllegalArgumentException("Cannot write segment: invalid bucket " + bucket);
      }
      if (i > 0 && sorted.get(i - 1).bucket() == bucket) {
        throw new IllegalArgumentException(
            "Cannot write segment: bucket " + bucket + " given twice");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] header = new byte[SegmentFormat.HEADER_SIZE];
    System.arraycopy(SegmentFormat.MAGIC, 0, header, 0, SegmentFormat.MAGIC.length);
    SegmentFormat.littleEndian(header, SegmentFormat.MAGIC.length, 8)
        .putInt(SegmentFormat.VERSION)
        .putInt(0);
    out.writeBytes(header);
    List<BucketEntry> entries = new ArrayList<>();
    List<BucketRange> ranges = new ArrayList<>();
    for (BucketBatch batch : sorted) {
      if (batch.root().getRowCount() == 0) {
        continue;
      }
      BucketEntry entry = writeBucket(batch, out.size(), out);
      entries.add(entry);
      ranges.add(entry.range());
    }
    byte[] footer = new SegmentFooter(SegmentFormat.VERSION, entries).encode();
    out.writeBytes(footer);
    byte[] trailer = new byte[SegmentFormat.TRAILER_SIZE];
    SegmentFormat.littleEndian(trailer, 0, SegmentFormat.TRAILER_SIZE)
        .putInt(footer.length)
        .putInt(SegmentFormat.crc(footer, 0, footer.length))
        .putInt(SegmentFormat.VERSION)
        .put(SegmentFormat.MAGIC);
    out.writeBytes(trailer);
    return new EncodedSegment(out.toByteArray(), ranges);
  }

  private static BucketEntry writeBucket(
      BucketBatch batch, long offset, ByteArrayOutputStream out) {
    byte[] stream = arrowStream(batch.root());
    StreamLayout layout;
    try {
      layout = StreamLayout.parse(stream, stream.length);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("Cannot write segment: Arrow wrote an unexpected stream", e);
    }
    if (stream.length - layout.bodyEnd() != SegmentFormat.EOS_SIZE) {
      throw new IllegalStateException(
          "Cannot write segment: expected one record batch and end of stream, got "
              + (stream.length - layout.bodyEnd())
              + " bytes after the body");
    }
    byte[] check = new byte[SegmentFormat.BUCKET_CHECK_SIZE];
    SegmentFormat.littleEndian(check, 0, check.length)
        .putInt(stream.length)
        .putInt(SegmentFormat.crc(stream, 0, stream.length));
    out.writeBytes(stream);
    out.writeBytes(check);

    int bodyStart = Math.toIntExact(layout.bodyStart());
    List<Field> fields = layout.schema().getFields();
    List<ColumnChunk> columns = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      int start = bodyStart + Math.toIntExact(layout.columnStart()[i]);
      int length = Math.toIntExact(layout.columnLength(i));
      columns.add(
          new ColumnChunk(
              fields.get(i).getName(),
              offset + start,
              offset + start + length,
              SegmentFormat.crc(stream, start, length)));
    }
    int bodyEnd = Math.toIntExact(layout.bodyEnd());
    int tailCrc = tailCrc(stream, bodyEnd, check);
    return new BucketEntry(
        batch.bucket(),
        batch.schemaId(),
        offset,
        stream.length + check.length,
        batch.root().getRowCount(),
        offset + bodyStart,
        SegmentFormat.crc(stream, 0, bodyStart),
        columns,
        tailCrc);
  }

  static int tailCrc(byte[] stream, int bodyEnd, byte[] check) {
    CRC32C crc = new CRC32C();
    crc.update(stream, bodyEnd, stream.length - bodyEnd);
    crc.update(check);
    return (int) crc.getValue();
  }

  private static byte[] arrowStream(VectorSchemaRoot root) {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer =
        new ArrowStreamWriter(
            root,
            new DictionaryProvider.MapDictionaryProvider(),
            Channels.newChannel(stream),
            IpcOption.DEFAULT,
            CommonsCompressionFactory.INSTANCE,
            CompressionUtil.CodecType.ZSTD)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write segment: Arrow stream to memory failed", e);
    }
    return stream.toByteArray();
  }
}
