package io.sluice.core.log;

/**
 * A write reached a closed bucket: its table was dropped after the writer read the catalog. Nothing
 * of the write is visible (HTTP 404 TABLE_NOT_FOUND).
 */
public class BucketClosedException extends RuntimeException {
  public BucketClosedException(String message) {
    super(message);
  }
}
