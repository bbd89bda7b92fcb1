package io.sluice.core.tiering;

import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.SegmentGc;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.SweepState;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.LakeFormatName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Log retention and segment garbage collection for one table. Every pass reads only what changed
 * since the last one, so its cost does not grow with the table's age: retention reads each bucket's
 * head and the index pages it drops; GC reads the plans made since the point its last pass reached
 * ({@link SweepState}), deletes the segments no slice points to any more, then the plans (and their
 * claims) older than the idempotency window; the orphan sweep lists only the objects written since
 * its last listing. Nothing is deleted on an unknown outcome.
 */
public final class RetentionService {
  /** At most this many plans are read by one pass of each sweep; the next goes on from there. */
  static final int PLANS_PER_PASS = 2000;

  private final MetadataStore metadata;
  private final ObjectStore objects;
  private final OffsetsFiles offsetsFiles;
  private final SegmentGc gc;
  private final Clock clock;
  private final Settings settings;

  /** How long deleted-looking things are kept anyway. */
  public record Settings(Duration objectGrace, Duration planRetention) {
    /** Objects kept 15 minutes after their plan was made; plans (idempotency keys) 24 hours. */
    public static final Settings DEFAULT =
        new Settings(Duration.ofMinutes(15), Duration.ofHours(24));
  }

  /** What one sweep removed. */
  public record Swept(long slices, long objects, long plans) {}

