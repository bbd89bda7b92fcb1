package io.sluice.lake.paimon;

import static io.sluice.lake.PartitionedRows.COLUMNS;
import static io.sluice.lake.PartitionedRows.overDays;
import static io.sluice.lake.PartitionedRows.rows;
import static io.sluice.lake.paimon.PaimonTestLake.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.TableDefinition;
import io.sluice.lake.PartitionedRows;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.paimon.table.FileStoreTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A partitioned table tiered into a partitioned Paimon table, bucket by bucket in each. */
@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class PaimonPartitionedTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private PaimonTestLake lake;
  private LakeFormat format;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(storage, dir);
    lake = new PaimonTestLake(warehouse, Map.of());
    format = lake.format();
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    format.close();
    allocator.close();
    warehouse.close();
  }

  private static TableDefinition definition(List<String> primaryKey) {
    return TableDefinition.builder()
        .columns(COLUMNS)
        .primaryKey(primaryKey)
        .bucketKey(List.of("id"))
        .buckets(2)
        .partitionBy(List.of(PartitionField.parse("day(t)"), PartitionField.parse("region")))
        .lakeFormats(List.of(LakeFormatName.PAIMON))
        .build("Cannot create table");
  }

  /** Writes rows split by (partition, bucket) as the log splits them, and commits. */
  private LakeSnapshot tier(TableDefinition definition, LakeTable table, List<Object[]> rows) {
    return tier(definition, table, rows, Optional.empty(), 1);
  }

  @Test
  void tiersEachPartitionIntoItsPaimonPartitionAndBucketWithTheOffsetsOfEach() throws Exception {
    TableDefinition definition = definition(List.of());
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    LakeSnapshot committed = tier(definition, table, rows(60));

    FileStoreTable paimon = lake.paimonTable();
    assertThat(paimon.partitionKeys()).containsExactly("t_day", "region");
    assertThat(paimon.rowType().getFieldNames())
        .containsExactly("id", "t", "region", "amount", "t_day");
    assertThat(committed.offsets())
        .hasSize(12)
        .containsEntry(
            new PartitionBucket("t_day=2026-11-24/region=eu", 0),
            committed.offset("t_day=2026-11-24/region=eu", 0));
    assertThat(committed.offsets().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(60);
    assertThat(table.latestTiered()).contains(committed);

    List<PaimonTestLake.ReadRow> read = PaimonTestLake.readAll(paimon);
    assertThat(read).hasSize(60);
    int[] logBuckets = PaimonTestLake.logBuckets(allocator, definition, rows(60));
    for (PaimonTestLake.ReadRow row : read) {
      long id = row.row().getLong(0);
      assertThat(row.bucket())
          .as("the Paimon bucket of row %d", id)
          .isEqualTo(logBuckets[(int) id]);
      assertThat(row.row().getString(4).toString())
          .as("the derived partition column of row %d", id)
          .isEqualTo("2026-11-" + (24 + id % 3));
    }
    try (RowBatches scanned = table.scan(committed, COLUMNS, Optional.empty(), allocator)) {
      long rows = 0;
      while (scanned.next()) {
        assertThat(scanned.batch().getSchema().getFields())
            .as("Sluice's scan shows only the table's own columns")
            .hasSize(COLUMNS.size());
        rows += scanned.batch().getRowCount();
      }
      assertThat(rows).isEqualTo(60);
    }
  }

  @Test
  void offsetsOfManyPartitionsGoToAnOffsetsFileTheSnapshotNames() throws Exception {
    TestingObjectStore objects = new TestingObjectStore();
    TableDefinition definition = definition(List.of());
    TableEntry entry = entry("id-1", definition);
    List<Object[]> rows = overDays(64);
    LakeSnapshot first;
    LakeSnapshot second;
    try (LakeFormat withFiles = formatWith(objects)) {
      LakeTable table = withFiles.createOrLoad(entry);
      first = tier(definition, table, rows);
      second = tier(definition, table, rows, Optional.of(first), 2);
    }

    Map<String, String> properties =
        lake.paimonTable().snapshotManager().latestSnapshot().properties();
    assertThat(properties).containsKey("sluice.offsets-file").doesNotContainKey("sluice.offsets");
    assertThat(properties.toString().length())
        .as("the snapshot's properties stay small however many partitions there are")
        .isLessThan(300);
    assertThat(second.offsetsFile()).contains(properties.get("sluice.offsets-file"));
    assertThat(second.offsets()).as("one bucket of each partition").hasSize(rows.size());
    assertThat(second.offsets().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(2L * rows.size());
    // Another process, with nothing cached, reads the same offsets back through the snapshot.
    try (LakeFormat reader = formatWith(objects)) {
      LakeSnapshot read = reader.load(entry).orElseThrow().latestTiered().orElseThrow();
      assertThat(read.offsets()).isEqualTo(second.offsets());
      assertThat(read.offset("t_day=2026-01-01/region=eu", 0))
          .isEqualTo(second.offset("t_day=2026-01-01/region=eu", 0));
    }
    assertThat(objects.list("tiered-offsets/id-1/paimon/")).hasSize(2);
  }

  private LakeFormat formatWith(TestingObjectStore objects) {
    return new PaimonLakeFormatFactory()
        .create(
            lake.settings,
            Optional.of(warehouse.locks()),
            new OffsetsFiles(objects, Clock.systemUTC()));
  }

  private LakeSnapshot tier(
      TableDefinition definition,
      LakeTable table,
      List<Object[]> rows,
      Optional<LakeSnapshot> base,
      long epoch) {
    return PartitionedRows.tier(allocator, definition, table, rows, base, epoch);
  }

  private static final List<String> NOVEMBER_24 =
      List.of("t_day=2026-11-24/region=eu", "t_day=2026-11-24/region=us%2Feast");

  private static Map<PartitionBucket, Long> without(
      Map<PartitionBucket, Long> offsets, List<String> partitions) {
    Map<PartitionBucket, Long> kept = new TreeMap<>(offsets);
    kept.keySet().removeIf(at -> partitions.contains(at.partition()));
    return kept;
  }

  @Test
  void aDropCommitRemovesThePartitionsFilesAndOffsetsAndAStaleEpochIsRefused() throws Exception {
    TableDefinition definition = definition(List.of());
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    tier(definition, table, rows(30));
    LakeSnapshot tiered =
        tier(definition, table, rows(60).subList(30, 60), table.latestTiered(), 2);
    Map<PartitionBucket, Long> kept = without(tiered.offsets(), NOVEMBER_24);

    LakeSnapshot dropped;
    try (LakeWrite write = table.newWrite(Optional.of(tiered), 3)) {
      write.dropPartitions(NOVEMBER_24);
      dropped = write.commit(kept);
    }

    assertThat(dropped.offsets()).isEqualTo(kept);
    assertThat(dropped.offsets()).hasSize(8);
    assertThat(table.latestTiered()).contains(dropped);
    FileStoreTable paimon = lake.paimonTable();
    List<PaimonTestLake.ReadRow> read = PaimonTestLake.readAll(paimon);
    assertThat(read)
        .extracting(row -> row.row().getLong(0))
        .as("the rows of the 25th and 26th, none of the 24th")
        .containsExactlyInAnyOrderElementsOf(
            rows(60).stream().map(r -> (Long) r[0]).filter(id -> id % 3 != 0).toList());
    assertThat(paimon.newSnapshotReader().partitionEntries())
        .extracting(e -> e.partition().getString(0).toString())
        .doesNotContain("2026-11-24")
        .contains("2026-11-25", "2026-11-26");
    try (RowBatches scanned = table.scan(tiered, COLUMNS, Optional.empty(), allocator)) {
      long rows = 0;
      while (scanned.next()) {
        rows += scanned.batch().getRowCount();
      }
      assertThat(rows).as("the snapshot before the drop still reads whole").isEqualTo(60);
    }

    // A run of an earlier lease that would drop another partition is fenced off.
    try (LakeWrite stale = table.newWrite(Optional.of(tiered), 2)) {
      stale.dropPartitions(List.of("t_day=2026-11-25/region=eu"));
      Map<PartitionBucket, Long> staleOffsets =
          without(kept, List.of("t_day=2026-11-25/region=eu"));
      assertThatThrownBy(() -> stale.commit(staleOffsets))
          .isInstanceOf(CommitConflictException.class)
          .hasMessageContaining("epoch 2 is fenced")
          .hasMessageContaining("committed by the later epoch 3");
    }
    assertThat(table.latestTiered()).contains(dropped);
    assertThat(PaimonTestLake.readAll(paimon)).hasSize(40);
  }
}
