package io.sluice.core.metadata;

import java.time.Instant;
import java.util.List;

/**
 * A group commit's plan, keyed by {@code (tableId, planKey)}: the segment it wrote, what to append
 * to which bucket, the requests in it that a retry must find again ({@link PlanMember}), and, once
 * {@code DONE}, where each part went (GC deletes the segment once every bucket's log starts past
 * its part). Plan keys sort by creation time ({@link io.sluice.core.log.PlanKeys}), so the sweeps
 * read the plans made since a remembered key.
 */
public record Plan(
    String tableId,
    String planKey,
    String segmentKey,
    int schemaId,
    Instant commitTimestamp,
    List<PlanPart> parts,
    List<PlanMember> members,
    PlanStatus status,
    Instant createdAt) {

  public Plan {
    parts = List.copyOf(parts);
    members = List.copyOf(members);
  }

  /** A tombstone at {@code planKey}: no group can commit under this key any more. */
  public static Plan tombstone(String tableId, String planKey, Instant now) {
    return new Plan(tableId, planKey, "", 0, now, List.of(), List.of(), PlanStatus.ABORTED, now);
  }

  /**
   * The slice one of its parts makes at {@code base} in a bucket whose last commit was at {@code
   * lastTimestamp}: stamped with the plan's commit time, or with the bucket's last one if that is
   * later, so that a bucket's times never go back.
   */
  public Slice slice(PlanPart part, long base, Instant lastTimestamp) {
    return new Slice(
        base,
        part.rows(),
        segmentKey,
        part.byteOffset(),
        part.byteLength(),
        schemaId,
        commitTimestamp.isAfter(lastTimestamp) ? commitTimestamp : lastTimestamp,
        planKey);
  }

  /** This plan with another status and parts. */
  public Plan with(PlanStatus newStatus, List<PlanPart> newParts) {
    return new Plan(
        tableId,
        planKey,
        segmentKey,
        schemaId,
        commitTimestamp,
        newParts,
        members,
        newStatus,
        createdAt);
  }

  /** The total number of rows this plan appends. */
  public long rows() {
    return parts.stream().mapToLong(PlanPart::rows).sum();
  }

  /** Whether this is a tombstone rather than a plan that wrote a segment. */
  public boolean isTombstone() {
    return segmentKey.isEmpty();
  }
}
