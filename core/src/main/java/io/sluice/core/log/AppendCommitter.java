package io.sluice.core.log;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.ClaimsTakenException;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Commits a group of write requests as docs/commit-protocol.md describes: upload the segment, read
 * the touched heads, put the plan, claim the members' idempotency keys, apply each bucket, mark it
 * done; or, on a store with local transactions, all of the metadata in one. Built from single-item
 * conditional writes; every step can be repeated by a retry or by recovery.
 */
public final class AppendCommitter {
  /**
   * A plan whose key is older than this when it is about to be put is given up (503): recovery
   * reads plans from a remembered key onward, so a plan must never appear far behind the present.
   */
  public static final Duration MAX_PLAN_DELAY = Duration.ofSeconds(30);

  private final ObjectStore objects;
  private final MetadataStore metadata;
  private final PlanApplier applier;
  private final Executor executor;
  private final Clock clock;

  public AppendCommitter(
      ObjectStore objects, MetadataStore metadata, Executor executor, Clock clock) {
    this(objects, metadata, executor, clock, CommitObserver.NONE);
  }

  public AppendCommitter(
      ObjectStore objects,
      MetadataStore metadata,
      Executor executor,
      Clock clock,
      CommitObserver observer) {
    this.objects = objects;
    this.metadata = metadata;
    this.applier = new PlanApplier(metadata, executor, observer);
    this.executor = executor;
    this.clock = clock;
  }

  /** The clock plans are made with. */
  public Clock clock() {
    return clock;
  }

  /**
   * The answer for a request whose idempotency key a live plan holds, settling that plan first.
   *
   * @return empty when the key is free: never claimed, or claimed by a plan that was aborted or is
   *     gone
   * @throws IdempotencyKeyReusedException when the plan carries the key with another body
   */
  public Optional<CommitResult> existingAnswer(String tableId, String claimKey, String bodyHash) {
    Optional<Claim> claim = metadata.claim(tableId, claimKey);
    if (claim.isEmpty()) {
      return Optional.empty();
    }
    Optional<Plan> plan = metadata.plan(tableId, claim.get().planKey());
    if (plan.isEmpty()) {
      return Optional.empty();
    }
    Plan settled = applier.rollForward(plan.get());
    if (settled.status() != PlanStatus.DONE) {
      return Optional.empty();
    }
    for (PlanMember member : settled.members()) {
      if (member.claimKey().equals(claimKey)) {
        if (!member.bodyHash().equals(bodyHash)) {
          throw new IdempotencyKeyReusedException(
              "Idempotency-Key was already used on this table with a different body");
        }
        return Optional.of(CommitResult.of(settled, member.ranges()));
      }
    }
    throw new IllegalStateException(
        "Plan " + settled.planKey() + " holds claim " + claimKey + " but does not list it");
  }

  /**
   * Commits a group.
   *
   * @return the plan as settled: {@code DONE} with every part's base offset, or {@code ABORTED}
   *     when another plan holds one of the members' claims (nothing of the group is visible then,
   *     and each member may be tried again)
   * @throws CommitAbortedException when the plan key holds a GC tombstone, the group took longer
   *     than {@link #MAX_PLAN_DELAY} to plan, or retries ran out
   * @throws BucketClosedException when the table, or a partition written to, was dropped
   * @throws io.sluice.core.store.StoreUnavailableException when a store fails; the outcome is then
   *     unknown and a retry with the same idempotency keys settles it
   */
  public Plan commit(CommitGroup group) {
    String segmentKey = SegmentKeys.segmentKey(group.tableId(), group.planKey());
    upload(segmentKey, group.segment());
    // Offsets and timestamps are microseconds throughout (Arrow, Paimon, Iceberg).
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    checkDelay(group.planKey(), group.tableId(), now);
    List<PlanMember> members = new ArrayList<>();
    List<Claim> claims = new ArrayList<>();
    for (CommitGroup.Member member : group.members()) {
      member
          .claimKey()
          .ifPresent(
              key -> {
                members.add(new PlanMember(key, member.bodyHash(), member.ranges()));
                claims.add(new Claim(group.tableId(), key, group.planKey(), now));
              });
    }
    Set<TableBucket> buckets = new LinkedHashSet<>();
    group
        .parts()
        .forEach(p -> buckets.add(new TableBucket(group.tableId(), p.partition(), p.bucket())));
    Plan sketch = plan(group, segmentKey, members, Map.of(), now);
    try {
      Optional<Plan> done = metadata.commitInOneTransaction(sketch, claims);
      if (done.isPresent()) {
        return done.get();
      }
    } catch (ClaimsTakenException e) {
      return sketch.with(PlanStatus.ABORTED, sketch.parts()); // nothing was written
    } catch (CommitConflictException e) {
      throw refused(sketch, e);
    }
    Map<TableBucket, BucketHead> heads = heads(buckets);
    for (Map.Entry<TableBucket, BucketHead> head : heads.entrySet()) {
      if (head.getValue().closed()) {
        // The table, or a partition, was dropped: refuse before writing anything.
        throw closed(head.getKey());
      }
    }
    Plan pending = plan(group, segmentKey, members, heads, now);
    // Again: the head reads may have been slow.
    checkDelay(group.planKey(), group.tableId(), clock.instant());
    putPlan(pending);
    return applier.rollForward(pending, heads);
  }

