package io.sluice.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitAbortedException;
import io.sluice.core.log.CommitGroup;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.IdempotencyKeyReusedException;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.PlanApplier;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.log.SegmentGc;
import io.sluice.core.log.SegmentKeys;
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
import java.time.Duration;
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

  private static Slice slice(long base, long count, String planKey) {
    return new Slice(
        base,
        count,
        "log/0/t/seg",
        10 * base,
        10 * count,
        1,
        Instant.parse("2026-11-25T08:00:00.123456Z"),
        planKey);
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
    assertThat(store.head(TableBucket.of(tableId, 3))).isEqualTo(BucketHead.empty(3));

    store.appendSlice(TableBucket.of(tableId, 3), 0, slice(0, 5, "r1"));
    store.appendSlice(TableBucket.of(tableId, 3), 5, slice(5, 2, "r2"));

    BucketHead head = store.head(TableBucket.of(tableId, 3));
    assertThat(head.nextOffset()).isEqualTo(7);
    assertThat(head.recentSlices()).containsOnlyKeys(0L, 5L);
    assertThat(head.recentSlices().get(5L)).isEqualTo(slice(5, 2, "r2"));
    assertThat(head.lastTimestamp()).isEqualTo(slice(5, 2, "r2").timestamp());
    assertThat(store.head(TableBucket.of(tableId, 2))).isEqualTo(BucketHead.empty(2));

    assertThatThrownBy(() -> store.appendSlice(TableBucket.of(tableId, 3), 5, slice(5, 1, "r3")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 3");
    assertThatThrownBy(() -> store.appendSlice(TableBucket.of(tableId, 4), 3, slice(3, 1, "r3")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 4");
    assertThat(store.head(TableBucket.of(tableId, 3)).nextOffset()).isEqualTo(7);
  }

  @Test
  void keepsEachPartitionsBucketsApartAndListsThePartitionsWithRows() {
    TableBucket day1 = new TableBucket(tableId, "t_day=2026-11-25/region=eu", 0);
    TableBucket day2 = new TableBucket(tableId, "t_day=2026-11-26/region=a%2Fb", 0);
    store.appendSlice(day1, 0, slice(0, 5, "r1"));
    store.appendSlice(day2, 0, slice(0, 2, "r2"));
    store.appendSlice(day1, 5, slice(5, 1, "r3"));
    store.addPartition(tableId, day1.partition());
    store.addPartition(tableId, day2.partition());
    store.addPartition(tableId, day1.partition());

    assertThat(store.head(day1).nextOffset()).isEqualTo(6);
    assertThat(store.head(day2).nextOffset()).isEqualTo(2);
    assertThat(store.head(TableBucket.of(tableId, 0)))
        .as("the unpartitioned bucket 0")
        .isEqualTo(BucketHead.empty(0));
    assertThat(store.partitions(tableId)).containsExactly(day1.partition(), day2.partition());
    assertThat(store.partitions(UUID.randomUUID().toString())).isEmpty();
    assertThatThrownBy(() -> store.appendSlice(day2, 5, slice(5, 1, "r4")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("partition t_day=2026-11-26/region=a%2Fb");

    IndexPage page = new IndexPage(0, 0, 6, List.of(slice(0, 5, "r1"), slice(5, 1, "r3")));
    store.putIndexPage(day1, page);
    assertThat(store.indexPages(day1, 0, 10)).containsExactly(page);
    assertThat(store.indexPages(day2, 0, 10)).isEmpty();
    store.closeBucket(day1);
    assertThat(store.head(day1).closed()).isTrue();
    assertThat(store.head(day2).closed()).isFalse();
  }

  @Test
  void aDroppedPartitionLeavesTheListForGoodWhileItsClosedHeadsStay() {
    TableBucket expired = new TableBucket(tableId, "t_day=2026-11-25/region=eu", 0);
    TableBucket live = new TableBucket(tableId, "t_day=2026-11-26/region=eu", 0);
    store.appendSlice(expired, 0, slice(0, 3, "r1"));
    store.appendSlice(live, 0, slice(0, 2, "r2"));
    store.addPartition(tableId, expired.partition());
    store.addPartition(tableId, live.partition());
    store.closeBucket(expired);
    store.closeBucket(new TableBucket(tableId, expired.partition(), 1));

    store.dropPartition(tableId, expired.partition());
    store.dropPartition(tableId, expired.partition());

    assertThat(store.partitions(tableId)).containsExactly(live.partition());
    // A writer that appended before the buckets were closed records the partition late.
    store.addPartition(tableId, expired.partition());
    assertThat(store.partitions(tableId))
        .as("a dropped partition is never listed again")
        .containsExactly(live.partition());
    assertThat(store.head(expired).closed()).isTrue();
    assertThat(store.head(expired).nextOffset()).isEqualTo(3);
    assertThatThrownBy(() -> store.appendSlice(expired, 3, slice(3, 1, "r3")))
        .isInstanceOf(CommitConflictException.class);
    assertThat(store.head(live).closed()).isFalse();

    String neverListed = "t_day=2026-11-24/region=eu";
    store.dropPartition(tableId, neverListed);
    store.addPartition(tableId, neverListed);
    assertThat(store.partitions(tableId)).containsExactly(live.partition());
  }

  /**
   * The buckets {@link MetadataStore#pendingBuckets} lists, once an index that may lag has them.
   */
  private void assertPending(String table, TableBucket... expected) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(store.pendingBuckets(table)).containsExactlyInAnyOrder(expected));
  }

  @Test
  void marksEveryAppendedBucketPendingUntilItIsTieredUpToItsHead() {
    TableBucket day1 = new TableBucket(tableId, "t_day=2026-11-25/region=a#b", 0);
    TableBucket day1b3 = new TableBucket(tableId, "t_day=2026-11-25/region=a#b", 3);
    TableBucket day2 = new TableBucket(tableId, "t_day=2026-11-26/region=eu", 1);
    String otherTable = UUID.randomUUID().toString();
    TableBucket other = TableBucket.of(otherTable, 0);
    assertThat(store.pendingBuckets(tableId)).isEmpty();

    store.appendSlice(day1, 0, slice(0, 5, "r1"));
    store.appendSlice(day1b3, 0, slice(0, 1, "r2"));
    store.appendSlice(day2, 0, slice(0, 2, "r3"));
    store.appendSlice(other, 0, slice(0, 2, "r4"));
    store.appendSlice(day1, 5, slice(5, 1, "r5"));
    assertPending(tableId, day1, day1b3, day2);
    assertPending(otherTable, other);

    store.clearPending(day1, 5);
    store.clearPending(day2, 2);
    store.clearPending(day1b3, 7);
    assertPending(tableId, day1, day1b3);

    store.clearPending(day1, 6);
    store.clearPending(day2, 2);
    assertPending(tableId, day1b3);
    assertThat(store.head(day1).nextOffset()).as("clearing moves no offset").isEqualTo(6);
    assertThat(store.head(day1).recentSlices()).containsOnlyKeys(0L, 5L);

    store.appendSlice(day1, 6, slice(6, 3, "r6"));
    assertPending(tableId, day1, day1b3);

    TableBucket missing = new TableBucket(tableId, "t_day=2026-11-27/region=eu", 0);
    store.clearPending(missing, 0);
    assertThat(store.head(missing)).as("no head is made").isEqualTo(BucketHead.empty(0));
    assertPending(otherTable, other);
  }

  @Test
  void aClosedBucketKeepsItsMarkUntilItsLastRowsAreTiered() {
    TableBucket bucket = TableBucket.of(tableId, 2);
    store.appendSlice(bucket, 0, slice(0, 4, "r1"));
    store.closeBucket(bucket);
    store.closeBucket(TableBucket.of(tableId, 1));

    assertPending(tableId, bucket);
    store.clearPending(bucket, 4);
    assertPending(tableId);
    assertThat(store.head(bucket).closed()).isTrue();
  }

  @Test
  void aCommittedGroupMarksEachBucketItAppendedTo() {
    for (MetadataStore metadata : List.of(store, stepByStep(store))) {
      for (TableBucket pending : store.pendingBuckets(tableId)) {
        store.clearPending(pending, store.head(pending).nextOffset());
      }
      assertPending(tableId);

      committer(metadata).commit(group("key-" + UUID.randomUUID(), "rows".getBytes(), 0, 2));

      assertPending(tableId, TableBucket.of(tableId, 0), TableBucket.of(tableId, 2));
    }
  }

  @Test
  void storesThePartitionOfEachPlanPartAndMemberRange() {
    String key = key(0);
    Plan pending =
        new Plan(
            tableId,
            key,
            "log/seg",
            1,
            PLANNED,
            List.of(
                new PlanPart("t_day=2026-11-25", 0, 10, 16, 100, 0, -1),
                new PlanPart("t_day=2026-11-26", 0, 5, 116, 50, 3, -1)),
            List.of(
                new PlanMember(
                    "k" + "2".repeat(32),
                    "hash",
                    List.of(
                        new PlanMember.Range("t_day=2026-11-25", 0, 0, 10),
                        new PlanMember.Range("t_day=2026-11-26", 0, 0, 5)))),
            PlanStatus.PENDING,
            PLANNED);
    store.putPlan(pending);
    assertThat(store.plan(tableId, key)).contains(pending);
    Plan done =
        pending.with(
            PlanStatus.DONE,
            List.of(pending.parts().get(0).appliedAt(0), pending.parts().get(1).appliedAt(3)));
    store.startApplying(tableId, key);
    store.completePlan(done);
    assertThat(store.plan(tableId, key)).contains(done);
  }

  @Test
  void movesSlicesIntoPagesWithoutBlockingAppends() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(TableBucket.of(tableId, 0), i * 10L, slice(i * 10L, 10, "r" + i));
    }
    IndexPage page =
        new IndexPage(
            0, 0, 30, List.of(slice(0, 10, "r0"), slice(10, 10, "r1"), slice(20, 10, "r2")));
    store.putIndexPage(TableBucket.of(tableId, 0), page);
    store.putIndexPage(TableBucket.of(tableId, 0), page);
    // An append between the page put and the trim does not block either.
    store.appendSlice(TableBucket.of(tableId, 0), 60, slice(60, 10, "r6"));
    store.trimHead(TableBucket.of(tableId, 0), 0, 30, List.of(0L, 10L, 20L));

    BucketHead head = store.head(TableBucket.of(tableId, 0));
    assertThat(head.indexedUpTo()).isEqualTo(30);
    assertThat(head.nextOffset()).isEqualTo(70);
    assertThat(head.recentSlices()).containsOnlyKeys(30L, 40L, 50L, 60L);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 0, 30)).containsExactly(page);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 29, 30)).containsExactly(page);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 30, 70)).isEmpty();
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 0, 30)).isEmpty();

    assertThatThrownBy(() -> store.trimHead(TableBucket.of(tableId, 0), 0, 40, List.of(30L)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 0");
  }

  @Test
  void advancesTheLogStartDroppingExactlyTheGivenSlices() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(TableBucket.of(tableId, 1), i * 10L, slice(i * 10L, 10, "r" + i));
    }
    store.advanceLogStart(TableBucket.of(tableId, 1), 0, 20, List.of(0L, 10L));

    BucketHead head = store.head(TableBucket.of(tableId, 1));
    assertThat(head.logStartOffset()).isEqualTo(20);
    assertThat(head.nextOffset()).isEqualTo(60);
    assertThat(head.indexedUpTo()).isZero();
    assertThat(head.lastTimestamp()).isEqualTo(slice(50, 10, "r5").timestamp());
    assertThat(head.recentSlices()).containsOnlyKeys(20L, 30L, 40L, 50L);
    assertThat(head.recentSlices().get(20L)).isEqualTo(slice(20, 10, "r2"));
    assertThat(store.head(TableBucket.of(tableId, 0))).isEqualTo(BucketHead.empty(0));

    assertThatThrownBy(
            () -> store.advanceLogStart(TableBucket.of(tableId, 1), 0, 40, List.of(20L, 30L)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 1");
    assertThatThrownBy(() -> store.advanceLogStart(TableBucket.of(tableId, 7), 5, 10, List.of()))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 7");
    assertThat(store.head(TableBucket.of(tableId, 1))).isEqualTo(head);
    assertThat(store.head(TableBucket.of(tableId, 7))).isEqualTo(BucketHead.empty(7));
  }

  @Test
  void advancingTheLogStartNeverBlocksAppendsOrPageMoves() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(TableBucket.of(tableId, 2), i * 10L, slice(i * 10L, 10, "r" + i));
    }
    // GC read the head (log start 0, slices 0..50); an append and a page move land before its
    // advance, which still goes through and does not undo either.
    store.appendSlice(TableBucket.of(tableId, 2), 60, slice(60, 10, "r6"));
    IndexPage page = new IndexPage(2, 0, 20, List.of(slice(0, 10, "r0"), slice(10, 10, "r1")));
    store.putIndexPage(TableBucket.of(tableId, 2), page);
    store.trimHead(TableBucket.of(tableId, 2), 0, 20, List.of(0L, 10L));
    store.advanceLogStart(TableBucket.of(tableId, 2), 0, 30, List.of(0L, 10L, 20L));

    BucketHead head = store.head(TableBucket.of(tableId, 2));
    assertThat(head.logStartOffset()).isEqualTo(30);
    assertThat(head.nextOffset()).isEqualTo(70);
    assertThat(head.indexedUpTo()).isEqualTo(20);
    assertThat(head.recentSlices()).containsOnlyKeys(30L, 40L, 50L, 60L);

    // The other way round: an append and a trim that read the head before the advance.
    store.appendSlice(TableBucket.of(tableId, 2), 70, slice(70, 10, "r7"));
    store.putIndexPage(
        TableBucket.of(tableId, 2),
        new IndexPage(2, 30, 50, List.of(slice(30, 10, "r3"), slice(40, 10, "r4"))));
    store.advanceLogStart(TableBucket.of(tableId, 2), 30, 40, List.of(30L));
    store.appendSlice(TableBucket.of(tableId, 2), 80, slice(80, 10, "r8"));
    store.trimHead(TableBucket.of(tableId, 2), 20, 50, List.of(30L, 40L));

    head = store.head(TableBucket.of(tableId, 2));
    assertThat(head.logStartOffset()).isEqualTo(40);
    assertThat(head.nextOffset()).isEqualTo(90);
    assertThat(head.indexedUpTo()).isEqualTo(50);
    assertThat(head.lastTimestamp()).isEqualTo(slice(80, 10, "r8").timestamp());
    assertThat(head.recentSlices()).containsOnlyKeys(50L, 60L, 70L, 80L);
  }

  @Test
  void deletesIndexPagesIdempotently() {
    for (int i = 0; i < 4; i++) {
      store.appendSlice(TableBucket.of(tableId, 0), i * 10L, slice(i * 10L, 10, "r" + i));
    }
    IndexPage first = new IndexPage(0, 0, 20, List.of(slice(0, 10, "r0"), slice(10, 10, "r1")));
    IndexPage second = new IndexPage(0, 20, 40, List.of(slice(20, 10, "r2"), slice(30, 10, "r3")));
    store.putIndexPage(TableBucket.of(tableId, 0), first);
    store.putIndexPage(TableBucket.of(tableId, 0), second);
    IndexPage otherBucket = new IndexPage(1, 0, 20, first.slices());
    store.putIndexPage(TableBucket.of(tableId, 1), otherBucket);

    store.deleteIndexPage(TableBucket.of(tableId, 0), 0);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 0, 40)).containsExactly(second);
    store.deleteIndexPage(TableBucket.of(tableId, 0), 0);
    store.deleteIndexPage(TableBucket.of(tableId, 0), 10);
    store.deleteIndexPage(TableBucket.of(tableId, 5), 0);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 0, 40)).containsExactly(second);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 0, 40)).containsExactly(otherBucket);
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(40);
  }

  // ---- plans, claims, sweeps ----

  private static final Instant PLANNED = Instant.parse("2026-11-25T08:00:00.000001Z");

  private Plan plan(String planKey, PlanStatus status) {
    return new Plan(
        tableId,
        planKey,
        SegmentKeys.segmentKey(tableId, planKey),
        1,
        PLANNED,
        List.of(new PlanPart(0, 10, 16, 100, 0, -1), new PlanPart(2, 5, 116, 50, 7, -1)),
        List.of(
            new PlanMember(
                "k" + "0".repeat(32),
                "hash-a",
                List.of(new PlanMember.Range(0, 0, 6), new PlanMember.Range(2, 0, 5))),
            new PlanMember("k" + "1".repeat(32), "hash-b", List.of(new PlanMember.Range(0, 6, 4)))),
        status,
        PLANNED);
  }

  private static String key(int second) {
    return PlanKeys.newPlanKey(PLANNED.plusSeconds(second));
  }

  @Test
  void storesPlansAndSettlesThemOnce() {
    String key = key(0);
    Plan pending = plan(key, PlanStatus.PENDING);
    store.putPlan(pending);
    assertThat(store.plan(tableId, key)).contains(pending);
    assertThat(store.plan(tableId, key(1))).isEmpty();
    assertThatThrownBy(() -> store.putPlan(plan(key, PlanStatus.PENDING)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(key);

    Plan done =
        pending.with(
            PlanStatus.DONE,
            List.of(pending.parts().get(0).appliedAt(40), pending.parts().get(1).appliedAt(7)));
    store.completePlan(done);
    assertThat(store.plan(tableId, key)).contains(done);
    assertThatThrownBy(() -> store.completePlan(done))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(key);
    assertThatThrownBy(() -> store.abortPlan(tableId, key))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(key);

    String abandoned = key(2);
    store.putPlan(plan(abandoned, PlanStatus.PENDING));
    store.abortPlan(tableId, abandoned);
    store.abortPlan(tableId, abandoned);
    assertThat(store.plan(tableId, abandoned).orElseThrow().status()).isEqualTo(PlanStatus.ABORTED);
    assertThatThrownBy(() -> store.completePlan(plan(abandoned, PlanStatus.DONE)))
        .isInstanceOf(CommitConflictException.class);

    String tombstoned = key(3);
    store.putPlan(Plan.tombstone(tableId, tombstoned, PLANNED));
    assertThat(store.plan(tableId, tombstoned).orElseThrow().isTombstone()).isTrue();
  }

  @Test
  void anApplyingPlanCanOnlyBeCompleted() {
    String key = key(4);
    Plan pending = plan(key, PlanStatus.PENDING);
    store.putPlan(pending);

    store.startApplying(tableId, key);

    assertThat(store.plan(tableId, key))
        .contains(pending.with(PlanStatus.APPLYING, pending.parts()));
    assertThatThrownBy(() -> store.abortPlan(tableId, key))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(key);
    assertThatThrownBy(() -> store.startApplying(tableId, key))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(key);
    Plan done =
        pending.with(
            PlanStatus.DONE,
            List.of(pending.parts().get(0).appliedAt(3), pending.parts().get(1).appliedAt(9)));
    store.completePlan(done);
    assertThat(store.plan(tableId, key)).contains(done);

    String aborted = key(5);
    store.putPlan(plan(aborted, PlanStatus.PENDING));
    store.abortPlan(tableId, aborted);
    assertThatThrownBy(() -> store.startApplying(tableId, aborted))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(aborted);
    String missing = key(6);
    assertThatThrownBy(() -> store.startApplying(tableId, missing))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void listsPlansByKeyRangeInKeyOrderAndDeletesThemIdempotently() {
    List<String> keys = new ArrayList<>();
    for (int second = 5; second >= 0; second--) {
      String key = key(second * 10);
      keys.add(0, key);
      store.putPlan(
          second == 3 ? Plan.tombstone(tableId, key, PLANNED) : plan(key, PlanStatus.PENDING));
    }
    String otherTable = UUID.randomUUID().toString();
    store.putPlan(Plan.tombstone(otherTable, keys.get(0), PLANNED));

    assertThat(store.plans(tableId, "", "~", 100)).extracting(Plan::planKey).isEqualTo(keys);
    assertThat(store.plans(tableId, keys.get(1), keys.get(4), 100))
        .extracting(Plan::planKey)
        .containsExactly(keys.get(1), keys.get(2), keys.get(3));
    assertThat(store.plans(tableId, PlanKeys.at(PLANNED.plusSeconds(15)), "~", 2))
        .extracting(Plan::planKey)
        .containsExactly(keys.get(2), keys.get(3));
    assertThat(store.plans(tableId, PlanKeys.after(keys.get(5)), "~", 100)).isEmpty();
    assertThat(store.plans(otherTable, "", "~", 100)).hasSize(1);

    store.deletePlan(tableId, keys.get(0));
    store.deletePlan(tableId, keys.get(0));
    store.deletePlan(tableId, key(99));
    assertThat(store.plans(tableId, "", "~", 100))
        .extracting(Plan::planKey)
        .isEqualTo(keys.subList(1, 6));
    assertThat(store.plans(otherTable, "", "~", 100)).hasSize(1);
  }

  @Test
  void claimsAKeyOnceAndHandsItOverOnlyFromTheNamedPlan() {
    String claimKey = PlanKeys.claimKey("order-1");
    Claim first = new Claim(tableId, claimKey, key(0), PLANNED);
    assertThat(store.claim(tableId, claimKey)).isEmpty();
    store.putClaim(first);
    assertThat(store.claim(tableId, claimKey)).contains(first);
    Claim second = new Claim(tableId, claimKey, key(1), PLANNED.plusSeconds(1));
    assertThatThrownBy(() -> store.putClaim(second))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(claimKey);

    store.replaceClaim(first, second);
    assertThat(store.claim(tableId, claimKey)).contains(second);
    assertThatThrownBy(() -> store.replaceClaim(first, first))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining(claimKey);

    store.deleteClaim(first); // names another plan now: kept
    assertThat(store.claim(tableId, claimKey)).contains(second);
    store.deleteClaim(second);
    store.deleteClaim(second);
    assertThat(store.claim(tableId, claimKey)).isEmpty();
    assertThat(store.claim(UUID.randomUUID().toString(), claimKey)).isEmpty();
  }

  @Test
  void aClosedBucketRefusesEveryAppend() {
    store.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 5, "p1"));
    store.closeBucket(TableBucket.of(tableId, 0));
    store.closeBucket(TableBucket.of(tableId, 0));
    store.closeBucket(TableBucket.of(tableId, 1));

    assertThat(store.head(TableBucket.of(tableId, 0)).closed()).isTrue();
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(5);
    assertThat(store.head(TableBucket.of(tableId, 1)).closed()).isTrue();
    assertThat(store.head(TableBucket.of(tableId, 2)).closed()).isFalse();
    assertThatThrownBy(() -> store.appendSlice(TableBucket.of(tableId, 0), 5, slice(5, 1, "p2")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 0");
    assertThatThrownBy(() -> store.appendSlice(TableBucket.of(tableId, 1), 0, slice(0, 1, "p2")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("bucket 1");
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(5);
  }

  @Test
  void keepsTheSweepStateOfEachTable() {
    assertThat(store.sweepState(tableId)).isEqualTo(SweepState.initial(tableId));
    SweepState state =
        SweepState.initial(tableId)
            .withRecoveredUpTo(key(30))
            .withObjectsCollectedUpTo(key(20))
            .withPlansCollectedUpTo(key(10))
            .withOrphansListedUpTo(key(5));
    store.putSweepState(state);
    assertThat(store.sweepState(tableId)).isEqualTo(state);
    String later = key(40);
    store.putSweepState(state.withRecoveredUpTo(later));
    assertThat(store.sweepState(tableId)).isEqualTo(state.withRecoveredUpTo(later));
    assertThat(store.sweepState(UUID.randomUUID().toString()).recoveredUpTo()).isEmpty();
  }

  @Test
  void commitsAWholePlanInOneTransactionOrSaysItCannot() {
    store.appendSlice(TableBucket.of(tableId, 2), 0, slice(0, 7, "earlier"));
    String key = key(0);
    Plan pending = plan(key, PlanStatus.PENDING);
    List<Claim> claims =
        pending.members().stream()
            .map(m -> new Claim(tableId, m.claimKey(), key, PLANNED))
            .toList();

    Optional<Plan> done = store.commitInOneTransaction(pending, claims);

    if (done.isEmpty()) {
      assertThat(store.plan(tableId, key))
          .as("a store without transactions writes nothing")
          .isEmpty();
      assertThat(store.claim(tableId, claims.get(0).claimKey())).isEmpty();
      return;
    }
    assertThat(done.get().status()).isEqualTo(PlanStatus.DONE);
    assertThat(done.get().parts()).extracting(PlanPart::baseOffset).containsExactly(0L, 7L);
    assertThat(store.plan(tableId, key)).contains(done.get());
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(10);
    assertThat(store.head(TableBucket.of(tableId, 2)).recentSlices().get(7L).planKey())
        .isEqualTo(key);
    assertThat(store.claim(tableId, claims.get(1).claimKey()).orElseThrow().planKey())
        .isEqualTo(key);

    // A claim another live plan holds: nothing of the second plan is written.
    String second = key(1);
    Plan next = plan(second, PlanStatus.PENDING);
    assertThatThrownBy(
            () ->
                store.commitInOneTransaction(
                    next, List.of(new Claim(tableId, claims.get(0).claimKey(), second, PLANNED))))
        .isInstanceOf(ClaimsTakenException.class)
        .satisfies(
            e -> assertThat(((ClaimsTakenException) e).taken()).containsExactly(claims.get(0)));
    assertThat(store.plan(tableId, second)).isEmpty();
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(10);

    // A closed bucket: nothing written either.
    store.closeBucket(TableBucket.of(tableId, 2));
    assertThatThrownBy(
            () -> store.commitInOneTransaction(plan(key(2), PlanStatus.PENDING), List.of()))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("closed");
    assertThat(store.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(10);
    assertThat(store.plan(tableId, key(2))).isEmpty();
  }

  @Test
  void readsAtMostTheIndexPagesAskedFor() {
    for (int i = 0; i < 6; i++) {
      store.appendSlice(TableBucket.of(tableId, 0), i * 10L, slice(i * 10L, 10, "r" + i));
    }
    IndexPage first = new IndexPage(0, 0, 20, List.of(slice(0, 10, "r0"), slice(10, 10, "r1")));
    IndexPage second = new IndexPage(0, 20, 40, List.of(slice(20, 10, "r2"), slice(30, 10, "r3")));
    assertThat(store.putIndexPage(TableBucket.of(tableId, 0), first)).isEqualTo(first);
    assertThat(store.putIndexPage(TableBucket.of(tableId, 0), second)).isEqualTo(second);
    IndexPage rival = new IndexPage(0, 0, 10, List.of(slice(0, 10, "r0")));
    assertThat(store.putIndexPage(TableBucket.of(tableId, 0), rival))
        .as("the stored page wins")
        .isEqualTo(first);

    assertThat(store.indexPages(TableBucket.of(tableId, 0), 0, 40, 1)).containsExactly(first);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 15, 40, 1)).containsExactly(first);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 20, 40, 1)).containsExactly(second);
    assertThat(store.indexPages(TableBucket.of(tableId, 0), 0, 40, 5))
        .containsExactly(first, second);
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
            LogOffsets.ofBuckets(Map.of(0, 300L, 1, 298L)),
            Optional.empty(),
            Instant.parse("2026-11-25T08:00:00Z"),
            Optional.empty());
    store.putTieringState(paimon);
    assertThat(store.tieringState(tableId, LakeFormatName.PAIMON)).contains(paimon);
    assertThat(store.tieringState(tableId, LakeFormatName.ICEBERG)).isEmpty();
    TieringState next =
        new TieringState(
            tableId,
            LakeFormatName.PAIMON,
            8,
            Map.of(
                new PartitionBucket("", 0),
                320L,
                new PartitionBucket("", 1),
                298L,
                new PartitionBucket("t_day=2026-11-25", 0),
                12L),
            Optional.empty(),
            Instant.parse("2026-11-25T08:01:00Z"),
            Optional.of(Instant.parse("2026-11-25T08:00:30.123456789Z")));
    store.putTieringState(next);
    assertThat(store.tieringState(tableId, LakeFormatName.PAIMON)).contains(next);
    // A table of many partitions records the key of its offsets file instead.
    TieringState inFile =
        new TieringState(
            tableId,
            LakeFormatName.PAIMON,
            9,
            Map.of(),
            Optional.of("tiered-offsets/" + tableId + "/paimon/0001764057660000-a.json"),
            Instant.parse("2026-11-25T08:02:00Z"),
            Optional.empty());
    store.putTieringState(inFile);
    assertThat(store.tieringState(tableId, LakeFormatName.PAIMON)).contains(inFile);
  }

  // ---- the commit protocol ----

  /**
   * A group of one member per key (a null key: a member without one), each writing a few rows to
   * every bucket given, member after member.
   */
  private CommitGroup group(List<String> keys, byte[] segment, int... buckets) {
    List<CommitGroup.Part> parts = new ArrayList<>();
    long offset = 16;
    List<List<PlanMember.Range>> ranges = new ArrayList<>();
    keys.forEach(k -> ranges.add(new ArrayList<>()));
    for (int bucket : buckets) {
      long rows = 0;
      for (int m = 0; m < keys.size(); m++) {
        long count = 1 + ThreadLocalRandom.current().nextInt(20);
        ranges.get(m).add(new PlanMember.Range(bucket, rows, count));
        rows += count;
      }
      parts.add(new CommitGroup.Part("", bucket, offset, rows * 8, rows));
      offset += rows * 8;
    }
    List<CommitGroup.Member> members = new ArrayList<>();
    for (int m = 0; m < keys.size(); m++) {
      String key = keys.get(m);
      members.add(
          new CommitGroup.Member(
              Optional.ofNullable(key).map(PlanKeys::claimKey),
              key == null ? "" : SegmentKeys.sha256(key + new String(segment)),
              ranges.get(m)));
    }
    return new CommitGroup(
        tableId, 1, PlanKeys.newPlanKey(CLOCK.instant()), segment, parts, members);
  }

  private CommitGroup group(String key, byte[] segment, int... buckets) {
    return group(java.util.Collections.singletonList(key), segment, buckets);
  }

  private AppendCommitter committer(MetadataStore metadata) {
    return new AppendCommitter(objects, metadata, executor, CLOCK);
  }

  /** The store without its one-transaction commit: the protocol step by step, as on DynamoDB. */
  private MetadataStore stepByStep(MetadataStore metadata) {
    return new DelegatingMetadataStore(metadata) {
      @Override
      public Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
        return Optional.empty();
      }
    };
  }

  private CommitResult answer(AppendCommitter committer, String key, byte[] segment) {
    return committer
        .existingAnswer(
            tableId, PlanKeys.claimKey(key), SegmentKeys.sha256(key + new String(segment)))
        .orElseThrow(() -> new AssertionError("no answer for key " + key));
  }

  /** Every slice of a bucket from offset 0, checked to be contiguous. */
  private List<Slice> bucketSlices(int bucket) {
    List<Slice> slices = new LogIndex(store).slices(TableBucket.of(tableId, bucket), 0).slices();
    long expected = 0;
    for (Slice slice : slices) {
      assertThat(slice.baseOffset()).as("bucket %d is contiguous", bucket).isEqualTo(expected);
      expected = slice.endOffset();
    }
    assertThat(expected).isEqualTo(store.head(TableBucket.of(tableId, bucket)).nextOffset());
    return slices;
  }

  @Test
  void commitsAGroupAcrossBucketsAndAnswersEachMembersRetries() {
    for (MetadataStore metadata : List.of(store, stepByStep(store))) {
      AppendCommitter committer = committer(metadata);
      byte[] segment = UUID.randomUUID().toString().getBytes();
      String first = "order-" + UUID.randomUUID();
      String second = "order-" + UUID.randomUUID();
      long[] before = {
        store.head(TableBucket.of(tableId, 0)).nextOffset(),
        store.head(TableBucket.of(tableId, 2)).nextOffset()
      };
      CommitGroup group = group(java.util.Arrays.asList(first, null, second), segment, 0, 2);

      Plan done = committer.commit(group);

      assertThat(done.status()).isEqualTo(PlanStatus.DONE);
      assertThat(done.parts())
          .extracting(PlanPart::baseOffset)
          .containsExactly(before[0], before[1]);
      assertThat(store.plan(tableId, group.planKey())).contains(done);
      assertThat(objects.read(done.segmentKey())).isEqualTo(segment);
      for (int m : new int[] {0, 2}) {
        CommitResult answer = answer(committer, m == 0 ? first : second, segment);
        List<PlanMember.Range> ranges = group.members().get(m).ranges();
        assertThat(answer.buckets())
            .extracting(CommitResult.BucketOffsets::baseOffset)
            .containsExactly(before[0] + ranges.get(0).start(), before[1] + ranges.get(1).start());
        assertThat(answer.buckets())
            .extracting(CommitResult.BucketOffsets::count)
            .containsExactly(ranges.get(0).count(), ranges.get(1).count());
      }
      assertThatThrownBy(
              () -> committer.existingAnswer(tableId, PlanKeys.claimKey(first), "other body"))
          .isInstanceOf(IdempotencyKeyReusedException.class)
          .hasMessageContaining("different body");
      assertThat(bucketSlices(0)).extracting(Slice::planKey).endsWith(group.planKey());
    }
    assertThat(bucketSlices(0)).hasSize(2);
    assertThat(bucketSlices(2)).hasSize(2);
  }

  @Test
  void concurrentWritersGetContiguousOffsetsWithEveryAcknowledgedSlicePresent() throws Exception {
    int threads = 8;
    int buckets = 4;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    ConcurrentLinkedQueue<PlanPart> acknowledged = new ConcurrentLinkedQueue<>();
    Map<PlanPart, String> planOf = new java.util.concurrent.ConcurrentHashMap<>();
    ExecutorService writers = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      MetadataStore metadata = t % 2 == 0 ? store : stepByStep(store);
      futures.add(
          writers.submit(
              () -> {
                AppendCommitter committer = committer(metadata);
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
                  Plan done =
                      committer.commit(
                          group((String) null, UUID.randomUUID().toString().getBytes(), spanned));
                  assertThat(done.status()).isEqualTo(PlanStatus.DONE);
                  for (PlanPart part : done.parts()) {
                    acknowledged.add(part);
                    planOf.put(part, done.planKey());
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
      Set<String> plansInBucket = new HashSet<>();
      for (Slice slice : bucketSlices(bucket)) {
        assertThat(plansInBucket.add(slice.planKey()))
            .as("plan %s appears once in bucket %d", slice.planKey(), bucket)
            .isTrue();
        found.put(slice.planKey() + "/" + bucket, slice);
      }
    }
    assertThat(found).hasSize(acknowledged.size());
    for (PlanPart part : acknowledged) {
      Slice slice = found.get(planOf.get(part) + "/" + part.bucket());
      assertThat(slice).as("acknowledged part %s", part).isNotNull();
      assertThat(slice.baseOffset()).isEqualTo(part.baseOffset());
      assertThat(slice.count()).isEqualTo(part.rows());
    }
    assertThat(store.plans(tableId, "", "~", 100_000))
        .allSatisfy(plan -> assertThat(plan.status()).isEqualTo(PlanStatus.DONE));
  }

  @Test
  void aPausedWriterARetryRecoveryAndPageMovesApplyEachBucketExactlyOnce() throws Exception {
    AppendCommitter plain = committer(store);
    // Enough earlier writes that the head is about to move slices into pages.
    for (int i = 0; i < PlanApplier.HEAD_SLICE_LIMIT; i++) {
      plain.commit(group((String) null, ("fill" + i).getBytes(), 0, 1, 2));
    }
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicBoolean pauseOnce = new AtomicBoolean(true);
    MetadataStore pausing =
        new DelegatingMetadataStore(stepByStep(store)) {
          @Override
          public void appendSlice(TableBucket bucket, long expected, Slice slice) {
            if (bucket.bucket() == 2 && pauseOnce.compareAndSet(true, false)) {
              paused.countDown();
              await(resume);
            }
            super.appendSlice(bucket, expected, slice);
          }
        };
    byte[] segment = "the-request".getBytes();
    CommitGroup original = group("key-b", segment, 0, 1, 2);
    Future<Plan> writer = executor.submit(() -> committer(pausing).commit(original));
    assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();

    // While the writer is stalled on bucket 2: a retry, recovery and page moves, all at once.
    Future<CommitResult> retried = executor.submit(() -> answer(plain, "key-b", segment));
    Future<Integer> recovered =
        executor.submit(
            () ->
                new RecoveryService(store, executor, CLOCK, java.time.Duration.ZERO)
                    .recover(tableId));
    Future<?> moved =
        executor.submit(
            () -> {
              PlanApplier applier = new PlanApplier(store, executor);
              for (int bucket = 0; bucket < 3; bucket++) {
                applier.movePages(TableBucket.of(tableId, bucket));
              }
            });
    CommitResult retryResult = retried.get(30, TimeUnit.SECONDS);
    recovered.get(30, TimeUnit.SECONDS);
    moved.get(30, TimeUnit.SECONDS);
    // Push the request's slices out of the heads, so the writer must find them in pages.
    for (int i = 0; i < PlanApplier.HEAD_SLICE_LIMIT; i++) {
      plain.commit(group((String) null, ("more" + i).getBytes(), 0, 1, 2));
    }
    assertThat(store.head(TableBucket.of(tableId, 2)).indexedUpTo())
        .isGreaterThan(retryResult.buckets().get(2).baseOffset());

    resume.countDown();
    Plan written = writer.get(30, TimeUnit.SECONDS);

    assertThat(CommitResult.of(written, original.members().get(0).ranges())).isEqualTo(retryResult);
    for (int bucket = 0; bucket < 3; bucket++) {
      List<Slice> slices = bucketSlices(bucket);
      assertThat(slices).filteredOn(s -> s.planKey().equals(original.planKey())).hasSize(1);
      assertThat(slices).hasSize(2 * PlanApplier.HEAD_SLICE_LIMIT + 1);
    }
    assertThat(store.plan(tableId, original.planKey()).orElseThrow().status())
        .isEqualTo(PlanStatus.DONE);
  }

  @Test
  void oneKeySentToTwoServersAtOnceIsWrittenOnce() throws Exception {
    for (int round = 0; round < 16; round++) {
      String key = "twice-" + round;
      byte[] segment = ("body-" + round).getBytes();
      // Two servers on one store, each with a group holding the key beside a request of its own.
      CommitGroup a = group(java.util.Arrays.asList(key, "a-" + round), segment, round % 4);
      CommitGroup b = group(java.util.Arrays.asList("b-" + round, key), segment, (round + 1) % 4);
      CountDownLatch start = new CountDownLatch(1);
      AppendCommitter one = committer(round % 2 == 0 ? store : stepByStep(store));
      Future<Plan> first =
          executor.submit(
              () -> {
                start.await();
                return one.commit(a);
              });
      Future<Plan> second =
          executor.submit(
              () -> {
                start.await();
                return committer(stepByStep(store)).commit(b);
              });
      start.countDown();
      List<Plan> settled =
          List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS));

      assertThat(settled)
          .extracting(Plan::status)
          .as("round %d: one group commits, the other is aborted", round)
          .containsExactlyInAnyOrder(PlanStatus.DONE, PlanStatus.ABORTED);
      Plan done = settled.stream().filter(p -> p.status() == PlanStatus.DONE).findFirst().get();
      assertThat(store.claim(tableId, PlanKeys.claimKey(key)).orElseThrow().planKey())
          .isEqualTo(done.planKey());
      for (int bucket = 0; bucket < 4; bucket++) {
        for (Slice slice : bucketSlices(bucket)) {
          assertThat(settled.stream().filter(p -> p.status() == PlanStatus.ABORTED))
              .allSatisfy(aborted -> assertThat(slice.planKey()).isNotEqualTo(aborted.planKey()));
        }
      }
    }
  }

  @Test
  void garbageCollectionAndALateWriterNeverBothWin() throws Exception {
    SegmentGc gc = new SegmentGc(store, CLOCK);
    int aborted = 0;
    int committed = 0;
    for (int round = 0; round < 12; round++) {
      byte[] segment = ("late-" + round).getBytes();
      CommitGroup group = group("late-" + round, segment, round % 4);
      String segmentKey = SegmentKeys.segmentKey(tableId, group.planKey());
      long before = store.head(TableBucket.of(tableId, round % 4)).nextOffset();
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
      AppendCommitter committer =
          new AppendCommitter(racing, round % 2 == 0 ? store : stepByStep(store), executor, CLOCK);
      try {
        assertThat(committer.commit(group).status()).isEqualTo(PlanStatus.DONE);
        committed++;
        assertThat(objects.read(segmentKey))
            .as("a committed write keeps its object")
            .isEqualTo(segment);
        assertThat(store.head(TableBucket.of(tableId, round % 4)).nextOffset())
            .isGreaterThan(before);
      } catch (CommitAbortedException e) {
        aborted++;
        assertThat(e).hasMessageContaining("garbage-collected");
        assertThat(store.head(TableBucket.of(tableId, round % 4)).nextOffset()).isEqualTo(before);
        assertThat(store.plan(tableId, group.planKey()).orElseThrow().status())
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
