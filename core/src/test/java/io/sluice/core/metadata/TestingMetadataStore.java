package io.sluice.core.metadata;

import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** An in-memory {@link MetadataStore} for unit tests; every method is one atomic step. */
public class TestingMetadataStore implements MetadataStore {
  private final Map<TableName, TableEntry> tables =
      new TreeMap<>(java.util.Comparator.comparing(TableName::toString));
  private final Map<String, TableDefinition> schemas = new HashMap<>();
  private final Map<String, BucketHead> heads = new HashMap<>();
  private final Map<String, TableBucket> pending = new HashMap<>();
  private final Map<String, TreeMap<Long, IndexPage>> pages = new HashMap<>();
  private final Map<String, TreeMap<String, Plan>> plans = new HashMap<>();
  private final Map<String, Claim> claims = new HashMap<>();
  private final Map<String, SweepState> sweeps = new HashMap<>();
  private final Map<String, Lease> leases = new HashMap<>();
  private final Map<String, TieringState> tiering = new HashMap<>();

  private final Map<String, TreeSet<String>> partitions = new HashMap<>();
  private final Map<String, Set<String>> droppedPartitions = new HashMap<>();

  private static String bucketKey(TableBucket at) {
    return at.tableId() + "#" + at.partition() + "#" + at.bucket();
  }

  @Override
  public synchronized Optional<TableEntry> table(TableName name) {
    return Optional.ofNullable(tables.get(name));
  }

  @Override
  public synchronized List<TableEntry> tables() {
    return List.copyOf(tables.values());
  }

  @Override
  public synchronized void createTable(TableEntry entry) {
    if (tables.containsKey(entry.name())) {
      throw new CommitConflictException("Cannot create table " + entry.name() + ": it exists");
    }
    tables.put(entry.name(), entry);
    schemas.put(entry.tableId() + "#" + entry.schemaId(), entry.definition());
  }

  @Override
  public synchronized void evolveTable(TableEntry current, TableEntry next) {
    TableEntry stored = tables.get(current.name());
    if (stored == null
        || !stored.tableId().equals(current.tableId())
        || stored.schemaId() != current.schemaId()) {
      throw new CommitConflictException("Cannot evolve table " + current.name() + ": it changed");
    }
    schemas.put(next.tableId() + "#" + next.schemaId(), next.definition());
    tables.put(next.name(), next);
  }

  @Override
  public synchronized void dropTable(TableName name, String tableId) {
    TableEntry stored = tables.get(name);
    if (stored == null || !stored.tableId().equals(tableId)) {
      throw new CommitConflictException("Cannot drop table " + name + ": not table " + tableId);
    }
    tables.remove(name);
  }

  @Override
  public synchronized Optional<TableDefinition> schema(String tableId, int schemaId) {
    return Optional.ofNullable(schemas.get(tableId + "#" + schemaId));
  }

  @Override
  public synchronized BucketHead head(TableBucket at) {
    int bucket = at.bucket();
    return heads.getOrDefault(bucketKey(at), BucketHead.empty(bucket));
  }