  /**
   * Gives up a group whose plan would be put so late that recovery may have passed its key. Each
   * put attempt starts within {@link #MAX_PLAN_DELAY} of the key and lasts at most the store
   * client's attempt timeout, inside {@link RecoveryService#DELAY}.
   */
  private static void checkDelay(String planKey, String tableId, Instant now) {
    if (PlanKeys.createdAt(planKey).plus(MAX_PLAN_DELAY).isBefore(now)) {
      throw new CommitAbortedException(
          "Cannot commit plan "
              + planKey
              + " of table "
              + tableId
              + ": it took more than "
              + MAX_PLAN_DELAY.toSeconds()
              + " s to plan; retry");
    }
  }

  private static Plan plan(
      CommitGroup group,
      String segmentKey,
      List<PlanMember> members,
      Map<TableBucket, BucketHead> heads,
      Instant now) {
    List<PlanPart> parts = new ArrayList<>();
    for (CommitGroup.Part part : group.parts()) {
      BucketHead head =
          heads.get(new TableBucket(group.tableId(), part.partition(), part.bucket()));
      long floor = head == null ? -1 : head.nextOffset();
      parts.add(
          new PlanPart(
              part.partition(),
              part.bucket(),
              part.rows(),
              part.offset(),
              part.length(),
              floor,
              -1));
    }
    return new Plan(
        group.tableId(),
        group.planKey(),
        segmentKey,
        group.schemaId(),
        now,
        parts,
        members,
        PlanStatus.PENDING,
        now);
  }

  /** Reads the head of every touched bucket (consistent), in parallel when there are several. */
  private Map<TableBucket, BucketHead> heads(Set<TableBucket> buckets) {
    Map<TableBucket, BucketHead> heads = new HashMap<>();
    if (buckets.size() == 1) {
      TableBucket bucket = buckets.iterator().next();
      heads.put(bucket, metadata.head(bucket));
      return heads;
    }
    Map<TableBucket, CompletableFuture<BucketHead>> reads = new HashMap<>();
    for (TableBucket bucket : buckets) {
      reads.put(bucket, CompletableFuture.supplyAsync(() -> metadata.head(bucket), executor));
    }
    reads.forEach((bucket, read) -> heads.put(bucket, Futures.join(read)));
    return heads;
  }

  private void upload(String segmentKey, byte[] segment) {
    try {
      objects.putIfAbsent(segmentKey, segment);
    } catch (CommitStateUnknownException e) {
      try {
        objects.putIfAbsent(segmentKey, segment);
      } catch (CommitConflictException alreadyThere) {
        // The key is unique to this group: the earlier attempt did write it.
      }
    }
  }

  private void putPlan(Plan plan) {
    for (int attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) {
        checkDelay(plan.planKey(), plan.tableId(), clock.instant()); // a retry may come late
      }
      try {
        metadata.putPlan(plan);
        return;
      } catch (CommitConflictException | CommitStateUnknownException e) {
        Optional<Plan> stored = metadata.plan(plan.tableId(), plan.planKey());
        if (stored.isPresent()) {
          if (stored.get().segmentKey().equals(plan.segmentKey())) {
            return; // our own put, whose answer was lost
          }
          throw refused(plan, e);
        }
      }
    }
    throw new CommitAbortedException(
        "Cannot plan write " + plan.planKey() + " of table " + plan.tableId() + ": no answer");
  }

  private static BucketClosedException closed(TableBucket bucket) {
    return new BucketClosedException(
        bucket,
        "Cannot append to "
            + bucket
            + " of table "
            + bucket.tableId()
            + ": it is closed (the table or the partition was dropped)");
  }

  /** Why a plan's commit was refused: a GC tombstone at its key, or a dropped table. */
  private RuntimeException refused(Plan plan, RuntimeException cause) {
    Optional<Plan> stored = metadata.plan(plan.tableId(), plan.planKey());
    if (stored.isPresent() && stored.get().isTombstone()) {
      return new CommitAbortedException(
          "Cannot commit plan "
              + plan.planKey()
              + " of table "
              + plan.tableId()
              + ": its segment was garbage-collected before it was planned; retry");
    }
    for (PlanPart part : plan.parts()) {
      if (metadata.head(part.in(plan.tableId())).closed()) {
        return closed(part.in(plan.tableId()));
      }
    }
    return new CommitAbortedException(
        "Cannot commit plan "
            + plan.planKey()
            + " of table "
            + plan.tableId()
            + ": "
            + cause.getMessage());
  }
}
