package io.sluice.core.metadata;

import java.time.Instant;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The state of one bucket's log: its high watermark ({@code nextOffset}), where the log starts, up
 * to where slices moved into index pages, the newest slice timestamp, the recent slices keyed by
 * base offset, and whether the bucket is closed (its table was dropped: no append succeeds any
 * more, so a writer that still knows the dropped table can never commit into it).
 */
public record BucketHead(
    int bucket,
    long nextOffset,
    long logStartOffset,
    long indexedUpTo,
    Instant lastTimestamp,
    NavigableMap<Long, Slice> recentSlices,
    boolean closed) {

  public BucketHead {
    recentSlices = Collections.unmodifiableNavigableMap(new TreeMap<>(recentSlices));
  }

  /** An open head with these offsets and slices. */
  public BucketHead(
      int bucket,
      long nextOffset,
      long logStartOffset,
      long indexedUpTo,
      Instant lastTimestamp,
      NavigableMap<Long, Slice> recentSlices) {
    this(bucket, nextOffset, logStartOffset, indexedUpTo, lastTimestamp, recentSlices, false);
  }

  /** The head of a bucket nothing was written to yet. */
  public static BucketHead empty(int bucket) {
    return new BucketHead(bucket, 0, 0, 0, Instant.EPOCH, new TreeMap<>());
  }
}
