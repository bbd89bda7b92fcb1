package io.sluice.lake.iceberg;

import static io.sluice.lake.iceberg.IcebergTestTables.definition;
import static io.sluice.lake.iceberg.IcebergTestTables.entry;
import static io.sluice.lake.iceberg.IcebergTestTables.icebergValues;
import static io.sluice.lake.iceberg.IcebergTestTables.rows;
import static io.sluice.lake.iceberg.IcebergTestTables.writeBuckets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.TestWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.InternalData;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class IcebergLakeTableTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private BufferAllocator allocator;
  private TestingClock clock;
  private IcebergLakeFormat lake;
  private IcebergTestTables.UserCatalog user;
  private TableDefinition definition;
  private TableEntry entry;
  private LakeTable table;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    clock = new TestingClock(Instant.now());
    warehouse = TestWarehouse.create(storage, dir);
    lake = new IcebergLakeFormat(IcebergTestTables.settings(warehouse), clock);
    definition = definition(LakeFormatName.ICEBERG);
    entry = entry(definition);
    table = lake.createOrLoad(entry);
    user = new IcebergTestTables.UserCatalog(warehouse);
  }

  @AfterEach
  void tearDown() throws Exception {
    user.close();
    lake.close();
    allocator.close();
    warehouse.close();
  }

  /** Writes rows [from, to) on top of the latest tiered snapshot and commits them. */
  private LakeSnapshot tier(long from, long to, long epoch) {
    Optional<LakeSnapshot> base = table.latestTiered();
    try (LakeWrite write = table.newWrite(base, epoch)) {
      Map<Integer, Long> ends =
          writeBuckets(
              allocator,
              definition,
              write,
              rows(from, to),
              base.map(LakeSnapshot::bucketOffsets).orElse(Map.of()));
      return write.commit(LogOffsets.ofBuckets(ends));
    }
  }

  private static List<List<Object>> expected(long from, long to) {
    return rows(from, to).stream().map(IcebergTestTables::icebergValues).toList();
  }

  @Test
  void writesEveryTypeIntoTheLogBucketsPartitionsAndRecordsTheOffsets() throws IOException {
    List<Object[]> rows = rows(0, 300);
    Map<Integer, List<Object[]>> byBucket = IcebergTestTables.byBucket(allocator, definition, rows);
    assertThat(byBucket).containsOnlyKeys(0, 1, 2);

    LakeSnapshot committed;
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      Map<Integer, Long> ends = writeBuckets(allocator, definition, write, rows, Map.of());
      committed = write.commit(LogOffsets.ofBuckets(ends));
    }

    Map<Integer, Long> offsets =
        Map.of(
            0, (long) byBucket.get(0).size(),
            1, (long) byBucket.get(1).size(),
            2, (long) byBucket.get(2).size());
    assertThat(committed.bucketOffsets()).isEqualTo(offsets);
    assertThat(committed.rows()).isEqualTo(300);
    assertThat(committed.tableId()).contains(entry.tableId());
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 300));
    assertThat(table.latestTiered()).contains(committed);
    assertThat(user.table().currentSnapshot().summary())
        .containsEntry("sluice.offsets", LakeSnapshot.offsetsJson(LogOffsets.ofBuckets(offsets)))
        .containsEntry("sluice.table-id", entry.tableId())
        .containsEntry("sluice.epoch", "1");

    Map<Long, Integer> partitionOfId = new HashMap<>();
    Table lakeTable = user.table();
    try (CloseableIterable<FileScanTask> tasks = lakeTable.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        int partition = task.file().partition().get(0, Integer.class);
        try (CloseableIterable<StructLike> ids =
            InternalData.read(
                    FileFormat.PARQUET, lakeTable.io().newInputFile(task.file().location()))
                .project(lakeTable.schema().select("id"))
                .build()) {
          ids.forEach(id -> partitionOfId.put(id.get(0, Long.class), partition));
        }
      }
    }
    Map<Long, Integer> logBucketOfId = new HashMap<>();
    byBucket.forEach(
        (bucket, bucketRows) -> bucketRows.forEach(r -> logBucketOfId.put((Long) r[0], bucket)));
    assertThat(partitionOfId).isEqualTo(logBucketOfId);
  }

  @Test
  void listsSnapshotsNewestFirstAndWalksPastOnesWithoutOffsets() {
    LakeSnapshot first = tier(0, 50, 1);
    LakeSnapshot second = tier(50, 120, 2);
    // another writer's append, without Sluice properties
    Table lakeTable = user.table();
    lakeTable.newAppend().set("note", "someone else").commit();

    List<LakeSnapshot> snapshots = table.snapshots();

    assertThat(snapshots).hasSize(3);
    assertThat(snapshots.get(0).bucketOffsets()).isEmpty();
    assertThat(snapshots.get(0).tableId()).isEmpty();
    assertThat(snapshots.subList(1, 3)).containsExactly(second, first);
    assertThat(snapshots.get(1).rows()).isEqualTo(120);
    assertThat(table.latestTiered()).contains(second);
  }

  @Test
  void refusesACommitOnAStaleBaseAndLeavesNothingVisible() {
    LakeSnapshot base = tier(0, 40, 1);
    LakeWrite late = table.newWrite(Optional.of(base), 2);
    Map<Integer, Long> lateEnds =
        writeBuckets(allocator, definition, late, rows(40, 80), base.bucketOffsets());
    LakeSnapshot winner = tier(40, 60, 3);
    int filesBefore = IcebergTestTables.dataFiles(user.table()).size();

    assertThatThrownBy(() -> late.commit(LogOffsets.ofBuckets(lateEnds)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessage(
            "Cannot commit to Iceberg table sluice.shop.events: its newest tiered snapshot is "
                + winner.snapshotId()
                + ", not the base "
                + base.snapshotId()
                + " this run started from");
    late.abort();
    late.close();

    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 60));
    assertThat(table.latestTiered()).contains(winner);
    assertThat(IcebergTestTables.dataFiles(user.table())).hasSize(filesBefore);
  }

  @Test
  void theCatalogFenceRefusesACommitThatLandsAfterTheCheck() {
    LakeSnapshot base = tier(0, 10, 1);
    Table lakeTable = user.table();
    BaseTable fenced =
        new BaseTable(
            new FencedTableOperations(
                ((BaseTable) lakeTable).operations(), entry.tableId(), base.snapshotId()),
            lakeTable.name());
    LakeSnapshot winner = tier(10, 20, 2);

    // The append refreshes to the winner's metadata before committing; the fence refuses it.
    assertThatThrownBy(() -> fenced.newAppend().set("x", "y").commit())
        .isInstanceOf(CommitFailedException.class)
        .hasMessage(
            "Cannot commit: the table's newest tiered snapshot is "
                + winner.snapshotId()
                + ", not the base "
                + base.snapshotId()
                + " this write started from");
    assertThat(user.table().currentSnapshot().snapshotId()).isEqualTo(winner.snapshotId());
  }

  @Test
  void aRetryOfTheSameEpochAfterALostAnswerDoesNotCommitTwice() {
    LakeSnapshot base = tier(0, 30, 1);
    LakeSnapshot first;
    try (LakeWrite write = table.newWrite(Optional.of(base), 7)) {
      first =
          write.commit(
              LogOffsets.ofBuckets(
                  writeBuckets(allocator, definition, write, rows(30, 60), base.bucketOffsets())));
    }
    int files = IcebergTestTables.dataFiles(user.table()).size();

    // The run did not hear back and tries again from the same base with the same epoch.
    LakeSnapshot retried;
    try (LakeWrite write = table.newWrite(Optional.of(base), 7)) {
      retried =
          write.commit(
              LogOffsets.ofBuckets(
                  writeBuckets(allocator, definition, write, rows(30, 60), base.bucketOffsets())));
    }

    assertThat(retried).isEqualTo(first);
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 60));
    assertThat(IcebergTestTables.dataFiles(user.table())).hasSize(files);

    // Another epoch on the same base is a conflict, not a retry.
    LakeWrite other = table.newWrite(Optional.of(base), 8);
    Map<Integer, Long> ends =
        writeBuckets(allocator, definition, other, rows(30, 60), base.bucketOffsets());
    assertThatThrownBy(() -> other.commit(LogOffsets.ofBuckets(ends)))
        .isInstanceOf(CommitConflictException.class);
    other.abort();
    other.close();
    assertThat(user.rows()).hasSize(60);
  }

  @Test
  void evolveAddsAColumnThatLaterRowsCarry() {
    tier(0, 20, 1);
    TableDefinition evolved =
        definition.toBuilder()
            .columns(
                concat(
                    definition.columns(), new Column("note", DataType.of(TypeKind.STRING), true)))
            .build("Cannot evolve table");

    table.evolve(evolved);
    table.evolve(evolved);

    assertThat(user.table().schema().findField("note").isOptional()).isTrue();
    LakeSnapshot base = table.latestTiered().orElseThrow();
    List<Object[]> newRows = new ArrayList<>();
    for (Object[] row : rows(20, 30)) {
      Object[] withNote = java.util.Arrays.copyOf(row, row.length + 1);
      withNote[row.length] = "note " + row[0];
      newRows.add(withNote);
    }
    try (LakeWrite write = table.newWrite(Optional.of(base), 2)) {
      write.commit(
          LogOffsets.ofBuckets(
              writeBuckets(allocator, evolved, write, newRows, base.bucketOffsets())));
    }

    List<List<Object>> expected = new ArrayList<>();
    for (List<Object> old : expected(0, 20)) {
      List<Object> withNull = new ArrayList<>(old);
      withNull.add(null);
      expected.add(withNull);
    }
    newRows.forEach(r -> expected.add(icebergValues(r)));
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void refusesRowsOfAnotherBucketAndColumnsTheTableLacks() {
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      Map<Integer, List<Object[]>> byBucket =
          IcebergTestTables.byBucket(allocator, definition, rows(0, 30));
      try (VectorSchemaRoot batch =
          ArrowTestBatches.of(allocator, definition.columns(), byBucket.get(1))) {
        assertThatThrownBy(() -> write.write(TableBucket.UNPARTITIONED, 0, batch))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "Cannot write a row of log bucket 0 to Iceberg table sluice.shop.events: Iceberg's"
                    + " partition spec [\n  1000: id_bucket: bucket[3](1)\n] puts it in bucket 1");
      }
      List<Column> extra =
          concat(definition.columns(), new Column("extra", DataType.of(TypeKind.INT), true));
      List<Object[]> rows = new ArrayList<>();
      rows.add(java.util.Arrays.copyOf(IcebergTestTables.row(0), extra.size()));
      try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, extra, rows)) {
        assertThatThrownBy(() -> write.write(TableBucket.UNPARTITIONED, 0, batch))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "Cannot write rows to Iceberg table sluice.shop.events: it has no column extra"
                    + " (evolve the table first)");
      }
    }
  }

  @Test
  void maintainCompactsSmallFilesKeepingRowsAndTieredOffsets() {
    tier(0, 100, 1);
    tier(100, 200, 2);
    LakeSnapshot last = tier(200, 300, 3);
    assertThat(IcebergTestTables.dataFiles(user.table())).hasSize(9);

    table.maintain();

    Table lakeTable = user.table();
    List<DataFile> live = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = lakeTable.newScan().planFiles()) {
      tasks.forEach(task -> live.add(task.file()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(live).hasSize(3);
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 300));
    assertThat(table.latestTiered()).contains(last);
    assertThat(table.snapshots().get(0).bucketOffsets()).isEmpty();
    assertThat(lakeTable.currentSnapshot().summary())
        .containsEntry("sluice.operation", "compaction");

    // The next run commits on top of the compaction.
    LakeSnapshot next = tier(300, 330, 4);
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 330));
    assertThat(next.bucketOffsets().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(330);
  }

  @Test
  void maintainExpiresOldSnapshotsButKeepsTheNewestTieredOneAndRemovesOldOrphans() {
    tier(0, 100, 1);
    LakeSnapshot last = tier(100, 200, 2);
    table.maintain(); // compaction: a newer snapshot without offsets
    Table lakeTable = user.table();
    String someFile = IcebergTestTables.dataFiles(lakeTable).get(0);
    // A file of a failed commit: written now, by the store's clock (which tests cannot set on S3).
    String orphan =
        someFile.substring(0, someFile.lastIndexOf('/') + 1)
            + "00000-0-failed-commit-00001.parquet";
    copy(lakeTable, someFile, orphan);

    table.maintain();
    assertThat(table.snapshots()).as("none old enough to expire").hasSize(3);
    assertThat(lakeTable.io().newInputFile(orphan).exists())
        .as("younger than the orphan guard")
        .isTrue();

    clock.advance(Duration.ofDays(2).plusMinutes(1));
    table.maintain();

    List<LakeSnapshot> snapshots = table.snapshots();
    assertThat(snapshots).hasSize(2);
    assertThat(snapshots.get(1)).isEqualTo(last);
    assertThat(table.latestTiered()).contains(last);
    assertThat(user.rows()).containsExactlyInAnyOrderElementsOf(expected(0, 200));
    assertThat(lakeTable.io().newInputFile(orphan).exists()).isFalse();
    assertThat(IcebergTestTables.dataFiles(user.table())).doesNotContain(orphan);
  }

  private static void copy(Table table, String from, String to) {
    try (InputStream in = table.io().newInputFile(from).newStream();
        OutputStream out = table.io().newOutputFile(to).create()) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Column> concat(List<Column> columns, Column extra) {
    List<Column> result = new ArrayList<>(columns);
    result.add(extra);
    return result;
  }
}
