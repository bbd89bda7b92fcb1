package io.sluice.core.metadata;

/** Where a write plan stands. */
public enum PlanStatus {
  /**
   * Planned; its members' claims are being made. A plan without members is applied from here; one
   * with members only once it is {@link #APPLYING}. Anyone who finds it rolls it forward.
   */
  PENDING,
  /**
   * Every member's claim is held and some buckets may be applied; it can no longer be aborted.
   * Anyone who finds it rolls it forward.
   */
  APPLYING,
  /** Every bucket applied; the plan holds the answer. */
  DONE,
  /**
   * Never applied and never will be: a tombstone GC put to delete an unplanned object, or a group
   * that lost one of its members' claims before any bucket was applied.
   */
  ABORTED;

  /** Whether a plan in this state is still to be rolled forward. */
  public boolean isLive() {
    return this == PENDING || this == APPLYING;
  }
}
