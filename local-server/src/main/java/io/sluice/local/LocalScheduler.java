package io.sluice.local;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.sluice.core.tiering.ScheduledRun;
import io.sluice.function.SluiceConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Runs the scheduled function's work every second, as the cloud schedule does every minute. */
public class LocalScheduler {
  @Inject ScheduledRun run;

  @Scheduled(
      every = "${sluice.scheduler.every}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = Disabled.class)
  void tick() {
    run.runOnce();
  }

  /** Skips every tick when {@code sluice.scheduler.enabled=false}. */
  @Singleton
  public static class Disabled implements Scheduled.SkipPredicate {
    @Inject SluiceConfig config;

    @Override
    public boolean test(ScheduledExecution execution) {
      return !config.scheduler().enabled();
    }
  }
}
