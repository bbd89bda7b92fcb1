package io.sluice.core.tiering;

import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Grants a table's exclusive-work lease. Expiry only decides when another runner may take over;
 * what keeps two runners from both committing is the epoch, which every grant raises and which the
 * lake commit is fenced with.
 */
public final class LeaseManager {
  private final MetadataStore metadata;
  private final Clock clock;

  public LeaseManager(MetadataStore metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /**
   * The lease for {@code owner} when it is free or expired; else empty. A held lease is refused
   * also to its own owner, so two runs of one process (the schedule and an operator's call) never
   * work on one table at once.
   */
  public Optional<Lease> acquire(String tableId, String owner, Duration ttl) {
    Instant now = clock.instant();
    Optional<Lease> current = metadata.lease(tableId);
    if (current.isPresent() && current.get().expiresAt().isAfter(now)) {
      return Optional.empty();
    }
    Lease granted =
        new Lease(tableId, owner, current.map(l -> l.epoch() + 1).orElse(1L), now.plus(ttl));
    try {
      metadata.putLease(current, granted);
      return Optional.of(granted);
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Someone else took it (or our answer was lost): only a lease we can read back is ours.
      return metadata.lease(tableId).filter(granted::equals);
    }
  }

  /** Gives a lease back so the next run need not wait for it to expire. */
  public void release(Lease lease) {
    Lease released = new Lease(lease.tableId(), lease.owner(), lease.epoch(), clock.instant());
    try {
      metadata.putLease(Optional.of(lease), released);
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Taken over or unknown: either way it expires on its own.
    }
  }
}
