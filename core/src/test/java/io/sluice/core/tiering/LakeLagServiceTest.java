package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingClock;
import io.sluice.core.TestingSluice;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lag operators watch: untiered rows and bytes, and the lake's freshness. */
class LakeLagServiceTest {
  private static final TableName EVENTS = TableName.parse("events");

  private final TestingSluice sluice = new TestingSluice();
  private final TestingClock clock = sluice.clock();
  private final TableService tables = sluice.tables();
  private final TieringService tiering =
      sluice.tiering(LakeFormats.of(new TestingLakeFormat(LakeFormatName.PAIMON)));
  private final LakeLagService lags =
      new LakeLagService(sluice.metadata(), OffsetsFiles.INLINE, clock);

  @AfterEach
  void close() {
    sluice.close();
  }

  private void write(long from, long to) {
    sluice.append(
        EVENTS,
        LongStream.range(from, to)
            .mapToObj(id -> "{\"id\": " + id + "}")
            .collect(Collectors.joining(",", "[", "]")));
  }

  @Test
  void countsUntieredRowsAndMeasuresFreshnessFromTheNewestTieredRow() {
    sluice.create(
        EVENTS,
        """
        {"columns": [{"name": "id", "type": "bigint"}], "buckets": 2,
         "lake": {"formats": ["paimon"]}}
        """);
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
