package io.sluice.core.lake;

import java.util.Map;
import java.util.Optional;

/**
 * Where the lake lives and how to reach it: the warehouse root ({@code file:///dir/lake} or {@code
 * s3://bucket/prefix/lake}; each format uses a folder below it) and plain options such as {@code
 * s3.endpoint}, {@code s3.region}, {@code s3.path-style}, {@code s3.access-key}, {@code
 * s3.secret-key}, {@code iceberg.catalog} ({@code jdbc}, {@code glue}, {@code rest}) and {@code
 * iceberg.uri}; {@code iceberg.io-impl} and {@code paimon.file-io-loader} name a file IO (Iceberg)
 * or a file IO loader (Paimon) of one's own, e.g. one that wraps the file system.
 */
public record LakeSettings(String warehouse, Map<String, String> options) {
  public LakeSettings {
    warehouse =
        warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    options = Map.copyOf(options);
  }

  /** An option, if set. */
  public Optional<String> option(String key) {
    return Optional.ofNullable(options.get(key));
  }

  /** Whether the warehouse is on S3 (or an S3-compatible store) rather than a local directory. */
  public boolean onObjectStore() {
    return warehouse.startsWith("s3://") || warehouse.startsWith("s3a://");
  }
}
