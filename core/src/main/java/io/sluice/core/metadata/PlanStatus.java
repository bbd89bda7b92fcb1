package io.sluice.core.metadata;

/** Where a write plan stands. */
public enum PlanStatus {
  /** Planned; some buckets may be applied. Anyone who finds it rolls it forward. */
  PENDING,
  /** Every bucket applied; the plan holds the answer. */
  DONE,
  /**
   * Never applied and never will be: a tombstone GC put to delete an unplanned object, or a group
   * that lost one of its members' claims before any bucket was applied.
   */
  ABORTED
}
