package io.sluice.bench.scan;

import io.sluice.core.store.DelegatingObjectStore;
import io.sluice.core.store.ObjectStore;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the reads that reach an object store: ranged GETs ({@link #readRange}), tail GETs ({@link
 * #readTail}, how segment footers are fetched) and whole-object GETs, with the bytes each returned.
 */
final class CountingObjectStore extends DelegatingObjectStore {
  private final LongAdder rangeReads = new LongAdder();
  private final LongAdder rangeBytes = new LongAdder();
  private final LongAdder tailReads = new LongAdder();
  private final LongAdder tailBytes = new LongAdder();
  private final LongAdder wholeReads = new LongAdder();
  private final LongAdder wholeBytes = new LongAdder();

  private final ObjectStore delegate;

  CountingObjectStore(ObjectStore delegate) {
    super(delegate);
    this.delegate = delegate;
  }

  /** Reads counted so far; subtract two of them to get what happened in between. */
  record Counts(
      long rangeReads,
      long rangeBytes,
      long tailReads,
      long tailBytes,
      long wholeReads,
      long wholeBytes) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);

    Counts minus(Counts before) {
      return new Counts(
          rangeReads - before.rangeReads,
          rangeBytes - before.rangeBytes,
          tailReads - before.tailReads,
          tailBytes - before.tailBytes,
          wholeReads - before.wholeReads,
          wholeBytes - before.wholeBytes);
    }

    long reads() {
      return rangeReads + tailReads + wholeReads;
    }

    long bytes() {
      return rangeBytes + tailBytes + wholeBytes;
    }
  }

  Counts counts() {
    return new Counts(
        rangeReads.sum(),
        rangeBytes.sum(),
        tailReads.sum(),
        tailBytes.sum(),
        wholeReads.sum(),
        wholeBytes.sum());
  }

  @Override
  public byte[] read(String key) {
    byte[] bytes = super.read(key);
    wholeReads.increment();
    wholeBytes.add(bytes.length);
    return bytes;
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    byte[] bytes = super.readRange(key, offset, length);
    rangeReads.increment();
    rangeBytes.add(bytes.length);
    return bytes;
  }

  @Override
  public byte[] readTail(String key, int length) {
    byte[] bytes = super.readTail(key, length);
    tailReads.increment();
    tailBytes.add(bytes.length);
    return bytes;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
