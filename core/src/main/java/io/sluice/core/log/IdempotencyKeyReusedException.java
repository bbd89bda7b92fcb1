package io.sluice.core.log;

/** An idempotency key was used again with another body (HTTP 409 IDEMPOTENCY_KEY_REUSED). */
public class IdempotencyKeyReusedException extends RuntimeException {
  public IdempotencyKeyReusedException(String message) {
    super(message);
  }
}
