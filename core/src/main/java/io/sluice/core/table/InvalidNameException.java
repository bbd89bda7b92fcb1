package io.sluice.core.table;

/** A table name a user gave is not valid (HTTP 400 {@code INVALID_NAME}). */
public class InvalidNameException extends IllegalArgumentException {
  public InvalidNameException(String message) {
    super(message);
  }
}
