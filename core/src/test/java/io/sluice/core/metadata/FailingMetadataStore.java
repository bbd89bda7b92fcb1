package io.sluice.core.metadata;

import io.sluice.core.store.CommitStateUnknownException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link MetadataStore} that fails on command: {@link #failNext} throws before the wrapped store
 * is touched; {@link #loseNextAnswers} lets the write happen and then reports an unknown outcome,
 * as a timeout does. Operations not listed pass straight through.
 */
public class FailingMetadataStore extends DelegatingMetadataStore {

  /** The calls failures can be queued for. */
  public enum Operation {
    READ_HEAD,
    APPEND_SLICE,
    PUT_PLAN,
    PUT_CLAIM,
    START_APPLYING,
    COMPLETE_PLAN,
    COMMIT_IN_ONE_TRANSACTION,
    PUT_LEASE
  }

  private final Map<Operation, Deque<Supplier<? extends RuntimeException>>> failures =
      new EnumMap<>(Operation.class);
  private final Map<Operation, Integer> lostAnswers = new EnumMap<>(Operation.class);

  public FailingMetadataStore(MetadataStore delegate) {
    super(delegate);
  }

  /** Makes the next {@code times} calls of {@code operation} throw what {@code failure} gives. */
  public synchronized FailingMetadataStore failNext(
      Operation operation, int times, Supplier<? extends RuntimeException> failure) {
    Deque<Supplier<? extends RuntimeException>> queue =
        failures.computeIfAbsent(operation, op -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(failure);
    }
    return this;
  }

  /** Makes the next {@code times} calls of a write happen, then report an unknown outcome. */
  public synchronized FailingMetadataStore loseNextAnswers(Operation operation, int times) {
    lostAnswers.merge(operation, times, Integer::sum);
    return this;
  }

  /** Drops every queued failure and lost answer. */
  public synchronized FailingMetadataStore heal() {
    failures.clear();
    lostAnswers.clear();
    return this;
  }

  private synchronized void maybeFail(Operation operation) {
    Deque<Supplier<? extends RuntimeException>> queue = failures.get(operation);
    if (queue != null && !queue.isEmpty()) {
      throw queue.poll().get();
    }
  }

  private synchronized boolean takeLostAnswer(Operation operation) {
    int left = lostAnswers.getOrDefault(operation, 0);
    if (left == 0) {
      return false;
    }
    lostAnswers.put(operation, left - 1);
    return true;
  }

  private void write(Operation operation, Runnable call) {
    maybeFail(operation);
    call.run();
    if (takeLostAnswer(operation)) {
      throw new CommitStateUnknownException(operation + ": the answer was lost", null);
    }
  }

  @Override
  public BucketHead head(TableBucket at) {
    maybeFail(Operation.READ_HEAD);
    return super.head(at);
  }

  @Override
  public void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    write(Operation.APPEND_SLICE, () -> super.appendSlice(at, expectedNextOffset, slice));
  }

  @Override
  public void putPlan(Plan plan) {
    write(Operation.PUT_PLAN, () -> super.putPlan(plan));
  }

  @Override
  public void putClaim(Claim claim) {
    write(Operation.PUT_CLAIM, () -> super.putClaim(claim));
  }

  @Override
  public Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
    maybeFail(Operation.COMMIT_IN_ONE_TRANSACTION);
    Optional<Plan> done = super.commitInOneTransaction(pending, claims);
    if (done.isPresent() && takeLostAnswer(Operation.COMMIT_IN_ONE_TRANSACTION)) {
      throw new CommitStateUnknownException("commit: the answer was lost", null);
    }
    return done;
  }

  @Override
  public void startApplying(String tableId, String planKey) {
    write(Operation.START_APPLYING, () -> super.startApplying(tableId, planKey));
  }

  @Override
  public void completePlan(Plan done) {
    write(Operation.COMPLETE_PLAN, () -> super.completePlan(done));
  }

  @Override
  public void putLease(Optional<Lease> expected, Lease granted) {
    write(Operation.PUT_LEASE, () -> super.putLease(expected, granted));
  }
}
