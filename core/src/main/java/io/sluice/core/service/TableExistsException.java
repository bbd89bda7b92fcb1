package io.sluice.core.service;

/** A table exists with a different definition (HTTP 409 TABLE_EXISTS). */
public class TableExistsException extends RuntimeException {
  public TableExistsException(String message) {
    super(message);
  }
}
