package io.sluice.function;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The configuration every function reads ({@code sluice.*}, or the environment, e.g. {@code
 * SLUICE_DATA_DIR}). Left at their defaults, the stores live under {@code data-dir}: objects in
 * {@code objects/}, metadata in {@code metadata.db}.
 */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

  /** Where the embedded stores keep their files. */
  @WithDefault("sluice-data")
  String dataDir();

  /** The largest write body accepted, in bytes. */
  @WithDefault("16777216")
  long maxBodyBytes();

  /**
   * When set, every /v1 and /iceberg call needs {@code Authorization: Bearer <token>}; this token
   * may do everything.
   */
  Optional<String> authToken();

  /**
   * A grants file (see {@link io.sluice.core.access.AccessTokens}): more tokens, each allowed to
   * read, write or administer the tables its patterns name. Calls then need one of its tokens or
   * {@link #authToken}.
   */
  Optional<String> authGrantsFile();

  /**
   * For crash tests only: a step of {@link io.sluice.core.tiering.CrashPoints} at which the JVM
   * halts. Taken only as a system property ({@code -Dsluice.crash-at=<step>[:<n>]}), when the JVM
   * starts; declared here so that the configuration accepts it.
   */
  Optional<String> crashAt();

  ObjectStoreConfig objectStore();

  MetadataConfig metadata();

  LakeConfig lake();

  SchedulerConfig scheduler();

  WriteConfig write();

  /** How the write path groups requests and bounds what it holds (README, "Writing"). */
  interface WriteConfig {
    /** How long a group commit waits for more requests before it starts; 0 starts at once. */
    @WithDefault("0ms")
    String linger();

    /** The most decoded rows one group commit carries, in bytes. */
    @WithDefault("67108864")
    long maxGroupBytes();

    /** The most requests one group commit carries. */
    @WithDefault("256")
    int maxGroupRequests();

    /** The most bytes of write bodies and rows held at once; over it a write is 429. */
    @WithDefault("268435456")
    long maxQueuedBytes();

    /** How long the write path reuses a table's catalog entry before reading it again. */
    @WithDefault("1s")
    String catalogStaleness();
  }

  /** The one-machine server's own schedule of the scheduled function's work. */
  interface SchedulerConfig {
    /** Off in tests that drive recovery, tiering and GC by hand. */
    @WithDefault("true")
    boolean enabled();

    /**
     * A file that keeps this server's name for the tables' tiering leases, written on its first
     * start: a server started again on it takes over at once the leases its previous run left
     * (after a crash, instead of waiting for them to expire). The local server keeps it in its data
     * directory; unset (AWS Lambda), every process takes a random name.
     */
    Optional<String> ownerFile();

    /** How often the work runs (on AWS Lambda: how often within one scheduled invocation). */
    @WithDefault("1s")
    String every();

    /**
     * On AWS Lambda, how long one scheduled invocation (every minute) goes on running passes while
     * a table with a freshness shorter than this keeps receiving rows; capped by the function's
     * remaining time.
     */
    @WithDefault("50s")
    String window();
  }

  /** The lake warehouse and catalogs that tiering writes and scans read. */
  interface LakeConfig {
    /**
     * The warehouse root, {@code file:///dir} or {@code s3://bucket/prefix}; defaults to {@code
     * <data-dir>/lake}. On S3 it uses the object store's endpoint, region and credentials.
     */
    Optional<String> warehouse();

    /**
     * The Iceberg catalog: {@code jdbc} (SQLite beside a local warehouse by default) or {@code
     * rest}, {@code glue}.
     */
    @WithDefault("jdbc")
    String icebergCatalog();

    /** The Iceberg catalog's URI (a JDBC URL or a REST endpoint), when not the local default. */
    Optional<String> icebergUri();
  }

  /** The object store: {@code file:///dir} or {@code s3://bucket/prefix}. */
  interface ObjectStoreConfig {
    /** Defaults to {@code <data-dir>/objects}. */
    Optional<String> uri();

    /** An S3 endpoint override (MinIO, s3proxy, LocalStack). */
    Optional<String> endpoint();

    Optional<String> region();

    /** Path-style S3 addressing, as most S3-compatible stores need. */
    @WithDefault("false")
    boolean pathStyle();

    Optional<String> accessKey();

    Optional<String> secretKey();
  }

  /** The metadata store: {@code sqlite:<file>} or {@code dynamodb:<table>}. */
  interface MetadataConfig {
    /** Defaults to {@code sqlite:<data-dir>/metadata.db}. */
    Optional<String> uri();

    /** A DynamoDB endpoint override (dynalite, LocalStack). */
    Optional<String> endpoint();

    @WithDefault("us-east-1")
    String region();

    Optional<String> accessKey();

    Optional<String> secretKey();

    /**
     * Create the DynamoDB table when it is missing (local testing; Terraform creates it on AWS).
     */
    @WithDefault("false")
    boolean createTable();
  }
}
