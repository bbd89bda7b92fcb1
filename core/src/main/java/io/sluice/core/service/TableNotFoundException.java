package io.sluice.core.service;

/** A table that does not exist was named (HTTP 404 TABLE_NOT_FOUND). */
public class TableNotFoundException extends RuntimeException {
  public TableNotFoundException(String message) {
    super(message);
  }
}
