package io.sluice.core.metadata;

/** Where a write plan stands. */
public enum PlanStatus {
  /** Planned; some buckets may be applied. Anyone who finds it rolls it forward. */
  PENDING,
  /** Every bucket applied; the plan holds the answer. */
  DONE,
  /** A tombstone: GC took the object, so the key can never commit. */
  ABORTED
}
