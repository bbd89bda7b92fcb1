package io.sluice.local;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The server's clock in this module's tests: the system clock plus an offset that a test moves
 * forward, for work that waits on time (partition retention, recovery's delay), and puts back to
 * zero when it is done. It replaces the system clock that {@code SluiceServices} produces, in every
 * test profile; with the offset at zero it is the system clock.
 */
@Alternative
@Priority(1)
@Singleton
public class MovableClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  /** Moves the server's time forward. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("Cannot move the clock back by " + duration.negated());
    }
    offset = offset.plus(duration);
  }

  /** Gives the server the system time again. */
  public void reset() {
    offset = Duration.ZERO;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
