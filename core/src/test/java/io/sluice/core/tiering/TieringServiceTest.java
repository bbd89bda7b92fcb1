package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogWaiter;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tiering's exactly-once promise under the failures a lake commit can have. */
class TieringServiceTest {
  private static final TableName EVENTS = TableName.parse("events");

  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-25T08:00:00Z"));
  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TestingLakeFormat iceberg = new TestingLakeFormat(LakeFormatName.ICEBERG);
  private final TieringService.Limits limits =
      new TieringService.Limits(1_000_000, Duration.ofMinutes(5));
  private TableService tables;
  private AppendService appends;
  private TieringService tiering;
  private TableEntry table;
  private long nextId;

  @BeforeEach
  void createTable() {
    tables = new TableService(metadata, clock);
    appends =
        new AppendService(
            tables,
            new AppendCommitter(objects, metadata, executor, clock),
            executor,
            allocator,
            new LogWaiter(),
            AppendService.Settings.DEFAULT);
    tiering = service();
    table =
        tables
            .create(
                EVENTS,
                TableDefinitionJson.parse(
                    "create",
                    """
                    {"columns": [{"name": "id", "type": "bigint", "nullable": false}],
                     "buckets": 3, "lake": {"formats": ["paimon", "iceberg"]}}
                    """))
            .table();
  }

  private TieringService service() {
    return new TieringService(
        metadata, objects, LakeFormats.of(paimon, iceberg), allocator, clock, limits);
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    assertThat(allocator.getAllocatedMemory()).as("nothing leaks").isZero();
    allocator.close();
  }

  /** Writes {@code requests} requests of {@code rows} rows with fresh ids. */
  private void write(int requests, int rows) {
    for (int r = 0; r < requests; r++) {
      String body =
          LongStream.range(nextId, nextId + rows)
              .mapToObj(id -> "{\"id\": " + id + "}")
              .collect(Collectors.joining(",", "[", "]"));
      nextId += rows;
      appends.append(
          EVENTS,
          new RowBody(RowFormat.JSON, body.getBytes(StandardCharsets.UTF_8)),
          Optional.empty());
    }
  }

  private Map<Integer, Long> highWatermarks() {
    return tables.describe(EVENTS).buckets().stream()
        .collect(Collectors.toMap(h -> h.bucket(), h -> h.nextOffset()));
  }

  /** Every id written is in the lake exactly once, and the lake's offsets are the log's ends. */
  private void assertExactlyOnce(TestingLakeFormat lake) {
    List<Object> ids = lake.rows(EVENTS).stream().map(r -> r.get("id")).toList();
    assertThat(ids).hasSize((int) nextId).doesNotHaveDuplicates();
    assertThat(lake.createOrLoad(table).latestTiered().map(LakeSnapshot::offsets))
        .contains(LogOffsets.ofBuckets(highWatermarks()));
  }

