package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.TestingSluice;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.CountingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.CountingObjectStore;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongBinaryOperator;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A week of a table's life, on a test clock: a write every five minutes, now and then a writer that
 * crashes after its plan or after its upload, and the scheduled run (recovery, retention, GC,
 * orphan sweep) every minute, as the cloud schedule runs it. What each pass reads is counted; at
 * the end of the week a pass costs what it cost once the table first had a full retention window
 * behind it, and each pass reads about what changed since the one before, never the history the
 * table keeps (a day of it here) nor what it already deleted (six days of it).
 */
class BackgroundWorkDoesNotGrowWithHistoryTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final int BUCKETS = 4;
  private static final int ROWS_PER_WRITE = 8;
  private static final Duration RETENTION = Duration.ofHours(24);

  /** The scheduled function runs every minute in the cloud. */
  private static final Duration PASS_INTERVAL = Duration.ofMinutes(1);

  private static final int PASSES_PER_DAY = 24 * 60;
  private static final int DAYS = 7;
  private static final int WRITE_EVERY_PASSES = 5;

  /** Every six hours a writer crashes after its plan, and another after its upload. */
  private static final int INCIDENT_EVERY_PASSES = 6 * 60;

  private static final int INCIDENT_AT = 7;

  /** A table's segments lie under one prefix per hex digit. */
  private static final int SEGMENT_PREFIXES = SegmentKeys.tablePrefixes("any").size();

  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-25T08:00:00Z"));
  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();

  // The write path: its metadata store can be told to fail, as a crashing writer does.
  private final FailingMetadataStore writerMetadata = new FailingMetadataStore(metadata);
  private final TableService tables = new TableService(metadata, clock);
  private final AppendService appends =
      new AppendService(
          tables,
          new AppendCommitter(objects, writerMetadata, executor, clock),
          executor,
          allocator,
          new LogWaiter(),
          AppendService.Settings.DEFAULT,
          TestingSluice::bucketFunction);

  // The scheduled work, on stores that count what it does.
  private final CountingMetadataStore seenMetadata = new CountingMetadataStore(metadata);
  private final CountingObjectStore seenObjects = new CountingObjectStore(objects);
  private final ScheduledRun scheduled =
      new ScheduledRun(
          seenMetadata,
          new RecoveryService(seenMetadata, executor, clock),
          new TieringService(
              seenMetadata,
              seenObjects,
              LakeFormats.of(),
              allocator,
              clock,
              TieringService.Limits.DEFAULT),
          new RetentionService(seenMetadata, seenObjects, clock, RetentionService.Settings.DEFAULT),
          clock,
          "scheduler",
          ScheduledRun.Intervals.DEFAULT);

  private int writes;
  private final List<String> orphans = new ArrayList<>();
  private final List<String> crashedPlans = new ArrayList<>();

  @AfterEach
  void close() {
    executor.shutdownNow();
    allocator.close();
  }

  /** What one scheduled pass cost. */
  record PassCost(
      int pass,
      long headReads,
      long indexPagesRead,
      long plansRead,
      long planGets,
      long metadataReads,
      long metadataWrites,
      long logStartAdvances,
      long lists,
      long objectsListed,
      long objectGets,
      long objectDeletes) {}

  @Test
  void aPassAtTheEndOfAWeekReadsWhatChangedSinceTheLastNotTheWeek() {
    TableEntry table =
        tables
            .create(
                EVENTS,
                TableDefinitionJson.parse(
                    "create",
                    """
                    {"columns": [{"name": "id", "type": "bigint"}], "bucketKey": ["id"],
                     "buckets": %d, "logRetention": "24h"}
                    """
                        .formatted(BUCKETS)))
            .table();
    assertThat(table.definition().logRetention()).isEqualTo(RETENTION);

    List<PassCost> costs = new ArrayList<>();
    for (int pass = 1; pass <= DAYS * PASSES_PER_DAY; pass++) {
      clock.advance(PASS_INTERVAL);
      if (pass % WRITE_EVERY_PASSES == 0) {
        write();
      }
      if (pass % INCIDENT_EVERY_PASSES == INCIDENT_AT) {
        writerCrashesAfterItsPlan(table);
        writerCrashesAfterItsUpload(table);
      }
      costs.add(runScheduledPass(pass));
    }

    Held held = retentionAndGcDidTheirWork(table);

    // Every pass of the week read about what changed since the one before.
    for (Field field : FIELDS) {
      PassCost costliest = costs.stream().max(Comparator.comparingLong(field.getter())).get();
      assertThat(field.of(costliest))
          .as("%s by the costliest pass: %s", field.name(), costliest)
          .isLessThanOrEqualTo(field.of(PASS_BOUND));
    }
    // ... which is a small part of what the table holds, let alone of the week it went through.
    PassCost worst = fold(costs, Math::max);
    assertThat(worst.plansRead() + worst.planGets())
        .as("plans a pass reads, of %d held and %d made", held.plans(), writes)
        .isLessThan(held.plans() / 10);
    assertThat(worst.indexPagesRead())
        .as("index pages a pass reads, of %d held", held.indexPages())
        .isLessThan(held.indexPages() / 10);
    assertThat(worst.objectsListed())
        .as("objects a pass lists, of %d held and %d written", held.objects(), writes)
        .isLessThan(held.objects() / 10);
    // ... and a day of passes costs at the end of the week what it cost on day 2, the first day
    // with a full retention window behind it (on day 1 nothing was old enough to drop yet).
    PassCost day2 = fold(day(costs, 2), Long::sum);
    PassCost day7 = fold(day(costs, 7), Long::sum);
    FIELDS.forEach(
        field ->
            assertThat(field.of(day7))
                .as("%s of a day of passes, day 7 against day 2", field.name())
                .isLessThanOrEqualTo(field.of(day2) + field.of(day2) / 20 + 4));
    assertThat(seenMetadata.count(CountingMetadataStore.Count.SLICE_APPENDS))
        .as("the scheduled work appends only the crashed writers' slices, as recovery")
        .isPositive()
        .isLessThanOrEqualTo((long) crashedPlans.size() * BUCKETS);
  }

  /** How much the table holds at the end. */
  private record Held(int objects, int plans, int indexPages) {}

  /** Asserts that retention, GC, recovery and the orphan sweep did their work. */
  private Held retentionAndGcDidTheirWork(TableEntry table) {
    Instant now = clock.instant();
    String tableId = table.tableId();
    int indexPages = 0;
    // Retention: each bucket keeps a day, and no more.
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      BucketHead head = metadata.head(TableBucket.of(tableId, bucket));
      List<Slice> kept =
          new LogIndex(metadata)
              .slices(TableBucket.of(tableId, bucket), head.logStartOffset())
              .slices();
      assertThat(head.logStartOffset())
          .as("bucket %d dropped its first six days", bucket)
          .isGreaterThan(head.nextOffset() / 2);
      assertThat(kept).isNotEmpty();
      assertThat(kept.get(0).baseOffset()).isEqualTo(head.logStartOffset());
      assertThat(kept.get(0).timestamp())
          .as("bucket %d keeps nothing past the retention", bucket)
          .isAfterOrEqualTo(now.minus(RETENTION).minus(PASS_INTERVAL))
          .as("bucket %d keeps what is younger", bucket)
          .isBefore(now.minus(RETENTION).plus(Duration.ofHours(1)));
      List<IndexPage> pages =
          metadata.indexPages(TableBucket.of(tableId, bucket), 0, Long.MAX_VALUE);
      assertThat(pages)
          .as("bucket %d's index pages below the log start were deleted", bucket)
          .allSatisfy(page -> assertThat(page.endOffset()).isGreaterThan(head.logStartOffset()));
      indexPages += pages.size();
    }
    // GC: the segments, plans and idempotency keys of the dropped days are gone.
    int writesKept = (int) RETENTION.toMinutes() / WRITE_EVERY_PASSES;
    assertThat(objects.size())
        .as("segment objects: about a day of writes, of %d", writes)
        .isBetween(writesKept - 2, writesKept + 6);
    List<Plan> plans = metadata.plans(tableId, "", "~", 100_000);
    assertThat(plans)
        .as("plans older than a day are deleted")
        .allSatisfy(
            plan ->
                assertThat(PlanKeys.createdAt(plan.planKey()))
                    .isAfterOrEqualTo(now.minus(RETENTION).minus(PASS_INTERVAL)));
    assertThat(plans.size()).isBetween(writesKept - 2, writesKept + 12);
    assertThat(metadata.claim(tableId, PlanKeys.claimKey("write-1")))
        .as("the first write's idempotency key was released")
        .isEmpty();
    assertThat(metadata.claim(tableId, PlanKeys.claimKey("write-" + writes))).isPresent();
    // Recovery settled every crashed writer's plan; the orphan sweep deleted their uploads.
    assertThat(crashedPlans).hasSize(DAYS * 4);
    for (String planKey : crashedPlans) {
      metadata
          .plan(tableId, planKey)
          .ifPresent(plan -> assertThat(plan.status()).isEqualTo(PlanStatus.DONE));
    }
    assertThat(orphans).hasSize(DAYS * 4);
    assertThat(orphans).allSatisfy(key -> assertThat(objects.list(key).count()).isZero());
    return new Held(objects.size(), plans.size(), indexPages);
  }

  /** One measured quantity of a pass. */
  private record Field(String name, ToLongFunction<PassCost> getter) {
    long of(PassCost cost) {
      return getter.applyAsLong(cost);
    }
  }

  private static final List<Field> FIELDS =
      List.of(
          new Field("heads read", PassCost::headReads),
          new Field("index pages read", PassCost::indexPagesRead),
          new Field("plans read by range", PassCost::plansRead),
          new Field("plans read by key", PassCost::planGets),
          new Field("metadata reads", PassCost::metadataReads),
          new Field("metadata writes", PassCost::metadataWrites),
          new Field("log start advances", PassCost::logStartAdvances),
          new Field("object listings", PassCost::lists),
          new Field("objects listed", PassCost::objectsListed),
          new Field("object reads", PassCost::objectGets),
          new Field("object deletes", PassCost::objectDeletes));

  /**
   * What one pass may cost, whatever the table's age, at one write (and now and then a crashed one)
   * per five passes: retention reads each bucket's head and the index page it stops in (and at most
   * one it empties), and writes each bucket's log start at most once, never conditioned on the next
   * offset appends move; recovery reads again the heads of the buckets a crashed write goes to,
   * and, where its append fills a head, reads it twice more to move a page (which of a crashed
   * write's parts are left to recovery, and so which buckets move a page during the pass, depends
   * on which of its parallel appends failed first); each of the three plan sweeps (recovery,
   * segment GC, plan GC) reads the plans made in about one pass interval and the one it stops at;
   * every ten minutes the orphan sweep lists each of the 16 segment prefixes from where it stopped,
   * sees the objects of ten minutes (and the first one past its end in each prefix), and reads each
   * one's plan. No segment is ever read.
   */
  private static final PassCost PASS_BOUND =
      new PassCost(
          -1,
          BUCKETS + 3 * BUCKETS,
          2 * BUCKETS,
          8,
          8,
          48,
          32,
          BUCKETS,
          SEGMENT_PREFIXES,
          SEGMENT_PREFIXES + 8,
          0,
          4);

  private static List<PassCost> day(List<PassCost> costs, int day) {
    return costs.subList((day - 1) * PASSES_PER_DAY, day * PASSES_PER_DAY);
  }

  /** Folds each field of the passes' costs with {@code operator}: their sums or maximums. */
  private static PassCost fold(List<PassCost> costs, LongBinaryOperator operator) {
    long[] v =
        FIELDS.stream()
            .mapToLong(f -> costs.stream().mapToLong(f.getter()).reduce(operator).orElse(0))
            .toArray();
    return new PassCost(-1, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
  }

  private PassCost runScheduledPass(int pass) {
    var metadataBefore = seenMetadata.counts();
    var objectsBefore = seenObjects.counts();
    assertThat(scheduled.runOnce()).as("pass %d", pass).isEqualTo(1);
    var m = seenMetadata.counts();
    var o = seenObjects.counts();
    m.replaceAll((k, v) -> v - metadataBefore.get(k));
    o.replaceAll((k, v) -> v - objectsBefore.get(k));
    return new PassCost(
        pass,
        m.get(CountingMetadataStore.Count.HEAD_READS),
        m.get(CountingMetadataStore.Count.INDEX_PAGES_READ),
        m.get(CountingMetadataStore.Count.PLANS_READ),
        m.get(CountingMetadataStore.Count.PLAN_GETS),
        m.get(CountingMetadataStore.Count.HEAD_READS)
            + m.get(CountingMetadataStore.Count.INDEX_PAGE_QUERIES)
            + m.get(CountingMetadataStore.Count.PLAN_QUERIES)
            + m.get(CountingMetadataStore.Count.PLAN_GETS)
            + m.get(CountingMetadataStore.Count.OTHER_READS),
        m.get(CountingMetadataStore.Count.WRITES),
        m.get(CountingMetadataStore.Count.LOG_START_ADVANCES),
        o.get(CountingObjectStore.Count.LISTS),
        o.get(CountingObjectStore.Count.OBJECTS_LISTED),
        o.get(CountingObjectStore.Count.GETS),
        o.get(CountingObjectStore.Count.DELETES));
  }

  /** One write of a few rows, spread over the buckets by their ids, with an idempotency key. */
  private void write() {
    writes++;
    appends.append(EVENTS, rows(writes), Optional.of("write-" + writes));
  }

  private static RowBody rows(int write) {
    String json =
        LongStream.range((long) write * ROWS_PER_WRITE, (long) (write + 1) * ROWS_PER_WRITE)
            .mapToObj(id -> "{\"id\": " + id + "}")
            .collect(Collectors.joining(",", "[", "]"));
    return new RowBody(RowFormat.JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  /** A writer whose store fails after it put its plan: the plan stays unsettled for recovery. */
  private void writerCrashesAfterItsPlan(TableEntry table) {
    String before = PlanKeys.at(clock.instant());
    writerMetadata.failNext(
        FailingMetadataStore.Operation.APPEND_SLICE,
        1,
        () -> new StoreUnavailableException("the writer's host went away", null));
    writes++;
    assertThatThrownBy(() -> appends.append(EVENTS, rows(writes), Optional.empty()))
        .isInstanceOf(StoreUnavailableException.class);
    writerMetadata.heal();
    List<Plan> unsettled =
        metadata.plans(table.tableId(), before, "~", 10).stream()
            .filter(plan -> plan.status() != PlanStatus.DONE)
            .filter(plan -> plan.status() != PlanStatus.ABORTED)
            .toList();
    assertThat(unsettled).as("the crashed writer's plan, left to recovery").hasSize(1);
    crashedPlans.add(unsettled.get(0).planKey());
  }

  /** A writer that died between its upload and its plan: an object no plan owns. */
  private void writerCrashesAfterItsUpload(TableEntry table) {
    String key = SegmentKeys.segmentKey(table.tableId(), PlanKeys.newPlanKey(clock.instant()));
    objects.putIfAbsent(key, new byte[] {1, 2, 3});
    orphans.add(key);
  }
}
