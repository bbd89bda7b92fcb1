package io.sluice.core.log;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Rolls a plan forward: makes its members' claims (or aborts it when another plan holds one),
 * applies each bucket's part (idempotently, found again by plan key) and marks it done. Writers,
 * retries and recovery all use it, and any number may race.
 */
public final class PlanApplier {
  /** A head holding more recent slices than this moves its oldest ones into index pages. */
  public static final int HEAD_SLICE_LIMIT = 16;

  /** Slices per index page; fixed, so that every mover builds the same page for an offset. */
  public static final int PAGE_SLICES = 8;

  private static final int MAX_ATTEMPTS = 64;

  private final MetadataStore store;
  private final LogIndex index;
  private final Claims claims;
  private final Executor executor;
  private final CommitObserver observer;

  public PlanApplier(MetadataStore store, Executor executor) {
    this(store, executor, CommitObserver.NONE);
  }

  public PlanApplier(MetadataStore store, Executor executor, CommitObserver observer) {
    this.store = store;
    this.index = new LogIndex(store);
    this.claims = new Claims(store, executor);
    this.executor = executor;
    this.observer = observer;
  }

  /**
   * Settles a plan: a pending one is claimed, applied and marked done, or aborted when another plan
   * holds one of its members' claims; a done or aborted one is returned as it is.
   *
   * @return the plan as settled: {@code DONE} with the base offset of every part, or {@code
   *     ABORTED}
   * @throws CommitAbortedException when contention outlasts the retries (nothing is lost: the plan
   *     stays pending and recovery settles it)
   * @throws BucketClosedException when its table was dropped
   */
  public Plan rollForward(Plan plan) {
    if (plan.status() != PlanStatus.PENDING) {
      return plan;
    }
    List<Claim> taken = claims.claimAll(plan);
    if (!taken.isEmpty()) {
      return abort(plan);
    }
    return applyAndComplete(plan, Map.of());
  }

  /**
   * Makes the claims of a pending plan; aborts it when another plan holds one.
   *
   * @return the claims held by other plans: empty when the plan may be applied
   */
  public List<Claim> claim(Plan pending) {
    List<Claim> taken = claims.claimAll(pending);
    if (!taken.isEmpty()) {
      abort(pending);
    }
    return taken;
  }

  /**
   * Applies every part of a pending plan whose claims are made, and marks it done.
   *
   * @param heads bucket heads read when the plan was made: the first attempt at each bucket uses
   *     them instead of reading again
   * @return the done plan, with the base offset of every part
   */
  public Plan applyAndComplete(Plan plan, Map<Integer, BucketHead> heads) {
    Plan done = plan.with(PlanStatus.DONE, applyAll(plan, heads));
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

  private Plan abort(Plan plan) {
    try {
      store.abortPlan(plan.tableId(), plan.planKey());
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Read back below: a lost answer, or a plan settled meanwhile.
    }
    Optional<Plan> stored = store.plan(plan.tableId(), plan.planKey());
    if (stored.isPresent() && stored.get().status() != PlanStatus.PENDING) {
      return stored.get();
    }
    throw new CommitAbortedException(
        "Cannot abort plan " + plan.planKey() + " of table " + plan.tableId() + ": no answer");
  }

  private List<PlanPart> applyAll(Plan plan, Map<Integer, BucketHead> heads) {
    if (plan.parts().size() == 1) {
      PlanPart part = plan.parts().get(0);
      return List.of(part.appliedAt(apply(plan, part, heads.get(part.bucket()))));
    }
    List<CompletableFuture<PlanPart>> futures = new ArrayList<>();
    for (PlanPart part : plan.parts()) {
      futures.add(
          CompletableFuture.supplyAsync(
              () -> part.appliedAt(apply(plan, part, heads.get(part.bucket()))), executor));
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

  /**
   * Applies one part of a plan to its bucket and returns the base offset its rows have.
   *
   * @param known the bucket's head as last read, or null to read it
   */
  private long apply(Plan plan, PlanPart part, BucketHead known) {
    String tableId = plan.tableId();
    int bucket = part.bucket();
    BucketHead head = known;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (head == null) {
        head = store.head(tableId, bucket);
        Optional<Slice> applied =
            index.appliedSlice(tableId, head, part.floorOffset(), plan.planKey());
        if (applied.isPresent()) {
          return applied.get().baseOffset();
        }
      }
      if (head.closed()) {
        throw new BucketClosedException(
            "Cannot append to bucket "
                + bucket
                + " of table "
                + tableId
                + ": the table was dropped");
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
              plan.planKey());
      try {
        store.appendSlice(tableId, bucket, base, slice);
        if (head.recentSlices().size() + 1 > HEAD_SLICE_LIMIT) {
          movePages(tableId, bucket);
        }
        return base;
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Someone else appended (or our answer was lost): search again, then retry.
        observer.conflict(tableId, bucket);
        head = null;
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
   * #HEAD_SLICE_LIMIT}. Safe to race: pages are deterministic, a mover trims by the page actually
   * stored, and the trim is conditioned on {@code indexedUpTo} alone.
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
      IndexPage stored =
          store.putIndexPage(tableId, bucket, new IndexPage(bucket, first, end, page));
      List<Long> moved =
          head.recentSlices().headMap(stored.endOffset(), false).keySet().stream().toList();
      try {
        store.trimHead(tableId, bucket, head.indexedUpTo(), stored.endOffset(), moved);
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
