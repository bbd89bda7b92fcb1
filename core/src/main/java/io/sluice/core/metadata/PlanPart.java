package io.sluice.core.metadata;

/**
 * One bucket's share of a write plan: its rows and byte range in the segment, the bucket's {@code
 * nextOffset} when the plan was made (applied slices are searched from there), and, once the plan
 * is done, the base offset the rows got ({@code -1} before).
 */
public record PlanPart(
    int bucket, long rows, long byteOffset, long byteLength, long floorOffset, long baseOffset) {

  /** This part with the base offset it was applied at. */
  public PlanPart appliedAt(long offset) {
    return new PlanPart(bucket, rows, byteOffset, byteLength, floorOffset, offset);
  }
}
