package io.sluice.lake.iceberg;

import io.sluice.core.lake.CatalogEndpoint;
import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Sluice tables as Iceberg tables (format version 2, Parquet) in one catalog (see {@link
 * IcebergCatalogs}): namespace and table named as in Sluice, a primary key as identifier fields,
 * the table id in the table property {@value LakeSnapshot#TABLE_ID_PROPERTY}, and automatic commit
 * retries off so that the catalog's compare-and-set fences every tiering commit. The catalog opens
 * on first use.
 */
public final class IcebergLakeFormat implements LakeFormat {
  private final LakeSettings settings;
  private final OffsetsFiles offsetsFiles;
  private final Clock clock;
  private Catalog catalog;

  /**
   * @param clock decides which snapshots are old enough to expire and which unreferenced files are
   *     old enough to delete
   */
  public IcebergLakeFormat(LakeSettings settings, Clock clock) {
    this(settings, OffsetsFiles.INLINE, clock);
  }

  /** A format that keeps offsets too many for a snapshot property in {@code offsetsFiles}. */
  public IcebergLakeFormat(LakeSettings settings, OffsetsFiles offsetsFiles, Clock clock) {
    this.settings = settings;
    this.offsetsFiles = offsetsFiles;
    this.clock = clock;
  }

  @Override
  public LakeFormatName name() {
    return LakeFormatName.ICEBERG;
  }

  /**
   * @throws LakeTableExistsException when an Iceberg table of that name has another table id
   */
  @Override
  public LakeTable createOrLoad(TableEntry entry) {
    TableIdentifier id = identifier(entry.name());
    Catalog catalog = catalog();
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      table = create(catalog, id, entry);
    }
    String found = table.properties().get(LakeSnapshot.TABLE_ID_PROPERTY);
    if (!entry.tableId().equals(found)) {
      throw new LakeTableExistsException(
          "Cannot use Iceberg table "
              + id
              + " for table "
              + entry.name()
              + " (id "
              + entry.tableId()
              + "): it holds "
              + (found == null ? "a table Sluice did not create" : "table id " + found)
              + "; DELETE the Sluice table with ?purgeLake=true to drop it first");
    }
    return new IcebergLakeTable(table, entry.tableId(), entry.definition(), offsetsFiles, clock);
  }

  private Table create(Catalog catalog, TableIdentifier id, TableEntry entry) {
    if (catalog instanceof SupportsNamespaces namespaces
        && !namespaces.namespaceExists(id.namespace())) {
      try {
        namespaces.createNamespace(id.namespace());
      } catch (RuntimeException e) {
        // Created meanwhile by another run or process: the JDBC catalog reports that as
        // AlreadyExistsException or, on SQLite, as a failed insert of the namespace's properties.
        if (!namespaces.namespaceExists(id.namespace())) {
          throw e;
        }
      }
    }
    var schema = IcebergSchemas.schema(entry.definition());
    try {
      return catalog
          .buildTable(id, schema)
          .withPartitionSpec(IcebergSchemas.spec(schema, entry.definition()))
          .withProperties(
              Map.of(
                  LakeSnapshot.TABLE_ID_PROPERTY,
                  entry.tableId(),
                  TableProperties.FORMAT_VERSION,
                  "2",
                  TableProperties.DEFAULT_FILE_FORMAT,
                  "parquet",
                  TableProperties.COMMIT_NUM_RETRIES,
                  "0",
                  TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED,
                  "true",
                  TableProperties.METADATA_PREVIOUS_VERSIONS_MAX,
                  "20",
                  TableProperties.MAX_SNAPSHOT_AGE_MS,
                  Long.toString(IcebergMaintenance.DEFAULT_SNAPSHOT_AGE.toMillis())))
          .create();
    } catch (RuntimeException e) {
      // Created meanwhile by another run or process (AlreadyExistsException, or a failed insert
      // of the catalog row): the table is there, which is all this call asks for.
      if (!catalog.tableExists(id)) {
        throw e;
      }
      return catalog.loadTable(id);
    }
  }

  @Override
  public Optional<LakeTable> load(TableEntry entry) {
    Table table;
    try {
      table = catalog().loadTable(identifier(entry.name()));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
    if (!entry.tableId().equals(table.properties().get(LakeSnapshot.TABLE_ID_PROPERTY))) {
      return Optional.empty();
    }
    return Optional.of(
        new IcebergLakeTable(table, entry.tableId(), entry.definition(), offsetsFiles, clock));
  }

  @Override
  public boolean exists(TableName name) {
    return catalog().tableExists(identifier(name));
  }

  /** Drops the table with its data files, then removes whatever is left under its location. */
  @Override
  public void purge(TableName name) {
    TableIdentifier id = identifier(name);
    Catalog catalog = catalog();
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      return;
    }
    String location = table.location();
    FileIO io = table.io();
    catalog.dropTable(id, true);
    if (io instanceof SupportsPrefixOperations prefixes) {
      // Files of commits that failed are referenced by no metadata; the trailing slash keeps a
      // string-prefix store (S3) from touching a sibling table whose name starts the same.
      prefixes.deletePrefix(location + "/");
    }
  }

  @Override
  public synchronized void close() {
    if (catalog instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot close Iceberg catalog " + IcebergCatalogs.NAME, e);
      }
    }
    catalog = null;
  }

  @Override
  public Optional<CatalogEndpoint> catalogEndpoint() {
    return Optional.of(new IcebergRestEndpoint(this::catalog));
  }

  private synchronized Catalog catalog() {
    if (catalog == null) {
      catalog = IcebergCatalogs.open(settings);
    }
    return catalog;
  }

  static TableIdentifier identifier(TableName name) {
    return TableIdentifier.of(Namespace.of(name.database()), name.table());
  }

  /** The Sluice table an Iceberg identifier names (its namespace levels joined by dots). */
  static TableName tableName(TableIdentifier identifier) {
    return new TableName(String.join(".", identifier.namespace().levels()), identifier.name());
  }
}
