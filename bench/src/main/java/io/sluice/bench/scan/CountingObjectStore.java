package io.sluice.bench.scan;

import io.sluice.core.store.DelegatingObjectStore;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Counts the read requests that reach an object store: ranged GETs ({@link #readRange}), tail GETs
 * ({@link #readTail}, how segment footers are fetched) and whole-object GETs, with the bytes each
 * returned, and LISTs. Counted in total and by top-level folder of the key ({@code log}, {@code
 * tiered-offsets}, ...), so that a report can tell segments from offsets files.
 */
final class CountingObjectStore extends DelegatingObjectStore {
  private final Adders total = new Adders();
  private final Map<String, Adders> byFolder = new ConcurrentHashMap<>();

  private final ObjectStore delegate;

  CountingObjectStore(ObjectStore delegate) {
    super(delegate);
    this.delegate = delegate;
  }

  /** Requests counted so far; subtract two of them to get what happened in between. */
  record Counts(
      long rangeReads,
      long rangeBytes,
      long tailReads,
      long tailBytes,
      long wholeReads,
      long wholeBytes,
      long lists) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0);

    Counts minus(Counts before) {
      return new Counts(
          rangeReads - before.rangeReads,
          rangeBytes - before.rangeBytes,
          tailReads - before.tailReads,
          tailBytes - before.tailBytes,
          wholeReads - before.wholeReads,
          wholeBytes - before.wholeBytes,
          lists - before.lists);
    }

    /** GET requests of every kind. */
    long reads() {
      return rangeReads + tailReads + wholeReads;
    }

    /** Every request: GETs and LISTs. */
    long requests() {
      return reads() + lists;
    }

    long bytes() {
      return rangeBytes + tailBytes + wholeBytes;
    }
  }

  /** What reached the store in all. */
  Counts counts() {
    return total.counts();
  }

  /** What reached the store for keys in the top-level folder {@code folder} (no slash). */
  Counts counts(String folder) {
    Adders adders = byFolder.get(folder);
    return adders == null ? Counts.ZERO : adders.counts();
  }

  @Override
  public byte[] read(String key) {
    byte[] bytes = super.read(key);
    count(key, a -> a.whole, a -> a.wholeBytes, bytes.length);
    return bytes;
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    byte[] bytes = super.readRange(key, offset, length);
    count(key, a -> a.range, a -> a.rangeBytes, bytes.length);
    return bytes;
  }

  @Override
  public byte[] readTail(String key, int length) {
    byte[] bytes = super.readTail(key, length);
    count(key, a -> a.tail, a -> a.tailBytes, bytes.length);
    return bytes;
  }

  @Override
  public Stream<ObjectInfo> list(String prefix) {
    count(prefix, a -> a.lists, a -> null, 0);
    return super.list(prefix);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) {
    count(prefix, a -> a.lists, a -> null, 0);
    return super.list(prefix, startAfter);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private void count(
      String key,
      Function<Adders, LongAdder> request,
      Function<Adders, LongAdder> bytes,
      long length) {
    int slash = key.indexOf('/');
    String folder = slash < 0 ? key : key.substring(0, slash);
    for (Adders adders :
        new Adders[] {total, byFolder.computeIfAbsent(folder, f -> new Adders())}) {
      request.apply(adders).increment();
      LongAdder b = bytes.apply(adders);
      if (b != null) {
        b.add(length);
      }
    }
  }

  /** The counters of one scope. */
  private static final class Adders {
    final LongAdder range = new LongAdder();
    final LongAdder rangeBytes = new LongAdder();
    final LongAdder tail = new LongAdder();
    final LongAdder tailBytes = new LongAdder();
    final LongAdder whole = new LongAdder();
    final LongAdder wholeBytes = new LongAdder();
    final LongAdder lists = new LongAdder();

    Counts counts() {
      return new Counts(
          range.sum(),
          rangeBytes.sum(),
          tail.sum(),
          tailBytes.sum(),
          whole.sum(),
          wholeBytes.sum(),
          lists.sum());
    }
  }
}
