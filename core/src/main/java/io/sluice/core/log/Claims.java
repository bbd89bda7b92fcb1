package io.sluice.core.log;

import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Makes the claims of a plan's members: each member's idempotency key is claimed for the plan with
 * a put-if-absent, so that of two requests with one key exactly one is ever applied. A claim whose
 * plan was aborted or is gone is taken over; a claim that another live plan holds is lost.
 */
final class Claims {
  private static final int MAX_ATTEMPTS = 8;

  private final MetadataStore store;
  private final Executor executor;

  Claims(MetadataStore store, Executor executor) {
    this.store = store;
    this.executor = executor;
  }

  /**
   * Claims every member's key for {@code plan}; safe to repeat and to race with other callers of
   * the same plan.
   *
   * @return the claims other live plans hold; empty when every claim names this plan
   */
  List<Claim> claimAll(Plan plan) {
    List<PlanMember> members = plan.members();
    if (members.isEmpty()) {
      return List.of();
    }
    if (members.size() == 1) {
      return claim(plan, members.get(0)).map(List::of).orElse(List.of());
    }
    List<CompletableFuture<Optional<Claim>>> futures = new ArrayList<>();
    for (PlanMember member : members) {
      futures.add(CompletableFuture.supplyAsync(() -> claim(plan, member), executor));
    }
    List<Claim> taken = new ArrayList<>();
    try {
      futures.forEach(f -> f.join().ifPresent(taken::add));
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
    return taken;
  }

  /** Claims one member's key; returns the claim that holds it when another live plan does. */
  private Optional<Claim> claim(Plan plan, PlanMember member) {
    Claim mine = new Claim(plan.tableId(), member.claimKey(), plan.planKey(), plan.createdAt());
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        store.putClaim(mine);
        return Optional.empty();
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Held by someone, or our own put whose answer was lost: look.
      }
      Optional<Claim> stored = store.claim(plan.tableId(), member.claimKey());
      if (stored.isEmpty()) {
        continue; // deleted meanwhile (its plan expired): try again
      }
      if (stored.get().planKey().equals(plan.planKey())) {
        return Optional.empty();
      }
      Optional<Plan> holder = store.plan(plan.tableId(), stored.get().planKey());
      if (holder.isPresent() && holder.get().status() != PlanStatus.ABORTED) {
        return stored;
      }
      try {
        store.replaceClaim(stored.get(), mine); // its plan will never apply: free
        return Optional.empty();
      } catch (CommitConflictException | CommitStateUnknownException e) {
        // Someone else took it over (or our answer was lost): look again.
      }
    }
    throw new CommitAbortedException(
        "Cannot claim an idempotency key for plan "
            + plan.planKey()
            + " of table "
            + plan.tableId()
            + ": still contended after "
            + MAX_ATTEMPTS
            + " attempts");
  }
}
