package io.sluice.core.store;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Passes every call to another object store and counts them, and the objects its listings yield, so
 * that tests can tell what a piece of work costs, and the keys it read. A listing that starts after
 * a key is passed on as such: the wrapped store decides what it reads before it.
 */
public class CountingObjectStore extends DelegatingObjectStore {

  /** What is counted. */
  public enum Count {
    /** Listings started. */
    LISTS,
    /** Objects the listings yielded to their callers. */
    OBJECTS_LISTED,
    /** Reads of whole objects, ranges and tails. */
    GETS,
    PUTS,
    DELETES
  }

  private final ObjectStore delegate;
  private final Map<Count, LongAdder> counts = new EnumMap<>(Count.class);
  private final Queue<String> keysRead = new ConcurrentLinkedQueue<>();

  public CountingObjectStore(ObjectStore delegate) {
    super(delegate);
    this.delegate = delegate;
    for (Count count : Count.values()) {
      counts.put(count, new LongAdder());
    }
  }

  /** How many of {@code count} happened so far. */
  public long count(Count count) {
    return counts.get(count).sum();
  }

  /** Every count so far. */
  public Map<Count, Long> counts() {
    Map<Count, Long> snapshot = new EnumMap<>(Count.class);
    counts.forEach((count, adder) -> snapshot.put(count, adder.sum()));
    return snapshot;
  }

  /** The key of every read so far, in order, once per read. */
  public List<String> keysRead() {
    return List.copyOf(keysRead);
  }

  private void add(Count count) {
    counts.get(count).increment();
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    add(Count.PUTS);
    super.putIfAbsent(key, content);
  }

  @Override
  public byte[] read(String key) {
    add(Count.GETS);
    keysRead.add(key);
    return super.read(key);
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    add(Count.GETS);
    keysRead.add(key);
    return super.readRange(key, offset, length);
  }

  @Override
  public byte[] readTail(String key, int length) {
    add(Count.GETS);
    keysRead.add(key);
    return super.readTail(key, length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix) {
    add(Count.LISTS);
    return delegate.list(prefix).peek(object -> add(Count.OBJECTS_LISTED));
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) {
    add(Count.LISTS);
    return delegate.list(prefix, startAfter).peek(object -> add(Count.OBJECTS_LISTED));
  }

  @Override
  public void delete(String key) {
    add(Count.DELETES);
    super.delete(key);
  }
}
