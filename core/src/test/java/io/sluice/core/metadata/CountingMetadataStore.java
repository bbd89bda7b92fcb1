package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passes every call to another store and counts them, and the items its range reads return, so that
 * tests can tell what a piece of work costs.
 */
public class CountingMetadataStore extends DelegatingMetadataStore {

  /** What is counted. */
  public enum Count {
    /** Calls of {@link #head}. */
    HEAD_READS,
    /** Calls of {@link #indexPages(String, int, long, long, int)}. */
    INDEX_PAGE_QUERIES,
    /** Index pages those calls returned. */
    INDEX_PAGES_READ,
    /** Calls of {@link #pendingBuckets}. */
    PENDING_QUERIES,
    /** Calls of {@link #clearPending}. */
    PENDING_CLEARS,
    /** Calls of {@link #plans}. */
    PLAN_QUERIES,
    /** Plans (and tombstones) those calls returned. */
    PLANS_READ,
    /** Calls of {@link #plan}: single-plan reads. */
    PLAN_GETS,
    /** Every other read: catalog, schemas, claims, sweep state, leases, tiering state. */
    OTHER_READS,
    /** Calls of {@link #advanceLogStart}. */
    LOG_START_ADVANCES,
    /** Calls of {@link #appendSlice}. */
    SLICE_APPENDS,
    /** Every write, those above included. */
    WRITES
  }

  private final Map<Count, LongAdder> counts = new EnumMap<>(Count.class);

  public CountingMetadataStore(MetadataStore delegate) {
    super(delegate);
    for (Count count : Count.values()) {
      counts.put(count, new LongAdder());
    }
  }

  /** How many of {@code count} happened so far. */
  public long count(Count count) {
    return counts.get(count).sum();
  }

  /** Every count so far. */
  public Map<Count, Long> counts() {
    Map<Count, Long> snapshot = new EnumMap<>(Count.class);
    counts.forEach((count, adder) -> snapshot.put(count, adder.sum()));
    return snapshot;
  }

  private void add(Count count, long n) {
    counts.get(count).add(n);
  }

  private void write() {
    add(Count.WRITES, 1);
  }

  @Override
  public Optional<TableEntry> table(TableName name) {
    add(Count.OTHER_READS, 1);
    return super.table(name);
  }

  @Override
  public List<TableEntry> tables() {
    add(Count.OTHER_READS, 1);
    return super.tables();
  }

  @Override
  public void createTable(TableEntry entry) {
    write();
    super.createTable(entry);
  }

  @Override
  public void evolveTable(TableEntry current, TableEntry next) {
    write();
    super.evolveTable(current, next);
  }

  @Override
  public void dropTable(TableName name, String tableId) {
    write();
    super.dropTable(name, tableId);
  }

  @Override
  public Optional<TableDefinition> schema(String tableId, int schemaId) {
    add(Count.OTHER_READS, 1);
    return super.schema(tableId, schemaId);
  }

  @Override
  public BucketHead head(TableBucket at) {
    add(Count.HEAD_READS, 1);
    return super.head(at);
  }

  @Override
  public void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    add(Count.SLICE_APPENDS, 1);
    write();
    super.appendSlice(at, expectedNextOffset, slice);
  }

  @Override
  public IndexPage putIndexPage(TableBucket at, IndexPage page) {
    write();
    return super.putIndexPage(at, page);
  }

  @Override
  public void closeBucket(TableBucket at) {
    write();
    super.closeBucket(at);
  }

  @Override
  public List<TableBucket> pendingBuckets(String tableId) {
    add(Count.PENDING_QUERIES, 1);
    return super.pendingBuckets(tableId);
  }

  @Override
  public void clearPending(TableBucket at, long tieredUpTo) {
    add(Count.PENDING_CLEARS, 1);
    write();
    super.clearPending(at, tieredUpTo);
  }

  @Override
  public void dropPartition(String tableId, String partition) {
    write();
    super.dropPartition(tableId, partition);
  }

  @Override
  public void trimHead(
      TableBucket at, long expectedIndexedUpTo, long newIndexedUpTo, Collection<Long> baseOffsets) {
    write();
    super.trimHead(at, expectedIndexedUpTo, newIndexedUpTo, baseOffsets);
  }

  @Override
  public List<IndexPage> indexPages(TableBucket at, long fromOffset, long toOffset, int limit) {
    List<IndexPage> pages = super.indexPages(at, fromOffset, toOffset, limit);
    add(Count.INDEX_PAGE_QUERIES, 1);
    add(Count.INDEX_PAGES_READ, pages.size());
    return pages;
  }

  @Override
  public void advanceLogStart(
      TableBucket at,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets) {
    add(Count.LOG_START_ADVANCES, 1);
    write();
    super.advanceLogStart(at, expectedLogStartOffset, newLogStartOffset, baseOffsets);
  }

  @Override
  public void deleteIndexPage(TableBucket at, long firstOffset) {
    write();
    super.deleteIndexPage(at, firstOffset);
  }

  @Override
  public Optional<Plan> plan(String tableId, String planKey) {
    add(Count.PLAN_GETS, 1);
    return super.plan(tableId, planKey);
  }

  @Override
  public void putPlan(Plan plan) {
    write();
    super.putPlan(plan);
  }

  @Override
  public void completePlan(Plan done) {
    write();
    super.completePlan(done);
  }

  @Override
  public void abortPlan(String tableId, String planKey) {
    write();
    super.abortPlan(tableId, planKey);
  }

  @Override
  public List<Plan> plans(String tableId, String fromKey, String toKey, int limit) {
    List<Plan> plans = super.plans(tableId, fromKey, toKey, limit);
    add(Count.PLAN_QUERIES, 1);
    add(Count.PLANS_READ, plans.size());
    return plans;
  }

  @Override
  public void deletePlan(String tableId, String planKey) {
    write();
    super.deletePlan(tableId, planKey);
  }

  @Override
  public Optional<Claim> claim(String tableId, String claimKey) {
    add(Count.OTHER_READS, 1);
    return super.claim(tableId, claimKey);
  }

  @Override
  public void putClaim(Claim claim) {
    write();
    super.putClaim(claim);
  }

  @Override
  public void replaceClaim(Claim expected, Claim next) {
    write();
    super.replaceClaim(expected, next);
  }

  @Override
  public void deleteClaim(Claim claim) {
    write();
    super.deleteClaim(claim);
  }

  @Override
  public Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
    write();
    return super.commitInOneTransaction(pending, claims);
  }

  @Override
  public SweepState sweepState(String tableId) {
    add(Count.OTHER_READS, 1);
    return super.sweepState(tableId);
  }

  @Override
  public void putSweepState(SweepState state) {
    write();
    super.putSweepState(state);
  }

  @Override
  public Optional<Lease> lease(String tableId) {
    add(Count.OTHER_READS, 1);
    return super.lease(tableId);
  }

  @Override
  public void putLease(Optional<Lease> expected, Lease granted) {
    write();
    super.putLease(expected, granted);
  }

  @Override
  public Optional<TieringState> tieringState(String tableId, LakeFormatName format) {
    add(Count.OTHER_READS, 1);
    return super.tieringState(tableId, format);
  }

  @Override
  public void putTieringState(TieringState state) {
    write();
    super.putTieringState(state);
  }
}
