package io.sluice.core.store;

import java.util.stream.Stream;

/**
 * Immutable objects by key, as S3 or a local directory holds them.
 *
 * <p>Keys are relative, use {@code /} as separator, and never contain empty, {@code .} or {@code
 * ..} segments; implementations refuse any other key with an {@link IllegalArgumentException}.
 * Every method may throw {@link StoreUnavailableException} when the store cannot be reached.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * Writes an object that must not exist yet.
   *
   * @throws CommitConflictException if an object with this key already exists (nothing written)
   * @throws CommitStateUnknownException if it cannot be told whether the object was written
   */
  void putIfAbsent(String key, byte[] content);

  /**
   * Reads a whole object.
   *
   * @throws NotFoundException if there is no object with this key
   */
  byte[] read(String key);

  /**
   * Reads {@code length} bytes starting at {@code offset}; fewer when the object ends first.
   *
   * @throws NotFoundException if there is no object with this key
   */
  byte[] readRange(String key, long offset, int length);

  /**
   * Reads the last {@code length} bytes of an object (all of it when it is shorter).
   *
   * @throws NotFoundException if there is no object with this key
   */
  byte[] readTail(String key, int length);

  /** Lists the objects whose key starts with {@code prefix}, in key order, lazily. */
  Stream<ObjectInfo> list(String prefix);

  /**
   * Lists the objects whose key starts with {@code prefix} and sorts after {@code startAfter}, in
   * key order, lazily; a store that can start a listing there reads nothing before it.
   */
  default Stream<ObjectInfo> list(String prefix, String startAfter) {
    return list(prefix).filter(object -> object.key().compareTo(startAfter) > 0);
  }

  /** Deletes an object; deleting one that does not exist is not an error. */
  void delete(String key);

  @Override
  default void close() {}
}
