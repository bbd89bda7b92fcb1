package io.sluice.core.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.core.TestingSluice;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.LogIndex;
import io.sluice.core.log.RecoveryService;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore;
import io.sluice.core.metadata.FailingMetadataStore.Operation;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.OverloadedException;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.FailingObjectStore;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit as its writers see it: concurrent requests share a segment and a plan, each is
 * answered with its own offsets, a bad one fails alone, keys stay exactly-once, a failure at any
 * step of a group's commit loses no acknowledged row, and a flood is answered 429 with nothing
 * lost. A gate holds the first commit of a table so that later requests queue up behind it.
 */
class GroupCommitTest {
  private static final TableName EVENTS = TableName.parse("events");

  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ExecutorService clients = Executors.newCachedThreadPool();
  private final TestingMetadataStore stored = new TestingMetadataStore();
  private final FailingMetadataStore failing = new FailingMetadataStore(stored);
  private final Gate gate = new Gate(failing);
  private final FailingObjectStore objects = new FailingObjectStore(new TestingObjectStore());
  private final TableService tables = new TableService(stored, Clock.systemUTC());
  private TableEntry table;
  private AppendService appends;
  private long nextId;

  /** A metadata store whose plan puts (and heads read to plan) wait while the gate is closed. */
  private static final class Gate extends DelegatingMetadataStore {
    private volatile CountDownLatch open = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger waiting =
        new java.util.concurrent.atomic.AtomicInteger();

    Gate(FailingMetadataStore delegate) {
      super(delegate);
    }

    void shut() {
      open = new CountDownLatch(1);
    }

    void open() {
      open.countDown();
    }

    /** How many commits wait at the gate. */
    int waiting() {
      return waiting.get();
    }

    @Override
    public void putPlan(Plan plan) {
      waiting.incrementAndGet();
      try {
        if (!open.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the gate was never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        waiting.decrementAndGet();
      }
      super.putPlan(plan);
    }
  }

  /** Closes the gate and sends a request whose commit waits there; returns its answer. */
  private Future<CommitResult> blockTheNextCommit(Request request) {
    gate.shut();
    Future<CommitResult> blocked = send(appends, request, null);
    await().until(() -> gate.waiting() == 1);
    return blocked;
  }

  @BeforeEach
  void createTable() {
    table =
        tables
            .create(
                EVENTS,
                TableDefinitionJson.parse(
                    "create",
                    """
                    {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                                 {"name": "name", "type": "string"}],
                     "bucketKey": ["id"], "buckets": 4}
                    """))
            .table();
    appends = service(AppendService.Settings.DEFAULT);
  }

  private AppendService service(AppendService.Settings settings) {
    return new AppendService(
        tables,
        new AppendCommitter(objects, gate, executor, Clock.systemUTC()),
        executor,
        allocator,
        new LogWaiter(),
        settings,
        TestingSluice::bucketFunction);
  }

