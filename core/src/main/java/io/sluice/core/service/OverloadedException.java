package io.sluice.core.service;

/** Too much is queued to take a write now; nothing was written (HTTP 429 OVERLOADED). */
public class OverloadedException extends RuntimeException {
  public OverloadedException(String message) {
    super(message);
  }
}
