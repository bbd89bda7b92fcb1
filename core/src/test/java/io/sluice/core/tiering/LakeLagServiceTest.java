package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.AppendCommitter;
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
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lag operators watch: untiered rows and bytes, and the lake's freshness. */
class LakeLagServiceTest {
  private static final TableName EVENTS = TableName.parse("events");

  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-25T08:00:00Z"));
  private final RootAllocator allocator = new RootAllocator();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final TestingObjectStore objects = new TestingObjectStore();
  private final TableService tables = new TableService(metadata, clock);
  private final AppendService appends =
      new AppendService(
          tables,
          new AppendCommitter(objects, metadata, executor, clock),
          allocator,
          new LogWaiter());
  private final TieringService tiering =
      new TieringService(
          metadata,
          objects,
          LakeFormats.of(new TestingLakeFormat(LakeFormatName.PAIMON)),
          allocator,
          clock,
          new TieringService.Limits(1_000_000, Duration.ofMinutes(5)));
  private final LakeLagService lags = new LakeLagService(metadata, clock);

  @AfterEach
  void close() {
    executor.shutdownNow();
    allocator.close();
  }

  private void write(long from, long to) {
    String body =
        LongStream.range(from, to)
            .mapToObj(id -> "{\"id\": " + id + "}")
            .collect(Collectors.joining(",", "[", "]"));
    appends.append(
        EVENTS,
        new RowBody(RowFormat.JSON, body.getBytes(StandardCharsets.UTF_8)),
        Optional.empty());
  }

  @Test
  void countsUntieredRowsAndMeasuresFreshnessFromTheNewestTieredRow() {
    tables.create(
        EVENTS,
        TableDefinitionJson.parse(
            "create",
            """
            {"columns": [{"name": "id", "type": "bigint"}], "buckets": 2,
             "lake": {"formats": ["paimon"]}}
            """));
    write(0, 10);
    List<LakeLag> before = lags.lag(tables.table(EVENTS));
    assertThat(before)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.rows()).isEqualTo(10);
              assertThat(l.bytes()).isPositive();
              assertThat(l.freshness()).as("the lake holds nothing yet").isEmpty();
            });

    Instant tieredRowsCommitted = clock.instant();
    clock.advance(Duration.ofSeconds(5));
    tiering.tier(tables.table(EVENTS), "runner");
    clock.advance(Duration.ofSeconds(7));
    write(10, 13);
    write(13, 20);
    clock.advance(Duration.ofSeconds(3));

    LakeLag after = lags.lag(tables.table(EVENTS)).get(0);
    assertThat(after.rows()).isEqualTo(10);
    assertThat(after.bytes()).isPositive();
    assertThat(after.freshness()).contains(Duration.between(tieredRowsCommitted, clock.instant()));

    tiering.tier(tables.table(EVENTS), "runner");
    LakeLag caughtUp = lags.lag(tables.table(EVENTS)).get(0);
    assertThat(caughtUp.rows()).isZero();
    assertThat(caughtUp.bytes()).isZero();
    assertThat(caughtUp.freshness()).contains(Duration.ofSeconds(3));
  }
}
