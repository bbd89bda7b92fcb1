package io.sluice.core.metadata;

import java.util.Objects;

/**
 * One bucket's log: a bucket of a table's partition. An unpartitioned table has one partition,
 * named {@link #UNPARTITIONED} (the empty string).
 */
public record TableBucket(String tableId, String partition, int bucket) {

  /** The name of the single partition of an unpartitioned table. */
  public static final String UNPARTITIONED = "";

  public TableBucket {
    Objects.requireNonNull(tableId, "tableId");
    Objects.requireNonNull(partition, "partition");
  }

  /** A bucket of an unpartitioned table. */
  public static TableBucket of(String tableId, int bucket) {
    return new TableBucket(tableId, UNPARTITIONED, bucket);
  }

  /** This bucket within its table: its partition and number. */
  public PartitionBucket partitionBucket() {
    return new PartitionBucket(partition, bucket);
  }

  @Override
  public String toString() {
    return new PartitionBucket(partition, bucket).toString();
  }
}
