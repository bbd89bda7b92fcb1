package io.sluice.core.segment;

import java.util.List;

/** The bytes of a segment object and the range of each bucket in it, in bucket order. */
public record EncodedSegment(byte[] bytes, List<BucketRange> buckets) {
  public EncodedSegment {
    buckets = List.copyOf(buckets);
  }

  /** The total number of rows over all buckets. */
  public long rows() {
    return buckets.stream().mapToLong(BucketRange::rows).sum();
  }
}
