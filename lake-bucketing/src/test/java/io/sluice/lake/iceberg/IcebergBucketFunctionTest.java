package io.sluice.lake.iceberg;

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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.PartitionedFanoutWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests: rows are bucketed by {@link IcebergBucketFunction}, then written by Iceberg's own
 * generic Parquet writer, partitioned by Iceberg's {@link PartitionKey} under the spec {@code
 * bucket(k, N)}, into a real Hadoop table; each data file's partition value is read back.
 */
class IcebergBucketFunctionTest {
  private static final int BUCKETS = 10;
  private static final int ROWS = 200;

  @TempDir Path warehouse;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  static Stream<DataType> keyTypes() {
    return Stream.concat(
        Arrays.stream(TypeKind.values())
            .filter(IcebergBucketFunction.BUCKETABLE::contains)
            .filter(kind -> kind != TypeKind.DECIMAL)
            .map(DataType::of),
        Stream.of(
            DataType.decimal(10, 2),
            DataType.decimal(18, 4),
            DataType.decimal(19, 0),
            DataType.decimal(38, 10)));
  }

  @Test
  void coversEveryTypeIcebergBuckets() {
    assertThat(keyTypes().map(type -> type.kind()).distinct())
        .containsExactlyInAnyOrder(
            TypeKind.TINYINT,
            TypeKind.SMALLINT,
            TypeKind.INT,
            TypeKind.BIGINT,
            TypeKind.DECIMAL,
            TypeKind.STRING,
            TypeKind.BINARY,
            TypeKind.DATE,
            TypeKind.TIMESTAMP,
            TypeKind.TIMESTAMP_LTZ);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyTypes")
  void placesEveryRowInTheBucketIcebergPartitionsItInto(DataType type) throws Exception {
    List<Column> columns = List.of(idColumn(), new Column("k", type, false));
    List<Object> keys = KeyValues.of(type, ROWS, 0, type.toString().hashCode());
    List<Object[]> rows =
        IntStream.range(0, ROWS).mapToObj(i -> new Object[] {i, keys.get(i)}).toList();

    int[] ours = bucket(definition(columns), columns, rows);

    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.IntegerType.get()),
            Types.NestedField.required(2, "k", icebergType(type)));
    PartitionSpec spec = PartitionSpec.builderFor(schema).bucket("k", BUCKETS).build();
    assertThat(writeAndReadBuckets(schema, spec, rows)).isEqualTo(expected(ours));
    assertThat(Arrays.stream(ours).distinct().count())
        .as("the rows are spread over buckets")
        .isGreaterThan(BUCKETS / 2);
  }

  @Test
  void refusesANullKeyNamingRowAndColumn() {
    List<Column> columns =
        List.of(idColumn(), new Column("k", DataType.of(TypeKind.STRING), false));
    TableDefinition definition = definition(columns);
    // A client may send a nullable field for a non-null column; the nulls are in the values.
    List<Column> given = List.of(idColumn(), new Column("k", DataType.of(TypeKind.STRING), true));
    List<Object[]> rows =
        List.of(new Object[] {0, "a"}, new Object[] {1, "b"}, new Object[] {2, null});

    assertThatThrownBy(() -> bucket(definition, given, rows))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot bucket row 3: bucket key column k is null, and Iceberg buckets only non-null"
                + " values");
  }

  @Test
  void refusesABatchWithoutTheKey() {
    TableDefinition definition =
        definition(List.of(idColumn(), new Column("k", DataType.of(TypeKind.BIGINT), false)));
    assertThatThrownBy(
            () -> bucket(definition, List.of(idColumn()), List.<Object[]>of(new Object[] {1})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot bucket rows: the batch has no field for bucket key column k, which is not"
                + " nullable");
  }

  @Test
  void refusesKeysIcebergCannotBucket() {
    IcebergBucketFunctionFactory factory = new IcebergBucketFunctionFactory();
    List<Column> columns =
        List.of(
            new Column("a", DataType.of(TypeKind.INT), false),
            new Column("b", DataType.of(TypeKind.INT), false),
            new Column("d", DataType.of(TypeKind.DOUBLE), false));

    assertThatThrownBy(() -> factory.create(unchecked(columns, List.of("a", "b"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot bucket by Iceberg's bucket transform: it takes one bucket key column, not [a,"
                + " b]");
    assertThatThrownBy(() -> factory.create(unchecked(columns, List.of("d"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot bucket by Iceberg's bucket transform: bucket key column d has type double,"
                + " which it does not take");
  }

  private static Column idColumn() {
    return new Column("id", DataType.of(TypeKind.INT), false);
  }

  private static TableDefinition definition(List<Column> columns) {
    return TableDefinition.builder()
        .columns(columns)
        .bucketKey(List.of("k"))
        .buckets(BUCKETS)
        .lakeFormats(List.of(LakeFormatName.ICEBERG))
        .build("Cannot create table default.t");
  }

  /** A definition the validation would refuse, as a factory might still be handed one. */
  private static TableDefinition unchecked(List<Column> columns, List<String> bucketKey) {
    return new TableDefinition(
        columns,
        List.of(),
        bucketKey,
        BUCKETS,
        List.of(LakeFormatName.ICEBERG),
        Duration.ofSeconds(30),
        Duration.ofHours(24),
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        List.of(),
        Optional.empty(),
        TableDefinition.DEFAULT_MAX_PARTITIONS);
  }

  /** Our buckets of the rows, through the function the service loader finds. */
  private int[] bucket(TableDefinition definition, List<Column> columns, List<Object[]> rows) {
    BucketFunction function = BucketFunctions.of(definition);
    assertThat(function).isInstanceOf(IcebergBucketFunction.class);
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
   * Writes the rows (id, k) with Iceberg's generic Parquet appenders, one data file per partition
   * that Iceberg's {@link PartitionKey} computes, commits them, and answers the partition value of
   * the data file each id was found in.
   */
  private Map<Integer, Integer> writeAndReadBuckets(
      Schema schema, PartitionSpec spec, List<Object[]> rows) throws Exception {
    Table table =
        new HadoopTables(new Configuration())
            .create(
                schema,
                spec,
                Map.of(TableProperties.DEFAULT_FILE_FORMAT, "parquet"),
                warehouse.resolve("t").toString());
    PartitionKey partitionKey = new PartitionKey(table.spec(), table.schema());
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    PartitionedFanoutWriter<Record> writer =
        new PartitionedFanoutWriter<>(
            table.spec(),
            FileFormat.PARQUET,
            new GenericAppenderFactory(table.schema(), table.spec()),
            files,
            table.io(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT) {
          @Override
          protected PartitionKey partition(Record record) {
            partitionKey.partition(wrapper.wrap(record));
            return partitionKey;
          }
        };
    try {
      for (Object[] row : rows) {
        GenericRecord record = GenericRecord.create(table.schema());
        record.set(0, row[0]);
        record.set(1, icebergValue(row[1]));
        writer.write(record);
      }
    } finally {
      writer.close();
    }
    AppendFiles append = table.newAppend();
    for (DataFile file : writer.dataFiles()) {
      append.appendFile(file);
    }
    append.commit();

    Map<Integer, Integer> found = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        Integer bucket = task.file().partition().get(0, Integer.class);
        try (CloseableIterable<Record> records =
            Parquet.read(table.io().newInputFile(task.file().location()))
                .project(table.schema())
                .createReaderFunc(
                    fileSchema -> GenericParquetReaders.buildReader(table.schema(), fileSchema))
                .build()) {
          for (Record record : records) {
            found.put((Integer) record.getField("id"), bucket);
          }
        }
      }
    }
    return found;
  }

  /**
   * Iceberg's type of a column type, written out here rather than taken from the code under test.
   */
  private static Type icebergType(DataType type) {
    return switch (type.kind()) {
      case TINYINT, SMALLINT, INT -> Types.IntegerType.get();
      case BIGINT -> Types.LongType.get();
      case DECIMAL -> Types.DecimalType.of(type.precision(), type.scale());
      case STRING -> Types.StringType.get();
      case BINARY -> Types.BinaryType.get();
      case DATE -> Types.DateType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case TIMESTAMP_LTZ -> Types.TimestampType.withZone();
      case BOOLEAN, FLOAT, DOUBLE -> throw new IllegalArgumentException("not bucketable: " + type);
    };
  }

  /** A value as Iceberg's generic records hold it. */
  private static Object icebergValue(Object value) {
    if (value instanceof Byte b) {
      return (int) b;
    } else if (value instanceof Short s) {
      return (int) s;
    } else if (value instanceof byte[] bytes) {
      return ByteBuffer.wrap(bytes);
    } else if (value instanceof Instant instant) {
      return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    return value;
  }
}
