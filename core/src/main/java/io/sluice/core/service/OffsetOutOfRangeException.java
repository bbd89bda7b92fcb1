package io.sluice.core.service;

/**
 * A read starts below a bucket's log start: that data is only in the lake (HTTP 409
 * OFFSET_OUT_OF_RANGE, with the log start offset).
 */
public class OffsetOutOfRangeException extends RuntimeException {
  private final long logStartOffset;

  public OffsetOutOfRangeException(String message, long logStartOffset) {
    super(message);
    this.logStartOffset = logStartOffset;
  }

  public long logStartOffset() {
    return logStartOffset;
  }
}
