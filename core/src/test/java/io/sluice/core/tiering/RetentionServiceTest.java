package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.OffsetOutOfRangeException;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention drops only what every lake holds and is old enough; GC deletes only the unreachable.
 */
class RetentionServiceTest {
  // Starts at the real time: the in-memory object store stamps objects with it.
  private final TestingClock clock = new TestingClock(Instant.now());
  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TableService tables = new TableService(metadata, clock);
  private final AppendService appends =
      new AppendService(
          tables,
          new AppendCommitter(objects, metadata, executor, clock),
          executor,
          allocator,
          new LogWaiter(),
          AppendService.Settings.DEFAULT);
  private final TieringService tiering =
      new TieringService(
          metadata,
          objects,
          LakeFormats.of(paimon),
          allocator,
          clock,
          TieringService.Limits.DEFAULT);
  private final RetentionService retention =
      new RetentionService(metadata, objects, clock, RetentionService.Settings.DEFAULT);

  @AfterEach
  void close() {
    executor.shutdownNow();
    allocator.close();
  }

  private TableEntry create(String name, String lake) {
    return tables
        .create(
            TableName.parse(name),
            TableDefinitionJson.parse(
                "create",
                "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}], \"buckets\": 1,"
                    + " \"logRetention\": \"1h\", \"lake\": {\"formats\": "
                    + lake
                    + "}}"))
        .table();
  }

  /** Writes one row, a millisecond after the previous write (plan keys sort by time). */
  private void write(TableEntry table, int id) {
    clock.advance(Duration.ofMillis(1));
    appends.append(
        table.name(),
        new RowBody(RowFormat.JSON, ("[{\"id\": " + id + "}]").getBytes(StandardCharsets.UTF_8)),
        Optional.empty());
  }

  private long objectCount(TableEntry table) {
    return SegmentKeys.tablePrefixes(table.tableId()).stream()
        .mapToLong(p -> objects.list(p).count())
        .sum();
  }

  @Test
  void dropsOnlyTieredSlicesPastRetentionThenTheirObjects() {
    TableEntry table = create("orders", "[\"paimon\"]");
    write(table, 1);
    write(table, 2);
    tiering.tier(table, "runner");
    write(table, 3);

    clock.advance(Duration.ofMinutes(30));
    assertThat(retention.sweep(table, true).slices()).as("too young").isZero();

    clock.advance(Duration.ofMinutes(31));
    RetentionService.Swept swept = retention.sweep(table, true);

    assertThat(swept.slices()).as("the two tiered slices; the untiered one stays").isEqualTo(2);
    assertThat(metadata.head(TableBucket.of(table.tableId(), 0)).logStartOffset()).isEqualTo(2);
    assertThat(objectCount(table)).as("no slice points into the first two any more").isEqualTo(1);
    LogReadService reads =
        new LogReadService(tables, metadata, objects, new LogWaiter(), allocator);
    assertThatThrownBy(
            () ->
                reads.read(new LogReadService.Request(table.name(), 0, 0, 10, Optional.empty(), 0)))
        .isInstanceOf(OffsetOutOfRangeException.class)
        .hasMessageContaining("below the log start 2");
    assertThat(metadata.plans(table.tableId(), "", "~", 1000))
        .as("idempotency keys are kept 24 h")
        .hasSize(3);

    clock.advance(Duration.ofHours(24));
    retention.sweep(table, true);
    assertThat(metadata.plans(table.tableId(), "", "~", 1000)).hasSize(1);
  }

  @Test
  void sweepsATableWithoutLakeFormatsByAgeAlone() {
    TableEntry table = create("clicks", "[]");
    write(table, 1);
    clock.advance(Duration.ofHours(2));
    write(table, 2);

    assertThat(retention.sweep(table, false).slices()).isEqualTo(1);
    assertThat(metadata.head(TableBucket.of(table.tableId(), 0)).logStartOffset()).isEqualTo(1);
  }

  @Test
  void deletesAnUnplannedObjectOnlyAfterClaimingItsPlanKey() {
    TableEntry table = create("events", "[]");
    String planKey = PlanKeys.newPlanKey(clock.instant());
    String orphan = SegmentKeys.segmentKey(table.tableId(), planKey);
    objects.putIfAbsent(orphan, new byte[] {1, 2, 3});

    retention.sweep(table, true);
    assertThat(objects.list(orphan).count()).as("inside its grace").isEqualTo(1);

    clock.advance(Duration.ofMinutes(16));
    retention.sweep(table, true);
    assertThat(objects.list(orphan).count()).isZero();
    assertThat(metadata.plan(table.tableId(), planKey).orElseThrow().status())
        .as("a late writer of that key now gets 503 instead of committing into nothing")
        .isEqualTo(io.sluice.core.metadata.PlanStatus.ABORTED);
  }

  @Test
  void droppingATableDeletesItsLog() {
    TableService dropping =
        new TableService(
            metadata, clock, Optional.empty(), retention::purgeLog, OffsetsFiles.INLINE);
    TableEntry table = create("doomed", "[]");
    for (int i = 0; i < 20; i++) {
      write(table, i);
    }
    assertThat(objectCount(table)).isEqualTo(20);

    dropping.drop(table.name());

    assertThat(objectCount(table)).isZero();
    assertThat(metadata.plans(table.tableId(), "", "~", 1000)).isEmpty();
    assertThat(metadata.indexPages(TableBucket.of(table.tableId(), 0), 0, Long.MAX_VALUE))
        .isEmpty();
  }
}
