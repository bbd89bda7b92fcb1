package io.sluice.lake.paimon;

import static io.sluice.lake.paimon.PaimonTestLake.ALL_TYPES;
import static io.sluice.lake.paimon.PaimonTestLake.definition;
import static io.sluice.lake.paimon.PaimonTestLake.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.TestWarehouse;
import io.sluice.lake.paimon.PaimonTestLake.ReadRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.manifest.ManifestCommittable;
import org.apache.paimon.options.Options;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.FileStoreTableFactory;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.TableCommitImpl;
import org.apache.paimon.table.sink.TableWriteImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class PaimonLakeWriteTest {
  private static final int BUCKETS = 3;

  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private PaimonTestLake lake;
  private LakeFormat format;
  private BufferAllocator allocator;
  private final Random random = new Random(11);
  private long nextId;

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

  @Test
  void writesEveryLogBucketIntoThePaimonBucketOfTheSameNumber() throws Exception {
    TableDefinition definition = definition(ALL_TYPES, List.of("k", "s"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    List<Object[]> rows = rows(300);
    Map<Integer, List<Object[]>> byBucket = byLogBucket(definition, rows);
    assertThat(byBucket).as("rows in every bucket").hasSize(BUCKETS);
    assertPaimonsOwnBucketIsTheLogBucket(byBucket);

    LakeSnapshot committed;
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      byBucket.forEach((bucket, bucketRows) -> write(write, bucket, ALL_TYPES, bucketRows));
      committed = write.commit(LogOffsets.ofBuckets(offsets(byBucket)));
    }

    List<ReadRow> read = PaimonTestLake.readAll(lake.paimonTable());
    assertThat(read).hasSize(rows.size());
    Map<Long, ReadRow> byId =
        read.stream().collect(Collectors.toMap(r -> r.row().getLong(0), r -> r));
    assertThat(byId).as("every row exactly once").hasSize(rows.size());
    byBucket.forEach(
        (bucket, bucketRows) -> {
          for (Object[] row : bucketRows) {
            ReadRow found = byId.get((Long) row[0]);
            assertThat(found.bucket()).as("Paimon bucket of row %s", row[0]).isEqualTo(bucket);
            assertThat(found.row()).isEqualTo(PaimonTestLake.paimonRow(row, ALL_TYPES));
          }
        });
    assertThat(committed.format()).isEqualTo(LakeFormatName.PAIMON);
    assertThat(committed.rows()).isEqualTo(rows.size());
    assertThat(committed.tableId()).contains("id-1");
    assertThat(committed.bucketOffsets()).isEqualTo(offsets(byBucket));
    assertThat(table.latestTiered()).contains(committed);
    assertThat(lake.paimonTable().snapshotManager().latestSnapshot().properties())
        .containsEntry(
            "sluice.offsets",
            "{\"0\":%d,\"1\":%d,\"2\":%d}"
                .formatted(byBucket.get(0).size(), byBucket.get(1).size(), byBucket.get(2).size()))
        .containsEntry("sluice.table-id", "id-1");
  }

  @Test
  void asASecondFormatPlacesRowsInPaimonsOwnBucketsWhateverTheLogBucket() throws Exception {
    TableDefinition definition =
        TableDefinition.builder()
            .columns(ALL_TYPES)
            .bucketKey(List.of("id"))
            .buckets(BUCKETS)
            .lakeFormats(List.of(LakeFormatName.ICEBERG, LakeFormatName.PAIMON))
            .build("Cannot create table " + PaimonTestLake.NAME);
    LakeTable table = format.createOrLoad(entry("id-2", definition));
    List<Object[]> rows = rows(120);

    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      // Iceberg's bucketing placed them: log bucket 1 holds rows Paimon spreads over its buckets.
      write(write, 1, ALL_TYPES, rows);
      write.commit(LogOffsets.ofBuckets(Map.of(1, 120L)));
    }

    List<ReadRow> read = PaimonTestLake.readAll(lake.paimonTable());
    assertThat(read).hasSize(rows.size());
    Map<Integer, List<Object[]>> paimonLayout =
        byLogBucket(definition(ALL_TYPES, List.of("id"), BUCKETS), rows);
    assertThat(paimonLayout).as("Paimon spreads them").hasSizeGreaterThan(1);
    for (ReadRow row : read) {
      long id = row.row().getLong(0);
      assertThat(paimonLayout.get(row.bucket()))
          .as("row %d sits in the bucket Paimon's own bucketing gives it", id)
          .anySatisfy(r -> assertThat(r[0]).isEqualTo(id));
    }
    assertThat(table.latestTiered().orElseThrow().bucketOffsets()).isEqualTo(Map.of(1, 120L));
  }

  @Test
  void writesATableWithoutBucketKeyIntoOneBucketUnawareTable() throws Exception {
    TableDefinition definition = definition(ALL_TYPES, List.of(), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    List<Object[]> rows = rows(40);

    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      write(write, 0, ALL_TYPES, rows.subList(0, 25));
      write(write, 2, ALL_TYPES, rows.subList(25, 40));
      write.commit(LogOffsets.ofBuckets(Map.of(0, 25L, 2, 15L)));
    }

    List<ReadRow> read = PaimonTestLake.readAll(lake.paimonTable());
    assertThat(read.stream().map(ReadRow::row))
        .containsExactlyInAnyOrderElementsOf(
            rows.stream().map(r -> PaimonTestLake.paimonRow(r, ALL_TYPES)).toList());
    assertThat(table.latestTiered().orElseThrow().bucketOffsets())
        .isEqualTo(Map.of(0, 25L, 2, 15L));
  }

  @Test
  void listsSnapshotsNewestFirstWithRowsAndOffsets() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    LakeSnapshot first = commitRows(table, definition, Optional.empty(), 1, 20, Map.of());
    LakeSnapshot second =
        commitRows(table, definition, Optional.of(first), 2, 10, first.bucketOffsets());

    assertThat(table.snapshots()).containsExactly(second, first);
    assertThat(second.rows()).isEqualTo(30);
    assertThat(second.snapshotId()).isEqualTo(first.snapshotId() + 1);
    assertThat(second.commitTime()).isAfterOrEqualTo(first.commitTime());
    assertThat(table.latestTiered()).contains(second);
  }

  @Test
  void refusesACommitOnABaseThatMovedAndShowsNothingOfIt() throws Exception {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    LakeSnapshot base = commitRows(table, definition, Optional.empty(), 1, 10, Map.of());
    int filesBefore = lake.dataFilesOnDisk().size();

    LakeWrite stale = table.newWrite(Optional.empty(), 2);
    write(stale, definition, rows(5));
    assertThatThrownBy(() -> stale.commit(LogOffsets.ofBuckets(Map.of(0, 99L))))
        .isInstanceOf(CommitConflictException.class)
        .hasMessage(
            "Cannot commit epoch 2 to Paimon table db.events on base (none): tiering snapshot 1"
                + " (epoch 1) was committed after the base (none: tiering never committed)");
    stale.abort();
    stale.close();

    assertThat(table.snapshots()).containsExactly(base);
    assertThat(PaimonTestLake.readAll(lake.paimonTable())).hasSize(10);
    assertThat(lake.dataFilesOnDisk())
        .as("the refused write's files are deleted")
        .hasSize(filesBefore);
  }

  @Test
  void fenceRefusesInsidePaimonsAtomicCommitWhenATieringSnapshotLandedAfterTheCheck()
      throws Exception {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    // A run started on "no tiering yet" and passed its own check; then another run committed.
    TieringFence fence = new TieringFence(null);
    commitRows(table, definition, Optional.empty(), 1, 10, Map.of());

    // The table as the format loads it: on S3 its snapshot commit takes the metadata store's lock.
    FileStoreTable plain = lake.sluiceTable();
    FileStoreTable fenced =
        FileStoreTableFactory.create(
            plain.fileIO(),
            plain.location(),
            plain.schema(),
            new Options(Map.of("commit.max-retries", "0")),
            fence.environment(plain.catalogEnvironment()));
    try (TableWriteImpl<?> write = fenced.newWrite(PaimonLakeWrite.COMMIT_USER);
        TableCommitImpl commit = fenced.newCommit(PaimonLakeWrite.COMMIT_USER)) {
      write.write(PaimonTestLake.paimonRow(rows(1).get(0), ALL_TYPES), 0);
      ManifestCommittable committable = new ManifestCommittable(2);
      write.prepareCommit(false, 2).forEach(committable::addFileCommittable);
      committable.addProperty("sluice.offsets", "{\"0\":11}");

      assertThatThrownBy(() -> commit.filterAndCommitMultiple(List.of(committable)))
          .isInstanceOf(RuntimeException.class);
    }

    assertThat(fence.outcome()).isEqualTo(TieringFence.Outcome.REFUSED);
    assertThat(fence.refusal())
        .contains(
            "tiering snapshot 1 (epoch 1) was committed after the base (none: tiering never"
                + " committed)");
    assertThat(lake.paimonTable().snapshotManager().latestSnapshotId()).isEqualTo(1);
  }

  @Test
  void aRetryOfTheSameEpochAfterALostAnswerDoesNotDuplicateRows() throws Exception {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    List<Object[]> rows = rows(30);
    Map<Integer, Long> offsets = offsets(byLogBucket(definition, rows));

    LakeSnapshot first;
    try (LakeWrite write = table.newWrite(Optional.empty(), 7)) {
      write(write, definition, rows);
      first =
          write.commit(LogOffsets.ofBuckets(offsets)); // the answer is "lost": the run tries again
    }
    int filesAfterFirst = lake.dataFilesOnDisk().size();
    LakeSnapshot retried;
    try (LakeWrite retry = table.newWrite(Optional.empty(), 7)) {
      write(retry, definition, rows);
      retried = retry.commit(LogOffsets.ofBuckets(offsets));
    }

    assertThat(retried).isEqualTo(first);
    assertThat(table.snapshots()).containsExactly(first);
    assertThat(PaimonTestLake.readAll(lake.paimonTable())).hasSize(30);
    assertThat(lake.dataFilesOnDisk()).as("the retry's files are deleted").hasSize(filesAfterFirst);
  }

  @Test
  void refusesALateCommitOfAnEpochThatALaterEpochFenced() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    LakeSnapshot base = commitRows(table, definition, Optional.empty(), 1, 10, Map.of());
    LakeWrite late = table.newWrite(Optional.of(base), 2);
    write(late, definition, rows(5));
    LakeSnapshot later =
        commitRows(table, definition, Optional.of(base), 3, 5, base.bucketOffsets());

    assertThatThrownBy(() -> late.commit(LogOffsets.ofBuckets(Map.of(0, 999L))))
        .isInstanceOf(CommitConflictException.class)
        .hasMessage(
            "Cannot commit epoch 2 to Paimon table db.events on base snapshot 1: epoch 2 is"
                + " fenced: snapshot 2 was committed by the later epoch 3");
    late.abort();
    late.close();
    assertThat(table.latestTiered()).contains(later);
  }

  @Test
  void refusesRowsThatPaimonWouldPutInAnotherBucket() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    List<Object[]> rows = rows(30);
    Map<Integer, List<Object[]>> byBucket = byLogBucket(definition, rows);
    List<Object[]> ofBucketZero = byBucket.get(0);

    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      assertThatThrownBy(() -> write(write, 1, ALL_TYPES, ofBucketZero))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot write row 1 of log bucket 1 to Paimon table db.events: Paimon's bucketing"
                  + " puts it in bucket 0");
      assertThatThrownBy(() -> write(write, 3, ALL_TYPES, ofBucketZero))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot write rows to Paimon table db.events: bucket 3 is not one of its 3 buckets");
    }
  }

  @Test
  void evolveAddsAColumnThatLaterRowsCarry() throws Exception {
    List<Column> before = List.of(ALL_TYPES.get(0), ALL_TYPES.get(1));
    TableDefinition definition = definition(before, List.of("k"), BUCKETS);
    LakeTable table = format.createOrLoad(entry("id-1", definition));
    List<Object[]> old = List.<Object[]>of(new Object[] {1L, 5}, new Object[] {2L, 6});
    LakeSnapshot base;
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      write(write, definition, old);
      base = write.commit(LogOffsets.ofBuckets(Map.of(0, 2L)));
    }

    Column note = new Column("note", DataType.of(TypeKind.STRING), true);
    List<Column> after = List.of(before.get(0), before.get(1), note);
    TableDefinition evolved = definition(after, List.of("k"), BUCKETS);
    table.evolve(evolved);
    table.evolve(evolved); // nothing left to add
    List<Object[]> fresh = List.<Object[]>of(new Object[] {3L, 5, "hello"});
    try (LakeWrite write = table.newWrite(Optional.of(base), 2)) {
      write(write, evolved, fresh);
      // A batch written before the column existed leaves it out: null.
      write(write, definition, List.<Object[]>of(new Object[] {4L, 7}));
      write.commit(LogOffsets.ofBuckets(Map.of(0, 4L)));
    }

    FileStoreTable paimon = lake.paimonTable();
    assertThat(paimon.rowType().getFieldNames()).containsExactly("id", "k", "note");
    assertThat(paimon.rowType().getTypeAt(2).isNullable()).isTrue();
    assertThat(PaimonTestLake.readAll(paimon).stream().map(ReadRow::row))
        .containsExactlyInAnyOrder(
            GenericRow.of(1L, 5, null),
            GenericRow.of(2L, 6, null),
            GenericRow.of(3L, 5, BinaryString.fromString("hello")),
            GenericRow.of(4L, 7, null));
  }

  // ---------------------------------------------------------------------------------------------

  private List<Object[]> rows(int count) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(PaimonTestLake.randomRow(nextId++, random));
    }
    return rows;
  }

  private Map<Integer, List<Object[]>> byLogBucket(
      TableDefinition definition, List<Object[]> rows) {
    int[] buckets = PaimonTestLake.logBuckets(allocator, definition, rows);
    Map<Integer, List<Object[]>> byBucket = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byBucket.computeIfAbsent(buckets[i], b -> new ArrayList<>()).add(rows.get(i));
    }
    return byBucket;
  }

  private static Map<Integer, Long> offsets(Map<Integer, List<Object[]>> byBucket) {
    Map<Integer, Long> offsets = new HashMap<>();
    byBucket.forEach((bucket, rows) -> offsets.put(bucket, (long) rows.size()));
    return offsets;
  }

  /** Checks with Paimon's own writer that it puts every row where the log put it. */
  private void assertPaimonsOwnBucketIsTheLogBucket(Map<Integer, List<Object[]>> byBucket)
      throws Exception {
    try (BatchTableWrite paimon = lake.paimonTable().newBatchWriteBuilder().newWrite()) {
      byBucket.forEach(
          (bucket, rows) -> {
            for (Object[] row : rows) {
              assertThat(paimon.getBucket(PaimonTestLake.paimonRow(row, ALL_TYPES)))
                  .as("Paimon's own bucket of row %s", row[0])
                  .isEqualTo(bucket);
            }
          });
    }
  }

  private void write(LakeWrite write, int bucket, List<Column> columns, List<Object[]> rows) {
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, columns, rows)) {
      write.write(TableBucket.UNPARTITIONED, bucket, batch);
    }
  }

  /** Writes rows of the definition's columns, each into its log bucket. */
  private void write(LakeWrite write, TableDefinition definition, List<Object[]> rows) {
    byLogBucket(definition, rows)
        .forEach((bucket, bucketRows) -> write(write, bucket, definition.columns(), bucketRows));
  }

  /** Tiers {@code count} new rows of all types on {@code base}; offsets grow by bucket. */
  private LakeSnapshot commitRows(
      LakeTable table,
      TableDefinition definition,
      Optional<LakeSnapshot> base,
      long epoch,
      int count,
      Map<Integer, Long> from) {
    List<Object[]> rows = rows(count);
    Map<Integer, Long> offsets = new HashMap<>(from);
    byLogBucket(definition, rows)
        .forEach(
            (bucket, bucketRows) -> offsets.merge(bucket, (long) bucketRows.size(), Long::sum));
    try (LakeWrite write = table.newWrite(base, epoch)) {
      write(write, definition, rows);
      return write.commit(LogOffsets.ofBuckets(offsets));
    }
  }
}
