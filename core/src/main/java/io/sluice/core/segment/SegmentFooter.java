package io.sluice.core.segment;

import static io.sluice.core.segment.SegmentFormat.HEADER_SIZE;
import static io.sluice.core.segment.SegmentFormat.MAGIC;
import static io.sluice.core.segment.SegmentFormat.TRAILER_SIZE;
import static io.sluice.core.segment.SegmentFormat.VERSION;

import io.sluice.core.store.ObjectStore;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The index at the end of a segment object: per bucket, where its Arrow stream, record batch body
 * and each column's buffers lie, with the checksums that verify them. See docs/segment-format.md.
 */
public record SegmentFooter(int version, List<BucketEntry> buckets) {
  /** How many bytes {@link #read} fetches from the end of an object in its first request. */
  public static final int TAIL_READ_BYTES = 64 * 1024;

  public SegmentFooter {
    buckets = List.copyOf(buckets);
  }

  /**
   * The entry whose stream starts at byte {@code offset}, as a log slice records it: a segment of a
   * partitioned table numbers its parts, so a part is found by place rather than by bucket.
   */
  public Optional<BucketEntry> entryAt(long offset) {
    return buckets.stream().filter(b -> b.offset() == offset).findFirst();
  }

  /** The entry of a bucket, if the segment holds rows of it. */
  public Optional<BucketEntry> bucket(int bucket) {
    return buckets.stream().filter(b -> b.bucket() == bucket).findFirst();
  }

