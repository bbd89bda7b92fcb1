package io.sluice.lake.iceberg;

import io.sluice.core.lake.LakeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Driver;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Opens the Iceberg catalog that {@link LakeSettings} describe, always named {@value #NAME}, with
 * the warehouse {@code <settings warehouse>/iceberg}.
 *
 * <ul>
 *   <li>no {@code iceberg.catalog} and a local {@code file:} warehouse: a JDBC catalog on the
 *       SQLite file {@code <warehouse dir>/iceberg-catalog.db} (the one-machine shape);
 *   <li>{@code iceberg.catalog=jdbc}: a JDBC catalog on {@code iceberg.uri} (default: the SQLite
 *       file above, for a local warehouse);
 *   <li>{@code iceberg.catalog=rest} or {@code glue}: handed to {@link
 *       CatalogUtil#buildIcebergCatalog} with {@code uri} from {@code iceberg.uri}. The Glue
 *       catalog lives in {@code iceberg-aws} but needs the SDK's {@code glue} module, which this
 *       module does not ship: add it to use Glue.
 * </ul>
 *
 * <p>Every other option {@code iceberg.<key>} is passed to the catalog as {@code <key>} (e.g.
 * {@code iceberg.io-impl}). A warehouse on S3 gets {@code S3FileIO} (iceberg-aws) configured from
 * the {@code s3.*} options unless {@code iceberg.io-impl} says otherwise: {@code s3.endpoint},
 * {@code s3.path-style} as {@code s3.path-style-access}, {@code s3.access-key} and {@code
 * s3.secret-key} as {@code s3.access-key-id} and {@code s3.secret-access-key}, {@code s3.region} as
 * {@code client.region}. A JDBC catalog (e.g. SQLite beside the process) on an S3 warehouse needs
 * {@code iceberg.uri}.
 */
final class IcebergCatalogs {
  /** The catalog's name, as engines reading the same catalog should call it too. */
  static final String NAME = "sluice";

  static final String CATALOG_OPTION = "iceberg.catalog";
  static final String URI_OPTION = "iceberg.uri";
  static final String SQLITE_FILE = "iceberg-catalog.db";
  static final String INIT_TABLES_PROPERTY = JdbcCatalog.PROPERTY_PREFIX + "init-catalog-tables";
  private static final Object LOCAL_INIT = new Object();

  private IcebergCatalogs() {}

  /**
   * Opens (and initializes) the catalog.
   *
   * @throws IllegalArgumentException when the settings name no usable catalog
   */
  static Catalog open(LakeSettings settings) {
    Map<String, String> properties = properties(settings);
    String type = settings.option(CATALOG_OPTION).orElse("jdbc").toLowerCase(Locale.ROOT);
    if (type.equals("jdbc")) {
      registerJdbcDrivers();
      if (!"false".equals(properties.get(INIT_TABLES_PROPERTY))) {
        Optional<Path> sqliteFile = sqliteFile(properties.get(CatalogProperties.URI));
        if (sqliteFile.isPresent()) {
          createLocalCatalogTables(properties, sqliteFile.get());
        } else {
          createCatalogTables(properties);
        }
        properties.put(INIT_TABLES_PROPERTY, "false");
      }
      JdbcCatalog catalog = new JdbcCatalog();
      catalog.setConf(new Configuration());
      catalog.initialize(NAME, properties);
      return catalog;
    }
    if (!type.equals("rest") && !type.equals("glue")) {
      throw new IllegalArgumentException(
          "Cannot open Iceberg catalog: option "
              + CATALOG_OPTION
              + " must be jdbc, rest or glue, not '"
              + type
              + "'");
    }
    properties.put(CatalogUtil.ICEBERG_CATALOG_TYPE, type);
    return CatalogUtil.buildIcebergCatalog(NAME, properties, new Configuration());
  }

  /**
   * Registers the JDBC drivers this class's loader sees. Iceberg's JDBC catalog connects through
   * {@link DriverManager}, which scans for drivers once per JVM and then hands a caller only
   * drivers of its own class loader: in a JVM that runs a second application (a Quarkus restart in
   * tests or dev mode), the SQLite driver of this one would otherwise be missing ("No suitable
   * driver").
   */
  private static void registerJdbcDrivers() {
    JdbcDrivers.REGISTERED.size();
  }

  /** The drivers, instantiated (and so registered) once, when first needed. */
  private static final class JdbcDrivers {
    static final List<Driver> REGISTERED =
        ServiceLoader.load(Driver.class, IcebergCatalogs.class.getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .toList();
  }

  /**
   * Creates the JDBC catalog's own tables if missing, on a catalog closed right away. Iceberg
   * 1.10.1 leaves the result set of its "do the catalog tables exist" check open (fixed upstream by
   * apache/iceberg#15463); on SQLite that open read holds a shared lock for the life of the
   * connection and blocks every other connection's commits. Closing the catalog closes it.
   */
  private static void createCatalogTables(Map<String, String> properties) {
    try (JdbcCatalog init = new JdbcCatalog()) {
      init.setConf(new Configuration());
      init.initialize(NAME, properties);
    }
  }

  /**
   * Creates the catalog tables of a SQLite catalog one process (and thread) at a time. Two that do
   * it at once deadlock on SQLite: each holds the shared lock of its check (above) and wants to
   * write, so one is refused at once with SQLITE_BUSY, whatever the busy timeout. A file lock next
   * to the database serialises processes; it does not serialise threads of one process, whose
   * overlapping lock would throw, so they take a lock of their own first.
   */
  private static void createLocalCatalogTables(Map<String, String> properties, Path database) {
    Path lockFile = database.resolveSibling(database.getFileName() + ".init-lock");
    synchronized (LOCAL_INIT) {
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        createCatalogTables(properties);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot open Iceberg catalog: cannot lock " + lockFile + " to create its tables", e);
      }
    }
  }

  /**
   * The database file of a {@code jdbc:sqlite:} URI (the default catalog's or one the user gives),
   * or empty for another database or an in-memory one.
   */
  static Optional<Path> sqliteFile(String uri) {
    String prefix = "jdbc:sqlite:";
    if (uri == null || !uri.startsWith(prefix)) {
      return Optional.empty();
    }
    String location = uri.substring(prefix.length());
    int query = location.indexOf('?');
    if (query >= 0) {
      location = location.substring(0, query);
    }
    if (location.startsWith("file:")) {
      location = location.substring("file:".length());
    }
    if (location.isEmpty()
        || location.startsWith(":memory:")
        || location.startsWith(":resource:")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(location).toAbsolutePath());
  }

  /** The catalog properties the settings give, before the catalog type is chosen. */
  static Map<String, String> properties(LakeSettings settings) {
    Map<String, String> properties = new HashMap<>();
    settings
        .options()
        .forEach(
            (key, value) -> {
              if (key.startsWith("iceberg.")
                  && !key.equals(CATALOG_OPTION)
                  && !key.equals(URI_OPTION)) {
                properties.put(key.substring("iceberg.".length()), value);
              }
            });
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, settings.warehouse() + "/iceberg");
    String type = settings.option(CATALOG_OPTION).orElse("jdbc").toLowerCase(Locale.ROOT);
    String uri = settings.option(URI_OPTION).orElse(null);
    if (uri == null && type.equals("jdbc")) {
      uri = "jdbc:sqlite:" + localSqliteFile(settings);
    }
    if (uri != null) {
      properties.put(CatalogProperties.URI, uri);
    }
    if (settings.onObjectStore()) {
      properties.putIfAbsent(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
      copy(settings, "s3.endpoint", "s3.endpoint", properties);
      copy(settings, "s3.path-style", "s3.path-style-access", properties);
      copy(settings, "s3.access-key", "s3.access-key-id", properties);
      copy(settings, "s3.secret-key", "s3.secret-access-key", properties);
      copy(settings, "s3.region", "client.region", properties);
    }
    return properties;
  }

  private static Path localSqliteFile(LakeSettings settings) {
    if (!settings.warehouse().startsWith("file:")) {
      throw new IllegalArgumentException(
          "Cannot open Iceberg catalog for warehouse "
              + settings.warehouse()
              + ": a warehouse that is not a local file: URI needs option "
              + CATALOG_OPTION
              + " (glue or rest) or "
              + URI_OPTION
              + " (a JDBC URI)");
    }
    Path directory = Path.of(URI.create(settings.warehouse()));
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open Iceberg catalog: cannot create warehouse directory " + directory, e);
    }
    return directory.resolve(SQLITE_FILE);
  }

  private static void copy(
      LakeSettings settings, String option, String property, Map<String, String> properties) {
    settings.option(option).ifPresent(value -> properties.putIfAbsent(property, value));
  }
}
