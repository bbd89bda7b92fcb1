package io.sluice.core.table;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * How the {@code aggregation} merge engine folds a new value into a key's current one, as Paimon's
 * field aggregators do: nulls are skipped by sum, max, min, bool_and and bool_or.
 */
public enum AggregateFunction {
  SUM(
      EnumSet.of(
          TypeKind.TINYINT,
          TypeKind.SMALLINT,
          TypeKind.INT,
          TypeKind.BIGINT,
          TypeKind.FLOAT,
          TypeKind.DOUBLE,
          TypeKind.DECIMAL)),
  MAX(comparable()),
  MIN(comparable()),
  LAST_VALUE(EnumSet.allOf(TypeKind.class)),
  LAST_NON_NULL_VALUE(EnumSet.allOf(TypeKind.class)),
  FIRST_VALUE(EnumSet.allOf(TypeKind.class)),
  FIRST_NON_NULL_VALUE(EnumSet.allOf(TypeKind.class)),
  BOOL_AND(EnumSet.of(TypeKind.BOOLEAN)),
  BOOL_OR(EnumSet.of(TypeKind.BOOLEAN));

  private final Set<TypeKind> types;

  AggregateFunction(Set<TypeKind> types) {
    this.types = types;
  }

  private static Set<TypeKind> comparable() {
    EnumSet<TypeKind> kinds = EnumSet.allOf(TypeKind.class);
    kinds.remove(TypeKind.BINARY);
    kinds.remove(TypeKind.BOOLEAN);
    return kinds;
  }

  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this function takes values of {@code type}. */
  public boolean accepts(DataType type) {
    return types.contains(type.kind());
  }

  /**
   * Parses an API function name.
   *
   * @throws IllegalArgumentException naming the value when it is unknown
   */
  public static AggregateFunction parse(String name) {
    for (AggregateFunction function : values()) {
      if (function.apiName().equals(name)) {
        return function;
      }
    }
    throw new IllegalArgumentException("unknown aggregation function '" + name + "'");
  }

  /** Folds {@code next} into {@code current}, the value the key had so far. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object apply(Object current, Object next) {
    return switch (this) {
      case LAST_VALUE -> next;
      case LAST_NON_NULL_VALUE -> next != null ? next : current;
      case FIRST_VALUE -> current;
      case FIRST_NON_NULL_VALUE -> current != null ? current : next;
      default -> {
        if (current == null || next == null) {
          yield current == null ? next : current;
        }
        yield switch (this) {
          case SUM -> sum(current, next);
          case MAX -> ((Comparable) current).compareTo(next) >= 0 ? current : next;
          case MIN -> ((Comparable) current).compareTo(next) <= 0 ? current : next;
          case BOOL_AND -> (Boolean) current && (Boolean) next;
          case BOOL_OR -> (Boolean) current || (Boolean) next;
          default -> throw new IllegalStateException(name());
        };
      }
    };
  }

  /** Sums in the column's own type, wrapping on overflow as Paimon's sum does. */
  private static Object sum(Object a, Object b) {
    if (a instanceof Byte x) {
      return (byte) (x + (Byte) b);
    } else if (a instanceof Short x) {
      return (short) (x + (Short) b);
    } else if (a instanceof Integer x) {
      return x + (Integer) b;
    } else if (a instanceof Long x) {
      return x + (Long) b;
    } else if (a instanceof Float x) {
      return x + (Float) b;
    } else if (a instanceof Double x) {
      return x + (Double) b;
    } else if (a instanceof BigDecimal x) {
      return x.add((BigDecimal) b);
    }
    throw new IllegalArgumentException("Cannot sum values of " + a.getClass().getSimpleName());
  }
}
