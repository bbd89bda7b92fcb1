package io.sluice.core.log;

import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.TableBucket;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The answer to a committed write: its rows, commit time and where each bucket's rows went. */
public record CommitResult(long rows, Instant commitTimestamp, List<BucketOffsets> buckets) {

  /** One bucket's rows: {@code count} rows from {@code baseOffset}. */
  public record BucketOffsets(String partition, int bucket, long baseOffset, long count) {

    /** A bucket of an unpartitioned table. */
    public BucketOffsets(int bucket, long baseOffset, long count) {
      this(TableBucket.UNPARTITIONED, bucket, baseOffset, count);
    }
  }

  public CommitResult {
    buckets = List.copyOf(buckets);
  }

  /** The answer of the request whose rows lie at {@code ranges} within a done plan's parts. */
  public static CommitResult of(Plan done, List<PlanMember.Range> ranges) {
    List<BucketOffsets> buckets =
        ranges.stream()
            .sorted(
                Comparator.comparing(PlanMember.Range::partition)
                    .thenComparingInt(PlanMember.Range::bucket))
            .map(
                r ->
                    new BucketOffsets(
                        r.partition(),
                        r.bucket(),
                        base(done, r.partition(), r.bucket()) + r.start(),
                        r.count()))
            .toList();
    long rows = ranges.stream().mapToLong(PlanMember.Range::count).sum();
    return new CommitResult(rows, done.commitTimestamp(), buckets);
  }

  private static long base(Plan done, String partition, int bucket) {
    for (PlanPart part : done.parts()) {
      if (part.bucket() == bucket && part.partition().equals(partition)) {
        return part.baseOffset();
      }
    }
    throw new IllegalStateException(
        "Plan "
            + done.planKey()
            + " of table "
            + done.tableId()
            + " has no part in "
            + new PartitionBucket(partition, bucket));
  }
}
