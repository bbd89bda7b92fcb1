package io.sluice.lake.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.iceberg.IcebergLakeFormatFactory;
import io.sluice.lake.paimon.PaimonLakeFormatFactory;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both formats read back a snapshot through the scan SPI: every type, projection and filters. */
class LakeScanTest {
  private static final TableName NAME = TableName.parse("shop.orders");
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("flag", DataType.of(TypeKind.BOOLEAN), true),
          new Column("tiny", DataType.of(TypeKind.TINYINT), true),
          new Column("small", DataType.of(TypeKind.SMALLINT), true),
          new Column("num", DataType.of(TypeKind.INT), true),
          new Column("real", DataType.of(TypeKind.FLOAT), true),
          new Column("dbl", DataType.of(TypeKind.DOUBLE), true),
          new Column("amount", DataType.decimal(12, 2), true),
          new Column("note", DataType.of(TypeKind.STRING), true),
          new Column("bytes", DataType.of(TypeKind.BINARY), true),
          new Column("day", DataType.of(TypeKind.DATE), true),
          new Column("at", DataType.of(TypeKind.TIMESTAMP), true),
          new Column("at_ltz", DataType.of(TypeKind.TIMESTAMP_LTZ), true));

  @TempDir Path warehouse;
  private final BufferAllocator allocator = new RootAllocator();
  private LakeFormat format;

  @AfterEach
  void close() {
    if (format != null) {
      format.close();
    }
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  private LakeTable table(LakeFormatName name, List<Column> columns) {
    LakeSettings settings = new LakeSettings(warehouse.toUri().toString(), Map.of());
    format =
        name == LakeFormatName.PAIMON
            ? new PaimonLakeFormatFactory().create(settings)
            : new IcebergLakeFormatFactory().create(settings);
    return format.createOrLoad(entry(name, columns));
  }

  private static TableEntry entry(LakeFormatName name, List<Column> columns) {
    TableDefinition definition =
        TableDefinition.builder()
            .columns(columns)
            .bucketKey(List.of("id"))
            .buckets(3)
            .lakeFormats(List.of(name))
            .build("test");
    return new TableEntry(NAME, "table-1", definition, 1, Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Row {@code id}: every column set from the id, nulls on every fifth row. */
  private static Object[] row(long id) {
    boolean nulls = id % 5 == 4;
    return new Object[] {
      id,
      nulls ? null : id % 2 == 0,
      nulls ? null : (byte) (id % 100),
      nulls ? null : (short) (id * 3),
      nulls ? null : (int) (id * 7),
      nulls ? null : id / 4f,
      nulls ? null : id / 8d,
      nulls ? null : BigDecimal.valueOf(id * 101, 2),
      nulls ? null : "note-" + id + "-é",
      nulls ? null : new byte[] {(byte) id, 1, 2},
      nulls ? null : LocalDate.of(2026, 1, 1).plusDays(id),
      nulls ? null : LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(id).plusNanos(123_000),
      nulls ? null : Instant.parse("2026-01-01T00:00:00Z").plusMillis(id * 1001)
    };
  }

  /** Writes rows [from, to) bucket by bucket and commits them. */
  private LakeSnapshot commit(
      LakeTable table, TableEntry entry, Optional<LakeSnapshot> base, long from, long to) {
    List<Object[]> rows = new ArrayList<>();
    for (long id = from; id < to; id++) {
      rows.add(row(id));
    }
    int[] buckets;
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      buckets = BucketFunctions.of(entry.definition()).buckets(batch);
    }
    Map<Integer, List<Object[]>> byBucket =
        IntStream.range(0, rows.size())
            .boxed()
            .collect(
                Collectors.groupingBy(
                    i -> buckets[i], Collectors.mapping(rows::get, Collectors.toList())));
    try (LakeWrite write =
        table.newWrite(base, base.map(LakeSnapshot::snapshotId).orElse(0L) + 1)) {
      Map<Integer, Long> offsets = new HashMap<>();
      byBucket.forEach(
          (bucket, bucketRows) -> {
            try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, bucketRows)) {
              write.write(TableBucket.UNPARTITIONED, bucket, batch);
            }
            offsets.put(bucket, to);
          });
      return write.commit(LogOffsets.ofBuckets(offsets));
    }
  }

  private List<List<Object>> read(
      LakeTable table, LakeSnapshot snapshot, List<Column> columns, Optional<RowFilter> filter) {
    List<List<Object>> rows = new ArrayList<>();
    try (RowBatches batches = table.scan(snapshot, columns, filter, allocator)) {
      while (batches.next()) {
        VectorSchemaRoot batch = batches.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          List<Object> values = new ArrayList<>();
          for (var vector : batch.getFieldVectors()) {
            Object value = ArrowValues.get(vector, row);
            values.add(
                value instanceof byte[] bytes ? List.of(bytes[0], bytes[1], bytes[2]) : value);
          }
          rows.add(values);
        }
      }
    }
    return rows;
  }

  private static List<List<Object>> expected(long from, long to, List<Column> columns) {
    List<List<Object>> rows = new ArrayList<>();
    for (long id = from; id < to; id++) {
      Object[] row = row(id);
      List<Object> values = new ArrayList<>();
      for (Column column : columns) {
        Object value = row[COLUMNS.indexOf(column)];
        values.add(value instanceof byte[] bytes ? List.of(bytes[0], bytes[1], bytes[2]) : value);
      }
      rows.add(values);
    }
    return rows;
  }

  @ParameterizedTest
  @EnumSource(LakeFormatName.class)
  void readsEveryTypeOfASnapshotBackAsWritten(LakeFormatName name) {
    LakeTable table = table(name, COLUMNS);
    TableEntry entry = entry(name, COLUMNS);
    LakeSnapshot first = commit(table, entry, Optional.empty(), 0, 60);
    LakeSnapshot second = commit(table, entry, Optional.of(first), 60, 100);

    assertThat(read(table, second, COLUMNS, Optional.empty()))
        .containsExactlyInAnyOrderElementsOf(expected(0, 100, COLUMNS));
    assertThat(read(table, first, COLUMNS, Optional.empty()))
        .as("an older snapshot still reads as it was")
        .containsExactlyInAnyOrderElementsOf(expected(0, 60, COLUMNS));
  }

  @ParameterizedTest
  @EnumSource(LakeFormatName.class)
  void projectsAndReturnsColumnsTheLakeLacksAsNull(LakeFormatName name) {
    LakeTable table = table(name, COLUMNS);
    LakeSnapshot snapshot = commit(table, entry(name, COLUMNS), Optional.empty(), 0, 20);
    Column added = new Column("added", DataType.of(TypeKind.STRING), true);
    List<Column> projection = List.of(COLUMNS.get(8), added, COLUMNS.get(0));

    List<List<Object>> rows = read(table, snapshot, projection, Optional.empty());
    assertThat(rows).hasSize(20).allSatisfy(r -> assertThat(r.get(1)).isNull());
    assertThat(rows.stream().map(r -> r.get(2)))
        .containsExactlyInAnyOrderElementsOf(
            expected(0, 20, List.of(COLUMNS.get(0))).stream().map(r -> r.get(0)).toList());
  }

  @ParameterizedTest
  @EnumSource(LakeFormatName.class)
  void aPushedFilterNeverDropsAMatchingRow(LakeFormatName name) {
    LakeTable table = table(name, COLUMNS);
    LakeSnapshot snapshot = commit(table, entry(name, COLUMNS), Optional.empty(), 0, 200);
    RowFilter filter =
        new RowFilter.And(
            List.of(
                new RowFilter.Comparison("amount", RowFilter.Operator.GE, new BigDecimal("50.50")),
                new RowFilter.Comparison("day", RowFilter.Operator.LT, LocalDate.of(2026, 6, 1)),
                new RowFilter.Comparison(
                    "at_ltz", RowFilter.Operator.GT, Instant.parse("2026-01-01T00:01:00Z")),
                new RowFilter.NullCheck("note", true),
                new RowFilter.Not(new RowFilter.Comparison("id", RowFilter.Operator.EQ, 120L))));
    List<Object> matching =
        expected(0, 200, COLUMNS).stream()
            .filter(r -> r.get(7) != null)
            .filter(r -> ((BigDecimal) r.get(7)).compareTo(new BigDecimal("50.50")) >= 0)
            .filter(r -> ((LocalDate) r.get(10)).isBefore(LocalDate.of(2026, 6, 1)))
            .filter(r -> ((Instant) r.get(12)).isAfter(Instant.parse("2026-01-01T00:01:00Z")))
            .filter(r -> !r.get(0).equals(120L))
            .map(r -> r.get(0))
            .toList();
    assertThat(matching).isNotEmpty();

    List<Object> read =
        read(
                table,
                snapshot,
                List.of(
                    COLUMNS.get(0),
                    COLUMNS.get(7),
                    COLUMNS.get(8),
                    COLUMNS.get(10),
                    COLUMNS.get(12)),
                Optional.of(filter))
            .stream()
            .map(r -> r.get(0))
            .toList();
    assertThat(read).as("pruning keeps every matching row").containsAll(matching);
  }
}
