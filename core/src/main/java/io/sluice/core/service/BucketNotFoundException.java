package io.sluice.core.service;

/** A bucket outside the table's range was named (HTTP 404 BUCKET_NOT_FOUND). */
public class BucketNotFoundException extends RuntimeException {
  public BucketNotFoundException(String message) {
    super(message);
  }
}
