package io.sluice.core.log;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Rolls a plan forward: applies each bucket's part (idempotently, found again by request id) and
 * marks the plan done. Writers, retries and recovery all use it, and any number may race.
 */
public final class PlanApplier {
  /** A head holding more recent slices than this moves its oldest ones into index pages. */
  public static final int HEAD_SLICE_LIMIT = 16;

  /** Slices per index page; fixed, so that every mover builds the same page for an offset. */
  public static final int PAGE_SLICES = 8;

  private static final int MAX_ATTEMPTS = 64;

  private final MetadataStore store;
  private final LogIndex index;
  private final Executor executor;
  private final CommitObserver observer;

  public PlanApplier(MetadataStore store, Executor executor) {
    this(store, executor, CommitObserver.NONE);
  }

  public PlanApplier(MetadataStore store, Executor executor, CommitObserver observer) {
    this.store = store;
    this.index = new LogIndex(store);
    this.executor = executor;
    this.observer = observer;
  }

  /**
   * Applies every part of a pending plan and marks it done.
   *
   * @return the done plan, with the base offset of every part
   * @throws CommitAbortedException when contention outlasts the retries (nothing is lost: the plan
   *     stays pending and recovery completes it)
   */
  public Plan rollForward(Plan plan) {
    List<PlanPart> applied = applyAll(plan);
    Plan done =
        new Plan(
            plan.tableId(),
            plan.planKey(),
            plan.requestId(),
            plan.bodyHash(),
            plan.segmentKey(),
            plan.schemaId(),
            plan.commitTimestamp(),
            applied,
            plan.liveBuckets(),
            PlanStatus.DONE,
            plan.createdAt());
    for (int attempt = 0; ; attempt++) {
      try {
        store.completePlan(done);
        return done;
      } catch (CommitConflictException | CommitStateUnknownException e) {
        Optional<Plan> stored = store.plan(plan.tableId(), plan.planKey());
        if (stored.isPresent() && stored.get().status() == PlanStatus.DONE) {
          return stored.get();
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new CommitAbortedException(
              "Cannot complete plan " + plan.planKey() + " of table " + plan.tableId() + ": " + e);
        }
      }
    }
  }

  private List<PlanPart> applyAll(Plan plan) {
    if (plan.parts().size() == 1) {
      PlanPart part = plan.parts().get(0);
      return List.of(part.appliedAt(apply(plan, part)));
    }
    List<CompletableFuture<PlanPart>> futures = new ArrayList<>();
    for (PlanPart part : plan.parts()) {
      futures.add(CompletableFuture.supplyAsync(() -> part.appliedAt(apply(plan, part)), executor));
    }
    try {
      return futures.stream().map(CompletableFuture::join).toList();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Applies one part of a plan to its bucket and returns the base offset its rows have. */
  public long apply(Plan plan, PlanPart part) {
    String tableId = plan.tableId();
    int bucket = part.bucket();
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      BucketHead head = store.head(tableId, bucket);
      Optional<Slice> applied =
          index.appliedSlice(tableId, head, part.floorOffset(), plan.requestId());
      if (applied.isPresent()) {
        return applied.get().baseOffset();
      }
      long base = head.nextOffset();
      Instant timestamp =
          plan.commitTimestamp().isAfter(head.lastTimestamp())
              ? plan.commitTimestamp()
              : head.lastTimestamp();
      Slice slice =
          new Slice(
              base,
              part.rows(),
              plan.segmentKey(),
              part.byteOffset(),
              part.byteLength(),
              plan.schemaId(),
              timestamp,
              plan.requestId());
      try {
        store.appendSlice(tableId, bucket, base, slice);
        if (head.recentSlices().size() + 1 > HEAD_SLICE_LIMIT) {
          movePages(tableId, bucket);
        }
        return base;
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Someone else appended (or our answer was lost): search again, then retry.
        observer.conflict(tableId, bucket);
        backoff(attempt);
      }
    }
    throw new CommitAbortedException(
        "Cannot append to bucket "
            + bucket
            + " of table "
            + tableId
            + ": still contended after "
            + MAX_ATTEMPTS
            + " attempts; the write stays pending and will be completed");
  }

  /**
   * Moves a head's oldest slices into index pages while it holds more than {@link
   * #HEAD_SLICE_LIMIT}. Safe to race: pages are deterministic and the trim is conditioned on {@code
   * indexedUpTo} alone.
   */
  public void movePages(String tableId, int bucket) {
    for (int round = 0; round < 4; round++) {
      BucketHead head = store.head(tableId, bucket);
      List<Slice> movable =
          head.recentSlices().tailMap(head.indexedUpTo(), true).values().stream().toList();
      if (movable.size() <= HEAD_SLICE_LIMIT) {
        return;
      }
      List<Slice> page = movable.subList(0, PAGE_SLICES);
      long first = page.get(0).baseOffset();
      long end = page.get(page.size() - 1).endOffset();
      store.putIndexPage(tableId, bucket, new IndexPage(bucket, first, end, page));
      List<Long> moved = head.recentSlices().headMap(end, false).keySet().stream().toList();
      try {
        store.trimHead(tableId, bucket, head.indexedUpTo(), end, moved);
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Another mover got there; look again.
      }
    }
  }

  private static void backoff(int attempt) {
    if (attempt > 2) {
      long micros = ThreadLocalRandom.current().nextLong(50L << Math.min(attempt, 8));
      LockSupport.parkNanos(micros * 1000);
    }
  }
}
