package io.sluice.core.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TypeKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RowPartitionsTest {
  private static final Column T = new Column("t", DataType.of(TypeKind.TIMESTAMP_LTZ), true);
  private static final Column REGION = new Column("region", DataType.of(TypeKind.STRING), true);
  private static final Column AMOUNT = new Column("amount", DataType.of(TypeKind.BIGINT), true);
  private static final List<PartitionField> DAY_REGION =
      List.of(PartitionField.parse("day(t)"), PartitionField.parse("region"));

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  @Test
  void findsEachRowsPartitionInOrderOfFirstAppearance() {
    List<Object[]> rows =
        List.of(
            row("2026-11-25T08:00:00Z", "eu", 1L),
            row("2026-11-25T09:00:00Z", "eu", 2L),
            row("2026-11-26T00:00:00Z", "eu", 3L),
            row("2026-11-25T23:59:59.999999Z", "us", 4L),
            row("2026-11-25T10:00:00Z", "eu", 5L),
            row("1969-12-31T23:30:00Z", "eu", 6L),
            row("2026-11-26T12:00:00Z", "eu", 7L));
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, List.of(AMOUNT, REGION, T), reorder(rows))) {
      RowPartitions partitions = RowPartitions.of(DAY_REGION, batch);

      assertThat(partitions.partitions())
          .extracting(Partition::name)
          .containsExactly(
              "t_day=2026-11-25/region=eu",
              "t_day=2026-11-26/region=eu",
              "t_day=2026-11-25/region=us",
              "t_day=1969-12-31/region=eu");
      assertThat(partitions.index()).containsExactly(0, 0, 1, 2, 0, 3, 1);
      assertThat(partitions.partition(3).values())
          .containsExactly(Map.entry("t_day", "2026-11-25"), Map.entry("region", "us"));
      assertThat(partitions.partition(5).timeRangeEnd()).contains(Instant.EPOCH);
    }
  }

  @Test
  void derivesValuesOfEveryTypeAsPartitionNamesWriteThem() {
    List<Column> columns =
        List.of(
            new Column("i", DataType.of(TypeKind.INT), false),
            new Column("b", DataType.of(TypeKind.BIGINT), false),
            new Column("d", DataType.of(TypeKind.DATE), false),
            new Column("ok", DataType.of(TypeKind.BOOLEAN), false),
            new Column("s", DataType.of(TypeKind.STRING), false),
            new Column("ts", DataType.of(TypeKind.TIMESTAMP), false));
    List<PartitionField> spec =
        List.of(
            PartitionField.identity("i"),
            PartitionField.identity("b"),
            PartitionField.identity("d"),
            PartitionField.parse("year(d)"),
            PartitionField.identity("ok"),
            PartitionField.identity("s"),
            PartitionField.parse("month(ts)"),
            PartitionField.parse("hour(ts)"));
    List<Object[]> rows =
        List.of(
            new Object[] {
              -1,
              5_000_000_000L,
              LocalDate.of(1969, 12, 31),
              true,
              "a/b",
              LocalDateTime.parse("1969-12-31T23:30:00")
            },
            new Object[] {
              7,
              -2L,
              LocalDate.of(2026, 11, 25),
              false,
              "é",
              LocalDateTime.parse("2026-11-25T08:59")
            });
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, columns, rows)) {
      RowPartitions partitions = RowPartitions.of(spec, batch);

      assertThat(partitions.partitions())
          .extracting(Partition::name)
          .containsExactly(
              "i=-1/b=5000000000/d=1969-12-31/d_year=1969/ok=true/s=a%2Fb/ts_month=1969-12"
                  + "/ts_hour=1969-12-31-23",
              "i=7/b=-2/d=2026-11-25/d_year=2026/ok=false/s=é/ts_month=2026-11"
                  + "/ts_hour=2026-11-25-08");
      assertThat(partitions.index()).containsExactly(0, 1);
      assertThat(partitions.partition(0).timeRangeEnd()).contains(Instant.EPOCH);
      for (Partition partition : partitions.partitions()) {
        assertThat(Partition.parse(spec, partition.name())).isEqualTo(partition);
      }
    }
  }

  @Test
  void putsABatchOfOnePartitionInOnePartition() {
    List<Object[]> rows = new ArrayList<>();
    Instant start = Instant.parse("2026-11-25T00:00:00Z");
    for (int i = 0; i < 10_000; i++) {
      rows.add(new Object[] {start.plusSeconds(i * 8L), "eu", (long) i});
    }
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, List.of(T, REGION, AMOUNT), rows)) {
      RowPartitions partitions = RowPartitions.of(DAY_REGION, batch);

      assertThat(partitions.partitions())
          .extracting(Partition::name)
          .containsExactly("t_day=2026-11-25/region=eu");
      assertThat(partitions.index()).hasSize(10_000).containsOnly(0);
    }
  }

  @Test
  void putsEveryRowOfAnUnpartitionedTableInTheOnePartition() {
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(
            allocator,
            List.of(REGION),
            List.<Object[]>of(new Object[] {"eu"}, new Object[] {null}, new Object[] {""}))) {
      RowPartitions partitions = RowPartitions.of(List.of(), batch);

      assertThat(partitions.partitions()).containsExactly(Partition.NONE);
      assertThat(partitions.index()).containsExactly(0, 0, 0);
    }
    try (VectorSchemaRoot empty = ArrowTestBatches.of(allocator, List.of(T, REGION), List.of())) {
      assertThat(RowPartitions.of(DAY_REGION, empty)).isSameAs(RowPartitions.NONE);
      assertThat(RowPartitions.NONE.partitions()).isEmpty();
      assertThat(RowPartitions.NONE.index()).isEmpty();
    }
  }

  @Test
  void refusesNullPartitionValuesNamingRowAndColumn() {
    List<Object[]> rows =
        List.of(
            row("2026-11-25T08:00:00Z", "eu", 1L),
            row("2026-11-25T08:00:00Z", "eu", 2L),
            row(null, "eu", 3L));
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, List.of(T, REGION, AMOUNT), rows)) {
      assertThatThrownBy(() -> RowPartitions.of(DAY_REGION, batch))
          .isInstanceOfSatisfying(
              SchemaMismatchException.class,
              e -> {
                assertThat(e.row()).isEqualTo(3);
                assertThat(e.column()).isEqualTo("t");
              })
          .hasMessage("row 3: column t: a partition column needs a value, got null");
    }
  }

  @Test
  void refusesEmptyAndBlankStringsNamingRowAndColumn() {
    for (String blank : List.of("", " ", "\t\n")) {
      List<Object[]> rows =
          List.of(
              row("2026-11-25T08:00:00Z", "eu", 1L),
              row("2026-11-25T08:00:00Z", "us", 2L),
              row("2026-11-25T08:00:00Z", "eu", 3L),
              row("2026-11-25T08:00:00Z", blank, 4L));
      try (VectorSchemaRoot batch =
          ArrowTestBatches.of(allocator, List.of(T, REGION, AMOUNT), rows)) {
        assertThatThrownBy(() -> RowPartitions.of(DAY_REGION, batch))
            .isInstanceOfSatisfying(
                SchemaMismatchException.class,
                e -> {
                  assertThat(e.row()).isEqualTo(4);
                  assertThat(e.column()).isEqualTo("region");
                })
            .hasMessage(
                "row 4: column region: a partition value may not be an empty or blank string");
      }
    }
  }

  @Test
  void refusesAPartitionNameLongerThanStoreKeysAndLakePathsAllowNamingTheRow() {
    String fits = "é".repeat(240); // 480 bytes, escaped as it is; the name adds 28
    String tooLong = "é".repeat(250);
    List<Object[]> rows =
        List.of(row("2026-11-25T08:00:00Z", fits, 1L), row("2026-11-25T08:00:00Z", tooLong, 2L));
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, List.of(T, REGION, AMOUNT), rows.subList(0, 1))) {
      assertThat(RowPartitions.of(DAY_REGION, batch).partition(0).values().get("region"))
          .isEqualTo(fits);
    }
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, List.of(T, REGION, AMOUNT), rows)) {
      assertThatThrownBy(() -> RowPartitions.of(DAY_REGION, batch))
          .isInstanceOfSatisfying(
              SchemaMismatchException.class, e -> assertThat(e.row()).isEqualTo(2))
          .hasMessage(
              "row 2: the partition name of its values is 524 bytes, more than the 512 a partition"
                  + " name may have (it is part of store keys and lake file paths)");
    }
  }

  @Test
  void refusesABatchWithoutAPartitionColumnOrOfTheWrongType() {
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(
            allocator, List.of(T), List.<Object[]>of(new Object[] {Instant.EPOCH}))) {
      assertThatThrownBy(() -> RowPartitions.of(DAY_REGION, batch))
          .isInstanceOfSatisfying(
              SchemaMismatchException.class, e -> assertThat(e.column()).isEqualTo("region"))
          .hasMessage("column region: a partition column needs a value in every row, got no field");
    }
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(
            allocator,
            List.of(new Column("t", DataType.of(TypeKind.INT), false)),
            List.<Object[]>of(new Object[] {1}))) {
      assertThatThrownBy(() -> RowPartitions.of(List.of(PartitionField.parse("day(t)")), batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot partition rows by day(t): column t is Int(32, true), which day does not take");
    }
  }

  private static Object[] row(String t, String region, long amount) {
    return new Object[] {t == null ? null : Instant.parse(t), region, amount};
  }

  /** Rows of (t, region, amount) as (amount, region, t): columns are found by name. */
  private static List<Object[]> reorder(List<Object[]> rows) {
    return rows.stream().map(r -> new Object[] {r[2], r[1], r[0]}).toList();
  }
}
