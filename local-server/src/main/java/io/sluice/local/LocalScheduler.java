package io.sluice.local;

import io.quarkus.scheduler.Scheduled;
import io.sluice.core.tiering.ScheduledRun;
import jakarta.inject.Inject;

/** Runs the scheduled function's work every second, as the cloud schedule does every minute. */
public class LocalScheduler {
  @Inject ScheduledRun run;

  @Scheduled(
      every = "${sluice.scheduler.every:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = Disabled.class)
  void tick() {
    run.runOnce();
  }

  /**
   * Skips every tick when {@code sluice.scheduler.enabled=false} (tests that drive work by hand).
   */
  @jakarta.inject.Singleton
  public static class Disabled implements Scheduled.SkipPredicate {
    @org.eclipse.microprofile.config.inject.ConfigProperty(
        name = "sluice.scheduler.enabled",
        defaultValue = "true")
    boolean enabled;

    @Override
    public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
      return !enabled;
    }
  }
}