  public RetentionService(
      MetadataStore metadata, ObjectStore objects, Clock clock, Settings settings) {
    this.metadata = metadata;
    this.objects = objects;
    this.gc = new SegmentGc(metadata, clock);
    this.offsetsFiles = new OffsetsFiles(objects, clock);
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * The tiered end offsets of each lake format of a table, as its tiering state records them (empty
   * for a format never tiered).
   */
  public Map<LakeFormatName, Map<PartitionBucket, Long>> tieredOffsets(TableEntry table) {
    return offsetsFiles.tiered(metadata, table);
  }

  /**
   * Applies retention to every bucket of a table and collects its garbage; with {@code orphans}
   * also lists the objects written since the last listing to find ones that were never planned (a
   * LIST per prefix, so callers do it less often).
   */
  public Swept sweep(TableEntry table, boolean orphans) {
    Instant now = clock.instant();
    Map<LakeFormatName, Map<PartitionBucket, Long>> tiered = tieredOffsets(table);
    long slices = 0;
    Map<PartitionBucket, Long> logStarts = new HashMap<>();
    String firstKept = PlanKeys.at(now.minus(settings.objectGrace()));
    for (TableBucket at : metadata.buckets(table)) {
      BucketHead head = metadata.head(at);
      Dropped dropped = dropSlices(table, at, head, bound(table, tiered, at), now);
      slices += dropped.slices();
      logStarts.put(at.partitionBucket(), dropped.logStart());
      // A slice written before group commit names a request id, not a plan key: no bound.
      if (dropped.keptPlanKey() != null
          && dropped.keptPlanKey().startsWith(PlanKeys.PREFIX)
          && dropped.keptPlanKey().compareTo(firstKept) < 0) {
        firstKept = dropped.keptPlanKey();
      }
    }
    long collected = collectObjects(table, logStarts, firstKept);
    long plans = collectPlans(table, now);
    long orphaned = orphans ? deleteUnplanned(table, now) : 0;
    return new Swept(slices, collected + orphaned, plans);
  }

  /**
   * Deletes the log of a dropped table incarnation: its segment objects, index pages, plans and
   * claims. Nothing can read them any more (a re-created table gets a new id), so no grace applies.
   *
   * @return how many objects it deleted
   */
  public long purgeLog(TableEntry dropped) {
    String tableId = dropped.tableId();
    for (TableBucket at : metadata.buckets(dropped)) {
      for (IndexPage page : metadata.indexPages(at, 0, Long.MAX_VALUE)) {
        metadata.deleteIndexPage(at, page.firstOffset());
      }
    }
    long deleted = 0;
    for (String prefix : SegmentKeys.tablePrefixes(tableId)) {
      List<String> keys;
      try (Stream<ObjectInfo> listed = objects.list(prefix)) {
        keys = listed.map(ObjectInfo::key).toList();
      }
      for (String key : keys) {
        objects.delete(key);
        deleted++;
      }
    }
    for (List<Plan> plans = metadata.plans(tableId, "", "~", PLANS_PER_PASS);
        !plans.isEmpty();
        plans = metadata.plans(tableId, "", "~", PLANS_PER_PASS)) {
      plans.forEach(this::deletePlan);
    }
    return deleted;
  }

  /** The offset below which every lake format holds the bucket; no lake: no bound. */
  private static long bound(
      TableEntry table,
      Map<LakeFormatName, Map<PartitionBucket, Long>> tiered,
      TableBucket bucket) {
    long bound = Long.MAX_VALUE;
    for (LakeFormatName format : table.definition().lakeFormats()) {
      bound = Math.min(bound, tiered.get(format).getOrDefault(bucket.partitionBucket(), 0L));
    }
    return bound;
  }

  /**
   * What retention did to one bucket: how many slices it dropped, where the log starts, and the
   * plan of the first slice it kept (null when it kept none): that plan still holds rows.
   */
  private record Dropped(long slices, long logStart, String keptPlanKey) {}

  /**
   * Drops the slices at the start of a bucket that every lake holds and that are older than the
   * retention, reading index pages one at a time from the log start and stopping at the first slice
   * it must keep.
   */
  private Dropped dropSlices(
      TableEntry table, TableBucket bucket, BucketHead head, long bound, Instant now) {
    Instant cutoff = now.minus(table.definition().logRetention());
    long start = head.logStartOffset();
    long slices = 0;
    List<IndexPage> emptied = new ArrayList<>();
    Slice kept = null;
    while (kept == null && start < head.indexedUpTo()) {
      List<IndexPage> page = metadata.indexPages(bucket, start, head.indexedUpTo(), 1);
      if (page.isEmpty()) {
        break;
      }
      for (Slice slice : page.get(0).slices()) {
        if (slice.endOffset() <= start) {
          continue;
        }
        if (!droppable(slice, bound, cutoff)) {
          kept = slice;
          break;
        }
        start = slice.endOffset();
        slices++;
      }
      if (kept == null) {
        emptied.add(page.get(0));
        start = Math.max(start, page.get(0).endOffset());
      }
    }
    List<Long> inHead = new ArrayList<>();
    if (kept == null) {
      for (Slice slice : head.recentSlices().values()) {
        if (slice.endOffset() <= start) {
          continue;
        }
        if (!droppable(slice, bound, cutoff)) {
          kept = slice;
          break;
        }
        inHead.add(slice.baseOffset());
        start = slice.endOffset();
        slices++;
      }
    }
    String keptPlanKey = kept == null ? null : kept.planKey();
    if (start == head.logStartOffset()) {
      return new Dropped(0, start, keptPlanKey);
    }
    try {
      metadata.advanceLogStart(bucket, head.logStartOffset(), start, inHead);
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Another sweep moved it, or we will see next time.
      return new Dropped(0, head.logStartOffset(), keptPlanKey);
    }
    for (IndexPage page : emptied) {
      if (page.endOffset() <= start) {
        metadata.deleteIndexPage(bucket, page.firstOffset());
      }
    }
    return new Dropped(slices, start, keptPlanKey);
  }

  private static boolean droppable(Slice slice, long bound, Instant cutoff) {
    return slice.endOffset() <= bound && slice.timestamp().isBefore(cutoff);
  }

  /**
   * Deletes the segments of the plans past the GC's point whose rows every bucket has dropped, and
   * of aborted groups, once older than the grace; stops at the first plan that still holds rows. It
   * reads no further than {@code to}: the grace, or the plan of the first slice retention kept
   * (which holds rows, so no pass gets past it), so that a pass reads the plans whose rows were
   * dropped since the last one, not every plan the log still holds.
   *
   * @return how many objects it deleted
   */
  private long collectObjects(TableEntry table, Map<PartitionBucket, Long> logStarts, String to) {
    SweepState state = metadata.sweepState(table.tableId());
    String from = state.objectsCollectedUpTo();
    if (from.compareTo(to) >= 0) {
      return 0;
    }
    List<Plan> plans = metadata.plans(table.tableId(), from, to, PLANS_PER_PASS);
    String cursor =
        plans.size() < PLANS_PER_PASS ? to : PlanKeys.after(plans.get(plans.size() - 1).planKey());
    long deleted = 0;
    for (Plan plan : plans) {
      if (plan.isTombstone()) {
        continue; // its object went when GC put it
      }
      boolean collectable =
          switch (plan.status()) {
            case ABORTED -> true;
            case DONE -> dropped(table.tableId(), plan, logStarts);
            case PENDING, APPLYING -> false; // recovery settles it first
          };
      if (!collectable) {
        cursor = plan.planKey();
        break;
      }
      objects.delete(plan.segmentKey());
      deleted++;
    }
    if (!cursor.equals(from)) {
      metadata.putSweepState(metadata.sweepState(table.tableId()).withObjectsCollectedUpTo(cursor));
    }
    return deleted;
  }

  /**
   * Whether every part of a done plan lies below its bucket's log start. A part in a partition the
   * sweep did not visit (one partition retention dropped, or one not yet listed) is checked against
   * its head, read once per pass: a segment that holds parts of several partitions goes only when
   * none of them still holds rows in it.
   */
  private boolean dropped(String tableId, Plan plan, Map<PartitionBucket, Long> logStarts) {
    for (PlanPart part : plan.parts()) {
      PartitionBucket at = part.partitionBucket();
      Long logStart = logStarts.get(at);
      if (logStart == null) {
        logStart = metadata.head(at.in(tableId)).logStartOffset();
        logStarts.put(at, logStart);
      }
      if (part.baseOffset() + part.rows() > logStart) {
        return false;
      }
    }
    return true;
  }

  /**
   * Drops the whole log of a partition whose buckets are closed (partition retention): advances
   * each bucket's log start to its end, removing its slices from the head, deletes its index pages,
   * and then takes the partition off the list. Its segment objects go with segment GC, each once no
   * other partition's part in it holds rows. Nothing is deleted after a refused or unknown advance;
   * the next pass tries again.
   *
   * @param heads the partition's heads, bucket by bucket, read after they were closed
   * @return whether the partition is dropped from the log
   */
  public boolean dropPartitionLog(TableEntry table, String partition, List<BucketHead> heads) {
    for (BucketHead head : heads) {
      TableBucket at = new TableBucket(table.tableId(), partition, head.bucket());
      if (!head.closed()) {
        throw new IllegalStateException(
            "Cannot drop the log of " + at + " of table " + table.name() + ": it is open");
      }
      if (head.logStartOffset() < head.nextOffset()) {
        try {
          metadata.advanceLogStart(
              at,
              head.logStartOffset(),
              head.nextOffset(),
              List.copyOf(head.recentSlices().keySet()));
        } catch (CommitConflictException | CommitStateUnknownException e) {
          return false;
        }
      }
      for (IndexPage page : metadata.indexPages(at, 0, Long.MAX_VALUE)) {
        metadata.deleteIndexPage(at, page.firstOffset());
      }
    }
    metadata.dropPartition(table.tableId(), partition);
    return true;
  }

  /**
   * Deletes the plans (and their claims) older than the idempotency window whose objects GC has
   * already seen to.
   *
   * @return how many plans it deleted
   */
  private long collectPlans(TableEntry table, Instant now) {
    SweepState state = metadata.sweepState(table.tableId());
    String retained = PlanKeys.at(now.minus(settings.planRetention()));
    String to =
        retained.compareTo(state.objectsCollectedUpTo()) < 0
            ? retained
            : state.objectsCollectedUpTo();
    String from = state.plansCollectedUpTo();
    if (from.compareTo(to) >= 0) {
      return 0;
    }
    List<Plan> plans = metadata.plans(table.tableId(), from, to, PLANS_PER_PASS);
    String cursor =
        plans.size() < PLANS_PER_PASS ? to : PlanKeys.after(plans.get(plans.size() - 1).planKey());
    plans.forEach(this::deletePlan);
    metadata.putSweepState(metadata.sweepState(table.tableId()).withPlansCollectedUpTo(cursor));
    return plans.size();
  }

  private void deletePlan(Plan plan) {
    for (PlanMember member : plan.members()) {
      // Conditional on naming this plan: a claim an aborted plan lost may belong to another now.
      metadata.deleteClaim(
          new Claim(plan.tableId(), member.claimKey(), plan.planKey(), plan.createdAt()));
    }
    metadata.deletePlan(plan.tableId(), plan.planKey());
  }

  /**
   * Deletes objects written since the last listing, older than the grace, that no plan owns: a
   * writer that died between its upload and its plan left them (GC first claims their plan key with
   * a tombstone, so that writer can never commit into a deleted object).
   *
   * @return how many objects it deleted
   */
  private long deleteUnplanned(TableEntry table, Instant now) {
    SweepState state = metadata.sweepState(table.tableId());
    String to = PlanKeys.at(now.minus(settings.objectGrace()));
    String from = state.orphansListedUpTo();
    if (from.compareTo(to) >= 0) {
      return 0;
    }
    long deleted = 0;
    for (String prefix : SegmentKeys.tablePrefixes(table.tableId())) {
      List<String> keys;
      try (Stream<ObjectInfo> listed = objects.list(prefix, prefix + from)) {
        keys =
            listed.map(ObjectInfo::key).takeWhile(key -> key.compareTo(prefix + to) < 0).toList();
      }
      for (String key : keys) {
        Optional<String> planKey = SegmentKeys.planKeyOf(key);
        Optional<Plan> plan = planKey.flatMap(k -> metadata.plan(table.tableId(), k));
        boolean owned =
            plan.isPresent()
                && plan.get().segmentKey().equals(key)
                && plan.get().status() != PlanStatus.ABORTED;
        if (!owned && gc.claimUnplanned(table.tableId(), key)) {
          objects.delete(key);
          deleted++;
        }
      }
    }
    metadata.putSweepState(metadata.sweepState(table.tableId()).withOrphansListedUpTo(to));
    return deleted;
  }
}