  /**
   * One bucket's Arrow stream in the object: {@code [offset, offset + length)}, of which {@code
   * [offset, bodyOffset)} holds the schema and record batch messages (the headers part), each
   * column's buffers follow in column order, and the end-of-stream marker and bucket check close it
   * (the tail part).
   */
  public record BucketEntry(
      int bucket,
      int schemaId,
      long offset,
      long length,
      long rows,
      long bodyOffset,
      int headersCrc,
      List<ColumnChunk> columns,
      int tailCrc) {

    public BucketEntry {
      columns = List.copyOf(columns);
    }

    /** Where the record batch body ends: the end of the last column, the start of the tail. */
    public long bodyEnd() {
      return columns.isEmpty() ? bodyOffset : columns.get(columns.size() - 1).end();
    }

    /** The column with this name, if the bucket has one. */
    public Optional<ColumnChunk> column(String name) {
      return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** This bucket's range in the object. */
    public BucketRange range() {
      return new BucketRange(bucket, offset, length, rows);
    }
  }

  /** The buffers of one column in the object, {@code [start, end)}, and their CRC32C. */
  public record ColumnChunk(String name, long start, long end, int crc) {
    public long length() {
      return end - start;
    }
  }

  /**
   * Reads the footer of a segment object with one ranged read of its last {@link #TAIL_READ_BYTES}
   * bytes, and a second one only when the footer is larger.
   *
   * @throws CorruptSegmentException if the object is truncated, damaged or of an unknown version
   * @throws io.sluice.core.store.NotFoundException if there is no such object
   */
  public static SegmentFooter read(ObjectStore store, String key) {
    byte[] tail = store.readTail(key, TAIL_READ_BYTES);
    boolean wholeObject = tail.length < TAIL_READ_BYTES;
    int footerLength = checkTrailer(key, tail);
    long needed = (long) footerLength + TRAILER_SIZE + (wholeObject ? HEADER_SIZE : 0);
    if (needed > tail.length) {
      if (wholeObject || needed > Integer.MAX_VALUE) {
        throw truncated(key, tail.length, needed);
      }
      tail = store.readTail(key, (int) needed);
      if (tail.length < needed) {
        throw truncated(key, tail.length, needed);
      }
    }
    if (wholeObject) {
      checkHeader(key, tail);
    }
    int footerStart = tail.length - TRAILER_SIZE - footerLength;
    SegmentFooter footer = decode(key, tail, footerStart, footerLength);
    // Positions are absolute; without the object's length only the whole object checks the end.
    footer.checkLayout(key, wholeObject ? footerStart : -1);
    return footer;
  }

  /** Parses the footer of a whole segment object whose key is not known. */
  public static SegmentFooter parse(byte[] object) {
    return parse(null, object);
  }

  /**
   * Parses the footer of a whole segment object, checking its header, trailer and footer.
   *
   * @throws CorruptSegmentException if the object is truncated, damaged or of an unknown version
   */
  public static SegmentFooter parse(String key, byte[] object) {
    int footerLength = checkTrailer(key, object);
    long needed = (long) footerLength + TRAILER_SIZE + HEADER_SIZE;
    if (needed > object.length) {
      throw truncated(key, object.length, needed);
    }
    checkHeader(key, object);
    int footerStart = object.length - TRAILER_SIZE - footerLength;
    SegmentFooter footer = decode(key, object, footerStart, footerLength);
    footer.checkLayout(key, footerStart);
    return footer;
  }

  /** Checks the trailer at the end of {@code bytes} and returns the footer length it gives. */
  private static int checkTrailer(String key, byte[] bytes) {
    if (bytes.length < TRAILER_SIZE) {
      throw truncated(key, bytes.length, TRAILER_SIZE + HEADER_SIZE);
    }
    if (!SegmentFormat.isMagic(bytes, bytes.length - MAGIC.length)) {
      throw new CorruptSegmentException(
          key, "no segment magic at the end: truncated, or not a Sluice segment");
    }
    ByteBuffer trailer =
        SegmentFormat.littleEndian(bytes, bytes.length - TRAILER_SIZE, TRAILER_SIZE);
    int footerLength = trailer.getInt();
    trailer.getInt(); // the CRC, checked in decode
    int version = trailer.getInt();
    if (version != VERSION) {
      throw new CorruptSegmentException(key, "unknown format version " + version);
    }
    if (footerLength < 4) {
      throw new CorruptSegmentException(key, "invalid footer length " + footerLength);
    }
    return footerLength;
  }

  private static void checkHeader(String key, byte[] object) {
    if (!SegmentFormat.isMagic(object, 0)) {
      throw new CorruptSegmentException(key, "no segment magic at the start");
    }
    ByteBuffer header = SegmentFormat.littleEndian(object, MAGIC.length, 8);
    int version = header.getInt();
    if (version != VERSION) {
      throw new CorruptSegmentException(key, "unknown format version " + version);
    }
    if (header.getInt() != 0) {
      throw new CorruptSegmentException(key, "reserved header bytes are not zero");
    }
  }

  private static CorruptSegmentException truncated(String key, long length, long needed) {
    return new CorruptSegmentException(
        key, "truncated: " + length + " bytes, footer needs " + needed);
  }

  /** Decodes the footer at {@code bytes[start, start + length)}, checking its CRC first. */
  private static SegmentFooter decode(String key, byte[] bytes, int start, int length) {
    int expectedCrc =
        SegmentFormat.littleEndian(bytes, bytes.length - TRAILER_SIZE + 4, 4).getInt();
    if (SegmentFormat.crc(bytes, start, length) != expectedCrc) {
      throw new CorruptSegmentException(key, "footer checksum mismatch");
    }
    ByteBuffer in = SegmentFormat.littleEndian(bytes, start, length);
    try {
      int bucketCount = in.getInt();
      if (bucketCount < 0 || bucketCount > in.remaining()) {
        throw new CorruptSegmentException(key, "footer gives " + bucketCount + " buckets");
      }
      List<BucketEntry> buckets = new ArrayList<>(bucketCount);
      for (int i = 0; i < bucketCount; i++) {
        int bucket = in.getInt();
        int schemaId = in.getInt();
        long offset = in.getLong();
        long bucketLength = in.getLong();
        long rows = in.getLong();
        long bodyOffset = in.getLong();
        int headersCrc = in.getInt();
        int tailCrc = in.getInt();
        int columnCount = in.getInt();
        if (columnCount < 0 || columnCount > in.remaining()) {
          throw new CorruptSegmentException(
              key, "footer gives bucket " + bucket + " " + columnCount + " columns");
        }
        List<ColumnChunk> columns = new ArrayList<>(columnCount);
        long position = bodyOffset;
        for (int c = 0; c < columnCount; c++) {
          byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
          in.get(name);
          long columnLength = in.getLong();
          int crc = in.getInt();
          columns.add(new ColumnChunk(utf8(key, name), position, position + columnLength, crc));
          position += columnLength;
        }
        buckets.add(
            new BucketEntry(
                bucket,
                schemaId,
                offset,
                bucketLength,
                rows,
                bodyOffset,
                headersCrc,
                columns,
                tailCrc));
      }
      if (in.hasRemaining()) {
        throw new CorruptSegmentException(
            key, in.remaining() + " bytes follow the footer's entries");
      }
      return new SegmentFooter(VERSION, buckets);
    } catch (BufferUnderflowException e) {
      throw new CorruptSegmentException(key, "footer ends early", e);
    }
  }

  private static String utf8(String key, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptSegmentException(key, "footer holds a column name that is not UTF-8", e);
    }
  }

