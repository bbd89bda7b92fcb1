package io.sluice.function.write;

import io.sluice.core.log.CommitResult;
import java.util.List;

/** The answer to a write, as API.md shows it. */
public record WriteAnswer(long rows, String commitTimestamp, List<Bucket> buckets) {

  /** Where one bucket's rows went. */
  public record Bucket(int bucket, long baseOffset, long count) {}

  static WriteAnswer of(CommitResult result) {
    return new WriteAnswer(
        result.rows(),
        result.commitTimestamp().toString(),
        result.buckets().stream()
            .map(b -> new Bucket(b.bucket(), b.baseOffset(), b.count()))
            .toList());
  }
}
