package io.sluice.lake.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.merge.ChangeType;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.MergeEngine;
import io.sluice.lake.PrimaryKeyScenario;
import io.sluice.lake.PrimaryKeyScenario.Change;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.table.source.StreamTableScan;
import org.apache.paimon.types.RowKind;
import org.apache.paimon.types.RowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Primary-key tables in Paimon: the changes Sluice merged, as a Paimon table and its changelog. */
@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class PaimonPrimaryKeyTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private PaimonTestLake lake;
  private LakeFormat format;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(storage, dir);
    lake = new PaimonTestLake(warehouse, Map.of("paimon.compact.above-files", "1"));
    format = lake.format();
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    format.close();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
    warehouse.close();
  }

  private PrimaryKeyScenario scenario(MergeEngine engine) {
    return new PrimaryKeyScenario(engine, LakeFormatName.PAIMON, "id-" + engine.apiName());
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void readsBackExactlyTheRowsSluiceMergedAfterEveryCommit(MergeEngine engine) {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = format.createOrLoad(scenario.entry());

    scenario.commitAndCheckEach(table, allocator);
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void createsAPrimaryKeyTableWithFixedBucketsAndTheInputChangelog(MergeEngine engine)
      throws Exception {
    format.createOrLoad(scenario(engine).entry());

    FileStoreTable paimon = paimonTable();
    assertThat(paimon.primaryKeys()).containsExactly("id");
    assertThat(paimon.options())
        .containsEntry("bucket", "3")
        .containsEntry("bucket-key", "id")
        .containsEntry("changelog-producer", "input")
        .containsEntry("merge-engine", "deduplicate")
        .doesNotContainKey("aggregation.remove-record-on-delete");
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void paimonsStreamingReadGetsEveryChangeWithItsRowKind(MergeEngine engine) throws Exception {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = format.createOrLoad(scenario.entry());
    scenario.commit(table, 3, allocator);

    Map<Long, List<String>> expected = new TreeMap<>();
    for (int commit = 1; commit <= 3; commit++) {
      for (Change change : scenario.changes(commit)) {
        expected.computeIfAbsent(change.id(), id -> new ArrayList<>()).add(change.toString());
      }
    }
    assertThat(streamAll(paimonTable())).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(MergeEngine.class)
  void maintenanceCompactsExpiresAndCleansWithoutChangingTheRows(MergeEngine engine)
      throws Exception {
    PrimaryKeyScenario scenario = scenario(engine);
    LakeTable table = format.createOrLoad(scenario.entry());
    LakeSnapshot tiered = scenario.commit(table, 3, allocator).get(2);

    table.maintain();

    LakeSnapshot latest = table.snapshots().get(0);
    assertThat(latest.snapshotId()).as("a compaction snapshot").isGreaterThan(tiered.snapshotId());
    assertThat(latest.offsets()).isEmpty();
    assertThat(table.latestTiered()).contains(tiered);
    assertThat(PrimaryKeyScenario.read(table, latest, allocator)).isEqualTo(scenario.expected(3));
    FileStoreTable paimon = paimonTable();
    assertThat(paimon.newSnapshotReader().read().dataSplits())
        .allSatisfy(split -> assertThat(split.dataFiles()).hasSize(1));
  }

  @Test
  void refusesAStaleBaseForChangesAndShowsNothingOfThem() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = format.createOrLoad(scenario.entry());

    LakeSnapshot first =
        scenario.checkStaleBaseRefused(
            table,
            allocator,
            snapshot ->
                "Cannot commit epoch 2 to Paimon table shop.accounts on base (none): tiering snapshot"
                    + " 1 (epoch 1) was committed after the base (none: tiering never committed)");

    assertThat(PrimaryKeyScenario.read(table, first, allocator)).isEqualTo(scenario.expected(1));
  }

  @Test
  void refusesChangesThatPaimonWouldPutInAnotherBucket() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = format.createOrLoad(scenario.entry());
    Map<Integer, List<Change>> byBucket = scenario.byBucket(scenario.changes(1), allocator);
    int bucket = byBucket.keySet().iterator().next();
    int other = (bucket + 1) % PrimaryKeyScenario.BUCKETS;

    try (LakeWrite write = table.newWrite(Optional.empty(), 1);
        VectorSchemaRoot batch = PrimaryKeyScenario.batch(allocator, byBucket.get(bucket))) {
      assertThatThrownBy(() -> write.writeChanges(TableBucket.UNPARTITIONED, other, batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot write row 1 of log bucket %d to Paimon table shop.accounts: Paimon's"
                  + " bucketing puts it in bucket %d",
              other, bucket);
      assertThatThrownBy(() -> write.write(TableBucket.UNPARTITIONED, bucket, batch))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Cannot write rows to Paimon table shop.accounts: it has a primary key; write its"
                  + " changes with writeChanges");
    }
  }

  @Test
  void refusesABatchWithAnUnknownChangeType() {
    PrimaryKeyScenario scenario = scenario(MergeEngine.LAST_ROW);
    LakeTable table = format.createOrLoad(scenario.entry());
    List<Change> changes = scenario.changes(1).subList(0, 1);

    try (LakeWrite write = table.newWrite(Optional.empty(), 1);
        VectorSchemaRoot batch = PrimaryKeyScenario.batch(allocator, changes)) {
      var types = (org.apache.arrow.vector.VarCharVector) batch.getVector("_change_type");
      types.setSafe(0, "upsert".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThatThrownBy(() -> write.writeChanges(TableBucket.UNPARTITIONED, 0, batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot write changes to Paimon table shop.accounts: record 1 has an unknown change"
                  + " type 'upsert' (expected insert, update_before, update_after, delete)");
    }
  }

  // ---------------------------------------------------------------------------------------------

  private FileStoreTable paimonTable() throws Exception {
    try (Catalog catalog = lake.paimonCatalog()) {
      return (FileStoreTable)
          catalog.getTable(
              Identifier.create(
                  PrimaryKeyScenario.NAME.database(), PrimaryKeyScenario.NAME.table()));
    }
  }

  /**
   * Every record of Paimon's streaming read from the first snapshot on, as {@link Change#toString}
   * spells them, per key in the order read.
   */
  private static Map<Long, List<String>> streamAll(FileStoreTable table) throws Exception {
    FileStoreTable fromFirst =
        table.copy(Map.of("scan.mode", "from-snapshot", "scan.snapshot-id", "1"));
    ReadBuilder read = fromFirst.newReadBuilder();
    StreamTableScan scan = read.newStreamScan();
    long latest = table.snapshotManager().latestSnapshotId();
    RowType type = table.rowType();
    InternalRow.FieldGetter[] getters = new InternalRow.FieldGetter[type.getFieldCount()];
    for (int i = 0; i < getters.length; i++) {
      getters[i] = InternalRow.createFieldGetter(type.getTypeAt(i), i);
    }
    Map<Long, List<String>> records = new LinkedHashMap<>();
    for (int plans = 0; plans < 10; plans++) {
      List<Split> splits = scan.plan().splits();
      for (Split split : splits) {
        try (RecordReader<InternalRow> reader = read.newRead().createReader(split)) {
          reader.forEachRemaining(
              row -> {
                Object[] values = new Object[getters.length];
                for (int i = 0; i < getters.length; i++) {
                  Object value = getters[i].getFieldOrNull(row);
                  values[i] =
                      value == null || value instanceof Number || value instanceof Boolean
                          ? value
                          : value.toString();
                }
                records
                    .computeIfAbsent((Long) values[0], id -> new ArrayList<>())
                    .add(changeType(row.getRowKind()).apiName() + Arrays.toString(values));
              });
        }
      }
      Long next = scan.checkpoint();
      if (next != null && next > latest) {
        return new TreeMap<>(records);
      }
    }
    throw new AssertionError("the streaming read did not reach snapshot " + latest);
  }

  private static ChangeType changeType(RowKind kind) {
    return switch (kind) {
      case INSERT -> ChangeType.INSERT;
      case UPDATE_BEFORE -> ChangeType.UPDATE_BEFORE;
      case UPDATE_AFTER -> ChangeType.UPDATE_AFTER;
      case DELETE -> ChangeType.DELETE;
    };
  }
}
