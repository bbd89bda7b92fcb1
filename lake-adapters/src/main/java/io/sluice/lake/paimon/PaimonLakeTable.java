package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.options.Options;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.FileStoreTableFactory;
import org.apache.paimon.utils.SnapshotManager;

/**
 * One Sluice table's Paimon table. Every call loads the table from the catalog afresh: other runs
 * commit and evolve it meanwhile.
 */
final class PaimonLakeTable implements LakeTable {
  private final Catalog catalog;
  private final Identifier identifier;
  private final String tableId;
  private final PaimonMaintenance maintenance;
  private final OffsetsFiles offsetsFiles;
  private volatile TableDefinition definition;

  PaimonLakeTable(
      Catalog catalog,
      Identifier identifier,
      TableEntry entry,
      PaimonMaintenance.Policy policy,
      OffsetsFiles offsetsFiles,
      Clock clock) {
    this.offsetsFiles = offsetsFiles;
    this.catalog = catalog;
    this.identifier = identifier;
    this.tableId = entry.tableId();
    this.definition = entry.definition();
    this.maintenance = new PaimonMaintenance(policy, clock);
  }

  @Override
  public Optional<LakeSnapshot> latestTiered() {
    SnapshotManager snapshots = table().snapshotManager();
    Long latest = snapshots.latestSnapshotId();
    if (latest == null) {
      return Optional.empty();
    }
    return PaimonSnapshots.newestTiering(snapshots, latest, 0, tableId)
        .map(s -> PaimonSnapshots.toLakeSnapshot(s, offsetsFiles));
  }

  @Override
  public List<LakeSnapshot> snapshots() {
    SnapshotManager snapshots = table().snapshotManager();
    Long latest = snapshots.latestSnapshotId();
    Long earliest = snapshots.earliestSnapshotId();
    List<LakeSnapshot> result = new ArrayList<>();
    if (latest == null || earliest == null) {
      return result;
    }
    for (long id = latest; id >= earliest; id--) {
      Optional<Snapshot> snapshot = PaimonSnapshots.find(snapshots, id);
      if (snapshot.isEmpty()) {
        break; // expired meanwhile, and so are all older ones
      }
      result.add(PaimonSnapshots.toLakeSnapshot(snapshot.get(), offsetsFiles));
    }
    return result;
  }

  @Override
  public RowBatches scan(
      LakeSnapshot snapshot,
      List<Column> columns,
      Optional<RowFilter> filter,
      BufferAllocator allocator) {
    return PaimonLakeScan.scan(table(), definition, snapshot, columns, filter, allocator);
  }

  /** Appends, nullable, the columns of {@code next} that the Paimon table lacks. */
  @Override
  public void evolve(TableDefinition next) {
    FileStoreTable table = table();
    List<String> present = table.rowType().getFieldNames();
    List<SchemaChange> changes = new ArrayList<>();
    for (Column column : next.columns()) {
      if (!present.contains(column.name())) {
        changes.add(SchemaChange.addColumn(column.name(), PaimonTypes.type(column.type())));
      }
    }
    if (!changes.isEmpty()) {
      try {
        catalog.alterTable(identifier, changes, false);
      } catch (Catalog.ColumnAlreadyExistException e) {
        // Another run added it first; the schema now has it.
      } catch (Catalog.TableNotExistException | Catalog.ColumnNotExistException e) {
        throw new StoreUnavailableException(
            "Cannot add columns to Paimon table "
                + identifier.getFullName()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    definition = next;
  }

  /**
   * A write committing with commit user {@value PaimonLakeWrite#COMMIT_USER} and identifier {@code
   * epoch}, through a {@link TieringFence} on {@code base}.
   */
  @Override
  public LakeWrite newWrite(Optional<LakeSnapshot> base, long epoch) {
    FileStoreTable table = table();
    TieringFence fence = new TieringFence(base.map(LakeSnapshot::snapshotId).orElse(null));
    // write-only: no compaction inside the write (it would commit a second snapshot with the
    // offsets) and no expiry after the commit (maintain() expires, keeping the tiered snapshot);
    // no retries: a commit Paimon would retry on a newer latest snapshot is refused instead.
    Options options = new Options(Map.of("write-only", "true", "commit.max-retries", "0"));
    FileStoreTable fenced =
        FileStoreTableFactory.create(
            table.fileIO(),
            table.location(),
            table.schema(),
            options,
            fence.environment(table.catalogEnvironment()));
    return new PaimonLakeWrite(
        fenced, identifier.getFullName(), definition, tableId, base, epoch, fence, offsetsFiles);
  }

  @Override
  public void maintain() {
    maintenance.run(table(), tableId);
  }

  private FileStoreTable table() {
    try {
      return (FileStoreTable) catalog.getTable(identifier);
    } catch (Catalog.TableNotExistException e) {
      throw new StoreUnavailableException(
          "Cannot load Paimon table " + identifier.getFullName() + ": it was dropped", e);
    }
  }
}
