package io.sluice.objectstore;

import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectKeys;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} over a local directory: one file per object, its key the relative path.
 *
 * <p>A put writes and syncs a temporary file {@code .tmp-<uuid>} next to the target, then
 * hard-links it to its final name, which fails when the name exists; so a put is atomic and never
 * replaces an object. The file system must support hard links. Keys whose last segment starts with
 * {@code .tmp-} are refused, and a key cannot name both an object and a "directory" of objects
 * ({@code a} and {@code a/b}), unlike on S3.
 */
public class LocalObjectStore implements ObjectStore {
  static final String TEMP_PREFIX = ".tmp-";

  private final Path root;

  public LocalObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot create object store directory " + root, e);
    }
  }

  /** The directory holding the objects. */
  public Path root() {
    return root;
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    Path target = resolve(key);
    Path dir = target.getParent();
    Path temp;
    try {
      // A write's directory almost always exists: one stat, where createDirectories would try a
      // mkdir and throw (and fill in) an exception first.
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
      }
      temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
      writeDurably(temp, content);
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot write object " + key + ": " + e, e);
    }
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      throw new CommitConflictException("Cannot write object " + key + ": it already exists", e);
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreUnavailableException("Cannot write object " + key + ": " + e, e);
    } finally {
      deleteQuietly(temp);
    }
    syncDirectory(dir);
  }

  @Override
  public byte[] read(String key) {
    Path path = resolve(key);
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw readFailure(key, path, e);
    }
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    checkRange(key, offset, length);
    Path path = resolve(key);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (offset >= size) {
        return new byte[0];
      }
      return readFully(channel, offset, (int) Math.min(length, size - offset));
    } catch (IOException e) {
      throw readFailure(key, path, e);
    }
  }

  @Override
  public byte[] readTail(String key, int length) {
    checkRange(key, 0, length);
    Path path = resolve(key);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      long start = Math.max(0, size - length);
      return readFully(channel, start, (int) (size - start));
    } catch (IOException e) {
      throw readFailure(key, path, e);
    }
  }

  /**
   * Lists objects under {@code prefix} in key order. The matching keys are gathered and sorted
   * before the stream starts; only the directories that can hold matching keys are visited.
   */
  @Override
  public Stream<ObjectInfo> list(String prefix) {
    ObjectKeys.checkPrefix(prefix);
    List<ObjectInfo> found = new ArrayList<>();
    try {
      collect(root, "", prefix, found);
    } catch (IOException e) {
      throw new StoreUnavailableException(
          "Cannot list objects with prefix " + prefix + " in " + root + ": " + e, e);
    }
    found.sort(Comparator.comparing(ObjectInfo::key));
    return found.stream();
  }

  @Override
  public void delete(String key) {
    Path path = resolve(key);
    try {
      Files.deleteIfExists(path);
    } catch (DirectoryNotEmptyException e) {
      // a "directory" of other objects, not an object: nothing to delete
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot delete object " + key + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return root.toUri().toString();
  }

  private Path resolve(String key) {
    ObjectKeys.check(key);
    Path path;
    try {
      path = root.resolve(key).normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "Cannot use object key " + key + ": it is not a valid path here", e);
    }
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IllegalArgumentException(
          "Cannot use object key " + key + ": it resolves outside " + root);
    }
    if (path.getFileName().toString().startsWith(TEMP_PREFIX)) {
      throw new IllegalArgumentException(
          "Cannot use object key "
              + key
              + ": names starting with "
              + TEMP_PREFIX
              + " are reserved");
    }
    return path;
  }

  private static void writeDurably(Path temp, byte[] content) throws IOException {
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw e;
    }
  }

  /** Makes the new directory entry durable; some platforms refuse to open a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported here (e.g. Windows); the link itself is already in place
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a leftover temp file is never listed nor read
    }
  }

  private static byte[] readFully(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    return buffer.position() == length
        ? buffer.array()
        : Arrays.copyOf(buffer.array(), buffer.position());
  }

  private RuntimeException readFailure(String key, Path path, IOException e) {
    if (e instanceof NoSuchFileException || Files.isDirectory(path)) {
      return new NotFoundException("Cannot read object " + key + ": it does not exist", e);
    }
    return new StoreUnavailableException("Cannot read object " + key + ": " + e, e);
  }

  private static void collect(Path dir, String keyPrefix, String prefix, List<ObjectInfo> found)
      throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        String key = keyPrefix + name;
        BasicFileAttributes attributes;
        try {
          attributes =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // deleted while listing
        }
        if (attributes.isDirectory()) {
          String childPrefix = key + "/";
          if (childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix)) {
            collect(entry, childPrefix, prefix, found);
          }
        } else if (attributes.isRegularFile()
            && !name.startsWith(TEMP_PREFIX)
            && key.startsWith(prefix)) {
          found.add(
              new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
        }
      }
    } catch (NoSuchFileException e) {
      // directory deleted while listing
    }
  }

  private static void checkRange(String key, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "Cannot read object " + key + ": invalid range offset " + offset + " length " + length);
    }
  }
}
