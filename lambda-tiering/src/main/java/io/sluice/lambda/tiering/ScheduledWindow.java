package io.sluice.lambda.tiering;

import io.quarkus.arc.Unremovable;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Durations;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.function.SluiceConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * What one scheduled invocation does: a pass of the scheduled work over every table, then more
 * passes, {@code sluice.scheduler.every} apart, for up to {@code sluice.scheduler.window} (and
 * never past the function's remaining time), but only while some table that wants a freshness
 * shorter than the window keeps receiving rows. An idle deployment costs one short pass a minute.
 * Looked up by {@link TieringHandler}, so kept although nothing injects it.
 */
@Singleton
@Unremovable
public class ScheduledWindow {
  /** Left for answering when the function's time runs out. */
  static final long HEADROOM_MILLIS = 5_000;

  @Inject ScheduledRun run;
  @Inject MetadataStore metadata;
  @Inject SluiceConfig config;

  /** What an invocation did. */
  public record Summary(int passes, int tablesVisited, long millis) {}

  /** Runs passes within {@code remainingMillis} of the function's time. */
  public Summary run(long remainingMillis) throws InterruptedException {
    long start = System.nanoTime();
    Duration window = Durations.parse(config.scheduler().window());
    long every = Durations.parse(config.scheduler().every()).toMillis();
    long budget = Math.min(window.toMillis(), remainingMillis - HEADROOM_MILLIS);
    int passes = 0;
    int visited = 0;
    long logEnd = -1;
    while (true) {
      long passStart = System.nanoTime();
      visited = run.runOnce();
      passes++;
      long now = millisSince(start);
      long passMillis = millisSince(passStart);
      long nextLogEnd = logEndOfFreshTables(window);
      boolean growing = nextLogEnd > 0 && nextLogEnd != logEnd;
      logEnd = nextLogEnd;
      if (!growing || now + every + passMillis > budget) {
        return new Summary(passes, visited, millisSince(start));
      }
      Thread.sleep(every);
    }
  }

  /**
   * The sum of the high watermarks of every table whose lake freshness is shorter than the window,
   * or 0 when there is none: when it stops moving, further passes would find nothing to tier.
   */
  private long logEndOfFreshTables(Duration window) {
    long sum = 0;
    List<TableEntry> tables = metadata.tables();
    for (TableEntry table : tables) {
      if (table.definition().lakeFormats().isEmpty()
          || table.definition().freshness().compareTo(window) >= 0) {
        continue;
      }
      for (TableBucket bucket : metadata.buckets(table)) {
        sum += metadata.head(bucket).nextOffset() + 1;
      }
    }
    return sum;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
