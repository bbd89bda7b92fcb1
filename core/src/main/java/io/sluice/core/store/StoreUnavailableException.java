package io.sluice.core.store;

/** A backing store cannot be reached or refused to serve after its retries: try again later. */
public class StoreUnavailableException extends StoreException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
