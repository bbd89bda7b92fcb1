package io.sluice.core.log;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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

  private static final int MAX_REMEMBERED_PARTITIONS = 100_000;

  private final MetadataStore store;
  private final LogIndex index;
  private final Claims claims;
  private final Executor executor;
  private final CommitObserver observer;
  private final Set<TablePartition> registered = ConcurrentHashMap.newKeySet();

  private record TablePartition(String tableId, String partition) {}

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
   * Settles a plan: a live one is applied and marked done, or aborted when another plan holds one
   * of its members' claims; a done or aborted one is returned as it is.
   *
   * @return the plan as settled: {@code DONE} with the base offset of every part, or {@code
   *     ABORTED}
   * @throws CommitAbortedException when contention outlasts the retries (nothing is lost: the plan
   *     stays live and recovery settles it)
   * @throws BucketClosedException when its table, or a partition it writes to, was dropped (a
   *     pending plan none of whose parts can be applied any more is aborted first)
   */
  public Plan rollForward(Plan plan) {
    return rollForward(plan, Map.of());
  }

  /**
   * As {@link #rollForward(Plan)}, for the writer that made the plan.
   *
   * @param heads bucket heads read when the plan was made: the first attempt at each bucket uses
   *     them instead of reading again
   */
  public Plan rollForward(Plan plan, Map<TableBucket, BucketHead> heads) {
    Plan current = plan;
    if (current.status() == PlanStatus.PENDING && !current.members().isEmpty()) {
      current = decide(current);
    }
    if (!current.status().isLive()) {
      return current;
    }
    return applyAndComplete(current, heads);
  }

  /**
   * Makes a pending plan's claims and records what they decide, with one conditional write from
   * {@code PENDING}: {@code APPLYING} when every claim names the plan, {@code ABORTED} when another
   * live plan holds one. Rollers of one plan may see the claims differently (a holder may be
   * aborted between their reads); the first write wins, and every roller follows it.
   */
  private Plan decide(Plan pending) {
    PlanStatus decision =
        claims.claimAll(pending).isEmpty() ? PlanStatus.APPLYING : PlanStatus.ABORTED;
    try {
      if (decision == PlanStatus.APPLYING) {
        store.startApplying(pending.tableId(), pending.planKey());
      } else {
        store.abortPlan(pending.tableId(), pending.planKey());
      }
      return pending.with(decision, pending.parts());
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Another roller decided first, or our answer was lost: follow what is stored.
    }
    Optional<Plan> stored = store.plan(pending.tableId(), pending.planKey());
    if (stored.isPresent() && stored.get().status() != PlanStatus.PENDING) {
      return stored.get();
    }
    throw new CommitAbortedException(
        "Cannot settle plan "
            + pending.planKey()
            + " of table "
            + pending.tableId()
            + ": no answer; it stays pending and will be settled");
  }

  private Plan applyAndComplete(Plan plan, Map<TableBucket, BucketHead> heads) {
    // Applies every part (each found again by plan key when already applied), then marks it done.
    List<PlanPart> applied;
    try {
      applied = applyAll(plan, heads);
    } catch (BucketClosedException e) {
      abortIfNoPartCanBeApplied(plan);
      throw e;
    }
    Plan done = plan.with(PlanStatus.DONE, applied);
    registerPartitions(done);
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

  /**
   * Aborts a pending plan that found a closed bucket when every one of its buckets is closed and
   * none holds a part of it: closing is for good, so no roller can apply a part any more, and the
   * plan is settled instead of staying live (which would stop recovery and segment GC at it). A
   * plan with a part applied, or an applying one (which cannot be aborted), stays as it is.
   */
  private void abortIfNoPartCanBeApplied(Plan plan) {
    if (plan.status() != PlanStatus.PENDING) {
      return;
    }
    for (PlanPart part : plan.parts()) {
      TableBucket bucket = part.in(plan.tableId());
      BucketHead head = store.head(bucket);
      if (!head.closed()
          || index.appliedSlice(bucket, head, part.floorOffset(), plan.planKey()).isPresent()) {
        return;
      }
    }
    try {
      store.abortPlan(plan.tableId(), plan.planKey());
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Decided otherwise meanwhile, or our answer was lost: the next roller looks again.
    }
  }

  /** Records the partitions the plan wrote to, once per process and partition. */
  private void registerPartitions(Plan plan) {
    for (PlanPart part : plan.parts()) {
      if (part.partition().isEmpty()) {
        continue;
      }
      TablePartition key = new TablePartition(plan.tableId(), part.partition());
      if (!registered.contains(key)) {
        store.addPartition(plan.tableId(), part.partition());
        if (registered.size() >= MAX_REMEMBERED_PARTITIONS) {
          registered.clear();
        }
        registered.add(key);
      }
    }
  }

  private List<PlanPart> applyAll(Plan plan, Map<TableBucket, BucketHead> heads) {
    if (plan.parts().size() == 1) {
      PlanPart part = plan.parts().get(0);
      return List.of(part.appliedAt(apply(plan, part, heads.get(part.in(plan.tableId())))));
    }
    List<CompletableFuture<PlanPart>> futures = new ArrayList<>();
    for (PlanPart part : plan.parts()) {
      futures.add(
          CompletableFuture.supplyAsync(
              () -> part.appliedAt(apply(plan, part, heads.get(part.in(plan.tableId())))),
              executor));
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
    TableBucket bucket = part.in(tableId);
    BucketHead head = known;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (head == null) {
        head = store.head(bucket);
        Optional<Slice> applied =
            index.appliedSlice(bucket, head, part.floorOffset(), plan.planKey());
        if (applied.isPresent()) {
          return applied.get().baseOffset();
        }
      }
      if (head.closed()) {
        throw new BucketClosedException(
            bucket,
            "Cannot append to "
                + bucket
                + " of table "
                + tableId
                + ": it is closed (the table or the partition was dropped)");
      }
      long base = head.nextOffset();
      Slice slice = plan.slice(part, base, head.lastTimestamp());
      try {
        store.appendSlice(bucket, base, slice);
        if (head.recentSlices().size() + 1 > HEAD_SLICE_LIMIT) {
          movePages(bucket);
        }
        return base;
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Someone else appended (or our answer was lost): search again, then retry.
        observer.conflict(bucket);
        head = null;
        backoff(attempt);
      }
    }
    throw new CommitAbortedException(
        "Cannot append to "
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
  public void movePages(TableBucket bucket) {
    for (int round = 0; round < 4; round++) {
      BucketHead head = store.head(bucket);
      List<Slice> movable =
          head.recentSlices().tailMap(head.indexedUpTo(), true).values().stream().toList();
      if (movable.size() <= HEAD_SLICE_LIMIT) {
        return;
      }
      List<Slice> page = movable.subList(0, PAGE_SLICES);
      long first = page.get(0).baseOffset();
      long end = page.get(page.size() - 1).endOffset();
      IndexPage stored =
          store.putIndexPage(bucket, new IndexPage(bucket.bucket(), first, end, page));
      List<Long> moved =
          head.recentSlices().headMap(stored.endOffset(), false).keySet().stream().toList();
      try {
        store.trimHead(bucket, head.indexedUpTo(), stored.endOffset(), moved);
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
