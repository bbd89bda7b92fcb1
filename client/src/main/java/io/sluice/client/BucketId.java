package io.sluice.client;

/**
 * One bucket of a table: its partition ({@code null} on an unpartitioned table) and its number.
 * Each has its own log and offsets.
 */
public record BucketId(String partition, int bucket) implements Comparable<BucketId> {
  public BucketId {
    if (bucket < 0) {
      throw new IllegalArgumentException("Cannot name bucket " + bucket + ": must be >= 0");
    }
  }

  /** Bucket {@code bucket} of an unpartitioned table. */
  public static BucketId of(int bucket) {
    return new BucketId(null, bucket);
  }

  @Override
  public int compareTo(BucketId other) {
    int byPartition =
        partition == null
            ? (other.partition == null ? 0 : -1)
            : (other.partition == null ? 1 : partition.compareTo(other.partition));
    return byPartition != 0 ? byPartition : Integer.compare(bucket, other.bucket);
  }

  @Override
  public String toString() {
    return partition == null ? "bucket " + bucket : "bucket " + bucket + " of " + partition;
  }
}
