package io.sluice.core.log;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.segment.BucketRange;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Commits a write request as DESIGN.md describes: look up the plan, upload the segment, put the
 * plan, apply each bucket, mark it done. Built from single-item conditional writes; every step can
 * be repeated by a retry or by recovery.
 */
public final class AppendCommitter {
  private final ObjectStore objects;
  private final MetadataStore metadata;
  private final PlanApplier applier;
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
    this.clock = clock;
  }

  /** The answer for a request whose plan already exists, if it does; writes nothing new else. */
  public Optional<CommitResult> existingAnswer(String tableId, String planKey, String bodyHash) {
    return metadata.plan(tableId, planKey).map(plan -> answer(plan, bodyHash));
  }

  /**
   * Commits a request.
   *
   * @throws IdempotencyKeyReusedException when the plan key was committed with another body
   * @throws CommitAbortedException when the key holds a GC tombstone or retries ran out
   * @throws io.sluice.core.store.StoreUnavailableException when a store fails; the outcome is then
   *     unknown and a retry with the same idempotency key settles it
   */
  public CommitResult commit(CommitRequest request) {
    Optional<CommitResult> existing =
        existingAnswer(request.tableId(), request.planKey(), request.bodyHash());
    if (existing.isPresent()) {
      return existing.get();
    }
    String segmentKey =
        SegmentKeys.segmentKey(request.tableId(), request.planKey(), request.requestId());
    upload(segmentKey, request.segment());
    Plan plan = plan(request, segmentKey);
    Optional<Plan> stored = putPlan(plan);
    if (stored.isPresent()) {
      // Another request with the same key planned first; its plan answers (our object is GC's).
      return answer(stored.get(), request.bodyHash());
    }
    return CommitResult.of(applier.rollForward(plan));
  }

  private void upload(String segmentKey, byte[] segment) {
    try {
      objects.putIfAbsent(segmentKey, segment);
    } catch (CommitStateUnknownException e) {
      try {
        objects.putIfAbsent(segmentKey, segment);
      } catch (CommitConflictException alreadyThere) {
        // The key is unique to this request: the earlier attempt did write it.
      }
    }
  }

  private Plan plan(CommitRequest request, String segmentKey) {
    List<PlanPart> parts = new ArrayList<>();
    Set<Integer> buckets = new HashSet<>();
    for (BucketRange part : request.parts()) {
      long floor = metadata.head(request.tableId(), part.bucket()).nextOffset();
      parts.add(new PlanPart(part.bucket(), part.rows(), part.offset(), part.length(), floor, -1));
      buckets.add(part.bucket());
    }
    // Offsets and timestamps are microseconds throughout (Arrow, Paimon, Iceberg).
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return new Plan(
        request.tableId(),
        request.planKey(),
        request.requestId(),
        request.bodyHash(),
        segmentKey,
        request.schemaId(),
        now,
        parts,
        buckets,
        PlanStatus.PENDING,
        now);
  }

  /** Puts the plan; returns another request's plan when one holds the key. */
  private Optional<Plan> putPlan(Plan plan) {
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        metadata.putPlan(plan);
        return Optional.empty();
      } catch (CommitConflictException | CommitStateUnknownException e) {
        Optional<Plan> stored = metadata.plan(plan.tableId(), plan.planKey());
        if (stored.isPresent()) {
          return stored.get().requestId().equals(plan.requestId()) ? Optional.empty() : stored;
        }
      }
    }
    throw new CommitAbortedException(
        "Cannot plan write " + plan.planKey() + " of table " + plan.tableId() + ": no answer");
  }

  private CommitResult answer(Plan plan, String bodyHash) {
    if (plan.status() == PlanStatus.ABORTED) {
      throw new CommitAbortedException(
          "Cannot commit write "
              + plan.planKey()
              + " of table "
              + plan.tableId()
              + ": its segment was garbage-collected before it was planned; retry with a new"
              + " Idempotency-Key");
    }
    if (!plan.bodyHash().equals(bodyHash)) {
      throw new IdempotencyKeyReusedException(
          "Idempotency-Key was already used on this table with a different body");
    }
    if (plan.status() == PlanStatus.DONE) {
      return CommitResult.of(plan);
    }
    return CommitResult.of(applier.rollForward(plan));
  }
}
