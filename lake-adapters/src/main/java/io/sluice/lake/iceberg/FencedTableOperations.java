package io.sluice.lake.iceberg;

import java.util.Objects;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * A table's operations that commit only while the newest tiered snapshot of the table id is the
 * base a tiering run started from (snapshots without offsets after it, such as compactions, are
 * fine: they keep the rows).
 *
 * <p>Iceberg's snapshot producers refresh the table right before they commit, so a plain append
 * would land on whatever is current. Here every commit first checks the metadata it replaces, then
 * hands it to the catalog, whose compare-and-set (the JDBC catalog's conditional update of the
 * metadata location) succeeds only if that metadata is still the catalog's. Both together make "no
 * other tiering commit since the base" part of the atomic commit. Refusals are {@link
 * CommitFailedException}s, which Iceberg treats as a known failure.
 */
final class FencedTableOperations implements TableOperations {
  private final TableOperations delegate;
  private final String tableId;
  private final Long expectedSnapshotId;
  private TableMetadata committed;

  /**
   * @param tableId the Sluice table id whose tiered snapshots count
   * @param expectedSnapshotId the newest tiered snapshot every commit must find, or {@code null}
   *     when tiering never committed
   */
  FencedTableOperations(TableOperations delegate, String tableId, Long expectedSnapshotId) {
    this.delegate = delegate;
    this.tableId = tableId;
    this.expectedSnapshotId = expectedSnapshotId;
  }

  /** The metadata of the last successful commit through these operations, or null. */
  TableMetadata committed() {
    return committed;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    Long tieredId =
        IcebergSnapshots.latestTiered(base, tableId).map(Snapshot::snapshotId).orElse(null);
    if (!Objects.equals(tieredId, expectedSnapshotId)) {
      throw new CommitFailedException(
          "Cannot commit: the table's newest tiered snapshot is %s, not the base %s this write started from",
          tieredId, expectedSnapshotId);
    }
    delegate.commit(base, metadata);
    committed = metadata;
  }

  @Override
  public TableMetadata current() {
    return delegate.current();
  }

  @Override
  public TableMetadata refresh() {
    return delegate.refresh();
  }

  @Override
  public FileIO io() {
    return delegate.io();
  }

  @Override
  public EncryptionManager encryption() {
    return delegate.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return delegate.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return delegate.locationProvider();
  }

  @Override
  public TableOperations temp(TableMetadata uncommittedMetadata) {
    return delegate.temp(uncommittedMetadata);
  }

  @Override
  public long newSnapshotId() {
    return delegate.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return delegate.requireStrictCleanup();
  }
}
