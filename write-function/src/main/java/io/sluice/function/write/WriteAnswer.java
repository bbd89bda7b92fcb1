package io.sluice.function.write;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sluice.core.bucket.RowPartitions;
import io.sluice.core.log.CommitResult;
import io.sluice.core.service.AppendService;
import java.util.Arrays;
import java.util.List;

/**
 * The answer to a write, as API.md shows it; {@code rowBuckets} (and on a partitioned table {@code
 * rowPartitions}) only when asked for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WriteAnswer(
    long rows,
    String commitTimestamp,
    List<Bucket> buckets,
    int[] rowBuckets,
    List<String> rowPartitions) {

  /** Where one bucket's rows went; {@code partition} only on a partitioned table. */
  public record Bucket(String partition, int bucket, long baseOffset, long count) {}

  static WriteAnswer of(AppendService.Appended appended) {
    CommitResult result = appended.result();
    return new WriteAnswer(
        result.rows(),
        result.commitTimestamp().toString(),
        result.buckets().stream()
            .map(
                b ->
                    new Bucket(
                        b.partition().isEmpty() ? null : b.partition(),
                        b.bucket(),
                        b.baseOffset(),
                        b.count()))
            .toList(),
        appended.rowPlaces().map(AppendService.RowPlaces::buckets).orElse(null),
        appended.rowPlaces().map(p -> rowPartitions(p.partitions())).orElse(null));
  }

  private static List<String> rowPartitions(RowPartitions partitions) {
    if (partitions.partitions().stream().allMatch(p -> p.name().isEmpty())) {
      return null;
    }
    return Arrays.stream(partitions.index())
        .mapToObj(i -> partitions.partitions().get(i).name())
        .toList();
  }
}
