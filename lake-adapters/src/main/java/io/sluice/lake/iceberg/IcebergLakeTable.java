package io.sluice.lake.iceberg;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.exceptions.CommitFailedException;

/** A Sluice table's Iceberg table. */
final class IcebergLakeTable implements LakeTable {
  private static final int EVOLVE_ATTEMPTS = 3;

  private final Table table;
  private final String tableId;
  private final OffsetsFiles offsetsFiles;
  private final Clock clock;
  private volatile TableDefinition definition;

  IcebergLakeTable(
      Table table,
      String tableId,
      TableDefinition definition,
      OffsetsFiles offsetsFiles,
      Clock clock) {
    this.table = table;
    this.offsetsFiles = offsetsFiles;
    this.tableId = tableId;
    this.definition = definition;
    this.clock = clock;
  }

  /** The Iceberg table, as of its last refresh. */
  Table table() {
    return table;
  }

  @Override
  public Optional<LakeSnapshot> latestTiered() {
    table.refresh();
    return latestTiered(table, tableId).map(s -> IcebergSnapshots.of(s, offsetsFiles));
  }

  /** The newest ancestor of the current snapshot that tiering of {@code tableId} committed. */
  static Optional<Snapshot> latestTiered(Table table, String tableId) {
    return IcebergSnapshots.latestTiered(table.currentSnapshot(), table::snapshot, tableId);
  }

  @Override
  public List<LakeSnapshot> snapshots() {
    table.refresh();
    return StreamSupport.stream(table.snapshots().spliterator(), false)
        .sorted(
            Comparator.comparingLong(Snapshot::sequenceNumber)
                .thenComparingLong(Snapshot::timestampMillis)
                .reversed())
        .map(s -> IcebergSnapshots.of(s, offsetsFiles))
        .toList();
  }

  /**
   * Appends the definition's columns the Iceberg table lacks, as optional columns; a concurrent
   * schema change is retried a few times, then reported as a {@link CommitConflictException}.
   */
  @Override
  public RowBatches scan(
      LakeSnapshot snapshot,
      List<Column> columns,
      Optional<RowFilter> filter,
      BufferAllocator allocator) {
    return IcebergLakeScan.scan(table, snapshot, columns, filter, allocator);
  }

  @Override
  public void evolve(TableDefinition next) {
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      List<Column> missing =
          next.columns().stream().filter(c -> table.schema().findField(c.name()) == null).toList();
      if (missing.isEmpty()) {
        definition = next;
        return;
      }
      UpdateSchema update = table.updateSchema();
      missing.forEach(c -> update.addColumn(c.name(), IcebergTypes.type(c.type())));
      try {
        update.commit();
        definition = next;
        return;
      } catch (CommitFailedException e) {
        if (attempt == EVOLVE_ATTEMPTS) {
          throw new CommitConflictException(
              "Cannot add columns "
                  + missing.stream().map(Column::name).toList()
                  + " to Iceberg table "
                  + table.name()
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  @Override
  public LakeWrite newWrite(Optional<LakeSnapshot> base, long epoch) {
    table.refresh();
    return new IcebergLakeWrite(table, tableId, definition, base, epoch, offsetsFiles);
  }

  @Override
  public void maintain() {
    new IcebergMaintenance(table, tableId, clock).run();
  }
}
