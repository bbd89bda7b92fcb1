package io.sluice.core.service;

/** A write request too large to commit as one (HTTP 413 BODY_TOO_LARGE); nothing is written. */
public class RequestTooLargeException extends RuntimeException {
  public RequestTooLargeException(String message) {
    super(message);
  }
}
