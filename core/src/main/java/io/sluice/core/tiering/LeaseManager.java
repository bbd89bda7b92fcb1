package io.sluice.core.tiering;

import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Grants a table's exclusive-work lease. Expiry only decides when another runner may take over;
 * what keeps two runners from both committing is the epoch, which every grant raises and which the
 * lake commit is fenced with.
 */
public final class LeaseManager {
  private final MetadataStore metadata;
  private final Clock clock;
  private final Map<String, Lease> granted = new HashMap<>();

  public LeaseManager(MetadataStore metadata, Clock clock) {
    this.metadata = metadata;
    this.clock = clock;
  }

  /**
   * The lease for {@code owner} when it is free or expired, or when its owner has the same name but
   * it was not granted here: it was left by an earlier run of a process started again under that
   * name (the local server keeps its name across restarts), which can no longer use it. Else empty:
   * a held lease is refused also to its own owner, so two runs of one process (the schedule and an
   * operator's call) never work on one table at once.
   */
  public synchronized Optional<Lease> acquire(String tableId, String owner, Duration ttl) {
    Instant now = clock.instant();
    Optional<Lease> current = metadata.lease(tableId);
    if (current.isPresent()
        && current.get().expiresAt().isAfter(now)
        && !leftByEarlierRun(current.get(), owner)) {
      return Optional.empty();
    }
    Lease lease =
        new Lease(tableId, owner, current.map(l -> l.epoch() + 1).orElse(1L), now.plus(ttl));
    Optional<Lease> ours;
    try {
      metadata.putLease(current, lease);
      ours = Optional.of(lease);
    } catch (CommitConflictException | CommitStateUnknownException e) {
      // Someone else took it (or our answer was lost): only a lease we can read back is ours.
      ours = metadata.lease(tableId).filter(lease::equals);
    }
    ours.ifPresent(l -> granted.put(tableId, l));
    return ours;
  }

  private boolean leftByEarlierRun(Lease lease, String owner) {
    Lease ours = granted.get(lease.tableId());
    return lease.owner().equals(owner) && (ours == null || ours.epoch() != lease.epoch());
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
