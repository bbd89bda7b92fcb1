package io.sluice.core.service;

/** A request asks for something this version does not do yet (HTTP 400 NOT_SUPPORTED). */
public class NotSupportedException extends RuntimeException {
  public NotSupportedException(String message) {
    super(message);
  }
}
