package io.sluice.core.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/** An in-memory {@link ObjectStore} for tests, with the same contract as the real ones. */
public class TestingObjectStore implements ObjectStore {
  private final ConcurrentSkipListMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();

  private record StoredObject(byte[] content, Instant lastModified) {}

  @Override
  public void putIfAbsent(String key, byte[] content) {
    ObjectKeys.check(key);
    StoredObject object = new StoredObject(content.clone(), Instant.now());
    if (objects.putIfAbsent(key, object) != null) {
      throw new CommitConflictException("Cannot write object " + key + ": it already exists");
    }
  }

  @Override
  public byte[] read(String key) {
    return find(key).content().clone();
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    checkRange(key, offset, length);
    byte[] content = find(key).content();
    if (offset >= content.length) {
      return new byte[0];
    }
    int from = (int) offset;
    return Arrays.copyOfRange(content, from, (int) Math.min(content.length, offset + length));
  }

  @Override
  public byte[] readTail(String key, int length) {
    checkRange(key, 0, length);
    byte[] content = find(key).content();
    return Arrays.copyOfRange(content, Math.max(0, content.length - length), content.length);
  }

  @Override
  public Stream<ObjectInfo> list(String prefix) {
    ObjectKeys.checkPrefix(prefix);
    return objects.tailMap(prefix).entrySet().stream()
        .takeWhile(entry -> entry.getKey().startsWith(prefix))
        .map(TestingObjectStore::info);
  }

  @Override
  public void delete(String key) {
    objects.remove(ObjectKeys.check(key));
  }

  /** Number of objects held, for assertions. */
  public int size() {
    return objects.size();
  }

  private StoredObject find(String key) {
    StoredObject object = objects.get(ObjectKeys.check(key));
    if (object == null) {
      throw new NotFoundException("Cannot read object " + key + ": it does not exist");
    }
    return object;
  }

  private static void checkRange(String key, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "Cannot read object " + key + ": invalid range offset " + offset + " length " + length);
    }
  }

  private static ObjectInfo info(Map.Entry<String, StoredObject> entry) {
    StoredObject object = entry.getValue();
    return new ObjectInfo(entry.getKey(), object.content().length, object.lastModified());
  }
}
