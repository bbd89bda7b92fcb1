package io.sluice.core.metadata;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A write request's plan, keyed by {@code (tableId, planKey)}: what to append to which bucket, and,
 * once {@code DONE}, the answer. {@code liveBuckets} are the buckets whose slices still point into
 * the segment (GC removes them as it drops slices).
 */
public record Plan(
    String tableId,
    String planKey,
    String requestId,
    String bodyHash,
    String segmentKey,
    int schemaId,
    Instant commitTimestamp,
    List<PlanPart> parts,
    Set<Integer> liveBuckets,
    PlanStatus status,
    Instant createdAt) {

  public Plan {
    parts = List.copyOf(parts);
    liveBuckets = Set.copyOf(liveBuckets);
  }

  /** A tombstone at {@code planKey}: no request can commit under this key any more. */
  public static Plan tombstone(String tableId, String planKey, Instant now) {
    return new Plan(
        tableId, planKey, "", "", "", 0, now, List.of(), Set.of(), PlanStatus.ABORTED, now);
  }

  /** The total number of rows this plan appends. */
  public long rows() {
    return parts.stream().mapToLong(PlanPart::rows).sum();
  }
}
