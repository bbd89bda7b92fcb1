package io.sluice.core.store;

/** The object or item asked for does not exist. */
public class NotFoundException extends StoreException {
  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
