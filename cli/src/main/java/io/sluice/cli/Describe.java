package io.sluice.cli;

import java.time.Duration;
import java.util.List;

/** Small formatting rules the commands share. */
final class Describe {
  private Describe() {}

  /** A list as {@code a, b}, or {@code -} when empty. */
  static String list(List<String> items) {
    return items.isEmpty() ? "-" : String.join(", ", items);
  }

  /** An age such as {@code 4 s}, {@code 12 min} or {@code 3 h}. */
  static String age(Duration age) {
    return ageSeconds(age.toSeconds());
  }

  /** {@link #age} of a number of seconds. */
  static String ageSeconds(long secondsOfAge) {
    long seconds = Math.max(0, secondsOfAge);
    if (seconds < 120) {
      return seconds + " s";
    }
    if (seconds < 7200) {
      return seconds / 60 + " min";
    }
    return seconds / 3600 + " h";
  }

  /** A count with thousands separators. */
  static String count(long count) {
    return String.format("%,d", count);
  }
}