  @Test
  void tiersEveryRowOnceIntoEachFormatAndOnlyNewRowsLater() {
    write(6, 10);
    TieringService.Result first = tiering.tier(table, "runner-a");
    assertThat(first.formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsExactly(TieringService.Outcome.TIERED, TieringService.Outcome.TIERED);
    assertExactlyOnce(paimon);
    assertExactlyOnce(iceberg);
    assertThat(paimon.rows(EVENTS)).allSatisfy(row -> assertThat(row.get("_bucket")).isNotNull());

    assertThat(tiering.tier(table, "runner-a").formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsOnly(TieringService.Outcome.UP_TO_DATE);

    write(4, 5);
    tiering.tier(table, "runner-a");
    assertExactlyOnce(paimon);
    assertExactlyOnce(iceberg);
    assertThat(
            metadata.tieringState(table.tableId(), LakeFormatName.ICEBERG).orElseThrow().inline())
        .isEqualTo(LogOffsets.ofBuckets(highWatermarks()));
  }

  @Test
  void aLostCommitAnswerIsNeverWrittenTwice() {
    write(5, 10);
    paimon.nextCommit = TestingLakeFormat.Failure.LOST_ANSWER;
    assertThat(tiering.tier(table, "runner-a").formats().get(0).outcome())
        .isEqualTo(TieringService.Outcome.UNKNOWN);
    assertThat(paimon.aborted).hasValue(0);

    write(2, 3);
    tiering.tier(table, "runner-a");
    assertExactlyOnce(paimon);
  }

  @Test
  void aCommitThatFailedBeforeApplyingIsWrittenByTheNextRun() {
    write(5, 10);
    iceberg.nextCommit = TestingLakeFormat.Failure.UNKNOWN_NOT_APPLIED;
    assertThat(tiering.tier(table, "runner-a").formats().get(1).outcome())
        .isEqualTo(TieringService.Outcome.UNKNOWN);
    assertThat(iceberg.rows(EVENTS)).isEmpty();

    tiering.tier(table, "runner-a");
    assertExactlyOnce(iceberg);
  }

  @Test
  void aRunThatLostItsLeaseMidRunIsRefusedAndTheOtherRunsRowsStandOnce() {
    write(6, 10);
    AtomicReference<TieringService.Result> takeover = new AtomicReference<>();
    paimon.duringWrite =
        bucket -> {
          if (bucket == 1 && takeover.get() == null) {
            paimon.duringWrite = b -> {};
            // The first run stalls past its lease; another runner takes over and commits.
            clock.advance(limits.leaseTtl().plusSeconds(1));
            takeover.set(service().tier(table, "runner-b"));
          }
        };
    TieringService.Result stalled = tiering.tier(table, "runner-a");

    assertThat(takeover.get().leased()).isTrue();
    assertThat(takeover.get().formats().get(0).outcome()).isEqualTo(TieringService.Outcome.TIERED);
    assertThat(stalled.formats().get(0).outcome()).isEqualTo(TieringService.Outcome.CONFLICT);
    assertThat(paimon.aborted).hasValue(1);
    assertExactlyOnce(paimon);
    assertExactlyOnce(iceberg);
  }

  @Test
  void aSecondRunnerWaitsWhileTheLeaseIsHeld() {
    write(1, 1);
    LeaseManager leases = new LeaseManager(metadata, clock);
    assertThat(leases.acquire(table.tableId(), "runner-a", Duration.ofMinutes(1))).isPresent();

    TieringService.Result refused = tiering.tier(table, "runner-b");

    assertThat(refused.leased()).isFalse();
    assertThat(paimon.exists(EVENTS)).isFalse();
    clock.advance(Duration.ofMinutes(2));
    assertThat(tiering.tier(table, "runner-b").leased()).isTrue();
    assertExactlyOnce(paimon);
  }

  @Test
  void aLeaseLeftByAnEarlierProcessOfTheSameNameIsTakenOverAtOnce() {
    write(1, 1);
    // A process named runner-a died holding the lease; it was started again under that name.
    Lease left =
        new LeaseManager(metadata, clock)
            .acquire(table.tableId(), "runner-a", Duration.ofMinutes(1))
            .orElseThrow();

    assertThat(tiering.tier(table, "runner-a").leased()).isTrue();
    assertThat(metadata.lease(table.tableId()).orElseThrow().epoch()).isGreaterThan(left.epoch());
    assertExactlyOnce(paimon);
  }

  @Test
  void boundsOneRunAndFinishesInTheNext() {
    write(10, 10);
    TieringService small =
        new TieringService(
            metadata,
            objects,
            LakeFormats.of(paimon, iceberg),
            allocator,
            clock,
            new TieringService.Limits(25, Duration.ofMinutes(5)));
    small.tier(table, "runner-a");
    assertThat(paimon.rows(EVENTS)).hasSize(25);
    for (int run = 0; run < 4; run++) {
      small.tier(table, "runner-a");
    }
    assertExactlyOnce(paimon);
  }
}
