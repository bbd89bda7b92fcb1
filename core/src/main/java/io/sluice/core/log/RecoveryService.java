package io.sluice.core.log;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import java.util.concurrent.Executor;

/** Rolls forward the plans a crashed or stalled writer left pending. */
public final class RecoveryService {
  private final MetadataStore metadata;
  private final PlanApplier applier;

  public RecoveryService(MetadataStore metadata, Executor executor) {
    this.metadata = metadata;
    this.applier = new PlanApplier(metadata, executor);
  }

  /**
   * Completes every pending plan of a table; safe to race with writers and retries.
   *
   * @return how many plans it completed
   */
  public int recover(String tableId) {
    int completed = 0;
    for (Plan plan : metadata.pendingPlans(tableId)) {
      applier.rollForward(plan);
      completed++;
    }
    return completed;
  }
}
