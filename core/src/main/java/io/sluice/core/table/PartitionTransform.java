package io.sluice.core.table;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a partition value is derived from a column: the value itself, or the year, month, day or hour
 * (UTC) of a date or timestamp, as Iceberg's transforms of those names.
 *
 * <p>A time transform's result is Iceberg's: the years, months, days or hours since 1970-01-01
 * 00:00 UTC, negative before it. Values come in as Arrow holds them: days since the epoch for
 * {@code date}, microseconds since the epoch for {@code timestamp} (read as UTC) and {@code
 * timestamp_ltz}.
 */
public enum PartitionTransform {
  IDENTITY(
      "identity",
      EnumSet.of(TypeKind.STRING, TypeKind.INT, TypeKind.BIGINT, TypeKind.DATE, TypeKind.BOOLEAN),
      "a value"),
  YEAR(
      "year",
      EnumSet.of(TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMP_LTZ),
      "a year (YYYY, e.g. 2026)"),
  MONTH(
      "month",
      EnumSet.of(TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMP_LTZ),
      "a month (YYYY-MM, e.g. 2026-11)"),
  DAY(
      "day",
      EnumSet.of(TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMP_LTZ),
      "a day (YYYY-MM-DD, e.g. 2026-11-25)"),
  /** Not of a {@code date}: a date has no hours. */
  HOUR(
      "hour",
      EnumSet.of(TypeKind.TIMESTAMP, TypeKind.TIMESTAMP_LTZ),
      "an hour (YYYY-MM-DD-HH, e.g. 2026-11-25-08)");

  private static final long MICROS_PER_HOUR = 3_600_000_000L;
  private static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
  private static final Pattern HUMAN =
      Pattern.compile("(-?\\d{1,9})(?:-(\\d{2}))?(?:-(\\d{2}))?(?:-(\\d{2}))?");

  private final String apiName;
  private final Set<TypeKind> types;
  private final String expected;

  PartitionTransform(String apiName, Set<TypeKind> types, String expected) {
    this.apiName = apiName;
    this.types = Collections.unmodifiableSet(types);
    this.expected = expected;
  }

  /** The name in {@code partitionBy}, e.g. {@code day}. */
  public String apiName() {
    return apiName;
  }

  /** Whether this transform takes columns of {@code type}. */
  public boolean accepts(DataType type) {
    return types.contains(type.kind());
  }

  /** The column types this transform takes. */
  public Set<TypeKind> acceptedTypes() {
    return types;
  }

  /** Whether this is a time transform (year, month, day or hour) rather than the identity. */
  public boolean isTimeTransform() {
    return this != IDENTITY;
  }

  /**
   * The transform's result for a value of a {@code source} column: for a time transform the years,
   * months, days or hours since 1970; for the identity the value itself.
   *
   * @param value days since the epoch for {@code date}, microseconds since the epoch for
   *     timestamps; for the identity of {@code int}, {@code bigint} or {@code boolean} (1 or 0) the
   *     value
   * @throws IllegalArgumentException when this transform does not take {@code source}
   */
  public long apply(TypeKind source, long value) {
    if (!types.contains(source) || source == TypeKind.STRING) {
      throw new IllegalArgumentException(
          "Cannot apply " + apiName + " to a value of type " + source.apiName() + " in a long");
    }
    if (this == IDENTITY) {
      return value;
    }
    if (this == HOUR) {
      return Math.floorDiv(value, MICROS_PER_HOUR);
    }
    long epochDay = source == TypeKind.DATE ? value : Math.floorDiv(value, MICROS_PER_DAY);
    if (this == DAY) {
      return epochDay;
    }
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    long years = date.getYear() - 1970L;
    return this == YEAR ? years : years * 12 + date.getMonthValue() - 1;
  }

  /**
   * Where the period of a time transform's result begins.
   *
   * @throws IllegalStateException for the identity, which has no period
   */
  public Instant start(long result) {
    return switch (this) {
      case IDENTITY ->
          throw new IllegalStateException(
              "Cannot take the time range of identity value " + result + ": it is no time");
      case YEAR -> startOfDay(LocalDate.of(Math.toIntExact(1970 + result), 1, 1));
      case MONTH ->
          startOfDay(
              LocalDate.of(
                  Math.toIntExact(1970 + Math.floorDiv(result, 12)),
                  1 + (int) Math.floorMod(result, 12),
                  1));
      case DAY -> Instant.ofEpochSecond(Math.multiplyExact(result, 86_400L));
      case HOUR -> Instant.ofEpochSecond(Math.multiplyExact(result, 3_600L));
    };
  }

