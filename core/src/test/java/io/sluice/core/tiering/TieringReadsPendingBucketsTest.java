package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingSluice;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.CommitResult;
import io.sluice.core.metadata.CountingMetadataStore;
import io.sluice.core.metadata.CountingMetadataStore.Count;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tiering run reads the heads of the buckets marked pending only, clears their marks once every
 * lake holds them, and reads every bucket once an hour for heads that carry no mark.
 */
class TieringReadsPendingBucketsTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final LocalDate FIRST_DAY = LocalDate.parse("2026-01-01");
  private static final int DAYS = 200;
  private static final int BUCKETS = 2;

  private final TestingSluice sluice = new TestingSluice();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TestingLakeFormat iceberg = new TestingLakeFormat(LakeFormatName.ICEBERG);
  private final LakeFormats lakes = LakeFormats.of(paimon, iceberg);
  private TableEntry table;
  private long nextId;

  @BeforeEach
  void createTable() {
    table =
        sluice.create(
            EVENTS,
            """
            {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                         {"name": "t", "type": "timestamp", "nullable": false}],
             "partitionBy": ["day(t)"], "bucketKey": ["id"], "buckets": %d,
             "lake": {"formats": ["paimon", "iceberg"]}}
            """
                .formatted(BUCKETS));
  }

  @AfterEach
  void close() {
    sluice.close();
  }

  private TieringService tiering(MetadataStore metadata, long maxRowsPerRun) {
    return new TieringService(
        metadata,
        sluice.objects(),
        lakes,
        sluice.allocator(),
        sluice.clock(),
        new TieringService.Limits(maxRowsPerRun, Duration.ofMinutes(5)));
  }

  private static String partition(int day) {
    return "t_day=" + FIRST_DAY.plusDays(day);
  }

  /** Appends {@code rows} rows with fresh ids to each of {@code days}, as one write. */
  private CommitResult write(int rows, int... days) {
    StringBuilder body = new StringBuilder();
    for (int day : days) {
      for (int r = 0; r < rows; r++) {
        body.append(body.isEmpty() ? "[" : ",")
            .append(
                "{\"id\": %d, \"t\": \"%sT10:00:00\"}"
                    .formatted(nextId++, FIRST_DAY.plusDays(day)));
      }
    }
    sluice.clock().advance(Duration.ofMillis(1));
    return sluice.append(EVENTS, body.append("]").toString());
  }

  private Set<TableBucket> pending() {
    return Set.copyOf(sluice.metadata().pendingBuckets(table.tableId()));
  }

  private TieringService.Result tier(TieringService tiering) {
    TieringService.Result result = tiering.tier(table, "runner");
    assertThat(result.leased()).isTrue();
    return result;
  }

  /** Every id written is in both lakes exactly once. */
  private void assertEveryRowTieredOnce() {
    for (TestingLakeFormat lake : List.of(paimon, iceberg)) {
      assertThat(lake.rows(EVENTS).stream().map(row -> row.get("id")))
          .as("%s holds every row once", lake.name())
          .hasSize((int) nextId)
          .doesNotHaveDuplicates();
    }
  }

  private Map<PartitionBucket, Long> lakeOffsets(TestingLakeFormat lake) {
    return lake.createOrLoad(table).latestTiered().map(LakeSnapshot::offsets).orElse(Map.of());
  }

  @Test
  void aRunReadsTheHeadsOfOnlyThePartitionsWithNewRows() {
    int[] everyDay = LongStream.range(0, DAYS).mapToInt(day -> (int) day).toArray();
    write(2, everyDay);
    CountingMetadataStore first = new CountingMetadataStore(sluice.metadata());
    tier(tiering(first, 1_000_000));
    assertThat(first.count(Count.HEAD_READS))
        .as("the first run has no tiering state: it reads every bucket in both formats")
        .isEqualTo(2L * DAYS * BUCKETS);
    assertEveryRowTieredOnce();
    assertThat(pending()).isEmpty();

    write(3, 7, 42, 199);
    Set<TableBucket> marked = pending();
    assertThat(marked)
        .extracting(TableBucket::partition)
        .containsOnly(partition(7), partition(42), partition(199));
    CountingMetadataStore counted = new CountingMetadataStore(sluice.metadata());

    TieringService.Result result = tier(tiering(counted, 1_000_000));

    assertThat(result.formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsOnly(TieringService.Outcome.TIERED);
    assertThat(counted.count(Count.HEAD_READS))
        .as("one head read per marked bucket and format, of %d buckets", DAYS * BUCKETS)
        .isEqualTo(2L * marked.size());
    assertThat(counted.count(Count.PENDING_QUERIES)).isEqualTo(1);
    assertThat(counted.count(Count.PENDING_CLEARS)).isEqualTo(marked.size());
    assertThat(pending()).as("nothing is pending after the run").isEmpty();
    assertEveryRowTieredOnce();

    CountingMetadataStore idle = new CountingMetadataStore(sluice.metadata());
    assertThat(tier(tiering(idle, 1_000_000)).formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsOnly(TieringService.Outcome.UP_TO_DATE);
    assertThat(idle.count(Count.HEAD_READS)).as("nothing new, nothing read").isZero();
  }

  @Test
  void rowsAppendedDuringARunKeepTheirBucketPending() {
    write(2, 0, 1, 2);
    tier(tiering(sluice.metadata(), 1_000_000));
    write(10, 1);
    assertThat(pending()).hasSize(BUCKETS);
    AtomicBoolean appended = new AtomicBoolean();
    Map<String, CommitResult> late = new HashMap<>();
    // Appends once both formats have read the heads and committed, before the marks are cleared.
    MetadataStore writerMeanwhile =
        new DelegatingMetadataStore(sluice.metadata()) {
          @Override
          public void putTieringState(TieringState state) {
            super.putTieringState(state);
            if (state.format() == LakeFormatName.ICEBERG && appended.compareAndSet(false, true)) {
              late.put("late", write(1, 1));
            }
          }
        };

    tier(tiering(writerMeanwhile, 1_000_000));

    CommitResult.BucketOffsets lateBucket = late.get("late").buckets().get(0);
    TableBucket written =
        new TableBucket(table.tableId(), lateBucket.partition(), lateBucket.bucket());
    assertThat(pending()).as("the row appended after the heads were read").containsExactly(written);
    assertThat(lakeOffsets(iceberg).get(written.partitionBucket()))
        .isEqualTo(lateBucket.baseOffset());

    tier(tiering(sluice.metadata(), 1_000_000));
    assertThat(pending()).isEmpty();
    assertEveryRowTieredOnce();
  }

  @Test
  void aRunCutShortByTheRowBudgetLeavesTheRestPendingForTheNext() {
    write(10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    TieringService small = tiering(sluice.metadata(), 25);

    tier(small);

    assertThat(paimon.rows(EVENTS)).hasSizeBetween(25, 34);
    assertThat(pending()).as("the buckets not tiered to their heads").isNotEmpty();
    for (TableBucket bucket : pending()) {
      assertThat(lakeOffsets(paimon).getOrDefault(bucket.partitionBucket(), 0L))
          .isLessThan(sluice.metadata().head(bucket).nextOffset());
    }
    for (int run = 0; run < 5 && !pending().isEmpty(); run++) {
      tier(small);
    }
    assertThat(pending()).isEmpty();
    assertEveryRowTieredOnce();
  }

  @Test
  void aCommitOfUnknownOutcomeKeepsTheMarksUntilARunFindsTheRowsInTheLake() {
    write(2, 3, 4);
    tier(tiering(sluice.metadata(), 1_000_000));
    write(2, 5);
    Set<TableBucket> marked = pending();
    iceberg.nextCommit = TestingLakeFormat.Failure.LOST_ANSWER;

    assertThat(tier(tiering(sluice.metadata(), 1_000_000)).formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsExactly(TieringService.Outcome.TIERED, TieringService.Outcome.UNKNOWN);
    assertThat(pending()).isEqualTo(marked);

    assertThat(tier(tiering(sluice.metadata(), 1_000_000)).formats())
        .extracting(TieringService.FormatResult::outcome)
        .containsOnly(TieringService.Outcome.UP_TO_DATE);
    assertThat(pending()).isEmpty();
    assertEveryRowTieredOnce();
  }

  @Test
  void theHourlyFullPassTiersAHeadThatCarriesNoMark() {
    write(2, 0, 1, 2, 3);
    tier(tiering(sluice.metadata(), 1_000_000));
    // Rows whose head carries no mark: written before heads were marked, say.
    CommitResult.BucketOffsets unmarked = write(1, 2).buckets().get(0);
    TableBucket bucket = new TableBucket(table.tableId(), unmarked.partition(), unmarked.bucket());
    sluice.metadata().clearPending(bucket, unmarked.baseOffset() + 1);
    assertThat(pending()).isEmpty();

    sluice.clock().advance(TieringService.FULL_PASS_INTERVAL.minusMinutes(1));
    CountingMetadataStore counted = new CountingMetadataStore(sluice.metadata());
    tier(tiering(counted, 1_000_000));
    assertThat(counted.count(Count.HEAD_READS)).isZero();
    assertThat(lakeOffsets(paimon).get(bucket.partitionBucket()))
        .as("not read within the hour")
        .isEqualTo(unmarked.baseOffset());

    sluice.clock().advance(Duration.ofMinutes(2));
    CountingMetadataStore full = new CountingMetadataStore(sluice.metadata());
    tier(tiering(full, 1_000_000));
    assertThat(full.count(Count.HEAD_READS)).isEqualTo(2L * 4 * BUCKETS);
    assertEveryRowTieredOnce();
    assertThat(sluice.metadata().tieringState(table.tableId(), LakeFormatName.PAIMON))
        .flatMap(TieringState::lastFullPass)
        .contains(sluice.clock().instant());

    CountingMetadataStore after = new CountingMetadataStore(sluice.metadata());
    tier(tiering(after, 1_000_000));
    assertThat(after.count(Count.HEAD_READS)).as("the next full pass is an hour away").isZero();
  }

  @Test
  void aCallerNamesTheBucketsItSawBehindAndTheRunReadsThemAtOnce() {
    write(2, 0, 1);
    tier(tiering(sluice.metadata(), 1_000_000));
    CommitResult.BucketOffsets unmarked = write(1, 1).buckets().get(0);
    PartitionBucket behind = new PartitionBucket(unmarked.partition(), unmarked.bucket());
    sluice.metadata().clearPending(behind.in(table.tableId()), unmarked.baseOffset() + 1);

    tiering(sluice.metadata(), 1_000_000).tier(table, "runner", Set.of(behind));

    assertThat(lakeOffsets(paimon).get(behind)).isEqualTo(unmarked.baseOffset() + 1);
    assertThat(lakeOffsets(iceberg).get(behind)).isEqualTo(unmarked.baseOffset() + 1);
    assertEveryRowTieredOnce();
  }
}
