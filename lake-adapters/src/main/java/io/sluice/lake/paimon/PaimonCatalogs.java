package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSettings;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.options.Options;

/**
 * Paimon's filesystem catalog on the lake warehouse: {@code <warehouse>/paimon}, a local directory
 * or S3 (which needs paimon-s3 on the classpath).
 */
final class PaimonCatalogs {
  /** The folder of the warehouse that holds the Paimon catalog. */
  static final String FOLDER = "paimon";

  private PaimonCatalogs() {}

  /** The catalog options of these settings. */
  static Options options(LakeSettings settings) {
    Options options = new Options();
    options.set("metastore", "filesystem");
    options.set("warehouse", settings.warehouse() + "/" + FOLDER);
    // Other processes commit and drop tables: always read the file system, never a cache.
    options.set("cache-enabled", "false");
    settings.option("s3.endpoint").ifPresent(v -> options.set("s3.endpoint", v));
    settings.option("s3.access-key").ifPresent(v -> options.set("s3.access-key", v));
    settings.option("s3.secret-key").ifPresent(v -> options.set("s3.secret-key", v));
    settings.option("s3.path-style").ifPresent(v -> options.set("s3.path.style.access", v));
    return options;
  }

  /**
   * Opens the catalog of these settings.
   *
   * @throws IllegalStateException naming the warehouse when Paimon cannot open it, such as an S3
   *     warehouse without paimon-s3 on the classpath
   */
  static Catalog open(LakeSettings settings) {
    Options options = options(settings);
    try {
      return CatalogFactory.createCatalog(CatalogContext.create(options));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Cannot open the Paimon catalog on %s%s: %s"
              .formatted(
                  options.get("warehouse"),
                  settings.onObjectStore() ? " (S3 needs paimon-s3 on the classpath)" : "",
                  e.getMessage()),
          e);
    }
  }
}
