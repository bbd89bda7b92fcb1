package io.sluice.lake.iceberg;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.TestWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Test support: a table of every column type, its rows as Arrow batches (bucketed by the table's
 * bucket function) and as the Java values Iceberg's generic reader returns, and a user's own view
 * of the lake through a separately opened JDBC catalog.
 */
final class IcebergTestTables {
  static final TableName NAME = TableName.parse("shop.events");
  static final int BUCKETS = 3;
  static final Instant EPOCH_TS = Instant.parse("2024-02-29T12:34:56.123456Z");

  static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("b", DataType.of(TypeKind.BOOLEAN), true),
          new Column("ti", DataType.of(TypeKind.TINYINT), true),
          new Column("si", DataType.of(TypeKind.SMALLINT), true),
          new Column("i", DataType.of(TypeKind.INT), true),
          new Column("f", DataType.of(TypeKind.FLOAT), true),
          new Column("d", DataType.of(TypeKind.DOUBLE), true),
          new Column("dec", DataType.decimal(10, 2), true),
          new Column("s", DataType.of(TypeKind.STRING), true),
          new Column("bin", DataType.of(TypeKind.BINARY), true),
          new Column("dt", DataType.of(TypeKind.DATE), true),
          new Column("ts", DataType.of(TypeKind.TIMESTAMP), true),
          new Column("tsl", DataType.of(TypeKind.TIMESTAMP_LTZ), true));

  private IcebergTestTables() {}

  /** The settings of the warehouse: a local one, or one on S3 with a JDBC catalog on SQLite. */
  static LakeSettings settings(TestWarehouse warehouse) {
    return warehouse.settings(Map.of());
  }

  static TableDefinition definition(LakeFormatName... formats) {
    return TableDefinition.builder()
        .columns(COLUMNS)
        .bucketKey(List.of("id"))
        .buckets(BUCKETS)
        .lakeFormats(List.of(formats))
        .build("Cannot create table " + NAME);
  }

  static TableEntry entry(TableDefinition definition) {
    return new TableEntry(NAME, UUID.randomUUID().toString(), definition, 1, Instant.now());
  }

  /** Row {@code n} of the table: Java values per column, nulls in every seventh row. */
  static Object[] row(long n) {
    boolean nulls = n % 7 == 3;
    int k = (int) n;
    return new Object[] {
      n,
      nulls ? null : k % 2 == 0,
      nulls ? null : (byte) (k % 200 - 100),
      nulls ? null : (short) (k * 37 - 5000),
      nulls ? null : k * -104729,
      nulls ? null : k * 0.5f - 3.25f,
      nulls ? null : k * 1.0e10 - 0.125,
      nulls ? null : BigDecimal.valueOf(k * 10_001L - 77, 2),
      nulls ? null : "row " + k + " ✓ ü",
      nulls ? null : new byte[] {(byte) k, (byte) (k >> 8), 0, -1},
      nulls ? null : LocalDate.of(1969, 12, 20).plusDays(k * 3L),
      nulls ? null : LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_000).plusSeconds(k * 977L),
      nulls ? null : EPOCH_TS.minus(k * 123_457L, ChronoUnit.MICROS)
    };
  }

  static List<Object[]> rows(long from, long to) {
    List<Object[]> rows = new ArrayList<>();
    for (long n = from; n < to; n++) {
      rows.add(row(n));
    }
    return rows;
  }

  /** A row as Iceberg's generic reader returns it. */
  static List<Object> icebergValues(Object[] row) {
    return Arrays.stream(row)
        .map(
            v -> {
              if (v instanceof Byte b) {
                return (Object) (int) b;
              } else if (v instanceof Short s) {
                return (int) s;
              } else if (v instanceof byte[] bytes) {
                return ByteBuffer.wrap(bytes);
              } else if (v instanceof Instant instant) {
                return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
              }
              return v;
            })
        .toList();
  }

  /** The rows by the log bucket the table's bucket function gives them. */
  static Map<Integer, List<Object[]>> byBucket(
      BufferAllocator allocator, TableDefinition definition, List<Object[]> rows) {
    Map<Integer, List<Object[]>> result = new HashMap<>();
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, definition.columns(), rows)) {
      int[] buckets = BucketFunctions.of(definition).buckets(batch);
      for (int r = 0; r < rows.size(); r++) {
        result.computeIfAbsent(buckets[r], b -> new ArrayList<>()).add(rows.get(r));
      }
    }
    return result;
  }

  /**
   * Writes the rows, each into its log bucket; answers the end offset per bucket from {@code
   * start}.
   */
  static Map<Integer, Long> writeBuckets(
      BufferAllocator allocator,
      TableDefinition definition,
      LakeWrite write,
      List<Object[]> rows,
      Map<Integer, Long> start) {
    Map<Integer, Long> ends = new HashMap<>(start);
    byBucket(allocator, definition, rows)
        .forEach(
            (bucket, bucketRows) -> {
              try (VectorSchemaRoot batch =
                  ArrowTestBatches.of(allocator, definition.columns(), bucketRows)) {
                write.write(TableBucket.UNPARTITIONED, bucket, batch);
              }
              ends.merge(bucket, (long) bucketRows.size(), Long::sum);
            });
    return ends;
  }

  /**
   * The lake as a user sees it: the catalog {@code sluice} opened on its own, on S3 with {@code
   * S3FileIO} configured as an engine would configure it.
   */
  static final class UserCatalog implements AutoCloseable {
    private final JdbcCatalog catalog = new JdbcCatalog();

    UserCatalog(TestWarehouse warehouse) {
      Map<String, String> properties = new HashMap<>();
      properties.put(CatalogProperties.URI, "jdbc:sqlite:" + warehouse.icebergCatalogFile());
      properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.uri("iceberg"));
      // Iceberg 1.10.1's check for its catalog tables leaves a read open on SQLite.
      properties.put("jdbc.init-catalog-tables", "false");
      Map<String, String> s3 = warehouse.s3Options();
      if (!s3.isEmpty()) {
        properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
        properties.put("s3.endpoint", s3.get("s3.endpoint"));
        properties.put("s3.path-style-access", "true");
        properties.put("s3.access-key-id", s3.get("s3.access-key"));
        properties.put("s3.secret-access-key", s3.get("s3.secret-key"));
        properties.put("client.region", s3.get("s3.region"));
      }
      catalog.setConf(new Configuration());
      catalog.initialize("sluice", properties);
    }

    Table table() {
      return table(NAME);
    }

    Table table(TableName name) {
      return catalog.loadTable(TableIdentifier.of(name.database(), name.table()));
    }

    boolean exists() {
      return catalog.tableExists(TableIdentifier.of(NAME.database(), NAME.table()));
    }

    /** Every row of the current snapshot, read with Iceberg's generic reader. */
    List<List<Object>> rows() {
      List<List<Object>> rows = new ArrayList<>();
      try (CloseableIterable<Record> records = IcebergGenerics.read(table()).build()) {
        for (Record record : records) {
          List<Object> values = new ArrayList<>();
          for (int i = 0; i < record.size(); i++) {
            values.add(record.get(i));
          }
          rows.add(values);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return rows;
    }

    @Override
    public void close() throws IOException {
      catalog.close();
    }
  }

  /** The Parquet files under the table's data folder, listed through the table's own FileIO. */
  static List<String> dataFiles(Table table) {
    return files(table, table.location() + "/data/").stream()
        .filter(location -> location.endsWith(".parquet"))
        .toList();
  }

  /** Every file under {@code prefix}, listed through the table's FileIO. */
  static List<String> files(Table table, String prefix) {
    SupportsPrefixOperations io = (SupportsPrefixOperations) table.io();
    try {
      return StreamSupport.stream(io.listPrefix(prefix).spliterator(), false)
          .map(FileInfo::location)
          .toList();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof java.io.FileNotFoundException) {
        return List.of(); // a local folder not made yet
      }
      throw e;
    }
  }
}
