package io.sluice.lake.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.lake.PartitionPruningScenario;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg scans skip the files of partitions the filter rules out by themselves: the filter on the
 * source column ({@code t}, {@code d}) is projected through the partition spec ({@code day(t)},
 * {@code month(d)}), as the data files Iceberg's reader opens show.
 */
class IcebergPartitionPruningTest {
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private LakeFormat format;
  private BufferAllocator allocator;
  private CountingFileIO io;
  private PartitionPruningScenario scenario;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(TestWarehouse.Storage.LOCAL, dir);
    format =
        new IcebergLakeFormat(
            IcebergTestTables.settings(warehouse), new TestingClock(Instant.now()));
    allocator = new RootAllocator();
    scenario = new PartitionPruningScenario(allocator, new Counted());
  }

  @AfterEach
  void tearDown() {
    format.close();
    allocator.close();
    warehouse.close();
  }

  /** The format's scan of the table loaded afresh, reading through a counting file IO. */
  private final class Counted implements PartitionPruningScenario.CountedScan {
    @Override
    public RowBatches scan(
        LakeTable table,
        TableDefinition definition,
        LakeSnapshot snapshot,
        Optional<RowFilter> filter,
        BufferAllocator allocator) {
      Table loaded = ((IcebergLakeTable) table).table();
      loaded.refresh();
      if (io == null) {
        io = new CountingFileIO(loaded.io());
      }
      String metadata = ((HasTableOperations) loaded).operations().current().metadataFileLocation();
      Table counted = new BaseTable(new StaticTableOperations(metadata, io), loaded.name());
      return IcebergLakeScan.scan(
          counted, snapshot, PartitionPruningScenario.COLUMNS, filter, allocator);
    }

    @Override
    public List<String> dataFilesOpened() {
      return io == null ? List.of() : io.dataFilesOpened();
    }
  }

  private LakeTable create(TableDefinition definition) {
    return format.createOrLoad(
        new TableEntry(
            IcebergTestTables.NAME, UUID.randomUUID().toString(), definition, 1, Instant.now()));
  }

  @Test
  void aDayOfTimestampsOpensOnlyThatDaysFiles() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(t)", "region");
    scenario.assertPrunes(
        create(definition),
        definition,
        """
        {"and": [{"column": "t", "op": ">=", "value": "2026-11-23T00:00:00"},
                 {"column": "t", "op": "<", "value": "2026-11-24T00:00:00"}]}
        """,
        List.of("t_day=2026-11-23/region=eu", "t_day=2026-11-23/region=us"),
        20);
  }

  @Test
  void theLastMicrosecondOfADayKeepsThatDay() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(t)", "region");
    scenario.assertPrunes(
        create(definition),
        definition,
        """
        {"and": [{"column": "t", "op": ">=", "value": "2026-11-25T23:59:59.999999"},
                 {"column": "region", "op": "in", "values": ["us", "asia"]}]}
        """,
        List.of("t_day=2026-11-25/region=us", "t_day=2026-11-26/region=us"),
        11);
  }

  @Test
  void timestampLtzDaysAreUtcDays() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(at)");
    scenario.assertPrunes(
        create(definition),
        definition,
        "{\"column\": \"at\", \"op\": \"<\", \"value\": \"2026-11-22T00:00:00+01:00\"}",
        List.of("at_day=2026-11-21"),
        19);
  }

  @Test
  void aMonthOfDatesOpensOnlyThatMonthsFiles() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "month(d)");
    scenario.assertPrunes(
        create(definition),
        definition,
        """
        {"and": [{"column": "d", "op": ">=", "value": "2026-11-01"},
                 {"column": "d", "op": "<", "value": "2026-12-01"}]}
        """,
        List.of("d_month=2026-11"),
        30);
  }

  /** A not of a filter pushed whole is pushed too; Iceberg rewrites it into its complement. */
  @Test
  void aNegatedRangeIsPushedWhole() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(t)", "region");
    scenario.assertPrunes(
        create(definition),
        definition,
        """
        {"not": {"or": [{"column": "t", "op": "<", "value": "2026-11-26T00:00:00"},
                        {"column": "region", "op": "=", "value": "eu"}]}}
        """,
        List.of("t_day=2026-11-26/region=us"),
        10);
  }

  /**
   * A negated and over a column that holds nulls (amount): Iceberg's complement ({@code t >= x or
   * amount <= 100}) keeps every row SQL's {@code NOT} keeps.
   */
  @Test
  void aNegationOverNullsLosesNoMatch() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(t)", "region");
    LakeTable table = create(definition);
    LakeSnapshot snapshot = scenario.tier(definition, table, PartitionPruningScenario.rows());
    RowFilter filter =
        scenario.filter(
            definition,
            """
            {"not": {"and": [{"column": "t", "op": "<", "value": "2026-11-26T00:00:00"},
                             {"column": "amount", "op": ">", "value": 100}]}}
            """);
    PartitionPruningScenario.Read pruned =
        scenario.read(table, definition, snapshot, Optional.of(filter), Optional.of(filter));
    PartitionPruningScenario.Read unpruned =
        scenario.read(table, definition, snapshot, Optional.empty(), Optional.of(filter));
    assertThat(pruned.rows()).isEqualTo(unpruned.rows()).isNotEmpty();
  }

  @Test
  void aFilterOnAnotherColumnOpensEveryPartition() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.ICEBERG, "day(t)", "region");
    LakeTable table = create(definition);
    LakeSnapshot snapshot = scenario.tier(definition, table, PartitionPruningScenario.rows());
    RowFilter amount =
        scenario.filter(definition, "{\"column\": \"amount\", \"op\": \">\", \"value\": 500}");
    PartitionPruningScenario.Read all =
        scenario.read(table, definition, snapshot, Optional.empty(), Optional.empty());
    PartitionPruningScenario.Read filtered =
        scenario.read(table, definition, snapshot, Optional.of(amount), Optional.of(amount));
    PartitionPruningScenario.Read unpruned =
        scenario.read(table, definition, snapshot, Optional.empty(), Optional.of(amount));
    assertThat(filtered.partitionsOpened()).isEqualTo(all.partitionsOpened()).hasSize(12);
    assertThat(filtered.rows()).isEqualTo(unpruned.rows()).isNotEmpty();
  }
}
