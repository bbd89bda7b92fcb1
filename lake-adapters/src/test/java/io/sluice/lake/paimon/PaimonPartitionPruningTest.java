package io.sluice.lake.paimon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.lake.PartitionPruningScenario;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.FileStoreTableFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paimon scans skip the files of partitions the filter rules out, the derived time partition keys
 * ({@code t_day}) as well as identity ones, as the data files Paimon's reader opens show. (Where
 * each file holds one partition, Paimon's file statistics on the source column skip most of them
 * too; the negated filter shows the partition filter alone.)
 */
class PaimonPartitionPruningTest {
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private PaimonTestLake lake;
  private LakeFormat format;
  private BufferAllocator allocator;
  private CountingFileIO io;
  private PartitionPruningScenario scenario;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(TestWarehouse.Storage.LOCAL, dir);
    lake = new PaimonTestLake(warehouse, Map.of());
    format = lake.format();
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
      FileStoreTable loaded;
      try {
        loaded = lake.sluiceTable();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      if (io == null) {
        io = new CountingFileIO(loaded.fileIO());
      }
      FileStoreTable counted = FileStoreTableFactory.create(io, loaded.location(), loaded.schema());
      return PaimonLakeScan.scan(
          counted, definition, snapshot, PartitionPruningScenario.COLUMNS, filter, allocator);
    }

    @Override
    public List<String> dataFilesOpened() {
      return io == null ? List.of() : io.dataFilesOpened();
    }
  }

  private LakeTable create(TableDefinition definition) {
    return format.createOrLoad(PaimonTestLake.entry("id-1", definition));
  }

  @Test
  void aDayOfTimestampsOpensOnlyThatDaysFiles() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "day(t)", "region");
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
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "day(t)", "region");
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
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "day(at)");
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
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "month(d)");
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

  /**
   * Paimon's own predicates cannot take a {@code not}, so neither its partition filter nor the
   * statistics of files skip anything here: Sluice's judgment of each partition's values does.
   */
  @Test
  void aNegatedRangeIsJudgedOnThePartitionsValues() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "day(t)", "region");
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

  @Test
  void aFilterOnAnotherColumnOpensEveryPartition() {
    TableDefinition definition =
        PartitionPruningScenario.definition(LakeFormatName.PAIMON, "day(t)", "region");
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
