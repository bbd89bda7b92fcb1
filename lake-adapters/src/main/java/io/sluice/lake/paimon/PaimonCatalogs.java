package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSettings;
import java.io.IOException;
import java.util.Optional;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogLockFactory;
import org.apache.paimon.catalog.FileSystemCatalog;
import org.apache.paimon.fs.FileIO;
import org.apache.paimon.fs.FileIOLoader;
import org.apache.paimon.fs.Path;
import org.apache.paimon.options.CatalogOptions;
import org.apache.paimon.options.Options;
import org.apache.paimon.s3.S3Loader;

/**
 * Paimon's filesystem catalog on the lake warehouse: {@code <warehouse>/paimon}, a local directory
 * or S3 (through paimon-s3, whose hadoop-aws stays inside its own class loader).
 *
 * <p>On S3 the catalog's lock is a {@link PaimonCommitLock} in Sluice's metadata store: Paimon
 * takes it around every snapshot commit and schema change, since writing a file only if it is
 * absent is not atomic there. A local warehouse commits with an atomic rename and takes no lock.
 */
final class PaimonCatalogs {
  /** The folder of the warehouse that holds the Paimon catalog. */
  static final String FOLDER = "paimon";

  /** Option with the class name of a {@link FileIOLoader} Paimon tries first. */
  static final String FILE_IO_LOADER_OPTION = "paimon.file-io-loader";

  private PaimonCatalogs() {}

  /**
   * The catalog options of these settings: paimon-s3 hands every {@code s3.*} option to S3A as
   * {@code fs.s3a.*}.
   */
  static Options options(LakeSettings settings) {
    Options options = new Options();
    options.set("metastore", "filesystem");
    options.set("warehouse", settings.warehouse() + "/" + FOLDER);
    // Other processes commit and drop tables: always read the file system, never a cache.
    options.set("cache-enabled", "false");
    options.set(CatalogOptions.LOCK_ENABLED, settings.onObjectStore());
    settings.option("s3.endpoint").ifPresent(v -> options.set("s3.endpoint", v));
    settings.option("s3.region").ifPresent(v -> options.set("s3.endpoint.region", v));
    settings.option("s3.access-key").ifPresent(v -> options.set("s3.access-key", v));
    settings.option("s3.secret-key").ifPresent(v -> options.set("s3.secret-key", v));
    settings.option("s3.path-style").ifPresent(v -> options.set("s3.path.style.access", v));
    return options;
  }

  /**
   * Opens the catalog of these settings, with {@code locks} for its commits on an object store.
   *
   * @throws IllegalStateException naming the warehouse when Paimon cannot open it, or when it is on
   *     an object store and there are no locks
   */
  static Catalog open(LakeSettings settings, Optional<LakeLocks> locks) {
    Options options = options(settings);
    String warehouse = options.get(CatalogOptions.WAREHOUSE);
    if (settings.onObjectStore() && locks.isEmpty()) {
      throw new IllegalStateException(
          "Cannot open the Paimon catalog on "
              + warehouse
              + ": commits on an object store need a lock, and the lake formats were opened"
              + " without the metadata store's locks");
    }
    Path root = new Path(warehouse);
    try {
      Optional<FileIOLoader> preferred = preferredLoader(settings);
      CatalogContext context =
          preferred.isPresent()
              ? CatalogContext.create(options, preferred.get(), null)
              : CatalogContext.create(options);
      FileIO fileIO = FileIO.get(root, context);
      fileIO.checkOrMkdirs(root);
      return new LockingCatalog(fileIO, root, options, locks.map(PaimonCommitLock::new));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot open the Paimon catalog on %s: %s".formatted(warehouse, e.getMessage()), e);
    }
  }

  /**
   * The loader Paimon tries first: the one option {@value #FILE_IO_LOADER_OPTION} names, else
   * paimon-s3's on an object store, else none (Paimon's own by scheme).
   *
   * @throws IllegalArgumentException naming the class when it cannot be made a loader
   */
  private static Optional<FileIOLoader> preferredLoader(LakeSettings settings) {
    Optional<String> named = settings.option(FILE_IO_LOADER_OPTION);
    if (named.isEmpty()) {
      // On S3, paimon-s3 directly: Paimon would otherwise skip it without static keys and not
      // find the instance's or function's own credentials.
      return settings.onObjectStore() ? Optional.of(new S3Loader()) : Optional.empty();
    }
    try {
      return Optional.of(
          Class.forName(named.get(), true, PaimonCatalogs.class.getClassLoader())
              .asSubclass(FileIOLoader.class)
              .getConstructor()
              .newInstance());
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException(
          "Cannot use option %s=%s: not a Paimon FileIOLoader with a public no-argument constructor"
              .formatted(FILE_IO_LOADER_OPTION, named.get()),
          e);
    }
  }

  /** The filesystem catalog whose lock, where Paimon takes one, is Sluice's. */
  private static final class LockingCatalog extends FileSystemCatalog {
    private final Optional<PaimonCommitLock> lock;

    LockingCatalog(
        FileIO fileIO, Path warehouse, Options options, Optional<PaimonCommitLock> lock) {
      super(fileIO, warehouse, options);
      this.lock = lock;
    }

    /** Asked only when locking is on: {@code lock.enabled}, set for object stores. */
    @Override
    public Optional<CatalogLockFactory> defaultLockFactory() {
      return lock.map(CatalogLockFactory.class::cast);
    }
  }
}
