package io.sluice.lake.iceberg;

import static io.sluice.lake.PartitionedRows.COLUMNS;
import static io.sluice.lake.PartitionedRows.overDays;
import static io.sluice.lake.PartitionedRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.bucket.RowPartitions;
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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.TypeUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A partitioned table tiered into an Iceberg table partitioned by day(t), region, bucket(id). */
@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class IcebergPartitionedTest {
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
    allocator.close();
    warehouse.close();
  }

  /** Partitioned by day(t) and region, three buckets by id in each partition. */
  private static TableDefinition definition() {
    return TableDefinition.builder()
        .columns(COLUMNS)
        .bucketKey(List.of("id"))
        .buckets(3)
        .partitionBy(List.of(PartitionField.parse("day(t)"), PartitionField.parse("region")))
        .lakeFormats(List.of(LakeFormatName.ICEBERG))
        .build("Cannot create table");
  }

  @Test
  void tiersEachPartitionIntoItsIcebergPartitionAndBucket() throws IOException {
    TableDefinition definition = definition();
    TableEntry entry =
        new TableEntry(
            IcebergTestTables.NAME, UUID.randomUUID().toString(), definition, 1, Instant.now());
    LakeTable table = lake.createOrLoad(entry);
    List<Object[]> rows = rows(60);

    Map<PartitionBucket, List<Object[]>> parts = new TreeMap<>();
    Map<Long, PartitionBucket> logPlace = new HashMap<>();
    try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      RowPartitions partitions = RowPartitions.of(definition.partitionBy(), batch);
      int[] buckets = BucketFunctions.of(definition).buckets(batch);
      for (int i = 0; i < rows.size(); i++) {
        PartitionBucket at = new PartitionBucket(partitions.partition(i).name(), buckets[i]);
        parts.computeIfAbsent(at, k -> new ArrayList<>()).add(rows.get(i));
        logPlace.put((Long) rows.get(i)[0], at);
      }
    }
    Map<PartitionBucket, Long> offsets = new HashMap<>();
    LakeSnapshot committed;
    try (LakeWrite write = table.newWrite(Optional.empty(), 1)) {
      parts.forEach(
          (at, partRows) -> {
            try (VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, partRows)) {
              write.write(at.partition(), at.bucket(), batch);
            }
            offsets.put(at, (long) partRows.size());
          });
      committed = write.commit(offsets);
    }

    Table iceberg = user.table();
    assertThat(iceberg.spec().fields())
        .extracting(org.apache.iceberg.PartitionField::name)
        .containsExactly("t_day", "region", "id_bucket");
    assertThat(committed.offsets()).isEqualTo(offsets);
    assertThat(table.latestTiered()).contains(committed);

    Map<String, PartitionBucket> placeOfFile = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = iceberg.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        StructLike partition = task.file().partition();
        String name =
            "t_day="
                + LocalDate.ofEpochDay(partition.get(0, Integer.class))
                + "/region="
                + partition.get(1, String.class).replace("/", "%2F");
        placeOfFile.put(
            task.file().location(), new PartitionBucket(name, partition.get(2, Integer.class)));
      }
    }
    Map<Long, PartitionBucket> lakePlace = new HashMap<>();
    Schema withFile = TypeUtil.join(iceberg.schema(), new Schema(MetadataColumns.FILE_PATH));
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(iceberg).project(withFile).build()) {
      for (Record record : records) {
        String file = record.getField(MetadataColumns.FILE_PATH.name()).toString();
        lakePlace.put((Long) record.getField("id"), placeOfFile.get(file));
      }
    }
    assertThat(lakePlace)
        .as("every row in the Iceberg partition of its values and the bucket of its log bucket")
        .isEqualTo(logPlace);

    try (RowBatches scanned = table.scan(committed, COLUMNS, Optional.empty(), allocator)) {
      long count = 0;
      while (scanned.next()) {
        count += scanned.batch().getRowCount();
      }
      assertThat(count).isEqualTo(60);
    }
  }

  @Test
  void offsetsOfManyPartitionsGoToAnOffsetsFileTheSnapshotNames() throws Exception {
    TestingObjectStore objects = new TestingObjectStore();
    TableDefinition definition = definition();
    TableEntry entry = new TableEntry(IcebergTestTables.NAME, "id-1", definition, 1, Instant.now());
    List<Object[]> rows = overDays(64);
    LakeSnapshot second;
    try (IcebergLakeFormat withFiles = formatWith(objects)) {
      LakeTable table = withFiles.createOrLoad(entry);
      LakeSnapshot first = tier(definition, table, rows, Optional.empty(), 1);
      second = tier(definition, table, rows, Optional.of(first), 2);
    }

    Map<String, String> summary = user.table().currentSnapshot().summary();
    assertThat(summary).containsKey("sluice.offsets-file").doesNotContainKey("sluice.offsets");
    assertThat(summary.get("sluice.offsets-file").length()).isLessThan(120);
    assertThat(second.offsetsFile()).contains(summary.get("sluice.offsets-file"));
    assertThat(second.offsets()).as("one bucket of each partition").hasSize(rows.size());
    assertThat(second.offsets().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(2L * rows.size());
    // Another process, with nothing cached, reads the same offsets back through the snapshot.
    try (IcebergLakeFormat reader = formatWith(objects)) {
      LakeSnapshot read = reader.load(entry).orElseThrow().latestTiered().orElseThrow();
      assertThat(read.offsets()).isEqualTo(second.offsets());
    }
    assertThat(objects.list("tiered-offsets/id-1/iceberg/")).hasSize(2);
  }

  private IcebergLakeFormat formatWith(TestingObjectStore objects) {
    return new IcebergLakeFormat(
        IcebergTestTables.settings(warehouse),
        new OffsetsFiles(objects, Clock.systemUTC()),
        Clock.systemUTC());
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

  /** The ids of the rows the table's current snapshot holds, read by Iceberg's own reader. */
  private List<Long> ids(Table iceberg) throws IOException {
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(iceberg).build()) {
      records.forEach(record -> ids.add((Long) record.getField("id")));
    }
    return ids;
  }

  @Test
  void aDropCommitRemovesThePartitionsFilesAndOffsetsAndAStaleRunIsRefused() throws IOException {
    TableDefinition definition = definition();
    LakeTable table =
        lake.createOrLoad(
            new TableEntry(
                IcebergTestTables.NAME,
                UUID.randomUUID().toString(),
                definition,
                1,
                Instant.now()));
    tier(definition, table, rows(30), Optional.empty(), 1);
    LakeSnapshot tiered =
        tier(definition, table, rows(60).subList(30, 60), table.latestTiered(), 2);
    Map<PartitionBucket, Long> kept = without(tiered.offsets(), NOVEMBER_24);

    LakeSnapshot dropped;
    try (LakeWrite write = table.newWrite(Optional.of(tiered), 3)) {
      write.dropPartitions(NOVEMBER_24);
      dropped = write.commit(kept);
    }

    assertThat(dropped.offsets()).isEqualTo(kept);
    assertThat(table.latestTiered()).contains(dropped);
    Table iceberg = user.table();
    assertThat(iceberg.currentSnapshot().summary())
        .containsEntry(IcebergSnapshots.EPOCH_PROPERTY, "3")
        .containsEntry("deleted-records", "20")
        .containsEntry("total-records", "40");
    assertThat(ids(iceberg))
        .as("the rows of the 25th and 26th, none of the 24th")
        .containsExactlyInAnyOrderElementsOf(
            rows(60).stream().map(r -> (Long) r[0]).filter(id -> id % 3 != 0).toList());
    try (CloseableIterable<FileScanTask> tasks = iceberg.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        assertThat(LocalDate.ofEpochDay(task.file().partition().get(0, Integer.class)))
            .isNotEqualTo(LocalDate.of(2026, 11, 24));
      }
    }

    // A run that started from the snapshot before the drop (an earlier lease) is refused.
    try (LakeWrite stale = table.newWrite(Optional.of(tiered), 2)) {
      stale.dropPartitions(List.of("t_day=2026-11-25/region=eu"));
      Map<PartitionBucket, Long> staleOffsets =
          without(kept, List.of("t_day=2026-11-25/region=eu"));
      assertThatThrownBy(() -> stale.commit(staleOffsets))
          .isInstanceOf(CommitConflictException.class)
          .hasMessageContaining("not the base " + tiered.snapshotId());
    }
    assertThat(table.latestTiered()).contains(dropped);
    iceberg.refresh();
    assertThat(ids(iceberg)).hasSize(40);
  }

  @Test
  void tiersATableWithoutABucketKeyIntoItsPartitionsOnly() throws IOException {
    TableDefinition definition =
        TableDefinition.builder()
            .columns(COLUMNS)
            .bucketKey(List.of())
            .buckets(2)
            .partitionBy(List.of(PartitionField.parse("day(t)"), PartitionField.parse("region")))
            .lakeFormats(List.of(LakeFormatName.ICEBERG))
            .build("Cannot create table");
    LakeTable table =
        lake.createOrLoad(
            new TableEntry(
                IcebergTestTables.NAME,
                UUID.randomUUID().toString(),
                definition,
                1,
                Instant.now()));
    List<Object[]> rows = rows(30);
    Map<PartitionBucket, Long> offsets = new HashMap<>();
    try (LakeWrite write = table.newWrite(Optional.empty(), 1);
        VectorSchemaRoot batch = ArrowTestBatches.of(allocator, COLUMNS, rows)) {
      RowPartitions partitions = RowPartitions.of(definition.partitionBy(), batch);
      Map<String, List<Object[]>> byPartition = new TreeMap<>();
      for (int i = 0; i < rows.size(); i++) {
        byPartition
            .computeIfAbsent(partitions.partition(i).name(), k -> new ArrayList<>())
            .add(rows.get(i));
      }
      byPartition.forEach(
          (partition, partRows) -> {
            try (VectorSchemaRoot part = ArrowTestBatches.of(allocator, COLUMNS, partRows)) {
              write.write(partition, 1, part);
            }
            offsets.put(new PartitionBucket(partition, 1), (long) partRows.size());
          });
      write.commit(offsets);
    }
    Table iceberg = user.table();
    assertThat(iceberg.spec().fields())
        .extracting(org.apache.iceberg.PartitionField::name)
        .containsExactly("t_day", "region");
    assertThat(user.rows()).hasSize(30);
    assertThat(table.latestTiered().orElseThrow().offsets()).isEqualTo(offsets);
  }
}
