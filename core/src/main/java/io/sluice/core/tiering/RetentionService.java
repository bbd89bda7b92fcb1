package io.sluice.core.tiering;

import io.sluice.core.log.LogIndex;
import io.sluice.core.log.SegmentGc;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
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
 * Log retention and segment garbage collection for one table: drops slices that every lake format
 * holds and that are older than the retention, then deletes segment objects no slice points to any
 * more, and objects that were never planned (after claiming their plan key with a tombstone).
 * Nothing is deleted on an unknown outcome.
 */
public final class RetentionService {
  private final MetadataStore metadata;
  private final ObjectStore objects;
  private final LogIndex index;
  private final SegmentGc gc;
  private final Clock clock;
  private final Settings settings;

  /** How long deleted-looking things are kept anyway. */
  public record Settings(Duration objectGrace, Duration planRetention) {
    /** Objects kept 15 minutes after their last slice went; plans (idempotency keys) 24 hours. */
    public static final Settings DEFAULT =
        new Settings(Duration.ofMinutes(15), Duration.ofHours(24));
  }

  /** What one sweep removed. */
  public record Swept(long slices, long objects, long plans) {}

  public RetentionService(
      MetadataStore metadata, ObjectStore objects, Clock clock, Settings settings) {
    this.metadata = metadata;
    this.objects = objects;
    this.index = new LogIndex(metadata);
    this.gc = new SegmentGc(metadata, clock);
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * Applies retention to every bucket of a table and collects its garbage; with {@code orphans}
   * also lists the table's objects to find ones that were never planned (a LIST per prefix, so
   * callers do it less often).
   */
  public Swept sweep(TableEntry table, boolean orphans) {
    Instant now = clock.instant();
    long slices = 0;
    Map<Integer, Long> logStarts = new HashMap<>();
    for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
      BucketHead head = metadata.head(table.tableId(), bucket);
      slices += dropSlices(table, head, tieredBound(table, bucket), now);
      logStarts.put(bucket, metadata.head(table.tableId(), bucket).logStartOffset());
    }
    long[] removed = collectPlans(table, logStarts, now);
    long orphaned = orphans ? deleteUnplanned(table, now) : 0;
    return new Swept(slices, removed[0] + orphaned, removed[1]);
  }

  /**
   * Deletes the log of a dropped table incarnation: its segment objects, index pages and plans.
   * Nothing can read them any more (a re-created table gets a new id), so no grace applies.
   *
   * @return how many objects it deleted
   */
  public long purgeLog(TableEntry dropped) {
    String tableId = dropped.tableId();
    for (int bucket = 0; bucket < dropped.definition().buckets(); bucket++) {
      for (IndexPage page : metadata.indexPages(tableId, bucket, 0, Long.MAX_VALUE)) {
        metadata.deleteIndexPage(tableId, bucket, page.firstOffset());
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
    for (Plan plan : metadata.plans(tableId)) {
      metadata.deletePlan(tableId, plan.planKey());
    }
    return deleted;
  }

  /** The offset below which every lake format holds the bucket; no lake: no bound. */
  private long tieredBound(TableEntry table, int bucket) {
    long bound = Long.MAX_VALUE;
    for (LakeFormatName format : table.definition().lakeFormats()) {
      long tiered =
          metadata
              .tieringState(table.tableId(), format)
              .map(TieringState::offsets)
              .map(o -> o.getOrDefault(bucket, 0L))
              .orElse(0L);
      bound = Math.min(bound, tiered);
    }
    return bound;
  }

  private long dropSlices(TableEntry table, BucketHead head, long bound, Instant now) {
    Instant cutoff = now.minus(table.definition().logRetention());
    List<Slice> drop = new ArrayList<>();
    for (Slice slice :
        index.slices(table.tableId(), head.bucket(), head.logStartOffset()).slices()) {
      if (slice.endOffset() > bound || !slice.timestamp().isBefore(cutoff)) {
        break;
      }
      drop.add(slice);
    }
    if (drop.isEmpty()) {
      return 0;
    }
    long newStart = drop.get(drop.size() - 1).endOffset();
    List<Long> inHead =
        drop.stream().map(Slice::baseOffset).filter(head.recentSlices()::containsKey).toList();
    try {
      metadata.advanceLogStart(
          table.tableId(), head.bucket(), head.logStartOffset(), newStart, inHead);
    } catch (CommitConflictException | CommitStateUnknownException e) {
      return 0; // Another sweep moved it, or we will see next time.
    }
    for (IndexPage page : metadata.indexPages(table.tableId(), head.bucket(), 0, newStart)) {
      if (page.endOffset() <= newStart) {
        metadata.deleteIndexPage(table.tableId(), head.bucket(), page.firstOffset());
      }
    }
    return drop.size();
  }

  /** Returns {objects deleted, plans deleted}. */
  private long[] collectPlans(TableEntry table, Map<Integer, Long> logStarts, Instant now) {
    long deletedObjects = 0;
    long deletedPlans = 0;
    for (Plan plan : metadata.plans(table.tableId())) {
      if (plan.status() != PlanStatus.DONE) {
        continue;
      }
      List<Integer> live = new ArrayList<>(plan.liveBuckets());
      for (PlanPart part : plan.parts()) {
        long end = part.baseOffset() + part.rows();
        if (live.contains(part.bucket()) && end <= logStarts.getOrDefault(part.bucket(), 0L)) {
          metadata.removeLiveBucket(table.tableId(), plan.planKey(), part.bucket());
          live.remove(Integer.valueOf(part.bucket()));
        }
      }
      if (!live.isEmpty() || plan.createdAt().plus(settings.objectGrace()).isAfter(now)) {
        continue;
      }
      objects.delete(plan.segmentKey());
      deletedObjects++;
      if (plan.createdAt().plus(settings.planRetention()).isBefore(now)) {
        metadata.deletePlan(table.tableId(), plan.planKey());
        deletedPlans++;
      }
    }
    return new long[] {deletedObjects, deletedPlans};
  }

  private long deleteUnplanned(TableEntry table, Instant now) {
    long deleted = 0;
    for (String prefix : SegmentKeys.tablePrefixes(table.tableId())) {
      List<ObjectInfo> old;
      try (Stream<ObjectInfo> listed = objects.list(prefix)) {
        old =
            listed
                .filter(o -> o.lastModified().plus(settings.objectGrace()).isBefore(now))
                .toList();
      }
      for (ObjectInfo object : old) {
        Optional<String> planKey = SegmentKeys.planKeyOf(object.key());
        Optional<Plan> plan = planKey.flatMap(k -> metadata.plan(table.tableId(), k));
        boolean ownPlanLive =
            plan.isPresent()
                && plan.get().segmentKey().equals(object.key())
                && plan.get().status() != PlanStatus.ABORTED;
        if (!ownPlanLive && gc.claimUnplanned(table.tableId(), object.key())) {
          objects.delete(object.key());
          deleted++;
        }
      }
    }
    return deleted;
  }
}
