package io.sluice.function.write;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sluice.core.log.CommitResult;
import io.sluice.core.service.AppendService;
import java.util.List;

/** The answer to a write, as API.md shows it; {@code rowBuckets} only when asked for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WriteAnswer(
    long rows, String commitTimestamp, List<Bucket> buckets, int[] rowBuckets) {

  /** Where one bucket's rows went. */
  public record Bucket(int bucket, long baseOffset, long count) {}

  static WriteAnswer of(AppendService.Appended appended) {
    CommitResult result = appended.result();
    return new WriteAnswer(
        result.rows(),
        result.commitTimestamp().toString(),
        result.buckets().stream()
            .map(b -> new Bucket(b.bucket(), b.baseOffset(), b.count()))
            .toList(),
        appended.rowBuckets().orElse(null));
  }
}
