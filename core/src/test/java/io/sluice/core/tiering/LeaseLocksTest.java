package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.core.TestingClock;
import io.sluice.core.lake.LockNotAcquiredException;
import io.sluice.core.metadata.FailingMetadataStore;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.TestingMetadataStore;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseLocksTest {
  private static final String NAME = "paimon-lock:db.events";
  private static final Duration TTL = Duration.ofMinutes(1);

  private final TestingClock clock = new TestingClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final TestingMetadataStore metadata = new TestingMetadataStore();
  private final LeaseLocks patient =
      new LeaseLocks(metadata, clock, new LeaseLocks.Limits(TTL, Duration.ofSeconds(30)));
  private final LeaseLocks impatient =
      new LeaseLocks(metadata, clock, new LeaseLocks.Limits(TTL, Duration.ofMillis(50)));
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runsTheActionUnderALeaseNamedAfterTheLockAndReleasesIt() throws Exception {
    String answer =
        patient.callWithLock(
            NAME,
            () -> {
              Lease held = metadata.lease(NAME).orElseThrow();
              assertThat(held.owner()).startsWith("lock-");
              assertThat(held.expiresAt()).isEqualTo(clock.instant().plus(TTL));
              return "done";
            });

    assertThat(answer).isEqualTo("done");
    assertThat(metadata.lease(NAME).orElseThrow().expiresAt()).isEqualTo(clock.instant());
    assertThat(impatient.callWithLock(NAME, () -> "again")).isEqualTo("again");
  }

  @Test
  void releasesTheLockWhenTheActionThrows() throws Exception {
    assertThatThrownBy(
            () ->
                patient.callWithLock(
                    NAME,
                    () -> {
                      throw new IllegalStateException("the commit failed");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the commit failed");

    assertThat(impatient.callWithLock(NAME, () -> "free")).isEqualTo("free");
  }

  @Test
  void aSecondHolderFailsAfterItsTimeoutOrWaitsUntilTheFirstReleases() throws Exception {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstHolds = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    Future<String> first =
        threads.submit(
            () ->
                patient.callWithLock(
                    NAME,
                    () -> {
                      events.add("first in");
                      firstHolds.countDown();
                      assertThat(letGo.await(30, TimeUnit.SECONDS)).isTrue();
                      events.add("first out");
                      return "first";
                    }));
    assertThat(firstHolds.await(10, TimeUnit.SECONDS)).isTrue();
    Lease held = metadata.lease(NAME).orElseThrow();

    AtomicBoolean ran = new AtomicBoolean();
    assertThatThrownBy(() -> impatient.callWithLock(NAME, () -> ran.getAndSet(true)))
        .isInstanceOf(LockNotAcquiredException.class)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessage(
            "Cannot acquire lock %s within PT0.05S: it is held by %s until %s"
                .formatted(NAME, held.owner(), held.expiresAt()));
    assertThat(ran).as("the action of a lock not acquired never runs").isFalse();

    Future<String> second =
        threads.submit(
            () ->
                patient.callWithLock(
                    NAME,
                    () -> {
                      events.add("second in");
                      return "second";
                    }));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !second.isDone() && events.equals(List.of("first in")));

    letGo.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(events).containsExactly("first in", "first out", "second in");
  }

  @Test
  void anExpiredLockOfAHolderThatDiedIsTakenOver() throws Exception {
    Lease died = new LeaseManager(metadata, clock).acquire(NAME, "died", TTL).orElseThrow();

    assertThatThrownBy(() -> impatient.callWithLock(NAME, () -> "too early"))
        .isInstanceOf(LockNotAcquiredException.class)
        .hasMessage(
            "Cannot acquire lock %s within PT0.05S: it is held by died until %s"
                .formatted(NAME, died.expiresAt()));

    clock.advance(TTL.plusSeconds(1));

    assertThat(
            impatient.callWithLock(
                NAME, () -> metadata.lease(NAME).orElseThrow().epoch() > died.epoch()))
        .as("taken over with a higher epoch")
        .isTrue();
  }

  @Test
  void anActionThatOutlivedItsLockAndWasOverlappedEndsInAnUnknownOutcome() {
    Instant expiry = clock.instant().plus(TTL);
    LeaseManager next = new LeaseManager(metadata, clock);

    assertThatThrownBy(
            () ->
                patient.callWithLock(
                    NAME,
                    () -> {
                      // The holder stalls past the time-to-live; another takes the lock.
                      clock.advance(TTL.plusSeconds(1));
                      next.acquire(NAME, "next", TTL).orElseThrow();
                      return "committed";
                    }))
        .isInstanceOf(CommitStateUnknownException.class)
        .hasMessage(
            "Cannot tell whether the work under lock %s was alone: the lock expired at %s and was"
                    .formatted(NAME, expiry)
                + " taken over before it was released");
    assertThat(metadata.lease(NAME).orElseThrow().owner())
        .as("the new holder keeps the lock")
        .isEqualTo("next");
  }

  @Test
  void neverLetsTwoHoldersInAtOnce() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    List<Future<?>> holders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      holders.add(
          threads.submit(
              () -> {
                for (int i = 0; i < 10; i++) {
                  patient.callWithLock(
                      NAME,
                      () -> {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        runs.incrementAndGet();
                        inside.decrementAndGet();
                        return null;
                      });
                }
                return null;
              }));
    }
    for (Future<?> holder : holders) {
      holder.get(60, TimeUnit.SECONDS);
    }

    assertThat(runs).hasValue(40);
    assertThat(mostInside).hasValue(1);
  }

  @Test
  void aFailingStoreFailsTheAcquisitionAndTheActionDoesNotRun() {
    FailingMetadataStore failing =
        new FailingMetadataStore(metadata)
            .failNext(
                FailingMetadataStore.Operation.PUT_LEASE,
                1,
                () -> new StoreUnavailableException("DynamoDB is unreachable", null));
    LeaseLocks locks = new LeaseLocks(failing, clock, LeaseLocks.Limits.DEFAULT);
    AtomicBoolean ran = new AtomicBoolean();

    assertThatThrownBy(() -> locks.callWithLock(NAME, () -> ran.getAndSet(true)))
        .isInstanceOf(LockNotAcquiredException.class)
        .hasMessage("Cannot acquire lock " + NAME + ": DynamoDB is unreachable");
    assertThat(ran).isFalse();
  }

  @Test
  void aReleaseThatFailsLeavesTheLockToExpireAndKeepsTheActionsAnswer() throws Exception {
    FailingMetadataStore failing = new FailingMetadataStore(metadata);
    LeaseLocks locks = new LeaseLocks(failing, clock, new LeaseLocks.Limits(TTL, Duration.ZERO));

    String answer =
        locks.callWithLock(
            NAME,
            () -> {
              failing.failNext(
                  FailingMetadataStore.Operation.PUT_LEASE,
                  1,
                  () -> new StoreUnavailableException("DynamoDB is unreachable", null));
              return "committed";
            });

    assertThat(answer).isEqualTo("committed");
    assertThatThrownBy(() -> locks.callWithLock(NAME, () -> "still held"))
        .isInstanceOf(LockNotAcquiredException.class)
        .hasMessageStartingWith("Cannot acquire lock " + NAME + " within PT0S: it is held by");
    clock.advance(TTL);
    assertThat(locks.callWithLock(NAME, () -> "expired")).isEqualTo("expired");
  }

  @Test
  void refusesANameThatCouldBeATableId() {
    assertThatThrownBy(() -> patient.callWithLock("3f2b9c1e-table-id", () -> "never"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot lock '3f2b9c1e-table-id': a lock name needs a ':' so that it is never a table"
                + " id");
  }

  @Test
  void refusesLimitsThatCannotWork() {
    assertThatThrownBy(() -> new LeaseLocks.Limits(Duration.ZERO, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid lock limits: the time-to-live must be positive, not PT0S; the timeout must"
                + " not be negative, not PT-1S");
  }
}
