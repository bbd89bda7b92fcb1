package io.sluice.core.metadata;

import java.time.Instant;

/**
 * One committed part of a bucket's log: {@code count} rows from {@code baseOffset}, stored in the
 * segment object {@code segmentKey} at {@code [byteOffset, byteOffset + byteLength)}, written with
 * schema {@code schemaId}, committed at {@code timestamp} by the plan {@code planKey} (which finds
 * it again when it is rolled forward twice).
 */
public record Slice(
    long baseOffset,
    long count,
    String segmentKey,
    long byteOffset,
    long byteLength,
    int schemaId,
    Instant timestamp,
    String planKey) {

  /** The offset after this slice's last row. */
  public long endOffset() {
    return baseOffset + count;
  }
}
