package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingSluice;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.BucketNotFoundException;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.PartitionRejectedException;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * partitionRetention on the in-memory stores and a test clock (the services start on
 * 2026-11-25T08:00Z): an expired partition leaves scans, bucket reads and every lake, its segments
 * go unless a live partition still needs them, and late writers are refused.
 */
class PartitionRetentionTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final String YESTERDAY = "t_day=2026-11-24";
  private static final String TODAY = "t_day=2026-11-25";

  /** Yesterday's partition ended at midnight and expires a day later ("1d"). */
  private static final Instant YESTERDAY_EXPIRES = Instant.parse("2026-11-26T00:00:00Z");

  private final TestingSluice sluice = new TestingSluice();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TestingLakeFormat iceberg = new TestingLakeFormat(LakeFormatName.ICEBERG);
  private final LakeFormats lakes = LakeFormats.of(paimon, iceberg);
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final RecoveryService recovery =
      new RecoveryService(sluice.metadata(), executor, sluice.clock());
  private final RetentionService retention =
      new RetentionService(
          sluice.metadata(), sluice.objects(), sluice.clock(), RetentionService.Settings.DEFAULT);
  private final TieringService tiering = sluice.tiering(lakes);
  private final ScheduledRun scheduled =
      new ScheduledRun(
          sluice.metadata(),
          recovery,
          tiering,
          retention,
          sluice.clock(),
          "runner",
          ScheduledRun.Intervals.DEFAULT);
  private final PartitionRetention partitions =
      new PartitionRetention(sluice.metadata(), retention, tiering, sluice.clock());

  @AfterEach
  void close() {
    executor.shutdownNow();
    sluice.close();
  }

  private TableEntry create(String lakeFormats) {
    return sluice.create(
        EVENTS,
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false}],
         "partitionBy": ["day(t)"], "bucketKey": ["id"], "buckets": 2,
         "partitionRetention": "1d", "lake": {"formats": %s, "freshness": "1s"}}
        """
            .formatted(lakeFormats));
  }

  /** A JSON body of rows with ids {@code from} to {@code to} (inclusive) on one day. */
  private static String rows(long from, long to, String day) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(id -> "{\"id\": %d, \"t\": \"%sT%02d:30:00\"}".formatted(id, day, id % 24))
        .collect(Collectors.joining(",", "[", "]"));
  }

  /** Appends rows as one write, a millisecond after the last (plan keys sort by time). */
  private void append(String rows) {
    sluice.clock().advance(Duration.ofMillis(1));
    sluice.append(EVENTS, rows);
  }

  private static String both(String first, String second) {
    return first.substring(0, first.length() - 1) + "," + second.substring(1);
  }

  private List<Long> scannedIds(ScanSource source, Optional<LakeFormatName> lake) {
    ScanService scans =
        new ScanService(
            sluice.tables(),
            sluice.metadata(),
            sluice.reads(sluice.objects()),
            Optional.of(lakes),
            sluice.allocator());
    List<Long> ids = new ArrayList<>();
    try (TableScan scan =
        scans.scan(
            new ScanService.Request(
                EVENTS, Optional.empty(), Optional.empty(), source, lake, Long.MAX_VALUE))) {
      while (scan.next()) {
        VectorSchemaRoot batch = scan.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          ids.add((Long) ArrowValues.get(batch.getVector("id"), row));
        }
      }
    }
    return ids;
  }

  private static List<Long> lakeIds(TestingLakeFormat lake) {
    return lake.rows(EVENTS).stream().map(row -> (Long) row.get("id")).toList();
  }

  private LogReadService.Request bucketRead(String partition, int bucket) {
    return new LogReadService.Request(EVENTS, partition, bucket, 0, 100, Optional.empty(), 0);
  }

  /** The table's plans, each with the partitions its parts write to. */
  private List<Plan> plans(TableEntry table) {
    return sluice.metadata().plans(table.tableId(), "", "~", 100);
  }

  private boolean exists(String segmentKey) {
    try (var listed = sluice.objects().list(segmentKey)) {
      return listed.anyMatch(object -> object.key().equals(segmentKey));
    }
  }

  private static List<String> partitionsOf(Plan plan) {
    return plan.parts().stream().map(PlanPart::partition).distinct().sorted().toList();
  }

  @Test
  void anExpiredPartitionLeavesScansBucketReadsAndEveryLakeWhileTheLivePartitionStaysWhole()
      throws Exception {
    TableEntry table = create("[\"paimon\", \"iceberg\"]");
    append(rows(1, 4, "2026-11-24"));
    // One request over both days: its segment holds parts of both partitions.
    append(both(rows(5, 6, "2026-11-24"), rows(7, 8, "2026-11-25")));
    append(rows(9, 12, "2026-11-25"));
    scheduled.runOnce();
    assertThat(lakeIds(paimon)).hasSize(12);
    List<Plan> written = plans(table);
    assertThat(written)
        .extracting(PartitionRetentionTest::partitionsOf)
        .containsExactly(List.of(YESTERDAY), List.of(YESTERDAY, TODAY), List.of(TODAY));

    // Recovery's cursor trails the clock by 90 s: a plan made before the expiry may be live
    // until then, so the drop waits for it.
    sluice.clock().advance(Duration.between(sluice.clock().instant(), YESTERDAY_EXPIRES));
    assertThatThrownBy(() -> sluice.append(EVENTS, rows(13, 13, "2026-11-24")))
        .isInstanceOf(PartitionRejectedException.class)
        .hasMessageContaining("row 1: partition t_day=2026-11-24 ended at 2026-11-25T00:00:00Z");
    scheduled.runOnce();
    assertThat(sluice.tables().partitions(table)).containsExactly(YESTERDAY, TODAY);

    sluice.clock().advance(Duration.ofSeconds(91));
    scheduled.runOnce();

    assertThat(sluice.tables().partitions(table)).containsExactly(TODAY);
    List<Long> today = List.of(7L, 8L, 9L, 10L, 11L, 12L);
    assertThat(scannedIds(ScanSource.UNION, Optional.empty()))
        .containsExactlyInAnyOrderElementsOf(today);
    assertThat(scannedIds(ScanSource.UNION, Optional.of(LakeFormatName.ICEBERG)))
        .containsExactlyInAnyOrderElementsOf(today);
    assertThat(scannedIds(ScanSource.LOG, Optional.empty()))
        .containsExactlyInAnyOrderElementsOf(today);
    assertThat(lakeIds(paimon)).containsExactlyInAnyOrderElementsOf(today);
    assertThat(lakeIds(iceberg)).containsExactlyInAnyOrderElementsOf(today);
    for (TestingLakeFormat lake : List.of(paimon, iceberg)) {
      LakeSnapshot latest = lake.load(table).orElseThrow().latestTiered().orElseThrow();
      assertThat(latest.offsets().keySet())
          .as("%s records offsets of the live partition only", lake.name())
          .extracting(PartitionBucket::partition)
          .containsOnly(TODAY);
    }
    LogReadService reads = sluice.reads(sluice.objects());
    for (int bucket = 0; bucket < 2; bucket++) {
      LogReadService.Request read = bucketRead(YESTERDAY, bucket);
      assertThatThrownBy(() -> reads.read(read))
          .isInstanceOf(BucketNotFoundException.class)
          .hasMessage(
              "Partition t_day=2026-11-24 of table default.events was dropped: its time range"
                  + " ended longer ago than the table's partitionRetention 24h");
    }
    assertThatThrownBy(() -> sluice.append(EVENTS, rows(13, 13, "2026-11-24")))
        .isInstanceOf(PartitionRejectedException.class)
        .hasMessageContaining("partition t_day=2026-11-24 ended at");
    assertThat(exists(written.get(0).segmentKey()))
        .as("the segment of yesterday's rows alone")
        .isFalse();
    assertThat(exists(written.get(1).segmentKey()))
        .as("the segment shared with today's live rows")
        .isTrue();
    assertThat(exists(written.get(2).segmentKey())).isTrue();

    // A day later today's partition goes the same way, and with it the shared segment.
    sluice.clock().advance(Duration.ofDays(1));
    scheduled.runOnce();

    assertThat(sluice.tables().partitions(table)).isEmpty();
    assertThat(scannedIds(ScanSource.UNION, Optional.empty())).isEmpty();
    assertThat(lakeIds(paimon)).isEmpty();
    assertThat(lakeIds(iceberg)).isEmpty();
    for (Plan plan : written) {
      assertThat(exists(plan.segmentKey())).as(plan.planKey()).isFalse();
    }
  }

  @Test
  void aClosedPartitionStaysWholeInUnionReadsUntilEveryLakeHoldsAllOfIt() {
    TableEntry table = create("[\"paimon\"]");
    sluice.append(EVENTS, rows(1, 2, "2026-11-24"));
    tiering.tier(table, "runner");
    sluice.append(EVENTS, rows(3, 4, "2026-11-24"));
    sluice.clock().advance(Duration.between(sluice.clock().instant(), YESTERDAY_EXPIRES));
    sluice.clock().advance(Duration.ofMinutes(5));

    partitions.run(table, "runner");
    assertThat(sluice.metadata().head(new TableBucket(table.tableId(), YESTERDAY, 0)).closed())
        .as("not closed before recovery passed the expiry")
        .isFalse();

    recovery.recover(table.tableId());
    PartitionRetention.Dropped waiting = partitions.run(table, "runner");

    assertThat(waiting.fromLog()).as("the lake lacks rows 3 and 4").isEmpty();
    for (int bucket = 0; bucket < 2; bucket++) {
      assertThat(
              sluice.metadata().head(new TableBucket(table.tableId(), YESTERDAY, bucket)).closed())
          .isTrue();
    }
    assertThat(sluice.tables().partitions(table)).containsExactly(YESTERDAY);
    assertThat(scannedIds(ScanSource.UNION, Optional.empty()))
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);

    tiering.tier(table, "runner");
    PartitionRetention.Dropped dropped = partitions.run(table, "runner");

    assertThat(dropped.fromLog()).containsExactly(YESTERDAY);
    assertThat(dropped.fromLakes())
        .extracting(TieringService.FormatResult::outcome)
        .containsExactly(TieringService.Outcome.DROPPED);
    assertThat(scannedIds(ScanSource.UNION, Optional.empty())).isEmpty();
    assertThat(lakeIds(paimon)).isEmpty();
  }

  @Test
  void aWriterWhoseClockLagsFindsTheDroppedPartitionClosedAndIsRefused() {
    TableEntry table = create("[]");
    sluice.append(EVENTS, rows(1, 2, "2026-11-24"));
    sluice.clock().advance(Duration.between(sluice.clock().instant(), YESTERDAY_EXPIRES));
    sluice.clock().advance(Duration.ofMinutes(5));
    recovery.recover(table.tableId());
    assertThat(partitions.run(table, "runner").fromLog()).containsExactly(YESTERDAY);
    long end = sluice.metadata().head(new TableBucket(table.tableId(), YESTERDAY, 0)).nextOffset();

    Clock lagging = Clock.fixed(YESTERDAY_EXPIRES.minusSeconds(60), ZoneOffset.UTC);
    AppendService laggingWriter = appends(lagging);
    String body = both(rows(3, 3, "2026-11-25"), rows(4, 4, "2026-11-24"));

    assertThatThrownBy(() -> append(laggingWriter, body))
        .isInstanceOfSatisfying(
            PartitionRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(PartitionRejectedException.Reason.EXPIRED))
        .hasMessage(
            "row 2: partition t_day=2026-11-24 was dropped: the table's partitionRetention 24h"
                + " passed since it ended");
    assertThat(sluice.metadata().head(new TableBucket(table.tableId(), YESTERDAY, 0)).nextOffset())
        .isEqualTo(end);
    assertThat(sluice.tables().partitions(table))
        .as("nothing of the write, today's row neither")
        .isEmpty();
    assertThat(plans(table)).hasSize(1);
  }

  @Test
  void aWriterThatReadTheHeadsJustBeforeTheyClosedHasItsPlanAbortedAndIsRefused() {
    TableEntry table = create("[]");
    append(rows(1, 2, "2026-11-24"));
    sluice.clock().advance(Duration.between(sluice.clock().instant(), YESTERDAY_EXPIRES));
    sluice.clock().advance(Duration.ofMinutes(5));
    recovery.recover(table.tableId());
    // The partition retention pass closes the buckets right after the writer read their heads.
    MetadataStore closingOnPlan =
        new DelegatingMetadataStore(sluice.metadata()) {
          @Override
          public void putPlan(Plan plan) {
            super.putPlan(plan);
            partitions.run(table, "runner");
          }
        };
    Clock lagging = Clock.fixed(YESTERDAY_EXPIRES.minusSeconds(60), ZoneOffset.UTC);
    AppendService laggingWriter = appends(lagging, closingOnPlan);

    assertThatThrownBy(() -> append(laggingWriter, rows(3, 4, "2026-11-24")))
        .isInstanceOf(PartitionRejectedException.class)
        .hasMessage(
            "row 1: partition t_day=2026-11-24 was dropped: the table's partitionRetention 24h"
                + " passed since it ended");
    assertThat(plans(table))
        .as("the late plan is settled, so recovery and segment GC go past it")
        .extracting(Plan::status)
        .containsExactly(PlanStatus.DONE, PlanStatus.ABORTED);
  }

  @Test
  void aWriteWhosePartitionExpiresWhileItWaitsForItsGroupIsRefusedWithNothingWritten() {
    TableEntry table = create("[]");
    // The expiry check sees the last millisecond before the expiry; the group's plan key, made
    // next, the expiry itself.
    AtomicInteger reads = new AtomicInteger();
    Clock passing =
        new Clock() {
          @Override
          public Instant instant() {
            return reads.getAndIncrement() == 0
                ? YESTERDAY_EXPIRES.minusMillis(1)
                : YESTERDAY_EXPIRES;
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };

    assertThatThrownBy(() -> append(appends(passing), rows(1, 1, "2026-11-24")))
        .isInstanceOf(PartitionRejectedException.class)
        .hasMessage(
            "row 1: partition t_day=2026-11-24 ended at 2026-11-25T00:00:00Z, longer ago than the"
                + " table's partitionRetention 24h");
    assertThat(plans(table)).isEmpty();
    assertThat(sluice.tables().partitions(table)).isEmpty();
  }

  private AppendService appends(Clock clock) {
    return appends(clock, sluice.metadata());
  }

  private AppendService appends(Clock clock, MetadataStore metadata) {
    return new AppendService(
        sluice.tables(),
        new AppendCommitter(sluice.objects(), metadata, executor, clock),
        executor,
        sluice.allocator(),
        new LogWaiter(),
        AppendService.Settings.DEFAULT,
        TestingSluice::bucketFunction);
  }

  private static void append(AppendService appends, String rows) {
    appends.append(
        EVENTS,
        new RowBody(RowFormat.JSON, rows.getBytes(StandardCharsets.UTF_8)),
        Optional.empty());
  }
}
