package io.sluice.core.service;

/** A request body cannot be parsed as its content type says (HTTP 400 MALFORMED_BODY). */
public class MalformedBodyException extends RuntimeException {
  public MalformedBodyException(String message) {
    super(message);
  }
}
