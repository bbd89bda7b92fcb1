package io.sluice.core.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.TestingClock;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.TestingMetadataStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseManagerTest {
  private static final String TABLE = "t-1";
  private static final Duration TTL = Duration.ofMinutes(5);

  private final TestingClock clock = new TestingClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final TestingMetadataStore metadata = new TestingMetadataStore();

  @Test
  void aHeldLeaseIsRefusedToAnotherOwnerAndToItsOwnerInTheSameProcess() {
    LeaseManager leases = new LeaseManager(metadata, clock);
    Lease held = leases.acquire(TABLE, "server-a", TTL).orElseThrow();

    assertThat(leases.acquire(TABLE, "server-a", TTL)).as("a second run here").isEmpty();
    assertThat(new LeaseManager(metadata, clock).acquire(TABLE, "server-b", TTL))
        .as("another server")
        .isEmpty();
    assertThat(metadata.lease(TABLE)).contains(held);
  }

  @Test
  void aLeaseLeftByAnEarlierRunOfTheSameNameIsTakenOverAtOnceWithAHigherEpoch() {
    Lease left = new LeaseManager(metadata, clock).acquire(TABLE, "server-a", TTL).orElseThrow();

    // The process died holding it and was started again under its kept name.
    LeaseManager restarted = new LeaseManager(metadata, clock);
    Lease taken = restarted.acquire(TABLE, "server-a", TTL).orElseThrow();

    assertThat(taken.epoch())
        .as("fences whatever the earlier run still commits")
        .isGreaterThan(left.epoch());
    assertThat(restarted.acquire(TABLE, "server-a", TTL)).as("now held here").isEmpty();
  }

  @Test
  void aReleasedLeaseIsGrantedAgain() {
    LeaseManager leases = new LeaseManager(metadata, clock);
    Lease first = leases.acquire(TABLE, "server-a", TTL).orElseThrow();
    leases.release(first);

    assertThat(leases.acquire(TABLE, "server-a", TTL))
        .hasValueSatisfying(l -> assertThat(l.epoch()).isEqualTo(first.epoch() + 1));
  }
}
