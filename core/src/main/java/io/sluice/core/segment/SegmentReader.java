package io.sluice.core.segment;

import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.segment.SegmentFooter.ColumnChunk;
import io.sluice.core.store.ObjectStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowBodyCompression;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads rows back from a segment: a whole bucket from the bytes of its range, or some columns of a
 * bucket with ranged reads of only their bytes. Every byte is verified before it is decoded.
 */
public final class SegmentReader {
  private static final byte[] EOS = {-1, -1, -1, -1, 0, 0, 0, 0};

  private SegmentReader() {}

  /**
   * Decodes one bucket from the bytes of its range (as a log slice records it), verified by the
   * checksum the range carries. The caller closes the returned batch.
   *
   * @throws CorruptSegmentException if the bytes are not one whole, intact bucket
   */
  public static VectorSchemaRoot readBucket(byte[] bucketBytes, BufferAllocator allocator) {
    return decodeBucket(null, -1, bucketBytes, allocator);
  }

  /**
   * Decodes one bucket from the bytes of its range, verified by the checksum the range carries and
   * by every checksum of the footer's entry. The caller closes the returned batch.
   *
   * @param key the object key, for messages
   * @throws CorruptSegmentException if the bytes are not that bucket, intact
   */
  public static VectorSchemaRoot readBucket(
      String key, BucketEntry entry, byte[] bucketBytes, BufferAllocator allocator) {
    String bucket = "bucket " + entry.bucket();
    if (bucketBytes.length != entry.length()) {
      throw new CorruptSegmentException(
          key,
          "%s is %d bytes, the footer says %d"
              .formatted(bucket, bucketBytes.length, entry.length()));
    }
    verify(
        key,
        bucket + " headers",
        bucketBytes,
        0,
        entry.bodyOffset() - entry.offset(),
        entry.headersCrc());
    for (ColumnChunk column : entry.columns()) {
      verify(
          key,
          bucket + " column " + column.name(),
          bucketBytes,
          column.start() - entry.offset(),
          column.length(),
          column.crc());
    }
    long tailStart = entry.bodyEnd() - entry.offset();
    verify(
        key,
        bucket + " tail",
        bucketBytes,
        tailStart,
        bucketBytes.length - tailStart,
        entry.tailCrc());
    VectorSchemaRoot root = decodeBucket(key, entry.bucket(), bucketBytes, allocator);
    if (root.getRowCount() != entry.rows() || !columnNames(root.getSchema()).equals(names(entry))) {
      root.close();
      throw new CorruptSegmentException(key, bucket + " does not match its footer entry");
    }
    return root;
  }

