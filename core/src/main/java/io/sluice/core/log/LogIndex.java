package io.sluice.core.log;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds a bucket's slices: the head first (consistent), then the index pages below its {@code
 * indexedUpTo}, duplicates dropped by base offset (a slice may sit in both while a move is under
 * way).
 */
public final class LogIndex {
  private final MetadataStore store;

  public LogIndex(MetadataStore store) {
    this.store = store;
  }

  /** The slices of a bucket holding offsets from {@code fromOffset} up to the head's end. */
  public BucketSlices slices(TableBucket bucket, long fromOffset) {
    return slices(bucket, fromOffset, Long.MAX_VALUE);
  }

  /**
   * The slices of a bucket holding offsets from {@code fromOffset} up to {@code toOffset}
   * (exclusive) or the head's end, whichever comes first. Index pages wholly at or past {@code
   * toOffset} are not read, so reading a long bucket in steps reads each page about once.
   */
  public BucketSlices slices(TableBucket bucket, long fromOffset, long toOffset) {
    BucketHead head = store.head(bucket);
    return new BucketSlices(head, collect(bucket, head, fromOffset, toOffset));
  }

  /** The slice a plan appended to a bucket at or after {@code floorOffset}, as of {@code head}. */
  public Optional<Slice> appliedSlice(
      TableBucket bucket, BucketHead head, long floorOffset, String planKey) {
    for (Slice slice : head.recentSlices().tailMap(floorOffset, true).values()) {
      if (slice.planKey().equals(planKey)) {
        return Optional.of(slice);
      }
    }
    if (floorOffset < head.indexedUpTo()) {
      for (IndexPage page : store.indexPages(bucket, floorOffset, head.indexedUpTo())) {
        for (Slice slice : page.slices()) {
          if (slice.baseOffset() >= floorOffset && slice.planKey().equals(planKey)) {
            return Optional.of(slice);
          }
        }
      }
    }
    return Optional.empty();
  }

  private List<Slice> collect(TableBucket bucket, BucketHead head, long fromOffset, long toOffset) {
    long end = Math.min(toOffset, head.nextOffset());
    NavigableMap<Long, Slice> byBase = new TreeMap<>();
    long pagesEnd = Math.min(end, head.indexedUpTo());
    if (fromOffset < pagesEnd) {
      for (IndexPage page : store.indexPages(bucket, fromOffset, pagesEnd)) {
        page.slices().forEach(s -> byBase.put(s.baseOffset(), s));
      }
    }
    byBase.putAll(head.recentSlices());
    List<Slice> result = new ArrayList<>();
    for (Slice slice : byBase.values()) {
      if (slice.endOffset() > fromOffset && slice.baseOffset() < end) {
        result.add(slice);
      }
    }
    return result;
  }

  /** A bucket's head as read, and the slices found from the offset asked for. */
  public record BucketSlices(BucketHead head, List<Slice> slices) {
    public BucketSlices {
      slices = List.copyOf(slices);
    }
  }
}
