package io.sluice.core.log;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.time.Clock;
import java.util.Optional;

/**
 * Decides whether a segment object that no slice points to may be deleted. An object with no plan
 * is claimed with an {@code aborted} tombstone at its plan key first, so a late writer can never
 * commit into a deleted object.
 */
public final class SegmentGc {
  private final MetadataStore metadata;
  private final Clock clock;

  public SegmentGc(MetadataStore metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /**
   * Whether a segment object that was never planned may be deleted: true when another attempt's
   * plan (or a tombstone) holds its plan key, or when this call put the tombstone; false when its
   * own plan exists or the outcome is unknown (keep it; a later run decides).
   */
  public boolean claimUnplanned(String tableId, String segmentKey) {
    Optional<String> planKey = SegmentKeys.planKeyOf(segmentKey);
    if (planKey.isEmpty()) {
      return false;
    }
    Optional<Plan> existing = metadata.plan(tableId, planKey.get());
    if (existing.isPresent()) {
      return !existing.get().segmentKey().equals(segmentKey);
    }
    try {
      metadata.putPlan(Plan.tombstone(tableId, planKey.get(), clock.instant()));
      return true;
    } catch (CommitConflictException e) {
      return metadata
          .plan(tableId, planKey.get())
          .map(plan -> !plan.segmentKey().equals(segmentKey))
          .orElse(false);
    } catch (CommitStateUnknownException e) {
      return false;
    }
  }
}
