package io.sluice.core.service;

/** A SQL query that cannot run: bad syntax, not read-only, or naming what does not exist (400). */
public class InvalidSqlException extends RuntimeException {
  public InvalidSqlException(String message) {
    super(message);
  }
}
