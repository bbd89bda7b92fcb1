package io.sluice.client;

import java.util.Map;

/**
 * The state of one bucket as {@code describe} reports it: its partition ({@code null} on an
 * unpartitioned table), the high watermark (the next offset), the log start, and per lake format
 * the offset tiered up to.
 */
public record BucketState(
    String partition,
    int bucket,
    long highWatermark,
    long logStartOffset,
    Map<String, Long> tiered) {
  public BucketState {
    tiered = Map.copyOf(tiered);
  }
}
