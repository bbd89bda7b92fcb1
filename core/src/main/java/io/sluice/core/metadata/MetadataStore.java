package io.sluice.core.metadata;

import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The catalog, the bucket logs' index, write plans, leases and tiering state of Sluice, built from
 * single-item reads and conditional writes (see DESIGN.md, "Commit").
 *
 * <p>Every read is consistent: it sees every write acknowledged before it started. Every
 * conditional write has three outcomes: it returns (done), it throws {@link
 * io.sluice.core.store.CommitConflictException} (the condition failed, nothing written), or it
 * throws {@link io.sluice.core.store.CommitStateUnknownException} (it may have been written; read
 * back to decide). Any method may throw {@link io.sluice.core.store.StoreUnavailableException}.
 * Implementations translate their SDK's or driver's exceptions into these at their edge.
 */
public interface MetadataStore extends AutoCloseable {

  // ---- catalog ----

  /** The table with this name, if it exists. */
  Optional<TableEntry> table(TableName name);

  /** Every table, ordered by name. */
  List<TableEntry> tables();

  /**
   * Adds a table and its schema version {@code entry.schemaId()}.
   *
   * @throws io.sluice.core.store.CommitConflictException if a table with this name exists
   */
  void createTable(TableEntry entry);

  /**
   * Replaces a table's definition with a new schema version, keeping the old version readable
   * through {@link #schema}.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored entry has the table id
   *     and schema id of {@code current}
   */
  void evolveTable(TableEntry current, TableEntry next);

  /**
   * Removes a table from the catalog; its log metadata stays until GC removes it.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored table has this id
   */
  void dropTable(TableName name, String tableId);

  /** The definition a table had at schema version {@code schemaId}. */
  Optional<TableDefinition> schema(String tableId, int schemaId);

  // ---- bucket logs ----

  /** A bucket's head, {@link BucketHead#empty} when nothing was ever appended to it. */
  BucketHead head(TableBucket bucket);

  /**
   * Appends a slice to a bucket: sets {@code nextOffset} to {@code slice.endOffset()}, the last
   * timestamp to {@code slice.timestamp()}, adds the slice to the recent slices and, in the same
   * write, marks the bucket pending tiering ({@link #pendingBuckets}).
   *
   * @throws IllegalArgumentException unless {@code slice.baseOffset() == expectedNextOffset}
   * @throws io.sluice.core.store.CommitConflictException unless the stored {@code nextOffset} is
   *     {@code expectedNextOffset} and the bucket is open
   */
  void appendSlice(TableBucket bucket, long expectedNextOffset, Slice slice);

  /**
   * Closes a bucket, creating its head if it has none: no append succeeds afterwards. Dropping a
   * table closes its buckets, so that a writer with a stale catalog entry cannot commit into it.
   * Idempotent.
   */
  void closeBucket(TableBucket bucket);

  /**
   * The buckets of a table whose heads carry the tiering-pending mark: every bucket appended to
   * since {@link #clearPending} last cleared its mark, in no particular order. May lag: a bucket
   * appended to moments ago may be missing, never one marked long ago. Reads only the marked heads'
   * keys, however many buckets the table has.
   */
  List<TableBucket> pendingBuckets(String tableId);

  /**
   * Clears a bucket's tiering-pending mark if its {@code nextOffset} is still {@code tieredUpTo}:
   * tiering calls it once every lake format holds the bucket up to there. Does nothing when an
   * append moved the head on since (the rows it brought keep the mark) or the bucket has no head.
   * Closing a bucket keeps its mark, so that the rows it still holds are tiered before partition
   * retention drops it.
   */
  void clearPending(TableBucket bucket, long tieredUpTo);

  /**
   * Stores an index page unless one with the same first offset exists.
   *
   * @return the page stored at that first offset: this one, or the one that was there (pages are
   *     immutable; a mover trims the head by the page actually stored)
   */
  IndexPage putIndexPage(TableBucket bucket, IndexPage page);

  /**
   * Removes the slices with these base offsets from a bucket's head and sets {@code indexedUpTo} to
   * {@code newIndexedUpTo}. Never conditioned on {@code nextOffset}, so it never blocks an append.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored {@code indexedUpTo} is
   *     {@code expectedIndexedUpTo}
   */
  void trimHead(
      TableBucket bucket,
      long expectedIndexedUpTo,
      long newIndexedUpTo,
      Collection<Long> baseOffsets);

  /**
   * The index pages of a bucket that hold slices ending after {@code fromOffset} and starting
   * before {@code toOffset}, in offset order.
   */
  default List<IndexPage> indexPages(TableBucket bucket, long fromOffset, long toOffset) {
    return indexPages(bucket, fromOffset, toOffset, Integer.MAX_VALUE);
  }

  /**
   * The first {@code limit} index pages of a bucket that hold slices ending after {@code
   * fromOffset} and starting before {@code toOffset}, in offset order; reads no more than those.
   */
  List<IndexPage> indexPages(TableBucket bucket, long fromOffset, long toOffset, int limit);

  /**
   * Drops the oldest slices of a bucket: removes the slices with these base offsets from the head
   * and sets {@code logStartOffset} to {@code newLogStartOffset}. Never conditioned on {@code
   * nextOffset} or {@code indexedUpTo}, so it never blocks an append or a page move.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored {@code logStartOffset}
   *     is {@code expectedLogStartOffset}
   */
  void advanceLogStart(
      TableBucket bucket,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets);

