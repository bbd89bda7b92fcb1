package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Passes every call to another store; tests override single methods to pause or fail them. */
public class DelegatingMetadataStore implements MetadataStore {
  private final MetadataStore delegate;

  public DelegatingMetadataStore(MetadataStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<TableEntry> table(TableName name) {
    return delegate.table(name);
  }

  @Override
  public List<TableEntry> tables() {
    return delegate.tables();
  }

  @Override
  public void createTable(TableEntry entry) {
    delegate.createTable(entry);
  }

  @Override
  public void evolveTable(TableEntry current, TableEntry next) {
    delegate.evolveTable(current, next);
  }

  @Override
  public void dropTable(TableName name, String tableId) {
    delegate.dropTable(name, tableId);
  }

  @Override
  public Optional<TableDefinition> schema(String tableId, int schemaId) {
    return delegate.schema(tableId, schemaId);
  }

  @Override
  public BucketHead head(TableBucket at) {
    return delegate.head(at);
  }

  @Override
  public void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    delegate.appendSlice(at, expectedNextOffset, slice);
  }

  @Override
  public IndexPage putIndexPage(TableBucket at, IndexPage page) {
    return delegate.putIndexPage(at, page);
  }

  @Override
  public void closeBucket(TableBucket at) {
    delegate.closeBucket(at);
  }

  @Override
  public List<TableBucket> pendingBuckets(String tableId) {
    return delegate.pendingBuckets(tableId);
  }

  @Override
  public void clearPending(TableBucket at, long tieredUpTo) {
    delegate.clearPending(at, tieredUpTo);
  }

  @Override
  public void trimHead(
      TableBucket at, long expectedIndexedUpTo, long newIndexedUpTo, Collection<Long> baseOffsets) {
    delegate.trimHead(at, expectedIndexedUpTo, newIndexedUpTo, baseOffsets);
  }

  @Override
  public List<IndexPage> indexPages(TableBucket at, long fromOffset, long toOffset, int limit) {
    return delegate.indexPages(at, fromOffset, toOffset, limit);
  }

  @Override
  public void advanceLogStart(
      TableBucket at,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets) {
    delegate.advanceLogStart(at, expectedLogStartOffset, newLogStartOffset, baseOffsets);
  }

  @Override
  public void deleteIndexPage(TableBucket at, long firstOffset) {
    delegate.deleteIndexPage(at, firstOffset);
  }

  @Override
  public List<String> partitions(String tableId) {
    return delegate.partitions(tableId);
  }

  @Override
  public void addPartition(String tableId, String partition) {
    delegate.addPartition(tableId, partition);
  }

  @Override
  public void dropPartition(String tableId, String partition) {
    delegate.dropPartition(tableId, partition);
  }

  @Override
  public Optional<Plan> plan(String tableId, String planKey) {
    return delegate.plan(tableId, planKey);
  }

  @Override
  public void putPlan(Plan plan) {
    delegate.putPlan(plan);
  }

  @Override
  public void startApplying(String tableId, String planKey) {
    delegate.startApplying(tableId, planKey);
  }

  @Override
  public void completePlan(Plan done) {
    delegate.completePlan(done);
  }

  @Override
  public void abortPlan(String tableId, String planKey) {
    delegate.abortPlan(tableId, planKey);
  }

  @Override
  public List<Plan> plans(String tableId, String fromKey, String toKey, int limit) {
    return delegate.plans(tableId, fromKey, toKey, limit);
  }

  @Override
  public Optional<Claim> claim(String tableId, String claimKey) {
    return delegate.claim(tableId, claimKey);
  }

  @Override
  public void putClaim(Claim claim) {
    delegate.putClaim(claim);
  }

  @Override
  public void replaceClaim(Claim expected, Claim next) {
    delegate.replaceClaim(expected, next);
  }

  @Override
  public void deleteClaim(Claim claim) {
    delegate.deleteClaim(claim);
  }

  @Override
  public Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
    return delegate.commitInOneTransaction(pending, claims);
  }

  @Override
  public SweepState sweepState(String tableId) {
    return delegate.sweepState(tableId);
  }

  @Override
  public void putSweepState(SweepState state) {
    delegate.putSweepState(state);
  }

  @Override
  public void deletePlan(String tableId, String planKey) {
    delegate.deletePlan(tableId, planKey);
  }

  @Override
  public Optional<Lease> lease(String tableId) {
    return delegate.lease(tableId);
  }

  @Override
  public void putLease(Optional<Lease> expected, Lease granted) {
    delegate.putLease(expected, granted);
  }

  @Override
  public Optional<TieringState> tieringState(String tableId, LakeFormatName format) {
    return delegate.tieringState(tableId, format);
  }

  @Override
  public void putTieringState(TieringState state) {
    delegate.putTieringState(state);
  }
}
