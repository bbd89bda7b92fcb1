package io.sluice.core.store;

/** Base of the failures a backing store (object store or metadata store) reports. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
