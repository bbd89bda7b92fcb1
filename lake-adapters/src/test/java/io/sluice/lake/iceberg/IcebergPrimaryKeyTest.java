package io.sluice.lake.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.merge.ChangeType;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.MergeEngine;
import io.sluice.lake.PrimaryKeyScenario;
import io.sluice.lake.PrimaryKeyScenario.Change;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Primary-key tables in Iceberg: the changes Sluice merged, as data rows and equality deletes. */
@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class IcebergPrimaryKeyTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private BufferAllocator allocator;
  private IcebergLakeFormat lake;
  private IcebergTestTables.UserCatalog user;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    warehouse = TestWarehouse.create(storage, dir);
    lake =
        new IcebergLakeFormat(
            IcebergTestTables.settings(warehouse), new TestingClock(Instant.now()));
    user = new IcebergTestTables.UserCatalog(warehouse);
  }

  @AfterEach
  void tearDown() throws Exception {
    user.close();
    lake.close();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
    warehouse.close();
  }

  private PrimaryKeyScenario scenario(MergeEngine engine) {
    return new PrimaryKeyScenario(engine, LakeFormatName.ICEBERG, "id-" + engine.apiName());
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void readsBackExactlyTheRowsSluiceMergedAfterEveryCommit(MergeEngine engine) {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = lake.createOrLoad(scenario.entry());

    scenario.commitAndCheckEach(table, allocator);

    assertThat(userRows()).as("Iceberg's own reader").isEqualTo(scenario.expected(3));
  }

  @ParameterizedTest
  @EnumSource(
      value = MergeEngine.class,
      names = {"LAST_ROW", "VERSIONED", "AGGREGATION"})
  void anUpdateIsAnEqualityDeleteOnTheKeyAndARowInTheSameSnapshot(MergeEngine engine) {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = lake.createOrLoad(scenario.entry());
    List<LakeSnapshot> snapshots = scenario.commit(table, 2, allocator);

    Table iceberg = user.table(PrimaryKeyScenario.NAME);
    assertThat(iceberg.schema().identifierFieldNames()).containsExactly("id");
    assertThat(((HasTableOperations) iceberg).operations().current().formatVersion()).isEqualTo(2);
    Snapshot first = iceberg.snapshot(snapshots.get(0).snapshotId());
    Snapshot second = iceberg.snapshot(snapshots.get(1).snapshotId());
    assertThat(first.addedDeleteFiles(iceberg.io())).isEmpty();
    List<DeleteFile> deletes = new ArrayList<>();
    second.addedDeleteFiles(iceberg.io()).forEach(deletes::add);
    assertThat(deletes)
        .isNotEmpty()
        .allSatisfy(
            file -> {
              assertThat(file.content()).isEqualTo(FileContent.EQUALITY_DELETES);
              assertThat(file.equalityFieldIds())
                  .containsExactly(iceberg.schema().findField("id").fieldId());
            });
    assertThat(deletes.stream().mapToLong(DeleteFile::recordCount).sum())
        .as("keys 1, 2 and 3 were in the lake")
        .isEqualTo(3);
    assertThat(second.summary())
        .containsEntry("added-records", "3") // keys 1, 2 and 9
        .containsEntry("sluice.offsets", LakeSnapshot.offsetsJson(snapshots.get(1).offsets()));
  }

  @Test
  void aKeyInsertedAndDeletedInOneRunLeavesNothingAndAChainLeavesItsLastRow() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = lake.createOrLoad(scenario.entry());
    LakeSnapshot first = scenario.commit(table, 1, allocator).get(0);
    Object[] held = scenario.changes(1).get(0).row(); // key 1
    Object[] newer = held.clone();
    newer[1] = "newer";
    Object[] newest = held.clone();
    newest[1] = "newest";
    Object[] fresh = {100L, "fresh", 1L, 1, "f", true, 1L};
    List<Change> changes =
        List.of(
            new Change(ChangeType.UPDATE_BEFORE, held),
            new Change(ChangeType.UPDATE_AFTER, newer),
            new Change(ChangeType.INSERT, fresh),
            new Change(ChangeType.UPDATE_BEFORE, newer),
            new Change(ChangeType.UPDATE_AFTER, newest),
            new Change(ChangeType.DELETE, fresh));

    LakeSnapshot second;
    try (LakeWrite write = table.newWrite(Optional.of(first), 2)) {
      Map<Integer, Long> offsets = new TreeMap<>(first.bucketOffsets());
      scenario
          .byBucket(changes, allocator)
          .forEach(
              (bucket, records) -> {
                try (VectorSchemaRoot batch = PrimaryKeyScenario.batch(allocator, records)) {
                  write.writeChanges(TableBucket.UNPARTITIONED, bucket, batch);
                }
                offsets.merge(bucket, (long) records.size(), Long::sum);
              });
      second = write.commit(LogOffsets.ofBuckets(offsets));
    }

    Map<Long, List<Object>> expected = new TreeMap<>(scenario.expected(1));
    expected.put(1L, List.of(newest));
    assertThat(PrimaryKeyScenario.read(table, second, allocator)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void maintenanceNeverResurrectsADeletedRow(MergeEngine engine) {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = lake.createOrLoad(scenario.entry());
    LakeSnapshot tiered = scenario.commit(table, 3, allocator).get(2);

    table.maintain();

    LakeSnapshot latest = table.snapshots().get(0);
    assertThat(table.latestTiered()).contains(tiered);
    assertThat(PrimaryKeyScenario.read(table, latest, allocator)).isEqualTo(scenario.expected(3));
    assertThat(userRows()).isEqualTo(scenario.expected(3));
  }

  @Test
  void refusesAStaleBaseForChanges() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = lake.createOrLoad(scenario.entry());

    scenario.checkStaleBaseRefused(
        table,
        allocator,
        first ->
            "Cannot commit to Iceberg table sluice.shop.accounts: its newest tiered snapshot is "
                + first.snapshotId()
                + ", not the base null this run started from");

    assertThat(userRows()).isEqualTo(scenario.expected(1));
  }

  @Test
  void refusesASecondBatchOfTheSameBucketAndRowsWithoutChangeTypes() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = lake.createOrLoad(scenario.entry());
    Map<Integer, List<Change>> byBucket = scenario.byBucket(scenario.changes(1), allocator);
    int bucket = byBucket.keySet().iterator().next();

    try (LakeWrite write = table.newWrite(Optional.empty(), 1);
        VectorSchemaRoot batch = PrimaryKeyScenario.batch(allocator, byBucket.get(bucket))) {
      write.writeChanges(TableBucket.UNPARTITIONED, bucket, batch);
      assertThatThrownBy(() -> write.writeChanges(TableBucket.UNPARTITIONED, bucket, batch))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Cannot write changes to Iceberg table sluice.shop.accounts: this write already"
                  + " took those of bucket %d",
              bucket);
      assertThatThrownBy(() -> write.write(TableBucket.UNPARTITIONED, bucket, batch))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Cannot write rows to Iceberg table sluice.shop.accounts: it has a primary key;"
                  + " write its changes with writeChanges");
    }
  }

  @Test
  void refusesChangesThatIcebergWouldPutInAnotherBucket() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = lake.createOrLoad(scenario.entry());
    Map<Integer, List<Change>> byBucket = scenario.byBucket(scenario.changes(1), allocator);
    int bucket = byBucket.keySet().iterator().next();
    int other = (bucket + 1) % PrimaryKeyScenario.BUCKETS;

    try (LakeWrite write = table.newWrite(Optional.empty(), 1);
        VectorSchemaRoot batch = PrimaryKeyScenario.batch(allocator, byBucket.get(bucket))) {
      assertThatThrownBy(() -> write.writeChanges(TableBucket.UNPARTITIONED, other, batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "Cannot write a row of log bucket %d to Iceberg table sluice.shop.accounts:"
                  .formatted(other))
          .hasMessageEndingWith("puts it in bucket " + bucket);
    }
  }

  /** The current rows as a user's own Iceberg reader sees them, by key. */
  private Map<Long, List<Object>> userRows() {
    Map<Long, List<Object>> rows = new TreeMap<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(user.table(PrimaryKeyScenario.NAME)).build()) {
      for (Record record : records) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < record.size(); i++) {
          values.add(record.get(i));
        }
        rows.put((Long) values.get(0), values);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }
}
