package io.sluice.objectstore;

import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectKeys;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.StoreException;
import io.sluice.core.store.StoreUnavailableException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} on an S3 bucket (or any S3-compatible store), under a key prefix.
 *
 * <p>{@link #putIfAbsent} is a conditional PUT ({@code If-None-Match: *}). When it is refused (412,
 * or 409 for a concurrent conditional write) the stored object is read back: if it holds exactly
 * our bytes the put counts as done, because the SDK may have retried a first attempt that did
 * succeed but whose answer was lost. Two writers putting identical bytes under one key are
 * therefore both told they succeeded, which is harmless for immutable content. A put that ends,
 * after the SDK's retries, in a server error (5xx) or a client-side error (timeout, broken
 * connection) throws {@link CommitStateUnknownException}: an attempt may have been stored.
 *
 * <p>The caller wires the {@link S3Client} and keeps owning it; {@link ObjectStores} builds one
 * from {@link S3Settings} and hands it over to the store it returns.
 */
public class S3ObjectStore implements ObjectStore {
  private static final int PRECONDITION_FAILED = 412;
  private static final int CONFLICT = 409;
  private static final int NOT_FOUND = 404;
  private static final int RANGE_NOT_SATISFIABLE = 416;

  private final S3Client client;
  private final String bucket;
  private final String prefix;
  private final AutoCloseable onClose;

  /**
   * A store on {@code bucket} whose keys live under {@code prefix} (may be empty; a {@code /} is
   * added when missing). Closing the store leaves {@code client} open.
   */
  public S3ObjectStore(S3Client client, String bucket, String prefix) {
    this(client, bucket, prefix, () -> {});
  }

