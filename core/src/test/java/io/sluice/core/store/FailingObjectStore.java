package io.sluice.core.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} that fails on command before delegating, or loses the answer of a put.
 *
 * <p>Failures are queued per {@link Operation} and used up one call at a time: {@code
 * failNext(Operation.PUT, 2, () -> new StoreUnavailableException("down", null))} makes the next two
 * puts fail without touching the wrapped store. {@link #loseNextPutAnswers} performs the next puts
 * and then throws {@link CommitStateUnknownException}, as when a timeout hides the outcome.
 */
public class FailingObjectStore implements ObjectStore {

  /** The operations failures can be queued for; READ covers read, readRange and readTail. */
  public enum Operation {
    PUT,
    READ,
    LIST,
    DELETE
  }

  private final ObjectStore delegate;
  private final Map<Operation, Deque<Supplier<? extends RuntimeException>>> failures =
      new EnumMap<>(Operation.class);
  private int lostPutAnswers = 0;

  public FailingObjectStore(ObjectStore delegate) {
    this.delegate = delegate;
  }

  /** Makes the next {@code times} calls of {@code operation} throw what {@code failure} gives. */
  public synchronized FailingObjectStore failNext(
      Operation operation, int times, Supplier<? extends RuntimeException> failure) {
    Deque<Supplier<? extends RuntimeException>> queue =
        failures.computeIfAbsent(operation, op -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(failure);
    }
    return this;
  }

  /** Makes the next {@code times} puts reach the wrapped store and then report an unknown state. */
  public synchronized FailingObjectStore loseNextPutAnswers(int times) {
    lostPutAnswers += times;
    return this;
  }

  /** Drops every queued failure. */
  public synchronized FailingObjectStore heal() {
    failures.clear();
    lostPutAnswers = 0;
    return this;
  }

  /** The wrapped store, for checking what really got written. */
  public ObjectStore delegate() {
    return delegate;
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    maybeFail(Operation.PUT);
    if (takeLostPutAnswer()) {
      try {
        delegate.putIfAbsent(key, content);
      } catch (StoreException e) {
        throw new CommitStateUnknownException(
            "Cannot tell whether object " + key + " was written", e);
      }
      throw new CommitStateUnknownException(
          "Cannot tell whether object " + key + " was written: the answer was lost", null);
    }
    delegate.putIfAbsent(key, content);
  }

  @Override
  public byte[] read(String key) {
    maybeFail(Operation.READ);
    return delegate.read(key);
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    maybeFail(Operation.READ);
    return delegate.readRange(key, offset, length);
  }

  @Override
  public byte[] readTail(String key, int length) {
    maybeFail(Operation.READ);
    return delegate.readTail(key, length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix) {
    maybeFail(Operation.LIST);
    return delegate.list(prefix);
  }

  @Override
  public void delete(String key) {
    maybeFail(Operation.DELETE);
    delegate.delete(key);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private void maybeFail(Operation operation) {
    Supplier<? extends RuntimeException> failure;
    synchronized (this) {
      Deque<Supplier<? extends RuntimeException>> queue = failures.get(operation);
      failure = queue == null ? null : queue.poll();
    }
    if (failure != null) {
      throw failure.get();
    }
  }

  private synchronized boolean takeLostPutAnswer() {
    if (lostPutAnswers == 0) {
      return false;
    }
    lostPutAnswers--;
    return true;
  }
}
