package io.sluice.core.store;

import java.util.stream.Stream;

/** Passes every call to another object store; tests override single methods. */
public class DelegatingObjectStore implements ObjectStore {
  private final ObjectStore delegate;

  public DelegatingObjectStore(ObjectStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    delegate.putIfAbsent(key, content);
  }

  @Override
  public byte[] read(String key) {
    return delegate.read(key);
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    return delegate.readRange(key, offset, length);
  }

  @Override
  public byte[] readTail(String key, int length) {
    return delegate.readTail(key, length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public void delete(String key) {
    delegate.delete(key);
  }
}
