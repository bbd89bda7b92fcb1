package io.sluice.core.metadata;

import java.util.Comparator;

/**
 * A bucket of a partition, within one table: ordered by partition name, then bucket. The partition
 * of an unpartitioned table is {@link TableBucket#UNPARTITIONED}.
 */
public record PartitionBucket(String partition, int bucket) implements Comparable<PartitionBucket> {
  private static final Comparator<PartitionBucket> ORDER =
      Comparator.comparing(PartitionBucket::partition).thenComparingInt(PartitionBucket::bucket);

  /** This bucket of table {@code tableId}. */
  public TableBucket in(String tableId) {
    return new TableBucket(tableId, partition, bucket);
  }

  /** {@code bucket 3}, or {@code bucket 3 of partition t_day=2026-11-25} on a partitioned table. */
  @Override
  public String toString() {
    return partition.isEmpty()
        ? "bucket " + bucket
        : "bucket " + bucket + " of partition " + partition;
  }

  @Override
  public int compareTo(PartitionBucket other) {
    return ORDER.compare(this, other);
  }
}
