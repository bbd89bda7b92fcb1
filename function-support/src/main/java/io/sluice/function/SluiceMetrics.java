package io.sluice.function;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/** Per-table counters and latencies of writes and reads, published at /q/metrics. */
@ApplicationScoped
public class SluiceMetrics {
  @Inject MeterRegistry registry;

  /** A write request answered (200 or otherwise) after {@code elapsed}. */
  public void written(String table, long rows, long bytes, int status, Duration elapsed) {
    registry
        .counter("sluice.write.requests", "table", table, "status", Integer.toString(status))
        .increment();
    if (status == 200) {
      registry.counter("sluice.write.rows", "table", table).increment(rows);
      registry.counter("sluice.write.bytes", "table", table).increment(bytes);
    }
    Timer.builder("sluice.write.latency")
        .tag("table", table)
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(elapsed);
  }

  /** A log read answered with {@code rows} rows of {@code bytes} bytes (Arrow buffers). */
  public void read(String table, long rows, long bytes, Duration elapsed) {
    registry.counter("sluice.read.requests", "table", table).increment();
    registry.counter("sluice.read.rows", "table", table).increment(rows);
    registry.counter("sluice.read.bytes", "table", table).increment(bytes);
    Timer.builder("sluice.read.latency")
        .tag("table", table)
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(elapsed);
  }

  /** A scan streamed {@code rows} rows from {@code source} in {@code elapsed}. */
  public void scanned(String table, String source, long rows, Duration elapsed) {
    registry.counter("sluice.scan.rows", "table", table, "source", source).increment(rows);
    Timer.builder("sluice.scan.latency")
        .description("Time from a scan's request to its last row")
        .tags("table", table, "source", source)
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(elapsed);
  }

  /** A SQL query streamed {@code rows} result rows in {@code elapsed}. */
  public void queried(long rows, Duration elapsed) {
    registry.counter("sluice.sql.rows").increment(rows);
    Timer.builder("sluice.sql.latency")
        .description("Time from a SQL request to its last result row")
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(elapsed);
  }

  /** A commit found its bucket head moved by another writer and retried. */
  public void commitConflict() {
    registry.counter("sluice.commit.conflicts").increment();
  }
}
