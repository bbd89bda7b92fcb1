package io.sluice.core.metadata;

/**
 * One bucket's share of a write plan: the partition and bucket, its rows and byte range in the
 * segment, the bucket's {@code nextOffset} when the plan was made (applied slices are searched from
 * there), and, once the plan is done, the base offset the rows got ({@code -1} before).
 */
public record PlanPart(
    String partition,
    int bucket,
    long rows,
    long byteOffset,
    long byteLength,
    long floorOffset,
    long baseOffset) {

  /** A part of a bucket of an unpartitioned table. */
  public PlanPart(
      int bucket, long rows, long byteOffset, long byteLength, long floorOffset, long baseOffset) {
    this(TableBucket.UNPARTITIONED, bucket, rows, byteOffset, byteLength, floorOffset, baseOffset);
  }

  /** This part with the base offset it was applied at. */
  public PlanPart appliedAt(long offset) {
    return new PlanPart(partition, bucket, rows, byteOffset, byteLength, floorOffset, offset);
  }

  /** Its partition and bucket. */
  public PartitionBucket partitionBucket() {
    return new PartitionBucket(partition, bucket);
  }

  /** The bucket this part is appended to. */
  public TableBucket in(String tableId) {
    return new TableBucket(tableId, partition, bucket);
  }
}
