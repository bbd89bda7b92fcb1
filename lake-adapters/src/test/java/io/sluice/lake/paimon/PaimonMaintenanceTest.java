package io.sluice.lake.paimon;

import static io.sluice.lake.paimon.PaimonTestLake.ALL_TYPES;
import static io.sluice.lake.paimon.PaimonTestLake.definition;
import static io.sluice.lake.paimon.PaimonTestLake.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.TableDefinition;
import io.sluice.lake.TestWarehouse;
import io.sluice.lake.TestWarehouse.Storage;
import io.sluice.lake.paimon.PaimonTestLake.ReadRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.Snapshot;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.DataSplit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PaimonMaintenanceTest {
  private static final int BUCKETS = 3;

  @TempDir Path dir;
  private BufferAllocator allocator;
  private TestWarehouse warehouse;
  private final Random random = new Random(5);
  private long nextId;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
    if (warehouse != null) {
      warehouse.close();
    }
  }

  private TestWarehouse warehouse(Storage storage) {
    warehouse = TestWarehouse.create(storage, dir);
    return warehouse;
  }

  @ParameterizedTest
  @EnumSource(Storage.class)
  void compactsSmallFilesAndExpiresSnapshotsKeepingTheTieredOffsetsAndRows(Storage storage)
      throws Exception {
    PaimonTestLake lake =
        new PaimonTestLake(
            warehouse(storage),
            Map.of("paimon.snapshot.retain-min", "3", "paimon.snapshot.retain-max", "5"));
    try (LakeFormat format = lake.format()) {
      TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      LakeSnapshot tiered = tierSmallCommits(table, definition, 10);
      List<GenericRow> rowsBefore = rows(lake.paimonTable());
      int filesBefore = liveDataFiles(lake.paimonTable());
      assertThat(table.snapshots()).hasSize(10);

      table.maintain();

      FileStoreTable paimon = lake.paimonTable();
      assertThat(liveDataFiles(paimon)).isLessThan(filesBefore).isLessThanOrEqualTo(BUCKETS);
      assertThat(table.snapshots()).hasSizeLessThanOrEqualTo(5);
      Snapshot latest = paimon.snapshotManager().latestSnapshot();
      assertThat(latest.commitKind()).isEqualTo(Snapshot.CommitKind.COMPACT);
      assertThat(latest.properties()).as("a compaction records no offsets").isNull();
      assertThat(table.latestTiered()).as("walks past the compaction").contains(tiered);
      assertThat(rows(paimon)).containsExactlyInAnyOrderElementsOf(rowsBefore);
      assertEveryRowInItsLogBucket(definition, paimon);
    }
  }

  @Test
  void compactsABucketUnawareTable() throws Exception {
    PaimonTestLake lake = new PaimonTestLake(warehouse(Storage.LOCAL), Map.of());
    try (LakeFormat format = lake.format()) {
      TableDefinition definition = definition(ALL_TYPES, List.of(), BUCKETS);
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      LakeSnapshot tiered = tierSmallCommits(table, definition, 10);
      List<GenericRow> rowsBefore = rows(lake.paimonTable());
      int filesBefore = liveDataFiles(lake.paimonTable());

      table.maintain();

      assertThat(liveDataFiles(lake.paimonTable())).isLessThan(filesBefore);
      assertThat(rows(lake.paimonTable())).containsExactlyInAnyOrderElementsOf(rowsBefore);
      assertThat(table.latestTiered()).contains(tiered);
    }
  }

  @Test
  void alwaysKeepsTheNewestTieredSnapshotWhateverTheRetention() throws Exception {
    PaimonTestLake lake =
        new PaimonTestLake(
            warehouse(Storage.LOCAL),
            Map.of("paimon.snapshot.retain-min", "1", "paimon.snapshot.retain-max", "1"));
    try (LakeFormat format = lake.format()) {
      TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      LakeSnapshot tiered = tierSmallCommits(table, definition, 6);

      table.maintain();

      List<LakeSnapshot> snapshots = table.snapshots();
      assertThat(snapshots).hasSize(2);
      assertThat(snapshots.get(0).bucketOffsets()).as("the compaction").isEmpty();
      assertThat(snapshots.get(1)).isEqualTo(tiered);
      assertThat(table.latestTiered()).contains(tiered);
    }
  }

  @Test
  void removesFilesOfFailedCommitsOnceOlderThanTheGuard() throws Exception {
    PaimonTestLake lake = new PaimonTestLake(warehouse(Storage.LOCAL), Map.of());
    try (LakeFormat format = lake.format()) {
      TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      LakeSnapshot base = tierSmallCommits(table, definition, 1);
      Set<String> committed = new HashSet<>(lake.dataFilesOnDisk());
      List<String> old = refusedWriteFiles(lake, table, definition, 3);
      old.forEach(file -> age(warehouse.localFile(file), 2));
      List<String> young = refusedWriteFiles(lake, table, definition, 4);
      List<GenericRow> rowsBefore = rows(lake.paimonTable());

      table.maintain();

      assertThat(lake.dataFilesOnDisk())
          .containsAll(committed)
          .containsAll(young)
          .doesNotContainAnyElementsOf(old);
      assertThat(rows(lake.paimonTable())).containsExactlyInAnyOrderElementsOf(rowsBefore);
      assertThat(table.latestTiered()).contains(base);
    }
  }

  /**
   * The guard on an object store, where a file's age cannot be set: the maintenance clock moves
   * past it instead.
   */
  @ParameterizedTest
  @EnumSource(Storage.class)
  void keepsFilesOfAFailedCommitUntilTheClockPassesTheGuard(Storage storage) throws Exception {
    TestingClock clock = new TestingClock(Instant.now());
    PaimonTestLake lake = new PaimonTestLake(warehouse(storage), Map.of());
    try (LakeFormat format = new PaimonLakeFormat(lake.settings, warehouse.locks(), clock)) {
      TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
      LakeTable table = format.createOrLoad(entry("id-1", definition));
      LakeSnapshot base = tierSmallCommits(table, definition, 1);
      Set<String> committed = new HashSet<>(lake.dataFilesOnDisk());
      List<String> failed = refusedWriteFiles(lake, table, definition, 3);
      List<GenericRow> rowsBefore = rows(lake.paimonTable());

      table.maintain();
      assertThat(lake.dataFilesOnDisk()).as("younger than the guard").containsAll(failed);

      clock.advance(Duration.ofDays(1).plusMinutes(1));
      table.maintain();

      assertThat(lake.dataFilesOnDisk())
          .containsExactlyInAnyOrderElementsOf(committed)
          .doesNotContainAnyElementsOf(failed);
      assertThat(rows(lake.paimonTable())).containsExactlyInAnyOrderElementsOf(rowsBefore);
      assertThat(table.latestTiered()).contains(base);
    }
  }

  @Test
  void refusesInvalidSettings() {
    LakeSettings settings =
        new LakeSettings(
            dir.toUri().toString(),
            Map.of("paimon.snapshot.retain-min", "6", "paimon.snapshot.retain-max", "5"));

    assertThatThrownBy(() -> new PaimonLakeFormatFactory().create(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid Paimon maintenance settings: paimon.snapshot.retain-max must be at least"
                + " paimon.snapshot.retain-min (6), not 5");
  }

  // ---------------------------------------------------------------------------------------------

  /** {@code commits} tiering commits of a few rows each; answers the last. */
  private LakeSnapshot tierSmallCommits(LakeTable table, TableDefinition definition, int commits) {
    Optional<LakeSnapshot> base = Optional.empty();
    Map<Integer, Long> offsets = new HashMap<>();
    for (int epoch = 1; epoch <= commits; epoch++) {
      try (LakeWrite write = table.newWrite(base, epoch)) {
        writeRows(write, definition, 9, offsets);
        base = Optional.of(write.commit(LogOffsets.ofBuckets(offsets)));
      }
    }
    return base.orElseThrow();
  }

  private void writeRows(
      LakeWrite write, TableDefinition definition, int count, Map<Integer, Long> offsets) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(PaimonTestLake.randomRow(nextId++, random));
    }
    int[] buckets = PaimonTestLake.logBuckets(allocator, definition, rows);
    Map<Integer, List<Object[]>> byBucket = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byBucket.computeIfAbsent(buckets[i], b -> new ArrayList<>()).add(rows.get(i));
    }
    byBucket.forEach(
        (bucket, bucketRows) -> {
          try (VectorSchemaRoot batch =
              ArrowTestBatches.of(allocator, definition.columns(), bucketRows)) {
            write.write(TableBucket.UNPARTITIONED, bucket, batch);
          }
          offsets.merge(bucket, (long) bucketRows.size(), Long::sum);
        });
  }

  /** The files of a write whose commit was refused and that was never aborted (a crash). */
  private List<String> refusedWriteFiles(
      PaimonTestLake lake, LakeTable table, TableDefinition definition, long epoch) {
    Set<String> before = new HashSet<>(lake.dataFilesOnDisk());
    try (LakeWrite write = table.newWrite(Optional.empty(), epoch)) {
      writeRows(write, definition, 9, new HashMap<>());
      assertThatThrownBy(() -> write.commit(LogOffsets.ofBuckets(Map.of(0, 1L))))
          .isInstanceOf(CommitConflictException.class)
          .hasMessageContaining("was committed after the base (none: tiering never committed)");
    }
    List<String> files = lake.dataFilesOnDisk().stream().filter(f -> !before.contains(f)).toList();
    assertThat(files).isNotEmpty();
    return files;
  }

  private static void age(Path file, int days) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(days, ChronoUnit.DAYS)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int liveDataFiles(FileStoreTable table) {
    return table.newSnapshotReader().read().dataSplits().stream()
        .mapToInt(split -> split.dataFiles().size())
        .sum();
  }

  private static List<GenericRow> rows(FileStoreTable table) throws Exception {
    return PaimonTestLake.readAll(table).stream().map(ReadRow::row).toList();
  }

  private void assertEveryRowInItsLogBucket(TableDefinition definition, FileStoreTable table)
      throws Exception {
    for (DataSplit split : table.newSnapshotReader().read().dataSplits()) {
      assertThat(split.bucket()).isBetween(0, BUCKETS - 1);
    }
    List<ReadRow> read = PaimonTestLake.readAll(table);
    try (var paimon = table.newBatchWriteBuilder().newWrite()) {
      for (ReadRow row : read) {
        assertThat(paimon.getBucket(row.row())).isEqualTo(row.bucket());
      }
    }
  }
}
