package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.iceberg.IcebergLakeFormatFactory;
import io.sluice.lake.paimon.PaimonLakeFormatFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two tiering runs that find a lake table missing at the same moment (an operator's tier call and
 * the schedule, or two processes) both create it: each run opens its own catalog, as a separate
 * process would, and both must come back with the one table, empty and writable.
 */
@ParameterizedClass
@CsvSource({"PAIMON, LOCAL", "PAIMON, S3", "ICEBERG, LOCAL", "ICEBERG, S3"})
class LakeTableCreationRaceTest {
  private static final int ROUNDS = 12;

  @Parameter(0)
  LakeFormatName formatName;

  @Parameter(1)
  TestWarehouse.Storage storage;

  @TempDir Path dir;
  private TestWarehouse warehouse;
  private ExecutorService pool;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(storage, dir);
    pool = Executors.newFixedThreadPool(2);
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    allocator.close();
    warehouse.close();
  }

  @Test
  void twoRunsCreatingTheSameLakeTableAtOnceBothGetIt() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      TableEntry entry = entry(new TableName("race", "t" + round));
      try (LakeFormat first = open();
          LakeFormat second = open()) {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<LakeTable>> runs = new ArrayList<>();
        for (LakeFormat format : List.of(first, second)) {
          runs.add(
              pool.submit(
                  () -> {
                    start.await(30, TimeUnit.SECONDS);
                    return format.createOrLoad(entry);
                  }));
        }
        List<LakeTable> tables = new ArrayList<>();
        for (Future<LakeTable> run : runs) {
          tables.add(run.get(120, TimeUnit.SECONDS));
        }

        for (LakeTable table : tables) {
          assertThat(table.latestTiered()).as("round %d: a new table", round).isEmpty();
        }
        LakeSnapshot committed;
        try (LakeWrite write = tables.get(0).newWrite(Optional.empty(), 1);
            VectorSchemaRoot row =
                ArrowTestBatches.of(
                    allocator,
                    entry.definition().columns(),
                    List.<Object[]>of(new Object[] {7L, "x"}))) {
          int bucket = BucketFunctions.of(entry.definition()).buckets(row)[0];
          write.write(TableBucket.UNPARTITIONED, bucket, row);
          committed = write.commit(LogOffsets.ofBuckets(Map.of(bucket, 1L)));
        }
        assertThat(tables.get(1).latestTiered())
            .as("round %d: the other run's table is the same table", round)
            .contains(committed);
        assertThat(second.load(entry)).as("round %d: loadable by id", round).isPresent();
      }
    }
  }

  private LakeFormat open() {
    LakeSettings settings = warehouse.settings(Map.of());
    return formatName == LakeFormatName.PAIMON
        ? new PaimonLakeFormatFactory().create(settings, warehouse.locks())
        : new IcebergLakeFormatFactory().create(settings);
  }

  private TableEntry entry(TableName name) {
    TableDefinition definition =
        TableDefinition.builder()
            .columns(
                List.of(
                    new Column("id", DataType.of(TypeKind.BIGINT), false),
                    new Column("s", DataType.of(TypeKind.STRING), true)))
            .bucketKey(List.of("id"))
            .buckets(2)
            .lakeFormats(List.of(formatName))
            .build("Cannot create table " + name);
    return new TableEntry(name, UUID.randomUUID().toString(), definition, 1, Instant.now());
  }
}