  @Override
  public synchronized void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    int bucket = at.bucket();
    if (slice.baseOffset() != expectedNextOffset) {
      throw new IllegalArgumentException("slice base offset must be the expected next offset");
    }
    BucketHead head = head(at);
    if (head.nextOffset() != expectedNextOffset || head.closed()) {
      throw new CommitConflictException(
          "Cannot append to "
              + at
              + ": next offset is "
              + head.nextOffset()
              + (head.closed() ? ", closed" : ""));
    }
    TreeMap<Long, Slice> slices = new TreeMap<>(head.recentSlices());
    slices.put(slice.baseOffset(), slice);
    heads.put(
        bucketKey(at),
        new BucketHead(
            bucket,
            slice.endOffset(),
            head.logStartOffset(),
            head.indexedUpTo(),
            slice.timestamp(),
            slices));
    pending.put(bucketKey(at), at);
  }

  @Override
  public synchronized void closeBucket(TableBucket at) {
    int bucket = at.bucket();
    BucketHead head = head(at);
    heads.put(
        bucketKey(at),
        new BucketHead(
            bucket,
            head.nextOffset(),
            head.logStartOffset(),
            head.indexedUpTo(),
            head.lastTimestamp(),
            head.recentSlices(),
            true));
  }

  @Override
  public synchronized List<TableBucket> pendingBuckets(String tableId) {
    return pending.values().stream().filter(at -> at.tableId().equals(tableId)).toList();
  }

  @Override
  public synchronized void clearPending(TableBucket at, long tieredUpTo) {
    if (heads.containsKey(bucketKey(at)) && head(at).nextOffset() == tieredUpTo) {
      pending.remove(bucketKey(at));
    }
  }

  @Override
  public synchronized IndexPage putIndexPage(TableBucket at, IndexPage page) {
    int bucket = at.bucket();
    IndexPage stored =
        pages
            .computeIfAbsent(bucketKey(at), k -> new TreeMap<>())
            .putIfAbsent(page.firstOffset(), page);
    return stored == null ? page : stored;
  }

  @Override
  public synchronized void trimHead(
      TableBucket at, long expectedIndexedUpTo, long newIndexedUpTo, Collection<Long> baseOffsets) {
    int bucket = at.bucket();
    BucketHead head = head(at);
    if (head.indexedUpTo() != expectedIndexedUpTo) {
      throw new CommitConflictException(
          "Cannot trim bucket " + bucket + ": indexed up to " + head.indexedUpTo());
    }
    TreeMap<Long, Slice> slices = new TreeMap<>(head.recentSlices());
    baseOffsets.forEach(slices::remove);
    heads.put(
        bucketKey(at),
        new BucketHead(
            bucket,
            head.nextOffset(),
            head.logStartOffset(),
            newIndexedUpTo,
            head.lastTimestamp(),
            slices,
            head.closed()));
  }

  @Override
  public synchronized List<IndexPage> indexPages(
      TableBucket at, long fromOffset, long toOffset, int limit) {
    int bucket = at.bucket();
    List<IndexPage> result = new ArrayList<>();
    for (IndexPage page : pages.getOrDefault(bucketKey(at), new TreeMap<>()).values()) {
      if (result.size() < limit && page.endOffset() > fromOffset && page.firstOffset() < toOffset) {
        result.add(page);
      }
    }
    return result;
  }

  @Override
  public synchronized void advanceLogStart(
      TableBucket at,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets) {
    int bucket = at.bucket();
    BucketHead head = head(at);
    if (head.logStartOffset() != expectedLogStartOffset) {
      throw new CommitConflictException(
          "Cannot advance the log start of bucket "
              + bucket
              + ": log starts at "
              + head.logStartOffset());
    }
    TreeMap<Long, Slice> slices = new TreeMap<>(head.recentSlices());
    baseOffsets.forEach(slices::remove);
    heads.put(
        bucketKey(at),
        new BucketHead(
            bucket,
            head.nextOffset(),
            newLogStartOffset,
            head.indexedUpTo(),
            head.lastTimestamp(),
            slices,
            head.closed()));
  }

  @Override
  public synchronized void deleteIndexPage(TableBucket at, long firstOffset) {
    int bucket = at.bucket();
    TreeMap<Long, IndexPage> bucketPages = pages.get(bucketKey(at));
    if (bucketPages != null) {
      bucketPages.remove(firstOffset);
    }
  }

  @Override
  public synchronized List<String> partitions(String tableId) {
    return List.copyOf(partitions.getOrDefault(tableId, new TreeSet<>()));
  }

  @Override
  public synchronized void addPartition(String tableId, String partition) {
    if (!droppedPartitions.getOrDefault(tableId, Set.of()).contains(partition)) {
      partitions.computeIfAbsent(tableId, k -> new TreeSet<>()).add(partition);
    }
  }

  @Override
  public synchronized void dropPartition(String tableId, String partition) {
    droppedPartitions.computeIfAbsent(tableId, k -> new HashSet<>()).add(partition);
    partitions.getOrDefault(tableId, new TreeSet<>()).remove(partition);
  }

  private TreeMap<String, Plan> plansOf(String tableId) {
    return plans.computeIfAbsent(tableId, k -> new TreeMap<>());
  }

  @Override
  public synchronized Optional<Plan> plan(String tableId, String planKey) {
    return Optional.ofNullable(plansOf(tableId).get(planKey));
  }

  @Override
  public synchronized void putPlan(Plan plan) {
    if (plansOf(plan.tableId()).putIfAbsent(plan.planKey(), plan) != null) {
      throw new CommitConflictException("Cannot put plan " + plan.planKey() + ": it exists");
    }
  }

  @Override
  public synchronized void startApplying(String tableId, String planKey) {
    Plan stored = plansOf(tableId).get(planKey);
    if (stored == null || stored.status() != PlanStatus.PENDING) {
      throw new CommitConflictException("Cannot apply plan " + planKey + ": not pending");
    }
    plansOf(tableId).put(planKey, stored.with(PlanStatus.APPLYING, stored.parts()));
  }

  @Override
  public synchronized void completePlan(Plan done) {
    Plan stored = plansOf(done.tableId()).get(done.planKey());
    if (stored == null || !stored.status().isLive()) {
      throw new CommitConflictException("Cannot complete plan " + done.planKey() + ": not pending");
    }
    plansOf(done.tableId()).put(done.planKey(), done);
  }

  @Override
  public synchronized void abortPlan(String tableId, String planKey) {
    Plan stored = plansOf(tableId).get(planKey);
    if (stored == null
        || stored.status() == PlanStatus.DONE
        || stored.status() == PlanStatus.APPLYING) {
      throw new CommitConflictException(
          "Cannot abort plan " + planKey + ": applying, done or missing");
    }
    plansOf(tableId).put(planKey, stored.with(PlanStatus.ABORTED, stored.parts()));
  }

  @Override
  public synchronized List<Plan> plans(String tableId, String fromKey, String toKey, int limit) {
    return plansOf(tableId).subMap(fromKey, toKey).values().stream().limit(limit).toList();
  }

  @Override
  public synchronized void deletePlan(String tableId, String planKey) {
    plansOf(tableId).remove(planKey);
  }

  @Override
  public synchronized Optional<Claim> claim(String tableId, String claimKey) {
    return Optional.ofNullable(claims.get(tableId + "#" + claimKey));
  }

  @Override
  public synchronized void putClaim(Claim claim) {
    if (claims.putIfAbsent(claim.tableId() + "#" + claim.claimKey(), claim) != null) {
      throw new CommitConflictException("Cannot claim " + claim.claimKey() + ": it is claimed");
    }
  }

  @Override
  public synchronized void replaceClaim(Claim expected, Claim next) {
    Claim stored = claims.get(expected.tableId() + "#" + expected.claimKey());
    if (stored == null || !stored.planKey().equals(expected.planKey())) {
      throw new CommitConflictException("Cannot take over claim " + expected.claimKey());
    }
    claims.put(next.tableId() + "#" + next.claimKey(), next);
  }

  @Override
  public synchronized void deleteClaim(Claim claim) {
    Claim stored = claims.get(claim.tableId() + "#" + claim.claimKey());
    if (stored != null && stored.planKey().equals(claim.planKey())) {
      claims.remove(claim.tableId() + "#" + claim.claimKey());
    }
  }

  @Override
  public synchronized SweepState sweepState(String tableId) {
    return sweeps.getOrDefault(tableId, SweepState.initial(tableId));
  }

  @Override
  public synchronized void putSweepState(SweepState state) {
    sweeps.put(state.tableId(), state);
  }

  @Override
  public synchronized Optional<Lease> lease(String tableId) {
    return Optional.ofNullable(leases.get(tableId));
  }

  @Override
  public synchronized void putLease(Optional<Lease> expected, Lease granted) {
    Lease stored = leases.get(granted.tableId());
    boolean matches =
        expected.isEmpty()
            ? stored == null
            : stored != null && stored.epoch() == expected.get().epoch();
    if (!matches) {
      throw new CommitConflictException("Cannot grant lease of " + granted.tableId());
    }
    leases.put(granted.tableId(), granted);
  }

  @Override
  public synchronized Optional<TieringState> tieringState(String tableId, LakeFormatName format) {
    return Optional.ofNullable(tiering.get(tableId + "#" + format));
  }

  @Override
  public synchronized void putTieringState(TieringState state) {
    tiering.put(state.tableId() + "#" + state.format(), state);
  }
}