  @AfterEach
  void close() {
    gate.open();
    clients.shutdownNow();
    executor.shutdownNow();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  /** A request of {@code rows} rows with fresh ids: its body and its ids. */
  private record Request(RowBody body, List<Long> ids) {}

  private synchronized Request request(int rows) {
    List<Long> ids = LongStream.range(nextId, nextId + rows).boxed().toList();
    nextId += rows;
    String json =
        ids.stream()
            .map(id -> "{\"id\": " + id + ", \"name\": \"n" + id + "\"}")
            .collect(Collectors.joining(",", "[", "]"));
    return new Request(new RowBody(RowFormat.JSON, json.getBytes(StandardCharsets.UTF_8)), ids);
  }

  private Future<CommitResult> send(AppendService service, Request request, String key) {
    return clients.submit(() -> service.append(EVENTS, request.body(), Optional.ofNullable(key)));
  }

  private long segments() {
    return SegmentKeys.tablePrefixes(table.tableId()).stream()
        .mapToLong(p -> objects.list(p).count())
        .sum();
  }

  /** Every id in the table, by (bucket, offset), checked to be contiguous from 0. */
  private Map<String, Long> idsByOffset() throws InterruptedException {
    LogReadService reads = new LogReadService(tables, stored, objects, new LogWaiter(), allocator);
    Map<String, Long> found = new HashMap<>();
    for (int bucket = 0; bucket < 4; bucket++) {
      long end = stored.head(TableBucket.of(table.tableId(), bucket)).nextOffset();
      for (long from = 0; from < end; ) {
        try (LogRead read =
            reads.read(
                new LogReadService.Request(EVENTS, bucket, from, 10_000, Optional.empty(), 0))) {
          BigIntVector ids = (BigIntVector) read.rows().getVector("id");
          for (int row = 0; row < read.rows().getRowCount(); row++) {
            found.put(bucket + "@" + (from + row), ids.get(row));
          }
          from += read.rows().getRowCount();
        }
      }
    }
    return found;
  }

  /** The ids a request's answer places: bucket part by bucket part, in offset order. */
  private static Set<String> placed(CommitResult result) {
    Set<String> places = new HashSet<>();
    for (CommitResult.BucketOffsets part : result.buckets()) {
      for (long i = 0; i < part.count(); i++) {
        places.add(part.bucket() + "@" + (part.baseOffset() + i));
      }
    }
    return places;
  }

  private void assertAtTheirOffsets(Map<Request, CommitResult> acknowledged)
      throws InterruptedException {
    Map<String, Long> found = idsByOffset();
    long rows = 0;
    for (Map.Entry<Request, CommitResult> ack : acknowledged.entrySet()) {
      Set<Long> atPlaces = new HashSet<>();
      placed(ack.getValue()).forEach(place -> atPlaces.add(found.get(place)));
      assertThat(atPlaces)
          .as("the rows at a request's answered offsets are its rows")
          .containsExactlyInAnyOrderElementsOf(ack.getKey().ids());
      rows += ack.getKey().ids().size();
    }
    assertThat(found).as("nothing but the acknowledged rows").hasSize((int) rows);
  }

  @Test
  void requestsQueuedBehindACommitShareOneSegmentAndAreEachReadBackAtTheirOffsets()
      throws Exception {
    Request first = request(5);
    Future<CommitResult> blocked = blockTheNextCommit(first);
    Map<Request, Future<CommitResult>> queued = new HashMap<>();
    for (int i = 0; i < 15; i++) {
      Request request = request(1 + i % 7);
      queued.put(request, send(appends, request, null));
    }
    await().until(() -> appends.queued() == 15);
    gate.open();

    Map<Request, CommitResult> acknowledged = new HashMap<>();
    acknowledged.put(first, blocked.get(30, TimeUnit.SECONDS));
    for (Map.Entry<Request, Future<CommitResult>> entry : queued.entrySet()) {
      acknowledged.put(entry.getKey(), entry.getValue().get(30, TimeUnit.SECONDS));
    }
    assertThat(segments()).as("one segment for the first, one for the fifteen queued").isEqualTo(2);
    assertAtTheirOffsets(acknowledged);
  }

  @Test
  void manyConcurrentWritersAreReadBackExactlyAtTheirOffsets() throws Exception {
    List<Future<?>> writers = new ArrayList<>();
    Map<Request, CommitResult> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    for (int w = 0; w < 12; w++) {
      int writer = w;
      writers.add(
          clients.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  Request request = request(1 + (writer * 7 + i) % 13);
                  acknowledged.put(
                      request, appends.append(EVENTS, request.body(), Optional.empty()));
                }
                return null;
              }));
    }
    for (Future<?> writer : writers) {
      writer.get(60, TimeUnit.SECONDS);
    }
    assertThat(acknowledged).hasSize(300);
    assertAtTheirOffsets(acknowledged);
  }

  @Test
  void aBadRequestFailsAloneAndNeverHoldsUpItsGroup() throws Exception {
    Request first = request(2);
    Future<CommitResult> blocked = blockTheNextCommit(first);
    Request good = request(3);
    Future<CommitResult> queued = send(appends, good, null);
    Future<CommitResult> bad =
        clients.submit(
            () ->
                appends.append(
                    EVENTS,
                    new RowBody(
                        RowFormat.JSON,
                        "[{\"id\": 1}, {\"id\": \"x\"}]".getBytes(StandardCharsets.UTF_8)),
                    Optional.empty()));

    assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("row 2: column id");
    await().until(() -> appends.queued() == 1);
    gate.open();
    assertAtTheirOffsets(
        Map.of(first, blocked.get(30, TimeUnit.SECONDS), good, queued.get(30, TimeUnit.SECONDS)));
  }

  @Test
  void aRetryOfAGroupedRequestGetsItsOwnAnswerAndWritesNothing() throws Exception {
    Future<CommitResult> blocked = blockTheNextCommit(request(1));
    Request a = request(4);
    Request b = request(6);
    Future<CommitResult> first = send(appends, a, "key-a");
    Future<CommitResult> second = send(appends, b, "key-b");
    await().until(() -> appends.queued() == 2);
    gate.open();
    blocked.get(30, TimeUnit.SECONDS);
    CommitResult answerA = first.get(30, TimeUnit.SECONDS);
    CommitResult answerB = second.get(30, TimeUnit.SECONDS);
    long segmentsBefore = segments();

    assertThat(appends.append(EVENTS, b.body(), Optional.of("key-b"))).isEqualTo(answerB);
    assertThat(appends.append(EVENTS, a.body(), Optional.of("key-a"))).isEqualTo(answerA);
    assertThat(segments()).as("retries write nothing").isEqualTo(segmentsBefore);
    assertThat(placed(answerA)).doesNotContainAnyElementsOf(placed(answerB));
  }

  @Test
  void oneKeySentTwiceAtOnceWithinAGroupAndToTwoServersWritesOnce() throws Exception {
    Request request = request(3);
    Future<CommitResult> blocked = blockTheNextCommit(request(1));
    Future<CommitResult> once = send(appends, request, "same-key");
    Future<CommitResult> twice = send(appends, request, "same-key");
    AppendService otherServer = service(AppendService.Settings.DEFAULT);
    Future<CommitResult> elsewhere = send(otherServer, request, "same-key");
    gate.open();
    blocked.get(30, TimeUnit.SECONDS);

    CommitResult answer = once.get(30, TimeUnit.SECONDS);
    assertThat(twice.get(30, TimeUnit.SECONDS)).isEqualTo(answer);
    assertThat(elsewhere.get(30, TimeUnit.SECONDS)).isEqualTo(answer);
    Map<String, Long> found = idsByOffset();
    assertThat(found.values().stream().filter(request.ids()::contains)).hasSize(3);
  }

  @Test
  void aStoreFailingAtAnyStepOfAGroupLosesNoAcknowledgedRowAndLeavesNoPartialRequest()
      throws Exception {
    List<Runnable> failures =
        List.of(
            () -> objects.failNext(FailingObjectStore.Operation.PUT, 1, GroupCommitTest::down),
            () -> failing.failNext(Operation.PUT_PLAN, 1, GroupCommitTest::down),
            () -> failing.failNext(Operation.PUT_CLAIM, 1, GroupCommitTest::down),
            () -> failing.failNext(Operation.READ_HEAD, 1, GroupCommitTest::down),
            () -> failing.failNext(Operation.APPEND_SLICE, 1, GroupCommitTest::down),
            () -> failing.failNext(Operation.APPEND_SLICE, 2, GroupCommitTest::down),
            () -> failing.failNext(Operation.COMPLETE_PLAN, 1, GroupCommitTest::down));
    Map<Request, CommitResult> acknowledged = new HashMap<>();
    for (int step = 0; step < failures.size(); step++) {
      // A first request waits at the gate while four more queue behind it: the step's failure
      // hits the first commit or the group's, and every request has a key to retry with.
      gate.shut();
      Map<Request, String> keys = new HashMap<>();
      Map<Request, Future<CommitResult>> sent = new HashMap<>();
      for (int m = 0; m < 5; m++) {
        Request request = request(1 + m * 2);
        keys.put(request, "step-" + step + "-" + m);
        sent.put(request, send(appends, request, keys.get(request)));
        if (m == 0) {
          await().until(() -> gate.waiting() == 1);
        }
      }
      await().until(() -> appends.queued() == 4);
      failures.get(step).run();
      gate.open();
      for (Map.Entry<Request, Future<CommitResult>> member : sent.entrySet()) {
        try {
          acknowledged.put(member.getKey(), member.getValue().get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StoreUnavailableException.class);
        }
      }
      failing.heal();
      objects.heal();
      // Recovery settles what the failure left pending, once recovery's delay has passed.
      new RecoveryService(stored, executor, Clock.offset(Clock.systemUTC(), RecoveryService.DELAY))
          .recover(table.tableId());
      Map<String, Long> found = idsByOffset();
      for (Request request : sent.keySet()) {
        long present = found.values().stream().filter(request.ids()::contains).count();
        assertThat(present)
            .as("step %d: a request is there wholly or not at all", step)
            .isIn(0L, (long) request.ids().size());
      }
      // The clients retry what failed, with their keys: each request ends up there once.
      for (Request request : sent.keySet()) {
        CommitResult retried =
            appends.append(EVENTS, request.body(), Optional.of(keys.get(request)));
        if (acknowledged.containsKey(request)) {
          assertThat(retried).isEqualTo(acknowledged.get(request));
        }
        acknowledged.put(request, retried);
      }
    }
    assertAtTheirOffsets(acknowledged);
  }

  private static RuntimeException down() {
    return new StoreUnavailableException("the store is down", null);
  }

  @Test
  void aFloodIsAnswered429WithNothingWrittenForThoseAndNothingLost() throws Exception {
    AppendService small =
        service(
            new AppendService.Settings(
                GroupCommitter.Settings.DEFAULT, 4 << 10, Duration.ofSeconds(1)));
    gate.shut();
    Request first = request(20);
    Map<Request, Future<CommitResult>> sent = new HashMap<>();
    sent.put(first, send(small, first, null));
    await().until(() -> gate.waiting() == 1);
    for (int i = 0; i < 40; i++) {
      Request request = request(20);
      sent.put(request, send(small, request, null));
    }
    AtomicLong refused = new AtomicLong();
    await()
        .until(() -> sent.values().stream().filter(Future::isDone).count() + small.queued() == 40);
    gate.open();
    Map<Request, CommitResult> acknowledged = new HashMap<>();
    for (Map.Entry<Request, Future<CommitResult>> entry : sent.entrySet()) {
      try {
        acknowledged.put(entry.getKey(), entry.getValue().get(30, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        assertThat(e.getCause())
            .isInstanceOf(OverloadedException.class)
            .hasMessageContaining("retry after a moment");
        refused.incrementAndGet();
      }
    }
    assertThat(refused.get()).as("the budget refused some").isPositive();
    assertThat(acknowledged).as("and took some").isNotEmpty();
    assertThat(small.held()).as("every reservation was given back").isZero();
    assertAtTheirOffsets(acknowledged);
  }

  @Test
  void aRequestSpanningBucketsIsOneSliceInEachNamingItsPlanAndSegment() throws Exception {
    CommitResult result = appends.append(EVENTS, request(40).body(), Optional.empty());

    assertThat(result.buckets()).hasSize(4);
    Set<String> plans = new HashSet<>();
    for (int bucket = 0; bucket < 4; bucket++) {
      List<Slice> slices =
          new LogIndex(stored).slices(TableBucket.of(table.tableId(), bucket), 0).slices();
      assertThat(slices).hasSize(1);
      Plan plan = stored.plan(table.tableId(), slices.get(0).planKey()).orElseThrow();
      assertThat(slices.get(0).segmentKey()).isEqualTo(plan.segmentKey());
      plans.add(plan.planKey());
    }
    assertThat(plans).hasSize(1);
    assertThat(segments()).isEqualTo(1);
  }
}
