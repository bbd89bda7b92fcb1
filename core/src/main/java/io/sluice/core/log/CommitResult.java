package io.sluice.core.log;

import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The answer to a committed write: its rows, commit time and where each bucket's rows went. */
public record CommitResult(long rows, Instant commitTimestamp, List<BucketOffsets> buckets) {

  /** One bucket's rows: {@code count} rows from {@code baseOffset}. */
  public record BucketOffsets(int bucket, long baseOffset, long count) {}

  public CommitResult {
    buckets = List.copyOf(buckets);
  }

  /** The answer of the request whose rows lie at {@code ranges} within a done plan's parts. */
  public static CommitResult of(Plan done, List<PlanMember.Range> ranges) {
    List<BucketOffsets> buckets =
        ranges.stream()
            .sorted(Comparator.comparingInt(PlanMember.Range::bucket))
            .map(r -> new BucketOffsets(r.bucket(), base(done, r.bucket()) + r.start(), r.count()))
            .toList();
    long rows = ranges.stream().mapToLong(PlanMember.Range::count).sum();
    return new CommitResult(rows, done.commitTimestamp(), buckets);
  }

  private static long base(Plan done, int bucket) {
    for (PlanPart part : done.parts()) {
      if (part.bucket() == bucket) {
        return part.baseOffset();
      }
    }
    throw new IllegalStateException(
        "Plan " + done.planKey() + " of table " + done.tableId() + " has no part in " + bucket);
  }
}
