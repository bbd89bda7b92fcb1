package io.sluice.lake.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.KeyValues;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
import org.apache.paimon.fs.Path;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.DecimalType;
import org.apache.paimon.types.RowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests: rows are bucketed by {@link PaimonBucketFunction}, then written by Paimon's own
 * writer (which chooses the bucket itself) into a real filesystem-catalog table, and read back
 * bucket by bucket.
 */
class PaimonBucketFunctionTest {
  private static final int BUCKETS = 7;
  private static final int ROWS = 200;

  @TempDir java.nio.file.Path warehouse;
  private BufferAllocator allocator;
  private Catalog catalog;

  @BeforeEach
  void setUp() throws Exception {
    allocator = new RootAllocator();
    catalog = CatalogFactory.createCatalog(CatalogContext.create(new Path(warehouse.toUri())));
    catalog.createDatabase("db", false);
  }

  @AfterEach
  void tearDown() throws Exception {
    catalog.close();
    allocator.close();
  }

  static Stream<DataType> keyTypes() {
    return Stream.concat(
        Arrays.stream(TypeKind.values()).filter(kind -> kind != TypeKind.DECIMAL).map(DataType::of),
        Stream.of(
            DataType.decimal(10, 2),
            DataType.decimal(18, 4),
            DataType.decimal(19, 0),
            DataType.decimal(38, 10)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyTypes")
  void placesEveryRowInTheBucketPaimonWritesItTo(DataType type) throws Exception {
    List<Column> columns = List.of(idColumn(), new Column("k", type, true));
    List<Object> keys = KeyValues.of(type, ROWS, 13, type.toString().hashCode());
    List<Object[]> rows =
        IntStream.range(0, ROWS).mapToObj(i -> new Object[] {i, keys.get(i)}).toList();

    int[] ours = bucket(definition(columns, List.of("k")), columns, rows);

    Schema schema =
        Schema.newBuilder()
            .column("id", DataTypes.INT().notNull())
            .column("k", paimonType(type))
            .option("bucket", String.valueOf(BUCKETS))
            .option("bucket-key", "k")
            .build();
    assertThat(writeAndReadBuckets(schema, rows, ours)).isEqualTo(expected(ours));
    assertThat(Arrays.stream(ours).distinct().count())
        .as("the rows are spread over buckets")
        .isGreaterThan(1);
  }

  @Test
  void hashesAMultiColumnKeyInBucketKeyOrder() throws Exception {
    List<Column> columns =
        List.of(
            idColumn(),
            new Column("b", DataType.of(TypeKind.STRING), true),
            new Column("a", DataType.of(TypeKind.BIGINT), true),
            new Column("note", DataType.of(TypeKind.STRING), true),
            new Column("c", DataType.of(TypeKind.DATE), true));
    Random random = new Random(42);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(
          new Object[] {
            i,
            i % 11 == 3 ? null : KeyValues.random(DataType.of(TypeKind.STRING), random),
            i % 17 == 5 ? null : KeyValues.random(DataType.of(TypeKind.BIGINT), random),
            "row " + i,
            i % 19 == 7 ? null : KeyValues.random(DataType.of(TypeKind.DATE), random)
          });
    }

    int[] ours = bucket(definition(columns, List.of("a", "b", "c")), columns, rows);

    Schema schema =
        Schema.newBuilder()
            .column("id", DataTypes.INT().notNull())
            .column("b", DataTypes.STRING())
            .column("a", DataTypes.BIGINT())
            .column("note", DataTypes.STRING())
            .column("c", DataTypes.DATE())
            .option("bucket", String.valueOf(BUCKETS))
            .option("bucket-key", "a,b,c")
            .build();
    assertThat(writeAndReadBuckets(schema, rows, ours)).isEqualTo(expected(ours));
  }

  @Test
  void placesPrimaryKeyRowsWherePaimonMergesThem() throws Exception {
    List<Column> columns =
        List.of(
            idColumn(),
            new Column("tenant", DataType.of(TypeKind.STRING), false),
            new Column("at", DataType.of(TypeKind.TIMESTAMP_LTZ), false),
            new Column("amount", DataType.decimal(20, 3), true));
    Random random = new Random(7);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add(
          new Object[] {
            i,
            "tenant-" + (i % 9),
            KeyValues.instant(1_700_000_000_000_000L + i * 1_001L),
            KeyValues.random(DataType.decimal(20, 3), random)
          });
    }
    TableDefinition definition =
        TableDefinition.builder()
            .columns(columns)
            .primaryKey(List.of("tenant", "at"))
            .buckets(BUCKETS)
            .build("Cannot create table default.t");

    int[] ours = bucket(definition, columns, rows);

    Schema schema =
        Schema.newBuilder()
            .column("id", DataTypes.INT().notNull())
            .column("tenant", DataTypes.STRING().notNull())
            .column("at", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6).notNull())
            .column("amount", DataTypes.DECIMAL(20, 3))
            .primaryKey("tenant", "at")
            .option("bucket", String.valueOf(BUCKETS))
            .build();
    assertThat(writeAndReadBuckets(schema, rows, ours)).isEqualTo(expected(ours));
  }

