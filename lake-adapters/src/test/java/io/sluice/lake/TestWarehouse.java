package io.sluice.lake;

import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.tiering.LeaseLocks;
import io.sluice.objectstore.ObjectStores;
import io.sluice.objectstore.S3ProxyServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Where a test's lake lives: a temporary directory, or a fresh bucket of an s3proxy that the test
 * JVM starts once, on loopback. Either way it gives the {@link LakeSettings} to open the formats
 * with, {@link LakeLocks} in a metadata store of its own, and a view of the warehouse's files.
 */
public final class TestWarehouse implements AutoCloseable {

  /** The kinds of storage a lake is tested on. */
  public enum Storage {
    LOCAL,
    S3
  }

  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static S3ProxyServer server;

  private final Storage storage;
  private final Path dir;
  private final String root;
  private final ObjectStore files;
  private final TestingMetadataStore metadata = new TestingMetadataStore();

  private TestWarehouse(Storage storage, Path dir, String root, ObjectStore files) {
    this.storage = storage;
    this.dir = dir;
    this.root = root;
    this.files = files;
  }

  /**
   * A warehouse on {@code storage}; {@code dir} (a test's temporary directory) holds a local
   * warehouse, and the SQLite file of the Iceberg catalog in both cases.
   */
  public static TestWarehouse create(Storage storage, Path dir) {
    if (storage == Storage.LOCAL) {
      String root = dir.resolve("lake").toUri().toString();
      return new TestWarehouse(storage, dir, root, ObjectStores.open(root));
    }
    S3ProxyServer s3 = server();
    String bucket = "lake-" + BUCKETS.incrementAndGet();
    s3.createBucket(bucket);
    String root = "s3://" + bucket + "/sluice/lake";
    return new TestWarehouse(storage, dir, root, ObjectStores.open(root, s3.s3Settings()));
  }

  private static synchronized S3ProxyServer server() {
    if (server == null) {
      S3ProxyServer started = S3ProxyServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "s3proxy-stop"));
      server = started;
    }
    return server;
  }

  public Storage storage() {
    return storage;
  }

  public boolean onS3() {
    return storage == Storage.S3;
  }

  /** The warehouse root: {@code file:/.../lake} or {@code s3://<bucket>/sluice/lake}. */
  public String root() {
    return root;
  }

  /** Settings of the warehouse with {@code options} and, on S3, how to reach it. */
  public LakeSettings settings(Map<String, String> options) {
    Map<String, String> all = new HashMap<>(options);
    all.putAll(s3Options());
    if (onS3()) {
      all.put("iceberg.uri", "jdbc:sqlite:" + icebergCatalogFile());
    }
    return new LakeSettings(root, all);
  }

  /** How to reach the warehouse's S3 ({@code s3.*} options); empty for a local warehouse. */
  public Map<String, String> s3Options() {
    if (!onS3()) {
      return Map.of();
    }
    return Map.of(
        "s3.endpoint", server.endpoint().toString(),
        "s3.region", server.region(),
        "s3.path-style", "true",
        "s3.access-key", server.accessKey(),
        "s3.secret-key", server.secretKey());
  }

  /** The SQLite file of the Iceberg JDBC catalog. */
  public Path icebergCatalogFile() {
    return onS3() ? dir.resolve("iceberg-catalog.db") : dir.resolve("lake/iceberg-catalog.db");
  }

  /** Locks in this warehouse's own metadata store; every format opened with them shares them. */
  public LakeLocks locks() {
    return locks(LeaseLocks.Limits.DEFAULT, Clock.systemUTC());
  }

  /** Locks with these limits in this warehouse's metadata store. */
  public LeaseLocks locks(LeaseLocks.Limits limits, Clock clock) {
    return new LeaseLocks(metadata, clock, limits);
  }

  /** The metadata store the locks live in. */
  public TestingMetadataStore metadata() {
    return metadata;
  }

  /** The keys, relative to the root, of the files under {@code prefix} (relative too). */
  public List<String> files(String prefix) {
    try (Stream<ObjectInfo> found = files.list(prefix)) {
      return found.map(ObjectInfo::key).toList();
    }
  }

  /** The files under {@code prefix} that end with {@code suffix}. */
  public List<String> files(String prefix, String suffix) {
    return files(prefix).stream().filter(key -> key.endsWith(suffix)).toList();
  }

  /** The URI of a key relative to the root, as the lake formats spell it. */
  public String uri(String key) {
    return root + "/" + key;
  }

  /** The local file of a key; only for a local warehouse. */
  public Path localFile(String key) {
    if (onS3()) {
      throw new IllegalStateException("Cannot use a local file of a warehouse on S3: " + key);
    }
    return dir.resolve("lake").resolve(key);
  }

  @Override
  public void close() {
    files.close();
  }
}
