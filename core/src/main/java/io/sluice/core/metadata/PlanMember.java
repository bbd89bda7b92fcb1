package io.sluice.core.metadata;

import java.util.List;

/**
 * A request of a group commit that carried an {@code Idempotency-Key}: the key's claim ({@link
 * Claim}), the hash of its body, and where its rows lie within each of the plan's parts, so that a
 * retry is answered with exactly its own offsets.
 */
public record PlanMember(String claimKey, String bodyHash, List<Range> ranges) {

  /**
   * The member's {@code count} rows in {@code bucket} of {@code partition}, from rank {@code start}
   * of the part.
   */
  public record Range(String partition, int bucket, long start, long count) {

    /** A range in a bucket of an unpartitioned table. */
    public Range(int bucket, long start, long count) {
      this(TableBucket.UNPARTITIONED, bucket, start, count);
    }
  }

  public PlanMember {
    ranges = List.copyOf(ranges);
  }
}
