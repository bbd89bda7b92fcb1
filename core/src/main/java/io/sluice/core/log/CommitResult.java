package io.sluice.core.log;

import io.sluice.core.metadata.Plan;
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

  /** The answer a done plan holds. */
  public static CommitResult of(Plan done) {
    List<BucketOffsets> buckets =
        done.parts().stream()
            .sorted(Comparator.comparingInt(PlanPart::bucket))
            .map(p -> new BucketOffsets(p.bucket(), p.baseOffset(), p.rows()))
            .toList();
    return new CommitResult(done.rows(), done.commitTimestamp(), buckets);
  }
}