  /** Deletes an index page; deleting a missing one is not an error. */
  void deleteIndexPage(TableBucket bucket, long firstOffset);

  // ---- partitions ----

  /**
   * The partitions of a partitioned table that hold committed rows, by name. Empty for an
   * unpartitioned table.
   */
  List<String> partitions(String tableId);

  /**
   * The partitions of a table that hold rows, by name: of an unpartitioned table, its one partition
   * {@link TableBucket#UNPARTITIONED}.
   */
  default List<String> partitions(TableEntry table) {
    return table.definition().isPartitioned()
        ? partitions(table.tableId())
        : List.of(TableBucket.UNPARTITIONED);
  }

  /** Every bucket of every partition of a table that holds rows, partition by partition. */
  default List<TableBucket> buckets(TableEntry table) {
    List<TableBucket> buckets = new ArrayList<>();
    for (String partition : partitions(table)) {
      for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
        buckets.add(new TableBucket(table.tableId(), partition, bucket));
      }
    }
    return buckets;
  }

  /**
   * Records that a partition holds committed rows (the committer calls it after appending a
   * partition's first part, before the write is answered). Idempotent.
   */
  void addPartition(String tableId, String partition);

  /**
   * Removes a partition from a table's partition list for good: {@link #partitions} no longer names
   * it, and {@link #addPartition} of it does nothing from then on, so a writer that appended to the
   * partition before its buckets were closed cannot list it again. Its heads stay (closed), as do
   * its index pages until retention deletes them. Idempotent; dropping a partition that was never
   * listed marks it dropped all the same.
   */
  void dropPartition(String tableId, String partition);

  // ---- write plans and claims ----

  /** The plan (or tombstone) at this key, if there is one. */
  Optional<Plan> plan(String tableId, String planKey);

  /**
   * Stores a new plan (or a tombstone).
   *
   * @throws io.sluice.core.store.CommitConflictException if an item exists at the plan's key
   */
  void putPlan(Plan plan);

  /**
   * Marks a pending plan applying: its claims are held and it can no longer be aborted. The one
   * write that decides between applying a plan and aborting it.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored plan is pending
   */
  void startApplying(String tableId, String planKey);

  /**
   * Marks a pending or applying plan done, recording the base offset each part was applied at.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored plan is pending or
   *     applying
   */
  void completePlan(Plan done);

  /**
   * Marks a pending plan aborted: it will never be applied. Aborting an aborted plan is a no-op.
   *
   * @throws io.sluice.core.store.CommitConflictException when the plan is applying, done or missing
   */
  void abortPlan(String tableId, String planKey);

  /**
   * The plans (and tombstones) of a table with keys in {@code [fromKey, toKey)}, in key order, at
   * most {@code limit}; reads no more than those.
   */
  List<Plan> plans(String tableId, String fromKey, String toKey, int limit);

  /** Deletes a plan or tombstone; deleting a missing one is not an error. */
  void deletePlan(String tableId, String planKey);

  /** The claim of an idempotency key, if there is one. */
  Optional<Claim> claim(String tableId, String claimKey);

  /**
   * Stores a claim.
   *
   * @throws io.sluice.core.store.CommitConflictException if a claim exists for the key
   */
  void putClaim(Claim claim);

  /**
   * Points a claim at another plan.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored claim names {@code
   *     expected.planKey()}
   */
  void replaceClaim(Claim expected, Claim next);

  /** Deletes a claim if it still names its plan; otherwise (or when missing) does nothing. */
  void deleteClaim(Claim claim);

  /**
   * Commits a whole plan in one local transaction, where the store has them: puts it with status
   * DONE and every part appended at its bucket's current end (and marked pending tiering, as {@link
   * #appendSlice} does), and puts the claims (taking over claims whose plan is aborted or gone).
   * All or nothing. The embedded store does; a store of single-item writes does not, and the caller
   * runs the protocol step by step.
   *
   * @param pending the plan, pending, with the parts to append
   * @return the done plan with each part's base offset; empty when the store has no local
   *     transactions
   * @throws ClaimsTakenException (nothing written) when another live plan holds a claim
   * @throws io.sluice.core.store.CommitConflictException (nothing written) when an item exists at
   *     the plan's key or a bucket is closed
   */
  default Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
    return Optional.empty();
  }

  // ---- sweeps ----

  /** How far the sweeps of a table's log got; {@link SweepState#initial} before the first. */
  SweepState sweepState(String tableId);

  /** Records how far the sweeps got, replacing the earlier state (a hint: unconditional). */
  void putSweepState(SweepState state);

  // ---- leases and tiering ----

  /** A table's lease, if one was ever granted. */
  Optional<Lease> lease(String tableId);

  /**
   * Grants a lease: creates it when {@code expected} is empty, else replaces the stored one.
   *
   * @throws io.sluice.core.store.CommitConflictException unless the stored lease is {@code
   *     expected} (same epoch), or absent when {@code expected} is empty
   */
  void putLease(Optional<Lease> expected, Lease granted);

  /** What was last recorded of a table's tiering into one format. */
  Optional<TieringState> tieringState(String tableId, LakeFormatName format);

  /** Records a table's tiering state for one format, replacing the earlier one. */
  void putTieringState(TieringState state);

  @Override
  default void close() {}
}
