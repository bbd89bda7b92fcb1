package io.sluice.core.log;

import io.sluice.core.metadata.TableBucket;

/**
 * A write reached a closed bucket: its table was dropped after the writer read the catalog (HTTP
 * 404 TABLE_NOT_FOUND), or partition retention dropped the bucket's partition (HTTP 409
 * PARTITION_EXPIRED). Nothing of the write is visible.
 */
public class BucketClosedException extends RuntimeException {
  private final TableBucket bucket;

  public BucketClosedException(TableBucket bucket, String message) {
    super(message);
    this.bucket = bucket;
  }

  /** The closed bucket. */
  public TableBucket bucket() {
    return bucket;
  }
}
