package io.sluice.core.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.segment.SegmentFooter.BucketEntry;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentFormatTest {
  private static final TypeKind[] KINDS = TypeKind.values();
  private static final String KEY = "log/ab/t-1/plan-1.seg";

  private final RootAllocator allocator = new RootAllocator();
  private final TestingObjectStore store = new TestingObjectStore();

  @AfterEach
  void noLeaks() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void encodesBucketsInOrderAndDecodesEveryTypeBack() {
    TableDefinition table = table(KINDS.length);
    List<VectorSchemaRoot> roots = new ArrayList<>();
    try {
      roots.add(batch(table, 40, 5));
      roots.add(batch(table, 0, 6));
      roots.add(batch(table, 1, 7));
      roots.add(batch(table, 300, 8));
      EncodedSegment segment =
          SegmentWriter.encode(
              List.of(
                  new BucketBatch(5, 2, roots.get(0)),
                  new BucketBatch(1, 2, roots.get(1)),
                  new BucketBatch(0, 2, roots.get(2)),
                  new BucketBatch(3, 2, roots.get(3))));

      assertThat(segment.buckets()).extracting(BucketRange::bucket).containsExactly(0, 3, 5);
      assertThat(segment.buckets()).extracting(BucketRange::rows).containsExactly(1L, 300L, 40L);
      assertThat(segment.rows()).isEqualTo(341);
      assertThat(Arrays.copyOf(segment.bytes(), 8)).isEqualTo("SLUICESG".getBytes());

      SegmentFooter footer = SegmentFooter.parse(KEY, segment.bytes());
      store.putIfAbsent(KEY, segment.bytes());
      assertThat(SegmentFooter.read(store, KEY)).isEqualTo(footer);
      assertThat(footer.version()).isEqualTo(1);
      assertThat(footer.buckets()).extracting(BucketEntry::range).isEqualTo(segment.buckets());
      assertThat(footer.buckets()).allSatisfy(b -> assertThat(b.schemaId()).isEqualTo(2));
      assertThat(footer.bucket(1)).isEmpty();

      VectorSchemaRoot[] expected = {roots.get(2), roots.get(3), roots.get(0)};
      for (int i = 0; i < 3; i++) {
        BucketRange range = segment.buckets().get(i);
        byte[] slice = store.readRange(KEY, range.offset(), (int) range.length());
        try (VectorSchemaRoot read = SegmentReader.readBucket(slice, allocator)) {
          assertSame(expected[i], read);
        }
        assertThat(StreamLayout.parse(slice, slice.length).batch().compression().codec())
            .isEqualTo(CompressionType.ZSTD);
        try (VectorSchemaRoot read =
            SegmentReader.readBucket(KEY, footer.buckets().get(i), slice, allocator)) {
          assertSame(expected[i], read);
        }
      }
    } finally {
      roots.forEach(VectorSchemaRoot::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd:-3", "zstd:1", "zstd:3", "lz4", "none"})
  void readsBackEveryCompressionWithoutBeingToldWhich(String name) {
    SegmentCompression compression = SegmentCompression.parse(name);
    assertThat(compression).hasToString(name);
    TableDefinition table = table(KINDS.length);
    try (VectorSchemaRoot first = batch(table, 500, 11);
        VectorSchemaRoot second = batch(table, 70, 12)) {
      EncodedSegment segment =
          SegmentWriter.encode(
              List.of(new BucketBatch(0, 1, first), new BucketBatch(2, 1, second)), compression);
      store.putIfAbsent(KEY, segment.bytes());
      SegmentFooter footer = SegmentFooter.parse(KEY, segment.bytes());
      VectorSchemaRoot[] expected = {first, second};
      for (int i = 0; i < 2; i++) {
        BucketRange range = segment.buckets().get(i);
        byte[] slice = store.readRange(KEY, range.offset(), (int) range.length());
        try (VectorSchemaRoot read = SegmentReader.readBucket(slice, allocator)) {
          assertSame(expected[i], read);
        }
        try (VectorSchemaRoot read =
            SegmentReader.readBucket(KEY, footer.buckets().get(i), slice, allocator)) {
          assertSame(expected[i], read);
        }
      }
    }
  }

  @Test
  void refusesACompressionItCannotName() {
    assertThatThrownBy(() -> SegmentCompression.parse("zstd:fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'zstd:fast'")
        .hasMessageContaining("expected zstd:<level>, lz4 or none");
  }

  @Test
  void readsOnlyTheProjectedColumnsWithFewRangedReads() {
    TableDefinition table = table(20);
    try (VectorSchemaRoot root = batch(table, 5000, 11)) {
      EncodedSegment segment = SegmentWriter.encode(List.of(new BucketBatch(2, 1, root)));
      store.putIfAbsent(KEY, segment.bytes());
      CountingStore counting = new CountingStore(store);
      SegmentFooter footer = SegmentFooter.read(counting, KEY);
      assertThat(counting.requests.get()).isEqualTo(1);

      counting.reset();
      try (VectorSchemaRoot read =
          SegmentReader.readColumns(counting, KEY, footer, 2, List.of("c8", "c7"), allocator)) {
        assertThat(read.getSchema().getFields())
            .extracting(Field::getName)
            .containsExactly("c8", "c7");
        assertSameColumns(root, read, List.of("c8", "c7"));
      }
      // The headers part, then columns 7 and 8 together.
      assertThat(counting.requests.get()).isEqualTo(2);
      assertThat(counting.bytes.get()).isLessThan(segment.bytes().length / 4);
      BucketEntry entry = footer.bucket(2).orElseThrow();
      long expectedBytes =
          entry.bodyOffset()
              - entry.offset()
              + entry.column("c7").orElseThrow().length()
              + entry.column("c8").orElseThrow().length();
      assertThat(counting.bytes.get()).isEqualTo(expectedBytes);

      counting.reset();
      try (VectorSchemaRoot read =
          SegmentReader.readColumns(counting, KEY, footer, 2, List.of("c0"), allocator)) {
        assertSameColumns(root, read, List.of("c0"));
      }
      assertThat(counting.requests.get()).isEqualTo(1);

      try (VectorSchemaRoot read =
          SegmentReader.readColumns(
              counting,
              KEY,
              footer,
              2,
              table.columns().stream().map(Column::name).toList(),
              allocator)) {
        assertSame(root, read);
      }

      assertThatThrownBy(
              () -> SegmentReader.readColumns(counting, KEY, footer, 2, List.of("nope"), allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "Cannot read column nope of bucket 2 of segment " + KEY + ": no such column");
      assertThatThrownBy(
              () -> SegmentReader.readColumns(counting, KEY, footer, 0, List.of("c1"), allocator))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot read bucket 0 of segment " + KEY + ": it holds no rows of it");
    }
  }

  @Test
  void readsALargeFooterWithASecondRead() {
    TableDefinition table = table(200);
    List<VectorSchemaRoot> roots = new ArrayList<>();
    try {
      List<BucketBatch> batches = new ArrayList<>();
      for (int bucket = 0; bucket < 30; bucket++) {
        VectorSchemaRoot root = batch(table, 1, bucket);
        roots.add(root);
        batches.add(new BucketBatch(bucket, 1, root));
      }
      EncodedSegment segment = SegmentWriter.encode(batches);
      store.putIfAbsent(KEY, segment.bytes());
      CountingStore counting = new CountingStore(store);
      SegmentFooter footer = SegmentFooter.read(counting, KEY);
      assertThat(counting.requests.get()).isEqualTo(2);
      assertThat(footer).isEqualTo(SegmentFooter.parse(segment.bytes()));
      try (VectorSchemaRoot read =
          SegmentReader.readColumns(counting, KEY, footer, 29, List.of("c199"), allocator)) {
        assertSameColumns(roots.get(29), read, List.of("c199"));
      }
    } finally {
      roots.forEach(VectorSchemaRoot::close);
    }
  }

  @Test
  void writesNoBucketForAnEmptyBatch() {
    TableDefinition table = table(3);
    try (VectorSchemaRoot empty = batch(table, 0, 1)) {
      EncodedSegment segment = SegmentWriter.encode(List.of(new BucketBatch(0, 1, empty)));
      assertThat(segment.buckets()).isEmpty();
      assertThat(SegmentFooter.parse(segment.bytes()).buckets()).isEmpty();
    }
  }

  @Test
  void refusesABucketGivenTwice() {
    TableDefinition table = table(3);
    try (VectorSchemaRoot root = batch(table, 2, 1)) {
      assertThatThrownBy(
              () ->
                  SegmentWriter.encode(
                      List.of(new BucketBatch(1, 1, root), new BucketBatch(1, 1, root))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot write segment: bucket 1 given twice");
    }
  }

  @Test
  void refusesATruncatedObject() {
    byte[] bytes = smallSegment().bytes();
    store.putIfAbsent("log/cut-end", Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> SegmentFooter.read(store, "log/cut-end"))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage(
            "Cannot read segment log/cut-end: no segment magic at the end: truncated, or not a"
                + " Sluice segment");

    int footerLength = footerLength(bytes);
    byte[] onlyFooter = Arrays.copyOfRange(bytes, bytes.length - footerLength - 20, bytes.length);
    store.putIfAbsent("log/only-footer", onlyFooter);
    assertThatThrownBy(() -> SegmentFooter.read(store, "log/only-footer"))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage(
            "Cannot read segment log/only-footer: truncated: %d bytes, footer needs %d"
                .formatted(onlyFooter.length, footerLength + 36));
    assertThatThrownBy(() -> SegmentFooter.parse("log/only-footer", onlyFooter))
        .hasMessage(
            "Cannot read segment log/only-footer: truncated: %d bytes, footer needs %d"
                .formatted(onlyFooter.length, footerLength + 36));

    store.putIfAbsent("log/tiny", Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
    assertThatThrownBy(() -> SegmentFooter.read(store, "log/tiny"))
        .hasMessage("Cannot read segment log/tiny: truncated: 10 bytes, footer needs 36");

    BucketRange range = smallSegment().buckets().get(0);
    byte[] shortSlice =
        Arrays.copyOfRange(
            bytes, (int) range.offset(), (int) (range.offset() + range.length() - 8));
    assertThatThrownBy(() -> SegmentReader.readBucket(shortSlice, allocator))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessageStartingWith("Cannot read segment: bucket range is");
  }

  @Test
  void refusesBadMagic() {
    byte[] bytes = smallSegment().bytes();
    byte[] badEnd = bytes.clone();
    badEnd[bytes.length - 1] = 'X';
    assertThatThrownBy(() -> SegmentFooter.parse(KEY, badEnd))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage(
            "Cannot read segment "
                + KEY
                + ": no segment magic at the end: truncated, or not a Sluice segment");
    byte[] badStart = bytes.clone();
    badStart[0] = 'X';
    assertThatThrownBy(() -> SegmentFooter.parse(KEY, badStart))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage("Cannot read segment " + KEY + ": no segment magic at the start");
    store.putIfAbsent(KEY, "{\"not\": \"a segment\"}".getBytes());
    assertThatThrownBy(() -> SegmentFooter.read(store, KEY))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessageContaining("no segment magic at the end");
  }

  @Test
  void refusesAnUnknownVersion() {
    byte[] bytes = smallSegment().bytes();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 12, 7);
    store.putIfAbsent(KEY, bytes);
    assertThatThrownBy(() -> SegmentFooter.read(store, KEY))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage("Cannot read segment " + KEY + ": unknown format version 7");
    byte[] badHeader = smallSegment().bytes();
    ByteBuffer.wrap(badHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
    assertThatThrownBy(() -> SegmentFooter.parse(KEY, badHeader))
        .hasMessage("Cannot read segment " + KEY + ": unknown format version 2");
  }

  @Test
  void refusesAFooterWithAFlippedBit() {
    byte[] bytes = smallSegment().bytes();
    bytes[bytes.length - 20 - 3] ^= 0x10;
    store.putIfAbsent(KEY, bytes);
    assertThatThrownBy(() -> SegmentFooter.read(store, KEY))
        .isInstanceOf(CorruptSegmentException.class)
        .hasMessage("Cannot read segment " + KEY + ": footer checksum mismatch");
  }

  @Test
  void refusesABucketReadAtTheWrongRange() {
    EncodedSegment segment = smallSegment();
    BucketRange range = segment.buckets().get(1);
    byte[] shifted =
        Arrays.copyOfRange(
            segment.bytes(), (int) range.offset() - 8, (int) (range.offset() + range.length() - 8));
    assertThatThrownBy(() -> SegmentReader.readBucket(shifted, allocator))
        .isInstanceOf(CorruptSegmentException.class);
  }

  /**
   * Flips one bit at every byte position of a small segment (a different bit per position, and
   * every bit of the header, footer and trailer): each read either refuses with a
   * CorruptSegmentException or returns exactly the rows written.
   */
  @Test
  void neverMisreadsAFlippedBit() {
    TableDefinition table = table(KINDS.length);
    try (VectorSchemaRoot first = batch(table, 3, 21);
        VectorSchemaRoot second = batch(table, 2, 22)) {
      EncodedSegment segment =
          SegmentWriter.encode(
              List.of(new BucketBatch(0, 1, first), new BucketBatch(2, 1, second)));
      byte[] original = segment.bytes();
      VectorSchemaRoot[] expected = {first, second};
      List<String> projection = List.of("c7", "c12");
      long footerStart = original.length - 20 - footerLength(original);
      int refused = 0;
      int flips = 0;
      for (int position = 0; position < original.length; position++) {
        boolean metadata = position < 16 || position >= footerStart;
        for (int bit = 0; bit < 8; bit++) {
          if (!metadata && bit != position % 8) {
            continue;
          }
          flips++;
          byte[] flipped = original.clone();
          flipped[position] ^= (byte) (1 << bit);
          String key = "log/flip/" + position + "-" + bit;
          store.putIfAbsent(key, flipped);
          boolean anyRefused = false;
          SegmentFooter footer;
          try {
            footer = SegmentFooter.parse(key, flipped);
          } catch (CorruptSegmentException e) {
            refused++;
            store.delete(key);
            continue;
          }
          assertThat(metadata)
              .as("flip at %d/%d passed the footer checks", position, bit)
              .isFalse();
          assertThat(footer).isEqualTo(SegmentFooter.parse(original));
          for (int i = 0; i < 2; i++) {
            BucketEntry entry = footer.buckets().get(i);
            byte[] slice =
                Arrays.copyOfRange(
                    flipped, (int) entry.offset(), (int) (entry.offset() + entry.length()));
            VectorSchemaRoot want = expected[i];
            anyRefused |=
                refusesOrReturns(want, null, () -> SegmentReader.readBucket(slice, allocator));
            anyRefused |=
                refusesOrReturns(
                    want, null, () -> SegmentReader.readBucket(key, entry, slice, allocator));
            anyRefused |=
                refusesOrReturns(
                    want,
                    projection,
                    () ->
                        SegmentReader.readColumns(
                            store, key, footer, entry.bucket(), projection, allocator));
          }
          assertThat(anyRefused).as("flip at %d/%d went unnoticed", position, bit).isTrue();
          refused++;
          store.delete(key);
        }
      }
      assertThat(refused).isEqualTo(flips);
      assertThat(flips).isGreaterThan(original.length);
    }
  }

  private interface Read {
    VectorSchemaRoot read();
  }

  /** Returns whether the read refused; fails the test if it returned other rows. */
  private boolean refusesOrReturns(VectorSchemaRoot expected, List<String> columns, Read read) {
    VectorSchemaRoot root;
    try {
      root = read.read();
    } catch (CorruptSegmentException e) {
      assertThat(e.getMessage()).startsWith("Cannot read segment");
      return true;
    }
    try (root) {
      if (columns == null) {
        assertSame(expected, root);
      } else {
        assertSameColumns(expected, root, columns);
      }
      return false;
    }
  }

  private EncodedSegment smallSegment() {
    TableDefinition table = table(4);
    try (VectorSchemaRoot first = batch(table, 3, 1);
        VectorSchemaRoot second = batch(table, 2, 2)) {
      return SegmentWriter.encode(
          List.of(new BucketBatch(0, 1, first), new BucketBatch(1, 1, second)));
    }
  }

  private static int footerLength(byte[] segment) {
    return ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN).getInt(segment.length - 20);
  }

  private static void assertSame(VectorSchemaRoot expected, VectorSchemaRoot actual) {
    assertThat(actual.getSchema()).isEqualTo(expected.getSchema());
    assertSameColumns(
        expected, actual, expected.getSchema().getFields().stream().map(Field::getName).toList());
  }

  private static void assertSameColumns(
      VectorSchemaRoot expected, VectorSchemaRoot actual, List<String> columns) {
    assertThat(actual.getRowCount()).isEqualTo(expected.getRowCount());
    assertThat(actual.getFieldVectors()).hasSize(columns.size());
    for (String column : columns) {
      FieldVector want = expected.getVector(column);
      FieldVector got = actual.getVector(column);
      assertThat(got.getField()).isEqualTo(want.getField());
      for (int row = 0; row < expected.getRowCount(); row++) {
        Object wanted = want.getObject(row);
        Object gotten = got.getObject(row);
        assertThat(Objects.deepEquals(wanted, gotten))
            .as("%s row %d: expected %s, got %s", column, row, wanted, gotten)
            .isTrue();
      }
    }
  }

  /** A table of {@code count} columns c0, c1, ... cycling through every type; c0 is not null. */
  private static TableDefinition table(int count) {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TypeKind kind = KINDS[i % KINDS.length];
      DataType type = kind == TypeKind.DECIMAL ? DataType.decimal(18, 4) : DataType.of(kind);
      columns.add(new Column("c" + i, type, i != 0));
    }
    return TableDefinition.builder().columns(columns).build("Cannot create table test");
  }

  /** Random rows of every column's type, about one value in ten null, through the JSON decoder. */
  private VectorSchemaRoot batch(TableDefinition table, int rows, long seed) {
    Random random = new Random(seed);
    JsonNodeFactory json = JsonNodeFactory.instance;
    List<JsonNode> values = new ArrayList<>();
    for (int row = 0; row < rows; row++) {
      ObjectNode object = json.objectNode();
      for (Column column : table.columns()) {
        if (column.nullable() && random.nextInt(10) == 0) {
          continue;
        }
        object.set(column.name(), value(column.type(), random, json));
      }
      values.add(object);
    }
    return new JsonRowDecoder(table).decode(values, allocator);
  }

  private static JsonNode value(DataType type, Random random, JsonNodeFactory json) {
    return switch (type.kind()) {
      case BOOLEAN -> json.booleanNode(random.nextBoolean());
      case TINYINT -> json.numberNode(random.nextInt(256) - 128);
      case SMALLINT -> json.numberNode(random.nextInt(65536) - 32768);
      case INT -> json.numberNode(random.nextInt());
      case BIGINT -> json.numberNode(random.nextLong());
      case FLOAT -> json.numberNode(random.nextFloat() * 1000);
      case DOUBLE -> json.numberNode(random.nextGaussian() * 1e6);
      case DECIMAL ->
          json.textNode(
              BigDecimal.valueOf(random.nextLong() % 100_000_000_000_000L, 4).toPlainString());
      case STRING ->
          json.textNode("s" + Long.toString(random.nextLong(), 36).repeat(random.nextInt(4)));
      case BINARY -> {
        byte[] bytes = new byte[random.nextInt(20)];
        random.nextBytes(bytes);
        yield json.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case DATE -> json.textNode(LocalDate.ofEpochDay(random.nextInt(40_000) - 10_000).toString());
      case TIMESTAMP ->
          json.textNode(
              LocalDateTime.ofEpochSecond(
                      random.nextInt(2_000_000_000),
                      random.nextInt(1_000_000) * 1000,
                      ZoneOffset.UTC)
                  .toString());
      case TIMESTAMP_LTZ ->
          json.textNode(
              Instant.ofEpochSecond(
                      random.nextInt(2_000_000_000), random.nextInt(1_000_000) * 1000L)
                  .toString());
    };
  }

  /** Counts the requests made and the bytes returned by the store it wraps. */
  private static final class CountingStore implements ObjectStore {
    private final ObjectStore delegate;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();

    CountingStore(ObjectStore delegate) {
      this.delegate = delegate;
    }

    void reset() {
      requests.set(0);
      bytes.set(0);
    }

    private byte[] counted(byte[] read) {
      requests.incrementAndGet();
      bytes.addAndGet(read.length);
      return read;
    }

    @Override
    public void putIfAbsent(String key, byte[] content) {
      delegate.putIfAbsent(key, content);
    }

    @Override
    public byte[] read(String key) {
      return counted(delegate.read(key));
    }

    @Override
    public byte[] readRange(String key, long offset, int length) {
      return counted(delegate.readRange(key, offset, length));
    }

    @Override
    public byte[] readTail(String key, int length) {
      return counted(delegate.readTail(key, length));
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
      return delegate.list(prefix);
    }

    @Override
    public void delete(String key) {
      delegate.delete(key);
    }
  }
}
