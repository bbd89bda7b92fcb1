package io.sluice.function;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.TableService;
import io.sluice.core.tiering.LakeLag;
import io.sluice.core.tiering.LakeLagService;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Per table and lake format: lake freshness ({@code sluice.lake.freshness.seconds}) and log lag
 * ({@code sluice.log.lag.rows}, {@code sluice.log.lag.bytes}). Measured when metrics are scraped
 * (at most every {@value #REFRESH_MILLIS} ms), never at start-up, so a function's initialisation
 * touches no store.
 */
@Singleton
public class LakeLagMetrics {
  static final long REFRESH_MILLIS = 5_000;
  private static final Logger LOG = Logger.getLogger(LakeLagMetrics.class);

  @Inject MeterRegistry registry;
  @Inject TableService tables;
  @Inject MetadataStore metadata;
  @Inject OffsetsFiles offsetsFiles;
  @Inject Clock clock;

  private final Map<Key, LakeLag> latest = new ConcurrentHashMap<>();
  private final Set<Key> registered = ConcurrentHashMap.newKeySet();
  private volatile long refreshedAt = Long.MIN_VALUE;
  private volatile int tableCount;

  private record Key(String table, String lake) {}

  void register(@Observes StartupEvent event) {
    Gauge.builder("sluice.tables", this, LakeLagMetrics::refreshAndCount)
        .description("Tables in the catalog (scraping it refreshes the lake lag gauges)")
        .register(registry);
  }

  private synchronized double refreshAndCount() {
    long now = clock.millis();
    if (now - refreshedAt < REFRESH_MILLIS) {
      return tableCount;
    }
    refreshedAt = now;
    try {
      LakeLagService lags = new LakeLagService(metadata, offsetsFiles, clock);
      Set<Key> seen = ConcurrentHashMap.newKeySet();
      var entries = tables.list();
      for (TableEntry table : entries) {
        for (LakeLag lag : lags.lag(table)) {
          Key key = new Key(table.name().toString(), lag.format().apiName());
          seen.add(key);
          latest.put(key, lag);
          if (registered.add(key)) {
            gauge(
                "sluice.lake.freshness.seconds",
                key,
                "Now minus the commit time of the" + " newest row in the lake",
                l -> l.freshness().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN));
            gauge("sluice.log.lag.rows", key, "Rows not yet tiered", l -> l.rows());
            gauge("sluice.log.lag.bytes", key, "Bytes of slices not yet tiered", l -> l.bytes());
          }
        }
      }
      latest.keySet().retainAll(seen);
      tableCount = entries.size();
    } catch (RuntimeException e) {
      LOG.warnf(e, "Cannot measure the lake lag: %s", e.getMessage());
    }
    return tableCount;
  }

  private void gauge(String name, Key key, String description, ToDoubleFunction<LakeLag> value) {
    Gauge.builder(
            name,
            this,
            self -> {
              LakeLag lag = latest.get(key);
              return lag == null ? Double.NaN : value.applyAsDouble(lag);
            })
        .description(description)
        .tags("table", key.table(), "lake", key.lake())
        .register(registry);
  }
}
