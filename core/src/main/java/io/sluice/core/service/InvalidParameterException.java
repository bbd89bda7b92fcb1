package io.sluice.core.service;

/**
 * A query parameter or header has a value outside what the API accepts (HTTP 400
 * INVALID_PARAMETER).
 */
public class InvalidParameterException extends RuntimeException {
  public InvalidParameterException(String message) {
    super(message);
  }
}
