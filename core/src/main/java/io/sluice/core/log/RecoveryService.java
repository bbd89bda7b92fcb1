package io.sluice.core.log;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.SweepState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Settles the plans a crashed or stalled writer left pending. It reads only the plans made since
 * its last pass: plan keys sort by creation time, and no plan appears more than {@link
 * AppendCommitter#MAX_PLAN_DELAY} after its key was made, so every plan older than {@link #DELAY}
 * that a pass did not find was settled or never existed.
 */
public final class RecoveryService {
  /**
   * Plans younger than this are left to their writers. A plan is checked against {@link
   * AppendCommitter#MAX_PLAN_DELAY} just before it is put; the minute beyond covers that put's own
   * time (one store call, bounded by the store client's call timeout) and the skew between the
   * writer's clock and this one.
   */
  public static final Duration DELAY = AppendCommitter.MAX_PLAN_DELAY.plusSeconds(60);

  /** At most this many plans are read in one pass; the next pass goes on from there. */
  static final int PLANS_PER_PASS = 2000;

  private static final Logger LOG = Logger.getLogger(RecoveryService.class.getName());

  private final MetadataStore metadata;
  private final PlanApplier applier;
  private final Clock clock;
  private final Duration delay;

  public RecoveryService(MetadataStore metadata, Executor executor, Clock clock) {
    this(metadata, executor, clock, DELAY);
  }

  /** A recovery that settles plans {@code delay} old (tests that drive it by hand use zero). */
  public RecoveryService(MetadataStore metadata, Executor executor, Clock clock, Duration delay) {
    if (delay.compareTo(AppendCommitter.MAX_PLAN_DELAY) < 0) {
      // Allowed for tests with no concurrent writers; a real deployment keeps the default.
      LOG.fine("Recovery delay " + delay + " is shorter than plans may appear late");
    }
    this.metadata = metadata;
    this.applier = new PlanApplier(metadata, executor);
    this.clock = clock;
    this.delay = delay;
  }

  /**
   * Settles the pending plans of a table made since the last pass and at least the delay ago; safe
   * to race with writers, retries and other recoveries.
   *
   * @return how many pending plans it settled
   */
  public int recover(String tableId) {
    SweepState state = metadata.sweepState(tableId);
    String to = PlanKeys.at(clock.instant().minus(delay));
    if (state.recoveredUpTo().compareTo(to) >= 0) {
      return 0;
    }
    List<Plan> plans = metadata.plans(tableId, state.recoveredUpTo(), to, PLANS_PER_PASS);
    String cursor =
        plans.size() < PLANS_PER_PASS ? to : PlanKeys.after(plans.get(plans.size() - 1).planKey());
    int settled = 0;
    for (Plan plan : plans) {
      if (!plan.status().isLive()) {
        continue;
      }
      try {
        applier.rollForward(plan);
        settled++;
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "Cannot settle plan " + plan.planKey() + " of table " + tableId + " yet",
            e);
        cursor = plan.planKey(); // the next pass starts here again
        break;
      }
    }
    if (!cursor.equals(state.recoveredUpTo())) {
      metadata.putSweepState(metadata.sweepState(tableId).withRecoveredUpTo(cursor));
    }
    return settled;
  }
}