  /**
   * Where the period of a time transform's result ends (exclusive): the start of the next one, e.g.
   * 2026-11-26T00:00:00Z for the day 2026-11-25.
   *
   * @throws IllegalStateException for the identity, which has no period
   */
  public Instant end(long result) {
    return start(this == IDENTITY ? result : result + 1);
  }

  /**
   * The result as Iceberg writes it in partition paths: {@code 2026}, {@code 2026-11}, {@code
   * 2026-11-25} or {@code 2026-11-25-08}; for the identity of {@code int} or {@code bigint} the
   * number, of {@code date} {@code YYYY-MM-DD}, of {@code boolean} {@code true} or {@code false}.
   *
   * @param source the column's type; time transforms ignore it (it may be null)
   * @throws IllegalArgumentException for the identity of a type not held in a long, i.e. string
   */
  public String humanString(TypeKind source, long result) {
    return switch (this) {
      case IDENTITY ->
          switch (source) {
            case INT, BIGINT -> Long.toString(result);
            case DATE -> humanDay(result);
            case BOOLEAN -> result != 0 ? "true" : "false";
            default ->
                throw new IllegalArgumentException(
                    "Cannot print an identity value of type " + source.apiName() + " as a number");
          };
      case YEAR -> "%04d".formatted(1970 + result);
      case MONTH ->
          "%04d-%02d".formatted(1970 + Math.floorDiv(result, 12), 1 + Math.floorMod(result, 12));
      case DAY -> humanDay(result);
      case HOUR ->
          humanDay(Math.floorDiv(result, 24)) + "-%02d".formatted(Math.floorMod(result, 24));
    };
  }

  /**
   * Reads back what {@link #humanString} printed.
   *
   * @param source the column's type; time transforms ignore it (it may be null)
   * @throws IllegalArgumentException naming the value and what was expected when it is not exactly
   *     such a string (the canonical form only: {@code 2026-1} is no month)
   */
  public long parseHumanString(TypeKind source, String human) {
    long result;
    try {
      result = parse(source, human);
    } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
      throw notA(source, human);
    }
    if (!humanString(source, result).equals(human)) {
      throw notA(source, human);
    }
    return result;
  }

  private long parse(TypeKind source, String human) {
    if (this == IDENTITY) {
      return switch (source) {
        case INT -> Integer.parseInt(human);
        case BIGINT -> Long.parseLong(human);
        case DATE -> DAY.parse(source, human);
        case BOOLEAN -> {
          if (!human.equals("true") && !human.equals("false")) {
            throw notA(source, human);
          }
          yield human.equals("true") ? 1 : 0;
        }
        default ->
            throw new IllegalArgumentException(
                "Cannot read an identity value of type " + source.apiName() + " as a number");
      };
    }
    Matcher m = HUMAN.matcher(human);
    int groups =
        switch (this) {
          case YEAR -> 1;
          case MONTH -> 2;
          case DAY -> 3;
          default -> 4;
        };
    if (!m.matches() || m.group(groups) == null || (groups < 4 && m.group(groups + 1) != null)) {
      throw notA(source, human);
    }
    int year = Integer.parseInt(m.group(1));
    if (this == YEAR) {
      return year - 1970L;
    }
    int month = Integer.parseInt(m.group(2));
    if (this == MONTH) {
      LocalDate.of(year, month, 1); // checks the month
      return (year - 1970L) * 12 + month - 1;
    }
    long epochDay = LocalDate.of(year, month, Integer.parseInt(m.group(3))).toEpochDay();
    if (this == DAY) {
      return epochDay;
    }
    int hour = Integer.parseInt(m.group(4));
    if (hour > 23) {
      throw notA(source, human);
    }
    return epochDay * 24 + hour;
  }

  private IllegalArgumentException notA(TypeKind source, String human) {
    String what =
        this != IDENTITY
            ? expected
            : switch (source) {
              case INT -> "an int";
              case BIGINT -> "a bigint";
              case DATE -> "a date (YYYY-MM-DD, e.g. 2026-11-25)";
              case BOOLEAN -> "a boolean (true or false)";
              default -> "a " + source.apiName();
            };
    return new IllegalArgumentException("'" + human + "' is not " + what);
  }

  private static String humanDay(long epochDay) {
    LocalDate day = LocalDate.ofEpochDay(epochDay);
    return "%04d-%02d-%02d".formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
  }

  private static Instant startOfDay(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