  /**
   * Checks that the buckets are in ascending order and tile the object from the header on, each
   * one's parts inside its range; with {@code footerStart >= 0}, that the last ends there.
   */
  private void checkLayout(String key, long footerStart) {
    long position = HEADER_SIZE;
    int previousBucket = -1;
    for (BucketEntry entry : buckets) {
      String bucket = "bucket " + entry.bucket();
      if (entry.bucket() <= previousBucket) {
        throw new CorruptSegmentException(key, "buckets out of order at " + bucket);
      }
      long end = entry.offset() + entry.length();
      long minimum = SegmentFormat.EOS_SIZE + SegmentFormat.BUCKET_CHECK_SIZE;
      if (entry.offset() != position
          || entry.length() < minimum
          || entry.rows() <= 0
          || entry.bodyOffset() <= entry.offset()
          || entry.bodyEnd() < entry.bodyOffset()
          || entry.bodyEnd() > end - minimum) {
        throw new CorruptSegmentException(key, bucket + " has an invalid range in the footer");
      }
      for (ColumnChunk column : entry.columns()) {
        if (column.length() < 0) {
          throw new CorruptSegmentException(key, bucket + " has an invalid column range");
        }
      }
      previousBucket = entry.bucket();
      position = end;
    }
    if (footerStart >= 0 && position != footerStart) {
      throw new CorruptSegmentException(
          key, "the buckets end at " + position + ", the footer starts at " + footerStart);
    }
  }

  /** The footer's bytes, as {@link #parse} reads them. */
  byte[] encode() {
    int size = 4;
    List<byte[][]> names = new ArrayList<>();
    for (BucketEntry entry : buckets) {
      size += 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 4;
      byte[][] bucketNames = new byte[entry.columns().size()][];
      for (int c = 0; c < bucketNames.length; c++) {
        bucketNames[c] = entry.columns().get(c).name().getBytes(StandardCharsets.UTF_8);
        if (bucketNames[c].length > 0xFFFF) {
          throw new IllegalArgumentException(
              "Cannot write segment: column name longer than 65535 bytes");
        }
        size += 2 + bucketNames[c].length + 8 + 4;
      }
      names.add(bucketNames);
    }
    byte[] bytes = new byte[size];
    ByteBuffer out = SegmentFormat.littleEndian(bytes, 0, size);
    out.putInt(buckets.size());
    for (int i = 0; i < buckets.size(); i++) {
      BucketEntry entry = buckets.get(i);
      out.putInt(entry.bucket())
          .putInt(entry.schemaId())
          .putLong(entry.offset())
          .putLong(entry.length())
          .putLong(entry.rows())
          .putLong(entry.bodyOffset())
          .putInt(entry.headersCrc())
          .putInt(entry.tailCrc())
          .putInt(entry.columns().size());
      for (int c = 0; c < entry.columns().size(); c++) {
        ColumnChunk column = entry.columns().get(c);
        out.putShort((short) names.get(i)[c].length).put(names.get(i)[c]);
        out.putLong(column.length()).putInt(column.crc());
      }
    }
    return bytes;
  }
}
