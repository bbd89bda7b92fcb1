package io.sluice.core.arrow;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Reads the ISO-8601 dates and date-times of JSON rows: the canonical forms ({@code 2026-11-25},
 * {@code 2026-11-25T08:00:00.123456}, with {@code Z} or {@code +01:00}) by hand, since a
 * formatter's general parse costs microseconds per value; every other form falls to {@code
 * java.time}'s ISO formatters, so what is accepted never changes.
 */
final class IsoTimes {
  private IsoTimes() {}

  /** A date-time as written: the local date-time's epoch second and nanos, and its offset. */
  record DateTime(long localEpochSecond, int nanos, boolean hasOffset, int offsetSeconds) {
    /** The epoch second of the instant it names (the local one when it has no offset). */
    long epochSecond() {
      return localEpochSecond - offsetSeconds;
    }
  }

  /**
   * The epoch day of {@code YYYY-MM-DD}.
   *
   * @throws java.time.DateTimeException when it is no such date
   */
  static long epochDay(String text) {
    if (text.length() == 10 && shape(text, 0, "dddd-dd-dd")) {
      return LocalDate.of(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2)).toEpochDay();
    }
    return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE).toEpochDay();
  }

  /**
   * The canonical date-time forms, or null for any other text (the caller then parses it with
   * {@code java.time}).
   *
   * @throws java.time.DateTimeException when it has the canonical shape but names no date-time
   */
  static DateTime canonical(String text) {
    int length = text.length();
    if (length < 19 || !shape(text, 0, "dddd-dd-ddTdd:dd:dd")) {
      return null;
    }
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (hour > 23 || minute > 59 || second > 59) {
      return null; // java.time says why
    }
    int position = 19;
    int nanos = 0;
    if (position < length && text.charAt(position) == '.') {
      int start = ++position;
      while (position < length && isDigit(text.charAt(position))) {
        position++;
      }
      int count = position - start;
      if (count == 0 || count > 9) {
        return null;
      }
      nanos = digits(text, start, count);
      for (int i = count; i < 9; i++) {
        nanos *= 10;
      }
    }
    boolean hasOffset = false;
    int offset = 0;
    if (position < length) {
      char sign = text.charAt(position);
      if (sign == 'Z' && position + 1 == length) {
        hasOffset = true;
      } else if ((sign == '+' || sign == '-')
          && position + 6 == length
          && shape(text, position + 1, "dd:dd")) {
        int hours = digits(text, position + 1, 2);
        int minutes = digits(text, position + 4, 2);
        if (hours > 18 || minutes > 59) {
          return null;
        }
        hasOffset = true;
        offset = (sign == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
      } else {
        return null;
      }
    }
    long day =
        LocalDate.of(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2)).toEpochDay();
    return new DateTime(
        day * 86_400 + hour * 3600L + minute * 60L + second, nanos, hasOffset, offset);
  }

  /**
   * Whether {@code text} holds {@code pattern} at {@code start}, where {@code d} is any ASCII
   * digit.
   */
  private static boolean shape(String text, int start, String pattern) {
    if (text.length() - start < pattern.length()) {
      return false;
    }
    for (int i = 0; i < pattern.length(); i++) {
      char expected = pattern.charAt(i);
      char given = text.charAt(start + i);
      if (expected == 'd' ? !isDigit(given) : given != expected) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int digits(String text, int start, int count) {
    int value = 0;
    for (int i = start; i < start + count; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }
}
