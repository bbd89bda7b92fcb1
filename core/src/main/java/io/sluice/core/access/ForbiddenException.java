package io.sluice.core.access;

/** The caller lacks the grant a request needs (HTTP 403 FORBIDDEN). */
public class ForbiddenException extends RuntimeException {
  public ForbiddenException(String message) {
    super(message);
  }
}
