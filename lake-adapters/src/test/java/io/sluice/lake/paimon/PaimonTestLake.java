package io.sluice.lake.paimon;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.TestWarehouse;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.types.RowType;

/**
 * A Paimon lake for tests, in a directory or on s3proxy ({@link TestWarehouse}): table entries,
 * rows of every type as Java values, their Arrow batches and Paimon rows (written out here, not
 * taken from the code under test), and Paimon's own reader and catalog to check what the adapter
 * wrote.
 */
final class PaimonTestLake {
  static final TableName NAME = new TableName("db", "events");

  /** Every Sluice type; {@code k} and {@code s} are the bucket key. */
  static final List<Column> ALL_TYPES =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("k", DataType.of(TypeKind.INT), true),
          new Column("s", DataType.of(TypeKind.STRING), true),
          new Column("flag", DataType.of(TypeKind.BOOLEAN), true),
          new Column("tiny", DataType.of(TypeKind.TINYINT), true),
          new Column("small", DataType.of(TypeKind.SMALLINT), true),
          new Column("real", DataType.of(TypeKind.FLOAT), true),
          new Column("dbl", DataType.of(TypeKind.DOUBLE), true),
          new Column("amount", DataType.decimal(20, 4), true),
          new Column("bytes", DataType.of(TypeKind.BINARY), true),
          new Column("day", DataType.of(TypeKind.DATE), true),
          new Column("at", DataType.of(TypeKind.TIMESTAMP), true),
          new Column("at_ltz", DataType.of(TypeKind.TIMESTAMP_LTZ), true));

  /** The table's folder, relative to the warehouse root. */
  static final String TABLE_FOLDER = "paimon/" + NAME.database() + ".db/" + NAME.table() + "/";

  final TestWarehouse warehouse;
  final LakeSettings settings;

  PaimonTestLake(TestWarehouse warehouse, Map<String, String> options) {
    this.warehouse = warehouse;
    this.settings = warehouse.settings(options);
  }

  /** The format under test on this lake, with the warehouse's locks. */
  LakeFormat format() {
    return new PaimonLakeFormatFactory().create(settings, warehouse.locks());
  }

  static TableDefinition definition(List<Column> columns, List<String> bucketKey, int buckets) {
    return TableDefinition.builder()
        .columns(columns)
        .bucketKey(bucketKey)
        .buckets(buckets)
        .lakeFormats(List.of(LakeFormatName.PAIMON))
        .build("Cannot create table " + NAME);
  }

  static TableEntry entry(String tableId, TableDefinition definition) {
    return new TableEntry(NAME, tableId, definition, 1, Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** A row of {@link #ALL_TYPES} with id {@code id}, about one value in eight null. */
  static Object[] randomRow(long id, Random random) {
    Object[] row = {
      id,
      random.nextInt(),
      "s-" + random.nextInt(50) + (random.nextBoolean() ? "é€" : ""),
      random.nextBoolean(),
      (byte) random.nextInt(),
      (short) random.nextInt(),
      random.nextFloat() * 1000 - 500,
      random.nextDouble() * 1e9 - 5e8,
      BigDecimal.valueOf(random.nextLong() % 1_000_000_000_000L, 4),
      randomBytes(random),
      LocalDate.ofEpochDay(random.nextInt(40_000) - 10_000),
      LocalDateTime.ofEpochSecond(
          random.nextInt(), random.nextInt(1_000_000) * 1000, ZoneOffset.UTC),
      Instant.ofEpochSecond(random.nextInt(), random.nextInt(1_000_000) * 1000L)
    };
    for (int c = 1; c < row.length; c++) {
      if (random.nextInt(8) == 0) {
        row[c] = null;
      }
    }
    return row;
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(6)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The Paimon row of Java values of {@code columns}, as Paimon keeps them. */
  static GenericRow paimonRow(Object[] values, List<Column> columns) {
    GenericRow row = new GenericRow(columns.size());
    for (int i = 0; i < values.length; i++) {
      row.setField(i, paimonValue(values[i], columns.get(i).type()));
    }
    return row;
  }

  private static Object paimonValue(Object value, DataType type) {
    if (value instanceof BigDecimal decimal) {
      return Decimal.fromBigDecimal(
          decimal.setScale(type.scale(), RoundingMode.UNNECESSARY), type.precision(), type.scale());
    } else if (value instanceof String string) {
      return BinaryString.fromString(string);
    } else if (value instanceof LocalDate date) {
      return (int) date.toEpochDay();
    } else if (value instanceof LocalDateTime dateTime) {
      return Timestamp.fromLocalDateTime(dateTime);
    } else if (value instanceof Instant instant) {
      return Timestamp.fromInstant(instant);
    }
    return value;
  }

  /** The log bucket of each row, as the log assigns it (Paimon's bucketing, via core). */
  static int[] logBuckets(
      BufferAllocator allocator, TableDefinition definition, List<Object[]> rows) {
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, definition.columns(), rows)) {
      return BucketFunctions.of(definition).buckets(batch);
    }
  }

  /** A row read back and the Paimon bucket it was read from. */
  record ReadRow(int bucket, GenericRow row) {}

  /** Every row of the table's latest snapshot, read with Paimon's own reader, split by split. */
  static List<ReadRow> readAll(FileStoreTable table) throws IOException {
    List<ReadRow> rows = new ArrayList<>();
    RowType type = table.rowType();
    InternalRow.FieldGetter[] getters = new InternalRow.FieldGetter[type.getFieldCount()];
    for (int i = 0; i < getters.length; i++) {
      getters[i] = InternalRow.createFieldGetter(type.getTypeAt(i), i);
    }
    ReadBuilder read = table.newReadBuilder();
    for (Split split : read.newScan().plan().splits()) {
      int bucket = ((DataSplit) split).bucket();
      try (RecordReader<InternalRow> reader = read.newRead().createReader(split)) {
        reader.forEachRemaining(
            row -> {
              GenericRow copy = new GenericRow(getters.length);
              for (int i = 0; i < getters.length; i++) {
                copy.setField(i, getters[i].getFieldOrNull(row));
              }
              rows.add(new ReadRow(bucket, copy));
            });
      }
    }
    return rows;
  }

  /**
   * Paimon's own catalog on the lake's Paimon warehouse, configured as a user would: on S3 with
   * paimon-s3's options and no lock (it only reads).
   */
  Catalog paimonCatalog() {
    Options options = new Options();
    options.set("warehouse", warehouse.uri("paimon"));
    options.set("cache-enabled", "false");
    Map<String, String> s3 = warehouse.s3Options();
    if (!s3.isEmpty()) {
      options.set("s3.endpoint", s3.get("s3.endpoint"));
      options.set("s3.endpoint.region", s3.get("s3.region"));
      options.set("s3.path.style.access", "true");
      options.set("s3.access-key", s3.get("s3.access-key"));
      options.set("s3.secret-key", s3.get("s3.secret-key"));
    }
    return CatalogFactory.createCatalog(CatalogContext.create(options));
  }

  /** The Paimon table of {@link #NAME}, loaded afresh. */
  FileStoreTable paimonTable() throws Exception {
    try (Catalog catalog = paimonCatalog()) {
      return (FileStoreTable) catalog.getTable(Identifier.create(NAME.database(), NAME.table()));
    }
  }

  /**
   * The table {@link #NAME} loaded through the format's own catalog: on S3 its commits take the
   * warehouse's locks.
   */
  FileStoreTable sluiceTable() throws Exception {
    try (Catalog catalog = PaimonCatalogs.open(settings, Optional.of(warehouse.locks()))) {
      return (FileStoreTable) catalog.getTable(Identifier.create(NAME.database(), NAME.table()));
    }
  }

  /** Whether the folder of the table {@link #NAME} holds any file. */
  boolean tableFolderExists() {
    return !warehouse.files(TABLE_FOLDER).isEmpty();
  }

  /** The Parquet data files in the table's folder, referenced or not, relative to the root. */
  List<String> dataFilesOnDisk() {
    return warehouse.files(TABLE_FOLDER, ".parquet");
  }
}