  /**
   * Reads only some columns of one bucket: one ranged read per run of adjacent parts (the headers
   * part and the chosen columns), each part verified by its checksum. The returned batch holds the
   * columns in the order asked; the caller closes it.
   *
   * @throws IllegalArgumentException if the segment has no such bucket, or the bucket no such
   *     column
   * @throws CorruptSegmentException if a part read is damaged
   */
  public static VectorSchemaRoot readColumns(
      ObjectStore store,
      String key,
      SegmentFooter footer,
      int bucket,
      List<String> columns,
      BufferAllocator allocator) {
    BucketEntry entry =
        footer
            .bucket(bucket)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Cannot read bucket %d of segment %s: it holds no rows of it"
                            .formatted(bucket, key)));
    List<String> names = names(entry);
    int[] fields = new int[columns.size()];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      fields[i] = names.indexOf(columns.get(i));
      if (fields[i] < 0 || !seen.add(columns.get(i))) {
        throw new IllegalArgumentException(
            "Cannot read column %s of bucket %d of segment %s: %s (columns: %s)"
                .formatted(
                    columns.get(i),
                    bucket,
                    key,
                    fields[i] < 0 ? "no such column" : "asked twice",
                    String.join(", ", names)));
      }
    }

    // Parts by start: the headers part, then the chosen columns; adjacent ones share a read.
    TreeMap<Long, Long> parts = new TreeMap<>();
    parts.put(entry.offset(), entry.bodyOffset());
    for (int field : fields) {
      ColumnChunk column = entry.columns().get(field);
      parts.merge(column.start(), column.end(), Math::max);
    }
    Fetched fetched = new Fetched();
    long runStart = -1;
    long runEnd = -1;
    for (var part : parts.entrySet()) {
      if (part.getKey() != runEnd) {
        fetched.read(store, key, runStart, runEnd);
        runStart = part.getKey();
      }
      runEnd = part.getValue();
    }
    fetched.read(store, key, runStart, runEnd);

    String where = "bucket " + bucket;
    long headersLength = entry.bodyOffset() - entry.offset();
    byte[] headers = fetched.bytes(entry.offset(), headersLength);
    verify(key, where + " headers", headers, 0, headersLength, entry.headersCrc());
    for (int field : fields) {
      ColumnChunk column = entry.columns().get(field);
      verify(
          key,
          where + " column " + column.name(),
          fetched.array(column.start()),
          fetched.index(column.start()),
          column.length(),
          column.crc());
    }
    StreamLayout layout = layout(key, where, headers, headers.length);
    if (layout.bodyStart() != headersLength || !matches(layout, entry)) {
      throw new CorruptSegmentException(key, where + " does not match its footer entry");
    }
    byte[][] arrays = new byte[fields.length][];
    int[] starts = new int[fields.length];
    for (int i = 0; i < fields.length; i++) {
      long start = entry.columns().get(fields[i]).start();
      arrays[i] = fetched.array(start);
      starts[i] = fetched.index(start);
    }
    return decode(key, where, layout, fields, arrays, starts, allocator);
  }

  private static VectorSchemaRoot decodeBucket(
      String key, int bucketNumber, byte[] bytes, BufferAllocator allocator) {
    String where = bucketNumber < 0 ? "bucket" : "bucket " + bucketNumber;
    int checkStart = bytes.length - SegmentFormat.BUCKET_CHECK_SIZE;
    if (checkStart < SegmentFormat.EOS_SIZE) {
      throw new CorruptSegmentException(key, where + " is only " + bytes.length + " bytes");
    }
    ByteBuffer check =
        SegmentFormat.littleEndian(bytes, checkStart, SegmentFormat.BUCKET_CHECK_SIZE);
    int streamLength = check.getInt();
    int streamCrc = check.getInt();
    if (streamLength != checkStart) {
      throw new CorruptSegmentException(
          key,
          "%s range is %d bytes, its check says %d: a wrong range, or damaged"
              .formatted(where, bytes.length, streamLength + SegmentFormat.BUCKET_CHECK_SIZE));
    }
    if (SegmentFormat.crc(bytes, 0, streamLength) != streamCrc) {
      throw new CorruptSegmentException(key, where + " checksum mismatch");
    }
    StreamLayout layout = layout(key, where, bytes, streamLength);
    if (layout.bodyEnd() + SegmentFormat.EOS_SIZE != streamLength
        || !Arrays.equals(bytes, (int) layout.bodyEnd(), streamLength, EOS, 0, EOS.length)) {
      throw new CorruptSegmentException(key, where + " does not end with one end-of-stream marker");
    }
    int[] fields = new int[layout.fieldCount()];
    byte[][] arrays = new byte[fields.length][];
    int[] starts = new int[fields.length];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = i;
      arrays[i] = bytes;
      starts[i] = Math.toIntExact(layout.bodyStart() + layout.columnStart()[i]);
    }
    return decode(key, where, layout, fields, arrays, starts, allocator);
  }

  /**
   * Loads the chosen fields of a record batch whose column bytes start at {@code
   * arrays[i][starts[i]]} for the i-th chosen field.
   */
  private static VectorSchemaRoot decode(
      String key,
      String where,
      StreamLayout layout,
      int[] fields,
      byte[][] arrays,
      int[] starts,
      BufferAllocator allocator) {
    RecordBatch batch = layout.batch();
    List<Field> schemaFields = layout.schema().getFields();
    List<Field> chosen = new ArrayList<>(fields.length);
    List<ArrowFieldNode> nodes = new ArrayList<>();
    List<ArrowBuf> buffers = new ArrayList<>();
    List<ArrowBuf> columnBuffers = new ArrayList<>(fields.length);
    VectorSchemaRoot root = null;
    try {
      for (int i = 0; i < fields.length; i++) {
        int field = fields[i];
        chosen.add(schemaFields.get(field));
        long length = layout.columnLength(field);
        ArrowBuf column = allocator.buffer(length);
        columnBuffers.add(column);
        column.setBytes(0, arrays[i], starts[i], length);
        for (int n = layout.firstNode()[field]; n < layout.firstNode()[field + 1]; n++) {
          FieldNode node = batch.nodes(n);
          nodes.add(new ArrowFieldNode(node.length(), node.nullCount()));
        }
        for (int b = layout.firstBuffer()[field]; b < layout.firstBuffer()[field + 1]; b++) {
          long offset = batch.buffers(b).offset() - layout.columnStart()[field];
          buffers.add(column.slice(offset, batch.buffers(b).length()));
        }
      }
      BodyCompression compression = batch.compression();
      ArrowBodyCompression bodyCompression =
          compression == null
              ? NoCompressionCodec.DEFAULT_BODY_COMPRESSION
              : new ArrowBodyCompression(compression.codec(), compression.method());
      root =
          VectorSchemaRoot.create(
              new Schema(chosen, layout.schema().getCustomMetadata()), allocator);
      try (ArrowRecordBatch recordBatch =
          new ArrowRecordBatch(
              Math.toIntExact(batch.length()), nodes, buffers, bodyCompression, false)) {
        new VectorLoader(root, CommonsCompressionFactory.INSTANCE).load(recordBatch);
      }
      return root;
    } catch (RuntimeException e) {
      if (root != null) {
        root.close();
      }
      throw new CorruptSegmentException(key, where + " does not decode: " + e.getMessage(), e);
    } finally {
      columnBuffers.forEach(ArrowBuf::close);
    }
  }

  private static StreamLayout layout(String key, String where, byte[] bytes, int length) {
    try {
      return StreamLayout.parse(bytes, length);
    } catch (IllegalArgumentException e) {
      throw new CorruptSegmentException(key, where + ": " + e.getMessage(), e);
    }
  }

  private static boolean matches(StreamLayout layout, BucketEntry entry) {
    if (layout.fieldCount() != entry.columns().size()
        || layout.batch().length() != entry.rows()
        || !columnNames(layout.schema()).equals(names(entry))) {
      return false;
    }
    for (int i = 0; i < layout.fieldCount(); i++) {
      ColumnChunk column = entry.columns().get(i);
      if (column.start() != entry.bodyOffset() + layout.columnStart()[i]
          || column.length() != layout.columnLength(i)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> columnNames(Schema schema) {
    return schema.getFields().stream().map(Field::getName).toList();
  }

  private static List<String> names(BucketEntry entry) {
    return entry.columns().stream().map(ColumnChunk::name).toList();
  }

  private static void verify(
      String key, String part, byte[] bytes, long start, long length, int expected) {
    if (start < 0 || length < 0 || start + length > bytes.length) {
      throw new CorruptSegmentException(key, part + " lies outside the bytes read");
    }
    if (SegmentFormat.crc(bytes, (int) start, (int) length) != expected) {
      throw new CorruptSegmentException(key, part + " checksum mismatch");
    }
  }

  /** The byte runs fetched by ranged reads, found by absolute position. */
  private static final class Fetched {
    private final TreeMap<Long, byte[]> runs = new TreeMap<>();

    void read(ObjectStore store, String key, long start, long end) {
      if (start < 0 || end <= start) {
        return;
      }
      int length = Math.toIntExact(end - start);
      byte[] bytes = store.readRange(key, start, length);
      if (bytes.length != length) {
        throw new CorruptSegmentException(
            key,
            "truncated: %d bytes at %d, the footer says %d".formatted(bytes.length, start, length));
      }
      runs.put(start, bytes);
    }

    byte[] array(long position) {
      return runs.floorEntry(position).getValue();
    }

    int index(long position) {
      return Math.toIntExact(position - runs.floorKey(position));
    }

    byte[] bytes(long position, long length) {
      int from = index(position);
      return Arrays.copyOfRange(array(position), from, from + Math.toIntExact(length));
    }
  }
}
