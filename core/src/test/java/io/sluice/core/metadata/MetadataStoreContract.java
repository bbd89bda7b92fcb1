package io.sluice.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitAbortedException;
import io.sluice.core.log.CommitRequest;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.IdempotencyKeyReusedException;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.PlanApplier;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.log.SegmentGc;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.segment.BucketRange;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} must do, run against each implementation: the single-item
 * operations, and the commit protocol of DESIGN.md driven through core's services, under
 * concurrency.
 */
public abstract class MetadataStoreContract {
  protected static final Clock CLOCK = Clock.systemUTC();

  protected MetadataStore store;
  protected ObjectStore objects;
  protected ExecutorService executor;
  protected String tableId;

  /** A fresh, empty store; the contract closes it after each test. */
  protected abstract MetadataStore newStore() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    objects = new TestingObjectStore();
    executor = Executors.newCachedThreadPool();
    tableId = UUID.randomUUID().toString();
  }

  @AfterEach
  void closeStore() throws Exception {
    executor.shutdownNow();
    store.close();
  }

  private static TableDefinition definition(String... columns) {
    List<Column> list = new ArrayList<>();
    for (String c : columns) {
      list.add(new Column(c, DataType.of(TypeKind.BIGINT), true));
    }
    return TableDefinition.builder().columns(list).build("test");
  }

  private static TableEntry entry(String name, String tableId, int schemaId, String... columns) {
    return new TableEntry(
        TableName.parse(name),
        tableId,
        definition(columns),
        schemaId,
        Instant.parse("2026-11-25T08:00:00Z"));
  }

  private static Slice slice(long base, long count, String requestId) {
    return new Slice(
        base,
        count,
        "log/0/t/seg",
        10 * base,
        10 * count,
        1,
        Instant.parse("2026-11-25T08:00:00.123456Z"),
        requestId);
  }

  // ---- catalog ----

  @Test
  void createsListsAndDropsTables() {
    TableEntry orders = entry("shop.orders", tableId, 1, "a", "b");
    store.createTable(orders);
    store.createTable(entry("clicks", UUID.randomUUID().toString(), 1, "x"));

    assertThat(store.table(TableName.parse("shop.orders"))).contains(orders);
    assertThat(store.table(TableName.parse("shop.missing"))).isEmpty();
    assertThat(store.tables())
        .extracting(e -> e.name().toString())
        .containsExactly("default.clicks", "shop.orders");
    assertThat(store.schema(tableId, 1)).contains(orders.definition());

    assertThatThrownBy(() -> store.createTable(entry("shop.orders", "other", 1, "z")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("shop.orders");
    assertThatThrownBy(() -> store.dropTable(TableName.parse("shop.orders"), "other-id"))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("shop.orders");

    store.dropTable(TableName.parse("shop.orders"), tableId);
    assertThat(store.table(TableName.parse("shop.orders"))).isEmpty();
    assertThat(store.tables())
        .extracting(e -> e.name().toString())
        .containsExactly("default.clicks");
  }

  @Test
  void evolvesSchemasKeepingEveryVersion() {
    TableEntry v1 = entry("orders", tableId, 1, "a");
    store.createTable(v1);
    TableEntry v2 = entry("orders", tableId, 2, "a", "b");
    store.evolveTable(v1, v2);

    assertThat(store.table(TableName.parse("orders"))).contains(v2);
    assertThat(store.schema(tableId, 1)).contains(v1.definition());
    assertThat(store.schema(tableId, 2)).contains(v2.definition());
    assertThat(store.schema(tableId, 3)).isEmpty();
    assertThatThrownBy(() -> store.evolveTable(v1, entry("orders", tableId, 2, "a", "c")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("orders");
  }

  // ---- bucket heads and pages ----

  @Test
  void appendsSlicesOnlyAtTheExpectedOffset() {
    assertThat(store.head(tableId, 3)).isEqualTo(BucketHead.empty(3));

    store.appendSlice(tableId, 3, 0, slice(0, 5, "r1"));
    store.appendSlice(tableId, 3, 5, slice(5, 2, "r2"));

    BucketHead head = store.head(tableId, 3);
    assertThat(head.nextOffset()).isEqualTo(7);
    assertThat(head.recentSlices()).containsOnlyKeys(0L, 5L);
    assertThat(head.recentSlices().get(5L)).isEqualTo(slice(5, 2, "r2"));
    assertThat(head.lastTimestamp()).isEqualTo(slice(5, 2, "r2").timestamp());
    assertThat(store.head(tableId, 2)).isEqualTo(BucketHead.empty(2));

    assertThatThrownBy(() -> store.appendSlice(tableId, 3, 5, slice(5, 1, "r3")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 3");
    assertThatThrownBy(() -> store.appendSlice(tableId, 4, 3, slice(3, 1, "r3")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 4");
    assertThat(store.head(tableId, 3).nextOffset()).isEqualTo(7);
  }

  @Test
  void movesSlicesIntoPagesWithoutBlockingAppends() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(tableId, 0, i * 10L, slice(i * 10L, 10, "r" + i));
    }
    IndexPage page =
        new IndexPage(
            0, 0, 30, List.of(slice(0, 10, "r0"), slice(10, 10, "r1"), slice(20, 10, "r2")));
    store.putIndexPage(tableId, 0, page);
    store.putIndexPage(tableId, 0, page);
    // An append between the page put and the trim does not block either.
    store.appendSlice(tableId, 0, 60, slice(60, 10, "r6"));
    store.trimHead(tableId, 0, 0, 30, List.of(0L, 10L, 20L));

    BucketHead head = store.head(tableId, 0);
    assertThat(head.indexedUpTo()).isEqualTo(30);
    assertThat(head.nextOffset()).isEqualTo(70);
    assertThat(head.recentSlices()).containsOnlyKeys(30L, 40L, 50L, 60L);
    assertThat(store.indexPages(tableId, 0, 0, 30)).containsExactly(page);
    assertThat(store.indexPages(tableId, 0, 29, 30)).containsExactly(page);
    assertThat(store.indexPages(tableId, 0, 30, 70)).isEmpty();
    assertThat(store.indexPages(tableId, 1, 0, 30)).isEmpty();

    assertThatThrownBy(() -> store.trimHead(tableId, 0, 0, 40, List.of(30L)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 0");
  }

  @Test
  void advancesTheLogStartDroppingExactlyTheGivenSlices() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(tableId, 1, i * 10L, slice(i * 10L, 10, "r" + i));
    }
    store.advanceLogStart(tableId, 1, 0, 20, List.of(0L, 10L));

    BucketHead head = store.head(tableId, 1);
    assertThat(head.logStartOffset()).isEqualTo(20);
    assertThat(head.nextOffset()).isEqualTo(60);
    assertThat(head.indexedUpTo()).isZero();
    assertThat(head.lastTimestamp()).isEqualTo(slice(50, 10, "r5").timestamp());
    assertThat(head.recentSlices()).containsOnlyKeys(20L, 30L, 40L, 50L);
    assertThat(head.recentSlices().get(20L)).isEqualTo(slice(20, 10, "r2"));
    assertThat(store.head(tableId, 0)).isEqualTo(BucketHead.empty(0));

    assertThatThrownBy(() -> store.advanceLogStart(tableId, 1, 0, 40, List.of(20L, 30L)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 1");
    assertThatThrownBy(() -> store.advanceLogStart(tableId, 7, 5, 10, List.of()))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 7");
    assertThat(store.head(tableId, 1)).isEqualTo(head);
    assertThat(store.head(tableId, 7)).isEqualTo(BucketHead.empty(7));
  }

  @Test
  void advancingTheLogStartNeverBlocksAppendsOrPageMoves() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(tableId, 2, i * 10L, slice(i * 10L, 10, "r" + i));
    }
    // GC read the head (log start 0, slices 0..50); an append and a page move land before its
    // advance, which still goes through and does not undo either.
    store.appendSlice(tableId, 2, 60, slice(60, 10, "r6"));
    IndexPage page = new IndexPage(2, 0, 20, List.of(slice(0, 10, "r0"), slice(10, 10, "r1")));
    store.putIndexPage(tableId, 2, page);
    store.trimHead(tableId, 2, 0, 20, List.of(0L, 10L));
    store.advanceLogStart(tableId, 2, 0, 30, List.of(0L, 10L, 20L));

    BucketHead head = store.head(tableId, 2);
    assertThat(head.logStartOffset()).isEqualTo(30);
    assertThat(head.nextOffset()).isEqualTo(70);
    assertThat(head.indexedUpTo()).isEqualTo(20);
    assertThat(head.recentSlices()).containsOnlyKeys(30L, 40L, 50L, 60L);

    // The other way round: an append and a trim that read the head before the advance.
    store.appendSlice(tableId, 2, 70, slice(70, 10, "r7"));
    store.putIndexPage(
        tableId, 2, new IndexPage(2, 30, 50, List.of(slice(30, 10, "r3"), slice(40, 10, "r4"))));
    store.advanceLogStart(tableId, 2, 30, 40, List.of(30L));
    store.appendSlice(tableId, 2, 80, slice(80, 10, "r8"));
    store.trimHead(tableId, 2, 20, 50, List.of(30L, 40L));

    head = store.head(tableId, 2);
    assertThat(head.logStartOffset()).isEqualTo(40);
    assertThat(head.nextOffset()).isEqualTo(90);
    assertThat(head.indexedUpTo()).isEqualTo(50);
    assertThat(head.lastTimestamp()).isEqualTo(slice(80, 10, "r8").timestamp());
    assertThat(head.recentSlices()).containsOnlyKeys(50L, 60L, 70L, 80L);
  }

  @Test
  void deletesIndexPagesIdempotently() {
    for (int i = 0; i < 4; i++) {
      store.appendSlice(tableId, 0, i * 10L, slice(i * 10L, 10, "r" + i));
    }
    IndexPage first = new IndexPage(0, 0, 20, List.of(slice(0, 10, "r0"), slice(10, 10, "r1")));
    IndexPage second = new IndexPage(0, 20, 40, List.of(slice(20, 10, "r2"), slice(30, 10, "r3")));
    store.putIndexPage(tableId, 0, first);
    store.putIndexPage(tableId, 0, second);
    IndexPage otherBucket = new IndexPage(1, 0, 20, first.slices());
    store.putIndexPage(tableId, 1, otherBucket);

    store.deleteIndexPage(tableId, 0, 0);
    assertThat(store.indexPages(tableId, 0, 0, 40)).containsExactly(second);
    store.deleteIndexPage(tableId, 0, 0);
    store.deleteIndexPage(tableId, 0, 10);
    store.deleteIndexPage(tableId, 5, 0);
    assertThat(store.indexPages(tableId, 0, 0, 40)).containsExactly(second);
    assertThat(store.indexPages(tableId, 1, 0, 40)).containsExactly(otherBucket);
    assertThat(store.head(tableId, 0).nextOffset()).isEqualTo(40);
  }

  // ---- plans, leases, tiering state ----

  private Plan plan(String planKey, String requestId, PlanStatus status) {
    Instant now = Instant.parse("2026-11-25T08:00:00.000001Z");
    return new Plan(
        tableId,
        planKey,
        requestId,
        "hash-" + requestId,
        "log/0/" + tableId + "/" + planKey + ".seg",
        1,
        now,
        List.of(new PlanPart(0, 10, 16, 100, 0, -1), new PlanPart(2, 5, 116, 50, 7, -1)),
        Set.of(0, 2),
        status,
        now);
  }

  @Test
  void storesPlansAndCompletesThemOnce() {
    Plan pending = plan("k1", "req1", PlanStatus.PENDING);
    store.putPlan(pending);
    assertThat(store.plan(tableId, "k1")).contains(pending);
    assertThat(store.plan(tableId, "k2")).isEmpty();
    assertThat(store.pendingPlans(tableId)).containsExactly(pending);
    assertThatThrownBy(() -> store.putPlan(plan("k1", "req2", PlanStatus.PENDING)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("k1");

    Plan done =
        new Plan(
            tableId,
            "k1",
            "req1",
            pending.bodyHash(),
            pending.segmentKey(),
            1,
            pending.commitTimestamp(),
            List.of(pending.parts().get(0).appliedAt(40), pending.parts().get(1).appliedAt(7)),
            pending.liveBuckets(),
            PlanStatus.DONE,
            pending.createdAt());
    store.completePlan(done);
    assertThat(store.plan(tableId, "k1")).contains(done);
    assertThat(store.pendingPlans(tableId)).isEmpty();
    assertThatThrownBy(() -> store.completePlan(done))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("k1");

    store.removeLiveBucket(tableId, "k1", 2);
    store.removeLiveBucket(tableId, "k1", 2);
    store.removeLiveBucket(tableId, "missing", 2);
    assertThat(store.plan(tableId, "k1").orElseThrow().liveBuckets()).containsExactly(0);

    store.putPlan(Plan.tombstone(tableId, "k3", Instant.parse("2026-11-25T09:00:00Z")));
    assertThat(store.plan(tableId, "k3").orElseThrow().status()).isEqualTo(PlanStatus.ABORTED);
  }

  @Test
  void listsEveryPlanAndDeletesThemIdempotently() {
    Plan pending = plan("k1", "req1", PlanStatus.PENDING);
    store.putPlan(pending);
    store.putPlan(plan("k2", "req2", PlanStatus.PENDING));
    Plan done =
        new Plan(
            tableId,
            "k2",
            "req2",
            "hash-req2",
            "log/0/" + tableId + "/k2.seg",
            1,
            pending.commitTimestamp(),
            List.of(pending.parts().get(0).appliedAt(0), pending.parts().get(1).appliedAt(7)),
            Set.of(0, 2),
            PlanStatus.DONE,
            pending.createdAt());
    store.completePlan(done);
    Plan tombstone = Plan.tombstone(tableId, "k3", Instant.parse("2026-11-25T09:00:00Z"));
    store.putPlan(tombstone);
    String otherTable = UUID.randomUUID().toString();
    Plan other = Plan.tombstone(otherTable, "k1", Instant.parse("2026-11-25T09:00:00Z"));
    store.putPlan(other);

    assertThat(store.plans(tableId)).containsExactlyInAnyOrder(pending, done, tombstone);
    assertThat(store.plans(otherTable)).containsExactly(other);
    assertThat(store.plans(UUID.randomUUID().toString())).isEmpty();

    store.deletePlan(tableId, "k1");
    assertThat(store.plan(tableId, "k1")).isEmpty();
    store.deletePlan(tableId, "k1");
    store.deletePlan(tableId, "missing");
    assertThat(store.plans(tableId)).containsExactlyInAnyOrder(done, tombstone);
    assertThat(store.pendingPlans(tableId)).isEmpty();
    assertThat(store.plans(otherTable)).containsExactly(other);

    store.deletePlan(tableId, "k3");
    assertThat(store.plans(tableId)).containsExactly(done);
  }

  @Test
  void grantsLeasesByEpoch() {
    Lease first = new Lease(tableId, "a", 1, Instant.parse("2026-11-25T08:00:30Z"));
    store.putLease(Optional.empty(), first);
    assertThat(store.lease(tableId)).contains(first);
    assertThatThrownBy(() -> store.putLease(Optional.empty(), first))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(tableId);

    Lease second = new Lease(tableId, "b", 2, Instant.parse("2026-11-25T08:01:00Z"));
    store.putLease(Optional.of(first), second);
    assertThat(store.lease(tableId)).contains(second);
    assertThatThrownBy(
            () -> store.putLease(Optional.of(first), new Lease(tableId, "c", 2, Instant.EPOCH)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(tableId);
    assertThat(store.lease(tableId)).contains(second);
  }

  @Test
  void keepsTieringStatePerFormat() {
    TieringState paimon =
        new TieringState(
            tableId,
            LakeFormatName.PAIMON,
            7,
            Map.of(0, 300L, 1, 298L),
            Instant.parse("2026-11-25T08:00:00Z"));
    store.putTieringState(paimon);
    assertThat(store.tieringState(tableId, LakeFormatName.PAIMON)).contains(paimon);
    assertThat(store.tieringState(tableId, LakeFormatName.ICEBERG)).isEmpty();
    TieringState next =
        new TieringState(
            tableId,
            LakeFormatName.PAIMON,
            8,
            Map.of(0, 320L, 1, 298L),
            Instant.parse("2026-11-25T08:01:00Z"));
    store.putTieringState(next);
    assertThat(store.tieringState(tableId, LakeFormatName.PAIMON)).contains(next);
  }

  // ---- the commit protocol ----

  private CommitRequest request(Optional<String> key, byte[] body, int... buckets) {
    String requestId = SegmentKeys.newRequestId();
    List<BucketRange> parts = new ArrayList<>();
    long offset = 8;
    for (int bucket : buckets) {
      long rows = 1 + ThreadLocalRandom.current().nextInt(20);
      parts.add(new BucketRange(bucket, offset, rows * 8, rows));
      offset += rows * 8;
    }
    return new CommitRequest(
        tableId,
        SegmentKeys.planKey(key, requestId),
        requestId,
        SegmentKeys.sha256(body),
        1,
        body,
        parts);
  }

  private AppendCommitter committer(MetadataStore metadata) {
    return new AppendCommitter(objects, metadata, executor, CLOCK);
  }

  /** Every slice of a bucket from offset 0, checked to be contiguous. */
  private List<Slice> bucketSlices(int bucket) {
    List<Slice> slices = new LogIndex(store).slices(tableId, bucket, 0).slices();
    long expected = 0;
    for (Slice slice : slices) {
      assertThat(slice.baseOffset()).as("bucket %d is contiguous", bucket).isEqualTo(expected);
      expected = slice.endOffset();
    }
    assertThat(expected).isEqualTo(store.head(tableId, bucket).nextOffset());
    return slices;
  }

  @Test
  void commitsARequestAcrossBucketsAndAnswersItsRetries() {
    AppendCommitter committer = committer(store);
    byte[] body = "body-1".getBytes();
    CommitRequest first = request(Optional.of("order-42"), body, 0, 2);
    CommitResult result = committer.commit(first);

    assertThat(result.rows()).isEqualTo(first.parts().stream().mapToLong(BucketRange::rows).sum());
    assertThat(result.buckets())
        .extracting(CommitResult.BucketOffsets::bucket, CommitResult.BucketOffsets::baseOffset)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 0L), org.assertj.core.groups.Tuple.tuple(2, 0L));
    Plan stored = store.plan(tableId, first.planKey()).orElseThrow();
    assertThat(stored.status()).isEqualTo(PlanStatus.DONE);
    assertThat(objects.read(stored.segmentKey())).isEqualTo(body);

    // Same key, same body, new attempt: the first answer, nothing new written.
    CommitRequest retry = request(Optional.of("order-42"), body, 0, 2);
    assertThat(committer.commit(retry)).isEqualTo(result);
    assertThat(bucketSlices(0)).hasSize(1);
    assertThat(bucketSlices(2)).hasSize(1);

    CommitRequest other = request(Optional.of("order-42"), "other".getBytes(), 1);
    assertThatThrownBy(() -> committer.commit(other))
        .isInstanceOf(IdempotencyKeyReusedException.class)
        .hasMessageContaining("different body");
    assertThat(store.head(tableId, 1).nextOffset()).isZero();
  }

  @Test
  void concurrentWritersGetContiguousOffsetsWithEveryAcknowledgedSlicePresent() throws Exception {
    int threads = 8;
    int buckets = 4;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    ConcurrentLinkedQueue<String[]> acknowledged = new ConcurrentLinkedQueue<>();
    ExecutorService writers = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          writers.submit(
              () -> {
                AppendCommitter committer = committer(store);
                int count = 0;
                while (System.nanoTime() < until) {
                  List<Integer> chosen = new ArrayList<>(List.of(0, 1, 2, 3));
                  Collections.shuffle(chosen);
                  int[] spanned =
                      chosen
                          .subList(0, 2 + ThreadLocalRandom.current().nextInt(buckets - 1))
                          .stream()
                          .mapToInt(Integer::intValue)
                          .sorted()
                          .toArray();
                  CommitRequest request =
                      request(Optional.empty(), UUID.randomUUID().toString().getBytes(), spanned);
                  CommitResult result = committer.commit(request);
                  for (CommitResult.BucketOffsets b : result.buckets()) {
                    acknowledged.add(
                        new String[] {
                          request.requestId(), "" + b.bucket(), "" + b.baseOffset(), "" + b.count()
                        });
                  }
                  count++;
                }
                return count;
              }));
    }
    int total = 0;
    for (Future<Integer> future : futures) {
      total += future.get(60, TimeUnit.SECONDS);
    }
    writers.shutdown();
    assertThat(total).isGreaterThan(threads);

    Map<String, Slice> found = new HashMap<>();
    for (int bucket = 0; bucket < buckets; bucket++) {
      Set<String> requestsInBucket = new HashSet<>();
      for (Slice slice : bucketSlices(bucket)) {
        assertThat(requestsInBucket.add(slice.requestId()))
            .as("request %s appears once in bucket %d", slice.requestId(), bucket)
            .isTrue();
        found.put(slice.requestId() + "/" + bucket, slice);
      }
    }
    assertThat(found).hasSize(acknowledged.size());
    for (String[] ack : acknowledged) {
      Slice slice = found.get(ack[0] + "/" + ack[1]);
      assertThat(slice).as("acknowledged slice %s in bucket %s", ack[0], ack[1]).isNotNull();
      assertThat(slice.baseOffset()).isEqualTo(Long.parseLong(ack[2]));
      assertThat(slice.count()).isEqualTo(Long.parseLong(ack[3]));
    }
    assertThat(store.pendingPlans(tableId)).isEmpty();
  }

  @Test
  void aPausedWriterARetryRecoveryAndPageMovesApplyEachBucketExactlyOnce() throws Exception {
    AppendCommitter plain = committer(store);
    // Enough earlier writes that the head is about to move slices into pages.
    for (int i = 0; i < PlanApplier.HEAD_SLICE_LIMIT; i++) {
      plain.commit(request(Optional.empty(), ("fill" + i).getBytes(), 0, 1, 2));
    }
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicBoolean pauseOnce = new AtomicBoolean(true);
    MetadataStore pausing =
        new DelegatingMetadataStore(store) {
          @Override
          public void appendSlice(String table, int bucket, long expected, Slice slice) {
            if (bucket == 2 && pauseOnce.compareAndSet(true, false)) {
              paused.countDown();
              await(resume);
            }
            super.appendSlice(table, bucket, expected, slice);
          }
        };
    byte[] body = "the-request".getBytes();
    CommitRequest original = request(Optional.of("key-b"), body, 0, 1, 2);
    Future<CommitResult> writer = executor.submit(() -> committer(pausing).commit(original));
    assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();

    // While the writer is stalled on bucket 2: a retry, recovery and page moves, all at once.
    CommitRequest retry = request(Optional.of("key-b"), body, 0, 1, 2);
    Future<CommitResult> retried = executor.submit(() -> plain.commit(retry));
    Future<Integer> recovered =
        executor.submit(() -> new RecoveryService(store, executor).recover(tableId));
    Future<?> moved =
        executor.submit(
            () -> {
              PlanApplier applier = new PlanApplier(store, executor);
              for (int bucket = 0; bucket < 3; bucket++) {
                applier.movePages(tableId, bucket);
              }
            });
    CommitResult retryResult = retried.get(30, TimeUnit.SECONDS);
    recovered.get(30, TimeUnit.SECONDS);
    moved.get(30, TimeUnit.SECONDS);
    // Push the request's slices out of the heads, so the writer must find them in pages.
    for (int i = 0; i < PlanApplier.HEAD_SLICE_LIMIT; i++) {
      plain.commit(request(Optional.empty(), ("more" + i).getBytes(), 0, 1, 2));
    }
    assertThat(store.head(tableId, 2).indexedUpTo())
        .isGreaterThan(retryResult.buckets().get(2).baseOffset());

    resume.countDown();
    CommitResult writerResult = writer.get(30, TimeUnit.SECONDS);

    assertThat(writerResult).isEqualTo(retryResult);
    for (int bucket = 0; bucket < 3; bucket++) {
      List<Slice> slices = bucketSlices(bucket);
      assertThat(slices).filteredOn(s -> s.requestId().equals(original.requestId())).hasSize(1);
      assertThat(slices).filteredOn(s -> s.requestId().equals(retry.requestId())).isEmpty();
      assertThat(slices).hasSize(2 * PlanApplier.HEAD_SLICE_LIMIT + 1);
    }
    assertThat(store.plan(tableId, original.planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.DONE);
  }

  @Test
  void garbageCollectionAndALateWriterNeverBothWin() throws Exception {
    SegmentGc gc = new SegmentGc(store, CLOCK);
    int aborted = 0;
    int committed = 0;
    for (int round = 0; round < 12; round++) {
      byte[] body = ("late-" + round).getBytes();
      CommitRequest request = request(Optional.of("late-" + round), body, round % 4);
      String segmentKey = SegmentKeys.segmentKey(tableId, request.planKey(), request.requestId());
      long before = store.head(tableId, round % 4).nextOffset();
      // GC looks at the object as soon as it exists, racing the writer's plan.
      ObjectStore racing =
          new io.sluice.core.store.DelegatingObjectStore(objects) {
            @Override
            public void putIfAbsent(String key, byte[] content) {
              super.putIfAbsent(key, content);
              if (key.equals(segmentKey)) {
                executor.submit(
                    () -> {
                      if (gc.claimUnplanned(tableId, key)) {
                        delete(key);
                      }
                    });
              }
            }
          };
      AppendCommitter committer = new AppendCommitter(racing, store, executor, CLOCK);
      try {
        committer.commit(request);
        committed++;
        assertThat(objects.read(segmentKey))
            .as("a committed write keeps its object")
            .isEqualTo(body);
        assertThat(store.head(tableId, round % 4).nextOffset()).isGreaterThan(before);
      } catch (CommitAbortedException e) {
        aborted++;
        assertThat(e).hasMessageContaining("garbage-collected");
        assertThat(store.head(tableId, round % 4).nextOffset()).isEqualTo(before);
        assertThat(store.plan(tableId, request.planKey()).orElseThrow().status())
            .isEqualTo(PlanStatus.ABORTED);
      }
    }
    assertThat(aborted + committed).isEqualTo(12);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