  private S3ObjectStore(S3Client client, String bucket, String prefix, AutoCloseable onClose) {
    this.client = Objects.requireNonNull(client, "client");
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("Cannot use S3 bucket: its name is empty");
    }
    this.bucket = bucket;
    this.prefix = normalizePrefix(prefix);
    this.onClose = onClose;
  }

  /** A store that closes {@code client} when it is closed. */
  static S3ObjectStore owning(S3Client client, String bucket, String prefix) {
    return new S3ObjectStore(client, bucket, prefix, client);
  }

  @Override
  public void putIfAbsent(String key, byte[] content) {
    String objectKey = objectKey(key);
    try {
      client.putObject(
          builder -> builder.bucket(bucket).key(objectKey).ifNoneMatch("*"),
          RequestBody.fromBytes(content));
    } catch (S3Exception e) {
      int status = e.statusCode();
      if (status == PRECONDITION_FAILED || status == CONFLICT) {
        settleRefusedPut(key, content, e);
      } else if (status >= 500) {
        throw new CommitStateUnknownException(
            "Cannot tell whether object " + location(key) + " was written: " + e.getMessage(), e);
      } else {
        throw new StoreUnavailableException(
            "Cannot write object " + location(key) + ": " + e.getMessage(), e);
      }
    } catch (SdkException e) {
      // a timeout or a broken connection: an attempt may have reached S3 all the same
      throw new CommitStateUnknownException(
          "Cannot tell whether object " + location(key) + " was written: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] read(String key) {
    String objectKey = objectKey(key);
    try {
      return client
          .getObjectAsBytes(builder -> builder.bucket(bucket).key(objectKey))
          .asByteArrayUnsafe();
    } catch (SdkException e) {
      throw readFailure(key, e);
    }
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    checkRange(key, offset, length);
    String objectKey = objectKey(key);
    if (length == 0) {
      checkExists(key, objectKey);
      return new byte[0];
    }
    long last = offset > Long.MAX_VALUE - length ? Long.MAX_VALUE : offset + length - 1;
    return rangedRead(
        key,
        objectKey,
        "bytes=" + offset + "-" + last,
        whole ->
            Arrays.copyOfRange(
                whole,
                (int) Math.min(offset, whole.length),
                (int) Math.min(whole.length, last + 1)));
  }

  @Override
  public byte[] readTail(String key, int length) {
    checkRange(key, 0, length);
    String objectKey = objectKey(key);
    if (length == 0) {
      checkExists(key, objectKey);
      return new byte[0];
    }
    return rangedRead(
        key,
        objectKey,
        "bytes=-" + length,
        whole -> Arrays.copyOfRange(whole, Math.max(0, whole.length - length), whole.length));
  }

  @Override
  public Stream<ObjectInfo> list(String listPrefix) {
    return list(listPrefix, "");
  }

  /** Lists with S3's own {@code StartAfter}: keys before it are never read. */
  @Override
  public Stream<ObjectInfo> list(String listPrefix, String startAfter) {
    ObjectKeys.checkPrefix(listPrefix);
    String fullPrefix = prefix + listPrefix;
    Iterator<S3Object> objects;
    try {
      objects =
          client
              .listObjectsV2Paginator(
                  builder -> {
                    builder.bucket(bucket).prefix(fullPrefix);
                    if (!startAfter.isEmpty()) {
                      builder.startAfter(prefix + startAfter);
                    }
                  })
              .contents()
              .iterator();
    } catch (SdkException e) {
      throw listFailure(fullPrefix, e);
    }
    Iterator<ObjectInfo> infos =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            try {
              return objects.hasNext();
            } catch (SdkException e) {
              throw listFailure(fullPrefix, e);
            }
          }

          @Override
          public ObjectInfo next() {
            S3Object object;
            try {
              object = objects.next();
            } catch (SdkException e) {
              throw listFailure(fullPrefix, e);
            }
            return new ObjectInfo(
                object.key().substring(prefix.length()), object.size(), object.lastModified());
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            infos, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }

  @Override
  public void delete(String key) {
    String objectKey = objectKey(key);
    try {
      client.deleteObject(builder -> builder.bucket(bucket).key(objectKey));
    } catch (SdkException e) {
      if (!isNotFound(e)) {
        throw new StoreUnavailableException(
            "Cannot delete object " + location(key) + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() {
    try {
      onClose.close();
    } catch (Exception e) {
      throw new StoreUnavailableException("Cannot close S3 client of " + this, e);
    }
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + prefix;
  }

  /** Decides a refused conditional put: our own earlier attempt (same bytes) or a conflict. */
  private void settleRefusedPut(String key, byte[] content, S3Exception refusal) {
    String objectKey = prefix + key;
    byte[] stored;
    try {
      long size =
          client.headObject(builder -> builder.bucket(bucket).key(objectKey)).contentLength();
      if (size != content.length) {
        throw conflict(key, refusal);
      }
      stored =
          client
              .getObjectAsBytes(builder -> builder.bucket(bucket).key(objectKey))
              .asByteArrayUnsafe();
    } catch (SdkException e) {
      if (isNotFound(e)) {
        // refused because of a concurrent write that is gone again: nothing of ours is there
        throw conflict(key, refusal);
      }
      throw new CommitStateUnknownException(
          "Cannot tell whether object "
              + location(key)
              + " was written: the conditional put was refused and reading it back failed: "
              + e.getMessage(),
          e);
    }
    if (!Arrays.equals(stored, content)) {
      throw conflict(key, refusal);
    }
  }

  private CommitConflictException conflict(String key, S3Exception refusal) {
    return new CommitConflictException(
        "Cannot write object " + location(key) + ": it already exists", refusal);
  }

  private byte[] rangedRead(
      String key, String objectKey, String range, UnaryOperator<byte[]> fromWholeObject) {
    GetObjectRequest request =
        GetObjectRequest.builder().bucket(bucket).key(objectKey).range(range).build();
    try {
      ResponseBytes<GetObjectResponse> response = client.getObjectAsBytes(request);
      byte[] bytes = response.asByteArrayUnsafe();
      // a server that ignores the range answers 200 with the whole object
      return response.response().contentRange() == null ? fromWholeObject.apply(bytes) : bytes;
    } catch (S3Exception e) {
      if (e.statusCode() == RANGE_NOT_SATISFIABLE) {
        return new byte[0]; // the object exists but ends before the range (or is empty)
      }
      throw readFailure(key, e);
    } catch (SdkException e) {
      throw readFailure(key, e);
    }
  }

  private void checkExists(String key, String objectKey) {
    try {
      client.headObject(builder -> builder.bucket(bucket).key(objectKey));
    } catch (SdkException e) {
      throw readFailure(key, e);
    }
  }

  private StoreException readFailure(String key, SdkException e) {
    if (isNotFound(e)) {
      return new NotFoundException(
          "Cannot read object " + location(key) + ": it does not exist", e);
    }
    return new StoreUnavailableException(
        "Cannot read object " + location(key) + ": " + e.getMessage(), e);
  }

  private StoreException listFailure(String fullPrefix, SdkException e) {
    return new StoreUnavailableException(
        "Cannot list objects under s3://" + bucket + "/" + fullPrefix + ": " + e.getMessage(), e);
  }

  /** A missing object; a missing bucket is a configuration problem, not a missing object. */
  private static boolean isNotFound(SdkException e) {
    if (e instanceof NoSuchKeyException) {
      return true;
    }
    if (e instanceof S3Exception s3 && s3.statusCode() == NOT_FOUND) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      return !"NoSuchBucket".equals(code);
    }
    return false;
  }

  private String objectKey(String key) {
    return prefix + ObjectKeys.check(key);
  }

  private String location(String key) {
    return "s3://" + bucket + "/" + prefix + key;
  }

  private static String normalizePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "";
    }
    ObjectKeys.checkPrefix(prefix);
    return prefix.endsWith("/") ? prefix : prefix + "/";
  }

  private static void checkRange(String key, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "Cannot read object " + key + ": invalid range offset " + offset + " length " + length);
    }
  }
}