  @Test
  void placesRowsOfABatchWithoutTheNullableKeyWhereANullKeyGoes() {
    List<Column> columns = List.of(idColumn(), new Column("k", DataType.of(TypeKind.INT), true));
    TableDefinition definition = definition(columns, List.of("k"));
    List<Object[]> nulls = List.of(new Object[] {1, null}, new Object[] {2, null});
    int[] withNulls = bucket(definition, columns, nulls);
    int[] without =
        bucket(definition, List.of(idColumn()), List.of(new Object[] {1}, new Object[] {2}));
    assertThat(without).containsExactly(withNulls);
  }

  @Test
  void refusesAKeyFieldOfAnotherArrowType() {
    TableDefinition definition =
        definition(
            List.of(idColumn(), new Column("k", DataType.of(TypeKind.BIGINT), true)), List.of("k"));
    List<Column> given = List.of(idColumn(), new Column("k", DataType.of(TypeKind.INT), true));
    assertThatThrownBy(() -> bucket(definition, given, List.<Object[]>of(new Object[] {1, 5})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot bucket rows: bucket key column k of type bigint must be Arrow Int(64, true),"
                + " not Int(32, true)");
  }

  private static Column idColumn() {
    return new Column("id", DataType.of(TypeKind.INT), false);
  }

  private static TableDefinition definition(List<Column> columns, List<String> bucketKey) {
    return TableDefinition.builder()
        .columns(columns)
        .bucketKey(bucketKey)
        .buckets(BUCKETS)
        .lakeFormats(List.of(LakeFormatName.PAIMON))
        .build("Cannot create table default.t");
  }

  /** Our buckets of the rows, through the function the service loader finds. */
  private int[] bucket(TableDefinition definition, List<Column> columns, List<Object[]> rows) {
    BucketFunction function = BucketFunctions.of(definition);
    assertThat(function).isInstanceOf(PaimonBucketFunction.class);
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, columns, rows)) {
      return function.buckets(batch);
    }
  }

  private static Map<Integer, Integer> expected(int[] buckets) {
    Map<Integer, Integer> expected = new HashMap<>();
    for (int id = 0; id < buckets.length; id++) {
      expected.put(id, buckets[id]);
    }
    return expected;
  }

  /**
   * Writes the rows (column 0 is the id) with {@code write(row)}, so that Paimon picks each bucket,
   * checking on the way that Paimon's own bucket of each row is ours; then reads the table split by
   * split and answers the bucket each id was found in.
   */
  private Map<Integer, Integer> writeAndReadBuckets(Schema schema, List<Object[]> rows, int[] ours)
      throws Exception {
    Identifier identifier = Identifier.create("db", "t");
    catalog.createTable(identifier, schema, false);
    Table table = catalog.getTable(identifier);
    BatchWriteBuilder writeBuilder = table.newBatchWriteBuilder();
    try (BatchTableWrite write = writeBuilder.newWrite();
        BatchTableCommit commit = writeBuilder.newCommit()) {
      for (int i = 0; i < rows.size(); i++) {
        GenericRow row = paimonRow(rows.get(i), table.rowType());
        assertThat(write.getBucket(row))
            .as("Paimon's bucket of row %s", Arrays.toString(rows.get(i)))
            .isEqualTo(ours[i]);
        write.write(row);
      }
      commit.commit(write.prepareCommit());
    }

    Map<Integer, Integer> found = new HashMap<>();
    ReadBuilder readBuilder = table.newReadBuilder();
    for (Split split : readBuilder.newScan().plan().splits()) {
      int bucket = ((DataSplit) split).bucket();
      try (RecordReader<InternalRow> reader = readBuilder.newRead().createReader(split)) {
        reader.forEachRemaining(row -> found.put(row.getInt(0), bucket));
      }
    }
    return found;
  }

  /**
   * Paimon's type of a column type, written out here rather than taken from the code under test.
   */
  private static org.apache.paimon.types.DataType paimonType(DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> DataTypes.BOOLEAN();
      case TINYINT -> DataTypes.TINYINT();
      case SMALLINT -> DataTypes.SMALLINT();
      case INT -> DataTypes.INT();
      case BIGINT -> DataTypes.BIGINT();
      case FLOAT -> DataTypes.FLOAT();
      case DOUBLE -> DataTypes.DOUBLE();
      case DECIMAL -> DataTypes.DECIMAL(type.precision(), type.scale());
      case STRING -> DataTypes.STRING();
      case BINARY -> DataTypes.BYTES();
      case DATE -> DataTypes.DATE();
      case TIMESTAMP -> DataTypes.TIMESTAMP(6);
      case TIMESTAMP_LTZ -> DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6);
    };
  }

  private static GenericRow paimonRow(Object[] values, RowType rowType) {
    GenericRow row = new GenericRow(values.length);
    for (int i = 0; i < values.length; i++) {
      row.setField(i, paimonValue(values[i], rowType.getTypeAt(i)));
    }
    return row;
  }

  private static Object paimonValue(Object value, org.apache.paimon.types.DataType type) {
    if (value instanceof BigDecimal decimal) {
      return Decimal.fromBigDecimal(
          decimal, ((DecimalType) type).getPrecision(), ((DecimalType) type).getScale());
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
}
