package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import java.time.Clock;
import java.util.Optional;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.table.FileStoreTable;

/**
 * Apache Paimon as a lake format: a filesystem catalog under {@code <warehouse>/paimon}, one Paimon
 * database per Sluice database and one append table per Sluice log table (a primary-key table per
 * Sluice primary-key table), bucketed as Sluice buckets it (see {@link PaimonTableSchemas}). The
 * catalog is opened on first use; on an object store it commits under a {@link PaimonCommitLock}.
 */
public final class PaimonLakeFormat implements LakeFormat {
  private final LakeSettings settings;
  private final Optional<LakeLocks> locks;
  private final PaimonMaintenance.Policy maintenance;
  private final OffsetsFiles offsetsFiles;
  private final Clock clock;
  private Catalog catalog;

  /** A format without locks: for a local warehouse only. */
  public PaimonLakeFormat(LakeSettings settings, Clock clock) {
    this(settings, Optional.empty(), OffsetsFiles.INLINE, clock);
  }

  /** A format that commits under {@code locks} when its warehouse is on an object store. */
  public PaimonLakeFormat(LakeSettings settings, LakeLocks locks, Clock clock) {
    this(settings, Optional.of(locks), OffsetsFiles.INLINE, clock);
  }

  /**
   * A format that commits under {@code locks} (if any) and keeps offsets too many for a snapshot
   * property in {@code offsetsFiles}.
   */
  public PaimonLakeFormat(
      LakeSettings settings, Optional<LakeLocks> locks, OffsetsFiles offsetsFiles, Clock clock) {
    this.settings = settings;
    this.locks = locks;
    this.offsetsFiles = offsetsFiles;
    this.maintenance = PaimonMaintenance.Policy.of(settings);
    this.clock = clock;
  }

  @Override
  public LakeFormatName name() {
    return LakeFormatName.PAIMON;
  }

  /**
   * {@inheritDoc}
   *
   * @throws LakeTableExistsException when a Paimon table of that name has another (or no) {@value
   *     LakeSnapshot#TABLE_ID_PROPERTY}
   */
  @Override
  public LakeTable createOrLoad(TableEntry table) {
    Identifier identifier = identifier(table.name());
    Catalog catalog = catalog();
    try {
      catalog.createDatabase(identifier.getDatabaseName(), true);
      try {
        catalog.createTable(identifier, PaimonTableSchemas.schema(table), false);
      } catch (Catalog.TableAlreadyExistException e) {
        // Created before, or by a racing call: check whose it is below.
      } catch (RuntimeException e) {
        // A racing creator (another run or process) wrote the first schema between Paimon's own
        // existence check and its write ("Schema in filesystem exists, creation is not allowed"):
        // the table exists, which is all this call asks for. Anything else is rethrown.
        if (!exists(catalog, identifier)) {
          throw e;
        }
      }
      FileStoreTable lakeTable = (FileStoreTable) catalog.getTable(identifier);
      String found = lakeTable.options().get(LakeSnapshot.TABLE_ID_PROPERTY);
      if (!table.tableId().equals(found)) {
        throw new LakeTableExistsException(
            ("Cannot create Paimon table %s for table id %s: a Paimon table of that name exists"
                    + " with %s; DELETE the Sluice table with ?purgeLake=true to drop it, then"
                    + " create it again")
                .formatted(
                    table.name(),
                    table.tableId(),
                    found == null ? "no table id" : "table id " + found));
      }
      return new PaimonLakeTable(catalog, identifier, table, maintenance, offsetsFiles, clock);
    } catch (Catalog.TableNotExistException e) {
      throw new StoreUnavailableException(
          "Cannot load Paimon table " + table.name() + ": it was dropped while being created", e);
    } catch (Catalog.DatabaseAlreadyExistException | Catalog.DatabaseNotExistException e) {
      throw new StoreUnavailableException(
          "Cannot create Paimon table " + table.name() + ": its database was dropped meanwhile", e);
    }
  }

  @Override
  public Optional<LakeTable> load(TableEntry table) {
    Identifier identifier = identifier(table.name());
    Catalog catalog = catalog();
    try {
      FileStoreTable lakeTable = (FileStoreTable) catalog.getTable(identifier);
      if (!table.tableId().equals(lakeTable.options().get(LakeSnapshot.TABLE_ID_PROPERTY))) {
        return Optional.empty();
      }
      return Optional.of(
          new PaimonLakeTable(catalog, identifier, table, maintenance, offsetsFiles, clock));
    } catch (Catalog.TableNotExistException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean exists(TableName name) {
    return exists(catalog(), identifier(name));
  }

  private static boolean exists(Catalog catalog, Identifier identifier) {
    try {
      catalog.getTable(identifier);
      return true;
    } catch (Catalog.TableNotExistException e) {
      return false;
    }
  }

  @Override
  public void purge(TableName name) {
    try {
      // The filesystem catalog deletes the table's folder with it.
      catalog().dropTable(identifier(name), false);
    } catch (Catalog.TableNotExistException e) {
      // Nothing to purge.
    }
  }

  @Override
  public synchronized void close() {
    if (catalog != null) {
      try {
        catalog.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close the Paimon catalog", e);
      } finally {
        catalog = null;
      }
    }
  }

  private synchronized Catalog catalog() {
    if (catalog == null) {
      catalog = PaimonCatalogs.open(settings, locks);
    }
    return catalog;
  }

  private static Identifier identifier(TableName name) {
    return Identifier.create(name.database(), name.table());
  }
}
