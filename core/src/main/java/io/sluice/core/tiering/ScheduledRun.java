package io.sluice.core.tiering;

import io.sluice.core.log.RecoveryService;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the scheduled function does on every run: visits every table, rolls its pending writes
 * forward, tiers it when its freshness has elapsed, maintains its lake now and then, drops its
 * expired partitions ({@link PartitionRetention}), and applies retention and garbage collection.
 * One table's failure never stops the others.
 */
public final class ScheduledRun {
  private static final Logger LOG = Logger.getLogger(ScheduledRun.class.getName());

  private final MetadataStore metadata;
  private final RecoveryService recovery;
  private final TieringService tiering;
  private final RetentionService retention;
  private final PartitionRetention partitions;
  private final Clock clock;
  private final String owner;
  private final Intervals intervals;
  private final Map<String, Instant> lastTiered = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastMaintained = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastOrphanSweep = new ConcurrentHashMap<>();

  /** How often the slower kinds of work run per table. */
  public record Intervals(Duration maintenance, Duration orphanSweep) {
    public static final Intervals DEFAULT =
        new Intervals(Duration.ofMinutes(10), Duration.ofMinutes(10));
  }

  public ScheduledRun(
      MetadataStore metadata,
      RecoveryService recovery,
      TieringService tiering,
      RetentionService retention,
      Clock clock,
      String owner,
      Intervals intervals) {
    this.metadata = metadata;
    this.recovery = recovery;
    this.tiering = tiering;
    this.retention = retention;
    this.partitions = new PartitionRetention(metadata, retention, tiering, clock);
    this.clock = clock;
    this.owner = owner;
    this.intervals = intervals;
  }

  /** One pass over every table; returns how many tables it visited without failure. */
  public int runOnce() {
    int visited = 0;
    for (TableEntry table : metadata.tables()) {
      try {
        runOnce(table);
        visited++;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Scheduled work on table " + table.name() + " failed", e);
      }
    }
    return visited;
  }

  /** One pass over one table: what {@link #runOnce()} does for each. */
  public void runOnce(TableEntry table) {
    Instant now = clock.instant();
    recovery.recover(table.tableId());
    if (!table.definition().lakeFormats().isEmpty()) {
      if (due(lastTiered, table, table.definition().freshness(), now)) {
        tiering.tier(table, owner);
      }
      if (due(lastMaintained, table, intervals.maintenance(), now)) {
        tiering.maintain(table, owner);
      }
    }
    try {
      partitions.run(table, owner);
    } catch (RuntimeException e) {
      // Retention and GC of the live partitions go on; the next pass tries the drop again.
      LOG.log(Level.WARNING, "Dropping expired partitions of table " + table.name() + " failed", e);
    }
    retention.sweep(table, due(lastOrphanSweep, table, intervals.orphanSweep(), now));
  }

  /** Whether {@code interval} passed since the work was last done here; if so, marks it done. */
  private static boolean due(
      Map<String, Instant> last, TableEntry table, Duration interval, Instant now) {
    Instant previous = last.get(table.tableId());
    if (previous != null && previous.plus(interval).isAfter(now)) {
      return false;
    }
    last.put(table.tableId(), now);
    return true;
  }
}
