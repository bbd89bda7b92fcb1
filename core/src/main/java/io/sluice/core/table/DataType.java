package io.sluice.core.table;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column type: its kind, and precision and scale for decimals. Timestamps are in microseconds;
 * {@code timestamp} has no zone, {@code timestamp_ltz} is an instant.
 */
public record DataType(TypeKind kind, int precision, int scale) {
  public static final int MAX_DECIMAL_PRECISION = 38;
  private static final Pattern DECIMAL =
      Pattern.compile("decimal\\s*\\(\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*\\)");

  public DataType {
    if (kind == TypeKind.DECIMAL) {
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
        throw new IllegalArgumentException(
            "decimal(%d,%d) is not a valid type: precision must be 1 to 38 and scale 0 to the precision"
                .formatted(precision, scale));
      }
    } else if (precision != 0 || scale != 0) {
      throw new IllegalArgumentException(kind.apiName() + " takes no precision or scale");
    }
  }

  public static DataType of(TypeKind kind) {
    return new DataType(kind, 0, 0);
  }

  public static DataType decimal(int precision, int scale) {
    return new DataType(TypeKind.DECIMAL, precision, scale);
  }

  /**
   * Parses an API type name, case-insensitively.
   *
   * @throws IllegalArgumentException naming the type and the accepted ones when it is unknown
   */
  public static DataType parse(String name) {
    String lower = name.trim().toLowerCase(Locale.ROOT);
    Matcher decimal = DECIMAL.matcher(lower);
    if (decimal.matches()) {
      return decimal(Integer.parseInt(decimal.group(1)), Integer.parseInt(decimal.group(2)));
    }
    for (TypeKind kind : TypeKind.values()) {
      if (kind != TypeKind.DECIMAL && kind.apiName().equals(lower)) {
        return of(kind);
      }
    }
    throw new IllegalArgumentException(
        "unknown type '"
            + name
            + "' (expected one of boolean, tinyint, smallint, int, bigint, float, double,"
            + " decimal(p,s), string, binary, date, timestamp, timestamp_ltz)");
  }

  /** The API's name of this type, e.g. {@code decimal(12,2)}. */
  @Override
  public String toString() {
    return kind == TypeKind.DECIMAL ? "decimal(" + precision + "," + scale + ")" : kind.apiName();
  }
}
