package io.sluice.bench.scan;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * The rows of the union-scan benchmark: a 20-column table (6 bigint with {@code id} first, 5
 * double, 5 string, 4 decimal(18,4)), built batch by batch from a seed so that no run keeps the
 * rows in memory. Batch {@code n} of {@code rows} rows holds ids {@code n * rows} to {@code (n + 1)
 * * rows - 1}, so the ids of all batches sum to a known value.
 */
final class WideRows {
  static final List<Column> COLUMNS = columns();

  /** The timestamp column of the partitioned table, {@code t}, right after {@code id}. */
  static final Column TIME = new Column("t", DataType.of(TypeKind.TIMESTAMP), false);

  /** {@link #COLUMNS} with {@link #TIME} after {@code id}: the partitioned table's columns. */
  static final List<Column> TIMED_COLUMNS = timedColumns();

  private static final String[] REGIONS = {
    "eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1"
  };
  private static final String[] DEVICES = {
    "phone", "tablet", "desktop", "laptop", "tv", "watch", "console", "kiosk"
  };
  private static final String[] PATHS = {
    "/checkout/cart", "/search", "/product/details", "/account/orders", "/help/faq", "/"
  };
  private static final String[] AGENTS = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:144.0) Gecko/20100101 Firefox/144.0",
    "okhttp/4.12.0",
    "curl/8.11.1"
  };

  /** Update batches draw their values from seeds this far from the rows' seeds. */
  private static final long UPDATE_SEED = 1L << 32;

  private WideRows() {}

  private static List<Column> columns() {
    List<Column> columns = new ArrayList<>();
    columns.add(new Column("id", DataType.of(TypeKind.BIGINT), false));
    for (String name : List.of("account", "session", "bytes_in", "bytes_out", "latency_us")) {
      columns.add(new Column(name, DataType.of(TypeKind.BIGINT), true));
    }
    for (String name : List.of("cpu", "memory", "score", "lat", "lon")) {
      columns.add(new Column(name, DataType.of(TypeKind.DOUBLE), true));
    }
    for (String name : List.of("region", "device", "url", "agent", "note")) {
      columns.add(new Column(name, DataType.of(TypeKind.STRING), true));
    }
    for (String name : List.of("price", "tax", "discount", "total")) {
      columns.add(new Column(name, DataType.decimal(18, 4), true));
    }
    return List.copyOf(columns);
  }

  /** The table: the columns above, bucket key {@code id}, 4 buckets, the given lake formats. */
  static TableDefinition table(List<LakeFormatName> formats) {
    return TableDefinition.builder()
        .columns(COLUMNS)
        .bucketKey(List.of("id"))
        .buckets(4)
        .lakeFormats(formats)
        .build("create");
  }

  private static List<Column> timedColumns() {
    List<Column> columns = new ArrayList<>(COLUMNS);
    columns.add(1, TIME);
    return List.copyOf(columns);
  }

  /**
   * The partitioned table: {@link #TIMED_COLUMNS}, partitioned by {@code day(t)}, bucket key {@code
   * id}, 4 buckets in each partition, the given lake formats.
   */
  static TableDefinition timedTable(List<LakeFormatName> formats) {
    return TableDefinition.builder()
        .columns(TIMED_COLUMNS)
        .partitionBy(List.of(PartitionField.parse("day(t)")))
        .bucketKey(List.of("id"))
        .buckets(4)
        .lakeFormats(formats)
        .build("create");
  }

  /**
   * Rows of {@link #TIMED_COLUMNS} with ids {@code firstId} to {@code firstId + rows - 1}, values
   * from seed {@code n} as {@link #batch} makes them and {@code t} of id {@code i} at {@code
   * timeOf(i)} (microseconds since the epoch), as one Arrow IPC stream.
   */
  static byte[] timedBody(
      BufferAllocator allocator, long n, long firstId, int rows, LongUnaryOperator timeOf) {
    try (VectorSchemaRoot root = batch(allocator, n, rows, i -> firstId + i);
        TimeStampMicroVector t =
            (TimeStampMicroVector)
                ArrowSchemas.schema(List.of(TIME)).getFields().get(0).createVector(allocator)) {
      t.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        t.set(i, timeOf.applyAsLong(firstId + i));
      }
      t.setValueCount(rows);
      List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors());
      vectors.add(1, t);
      return ipc(new VectorSchemaRoot(vectors));
    }
  }

  /** The sum of the ids of batches {@code 0} to {@code batches - 1} of {@code rows} rows each. */
  static long idSum(long batches, int rows) {
    long n = batches * rows;
    return n * (n - 1) / 2;
  }

  /** Batch {@code n} of {@code rows} rows as one Arrow IPC stream, the body of one write. */
  static byte[] arrowBody(BufferAllocator allocator, long n, int rows) {
    try (VectorSchemaRoot root = batch(allocator, n, rows)) {
      return ipc(root);
    }
  }

  /**
   * A partial update of keys {@code n * rows * every} to {@code ((n + 1) * rows - 1) * every}
   * (every {@code every}-th key of the first batches), giving only {@code id} and {@code columns}:
   * new values from another seed than the rows they update, as one Arrow IPC stream. A primary-key
   * table keeps the other columns of each key; a log table gets rows with nulls there.
   */
  static byte[] updateBody(
      BufferAllocator allocator, long n, int rows, int every, List<String> columns) {
    try (VectorSchemaRoot root =
        batch(allocator, UPDATE_SEED + n, rows, i -> (n * rows + i) * every)) {
      List<FieldVector> given = new ArrayList<>();
      given.add(root.getVector("id"));
      columns.forEach(c -> given.add(root.getVector(c)));
      return ipc(new VectorSchemaRoot(given));
    }
  }

  /** The sum of the ids that update batches {@code 0} to {@code batches - 1} give. */
  static long updateIdSum(long batches, int rows, int every) {
    return every * idSum(batches, rows);
  }

  private static byte[] ipc(VectorSchemaRoot root) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(
              root, new DictionaryProvider.MapDictionaryProvider(), Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Batch {@code n}: counters and sizes of a few digits, random doubles (which hardly compress),
   * strings from small vocabularies plus numbers, decimals of cents, about 2% nulls in the nullable
   * columns. The caller closes it.
   */
  static VectorSchemaRoot batch(BufferAllocator allocator, long n, int rows) {
    return batch(allocator, n, rows, i -> n * rows + i);
  }

  /**
   * Rows as {@link #batch(BufferAllocator, long, int)} makes them, from seed {@code n}, ids given.
   */
  private static VectorSchemaRoot batch(
      BufferAllocator allocator, long n, int rows, LongUnaryOperator idOf) {
    VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(COLUMNS), allocator);
    try {
      root.allocateNew();
      SplittableRandom random = new SplittableRandom(0x5eed_0000L + n);
      for (int i = 0; i < rows; i++) {
        ((BigIntVector) root.getVector(0)).setSafe(i, idOf.applyAsLong(i));
        bigint(root, 1, i, random, 1 + random.nextLong(50_000));
        bigint(root, 2, i, random, random.nextLong());
        bigint(root, 3, i, random, random.nextLong(100_000));
        bigint(root, 4, i, random, random.nextLong(2_000_000));
        bigint(root, 5, i, random, 200 + random.nextLong(20_000));
        float8(root, 6, i, random, random.nextDouble() * 100);
        float8(root, 7, i, random, random.nextInt(1 << 20) / 1024.0);
        float8(root, 8, i, random, random.nextDouble());
        float8(root, 9, i, random, random.nextDouble() * 180 - 90);
        float8(root, 10, i, random, random.nextDouble() * 360 - 180);
        string(root, 11, i, random, REGIONS[random.nextInt(REGIONS.length)]);
        string(root, 12, i, random, DEVICES[random.nextInt(DEVICES.length)]);
        string(
            root,
            13,
            i,
            random,
            "https://shop.example.com"
                + PATHS[random.nextInt(PATHS.length)]
                + "?item="
                + random.nextInt(1_000_000));
        string(root, 14, i, random, AGENTS[random.nextInt(AGENTS.length)]);
        string(root, 15, i, random, "note " + Long.toString(random.nextLong(1L << 40), 36));
        decimal(root, 16, i, random, random.nextLong(10_000_000) * 100);
        decimal(root, 17, i, random, random.nextLong(2_000_000) * 100);
        decimal(root, 18, i, random, random.nextInt(5) == 0 ? random.nextLong(500_000) : 0);
        decimal(root, 19, i, random, random.nextLong(12_000_000) * 100);
      }
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setValueCount(rows);
      }
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static boolean isNull(SplittableRandom random) {
    return random.nextInt(50) == 0;
  }

  private static void bigint(
      VectorSchemaRoot root, int column, int row, SplittableRandom random, long value) {
    BigIntVector vector = (BigIntVector) root.getVector(column);
    if (isNull(random)) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, value);
    }
  }

  private static void float8(
      VectorSchemaRoot root, int column, int row, SplittableRandom random, double value) {
    Float8Vector vector = (Float8Vector) root.getVector(column);
    if (isNull(random)) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, value);
    }
  }

  private static void string(
      VectorSchemaRoot root, int column, int row, SplittableRandom random, String value) {
    VarCharVector vector = (VarCharVector) root.getVector(column);
    if (isNull(random)) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void decimal(
      VectorSchemaRoot root, int column, int row, SplittableRandom random, long unscaled) {
    DecimalVector vector = (DecimalVector) root.getVector(column);
    if (isNull(random)) {
      vector.setNull(row);
    } else {
      vector.setSafe(row, BigDecimal.valueOf(unscaled, 4));
    }
  }
}
