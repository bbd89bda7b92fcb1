package io.sluice.core.tiering;

import io.sluice.core.lake.LakeLocks;
import io.sluice.core.lake.LockNotAcquiredException;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@link LakeLocks} held as leases in the {@link MetadataStore}, under the lock's name as lease id
 * (the lease of a table is under its table id, a UUID; a lock name contains a {@code ':'}, so the
 * two never meet). Every acquisition is a fresh owner, granted through {@link LeaseManager} with a
 * conditional write; a lock that is held is polled, with growing pauses, until it is released,
 * expires or the timeout passes.
 *
 * <p>The time-to-live only frees a lock whose holder died: it must exceed by far the time a holder
 * keeps the lock (Paimon: a few object-store calls). A holder that stalls past it may overlap with
 * the next; the release finds out (the lease's epoch moved on) and the holder's action, though it
 * returned, then ends in {@link CommitStateUnknownException}, so its caller reads back what
 * happened instead of trusting it. The timeout is waited in real time; expiry is decided by the
 * clock.
 */
public final class LeaseLocks implements LakeLocks {
  private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
  private static final Duration LONGEST_PAUSE = Duration.ofMillis(500);

  /**
   * How long a lock lives and how long an acquisition waits for it.
   *
   * @param ttl how long a granted lock lasts unless released; another holder may take it after
   * @param timeout how long an acquisition waits for a held lock before it fails
   */
  public record Limits(Duration ttl, Duration timeout) {
    /** Locks of one minute, waited for up to 30 seconds. */
    public static final Limits DEFAULT = new Limits(Duration.ofMinutes(1), Duration.ofSeconds(30));

    public Limits {
      List<String> problems = new ArrayList<>();
      if (ttl.isNegative() || ttl.isZero()) {
        problems.add("the time-to-live must be positive, not " + ttl);
      }
      if (timeout.isNegative()) {
        problems.add("the timeout must not be negative, not " + timeout);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid lock limits: " + String.join("; ", problems));
      }
    }
  }

  private final MetadataStore metadata;
  private final LeaseManager leases;
  private final Clock clock;
  private final Limits limits;

  public LeaseLocks(MetadataStore metadata, Clock clock, Limits limits) {
    this.metadata = metadata;
    this.leases = new LeaseManager(metadata, clock);
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * {@inheritDoc}
   *
   * @throws CommitStateUnknownException when the action returned but the lock had expired and been
   *     taken over meanwhile: another holder may have overlapped with it
   */
  @Override
  public <T> T callWithLock(String name, Callable<T> action) throws Exception {
    if (name.indexOf(':') < 0) {
      throw new IllegalArgumentException(
          "Cannot lock '" + name + "': a lock name needs a ':' so that it is never a table id");
    }
    Lease lease = acquire(name);
    T answer;
    try {
      answer = action.call();
    } catch (Exception | Error e) {
      release(lease);
      throw e;
    }
    if (!release(lease)) {
      throw new CommitStateUnknownException(
          ("Cannot tell whether the work under lock %s was alone: the lock expired at %s and was"
                  + " taken over before it was released")
              .formatted(name, lease.expiresAt()),
          null);
    }
    return answer;
  }

  private Lease acquire(String name) {
    String owner = "lock-" + UUID.randomUUID();
    long deadline = System.nanoTime() + limits.timeout().toNanos();
    Duration pause = FIRST_PAUSE;
    while (true) {
      Optional<Lease> granted;
      try {
        granted = leases.acquire(name, owner, limits.ttl());
      } catch (StoreUnavailableException e) {
        throw new LockNotAcquiredException(
            "Cannot acquire lock " + name + ": " + e.getMessage(), e);
      }
      if (granted.isPresent()) {
        return granted.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new LockNotAcquiredException(
            "Cannot acquire lock %s within %s: %s".formatted(name, limits.timeout(), holder(name)),
            null);
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(pause.toNanos(), left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LockNotAcquiredException(
            "Cannot acquire lock " + name + ": interrupted while waiting for it", e);
      }
      pause =
          pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0
              ? LONGEST_PAUSE
              : pause.multipliedBy(2);
    }
  }

  private String holder(String name) {
    try {
      return metadata
          .lease(name)
          .map(l -> "it is held by " + l.owner() + " until " + l.expiresAt())
          .orElse("it was held");
    } catch (StoreUnavailableException e) {
      return "it is held";
    }
  }

  /**
   * Gives the lock back; false when another holder had taken it over. A release that fails
   * otherwise leaves the lock to expire, and never throws.
   */
  private boolean release(Lease lease) {
    Lease released = new Lease(lease.tableId(), lease.owner(), lease.epoch(), clock.instant());
    try {
      metadata.putLease(Optional.of(lease), released);
      return true;
    } catch (CommitConflictException e) {
      return false; // the epoch moved on: taken over after it expired
    } catch (CommitStateUnknownException | StoreUnavailableException e) {
      return true; // not known to be lost; it expires on its own
    }
  }
}
