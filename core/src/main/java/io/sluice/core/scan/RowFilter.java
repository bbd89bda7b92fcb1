package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowValues;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A condition on rows with SQL's three-valued logic: a comparison with null is unknown, and only
 * rows for which the filter is true pass. Values are the Java objects of {@link ArrowValues}, of
 * the column's type.
 */
public sealed interface RowFilter {

  /** The columns the filter reads. */
  default Set<String> columns() {
    Set<String> columns = new LinkedHashSet<>();
    collectColumns(columns);
    return columns;
  }

  /** Whether row {@code row} of {@code batch} passes (the batch has every filtered column). */
  default boolean test(VectorSchemaRoot batch, int row) {
    return Boolean.TRUE.equals(evaluate(batch, row));
  }

  /** True, false, or null for unknown. */
  Boolean evaluate(VectorSchemaRoot batch, int row);

  /** Adds the columns the filter reads to {@code columns}. */
  void collectColumns(Set<String> columns);

  /** A comparison operator. */
  enum Operator {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    /** How the JSON form writes it. */
    public String symbol() {
      return symbol;
    }

    boolean holds(int comparison) {
      return switch (this) {
        case EQ -> comparison == 0;
        case NE -> comparison != 0;
        case LT -> comparison < 0;
        case LE -> comparison <= 0;
        case GT -> comparison > 0;
        case GE -> comparison >= 0;
      };
    }
  }

  /** {@code column <operator> value}; unknown when the column is null. */
  record Comparison(String column, Operator operator, Object value) implements RowFilter {
    @Override
    public Boolean evaluate(VectorSchemaRoot batch, int row) {
      Object actual = ArrowValues.get(vector(batch, column), row);
      if (actual == null) {
        return null;
      }
      return operator.holds(compare(actual, value));
    }

    @Override
    public void collectColumns(Set<String> columns) {
      columns.add(column);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object actual, Object expected) {
      if (actual instanceof byte[] bytes) {
        return Arrays.compareUnsigned(bytes, (byte[]) expected);
      }
      return ((Comparable) actual).compareTo(expected);
    }
  }

  /** {@code column IS NULL}, or {@code IS NOT NULL} when {@code negated}. */
  record NullCheck(String column, boolean negated) implements RowFilter {
    @Override
    public Boolean evaluate(VectorSchemaRoot batch, int row) {
      return vector(batch, column).isNull(row) != negated;
    }

    @Override
    public void collectColumns(Set<String> columns) {
      columns.add(column);
    }
  }

  /** Every filter holds. */
  record And(List<RowFilter> filters) implements RowFilter {
    public And {
      filters = List.copyOf(filters);
    }

    @Override
    public Boolean evaluate(VectorSchemaRoot batch, int row) {
      return combine(filters, batch, row, false);
    }

    @Override
    public void collectColumns(Set<String> columns) {
      filters.forEach(f -> f.collectColumns(columns));
    }
  }

  /** At least one filter holds. */
  record Or(List<RowFilter> filters) implements RowFilter {
    public Or {
      filters = List.copyOf(filters);
    }

    @Override
    public Boolean evaluate(VectorSchemaRoot batch, int row) {
      return combine(filters, batch, row, true);
    }

    @Override
    public void collectColumns(Set<String> columns) {
      filters.forEach(f -> f.collectColumns(columns));
    }
  }

  /** The filter does not hold (unknown stays unknown). */
  record Not(RowFilter filter) implements RowFilter {
    @Override
    public Boolean evaluate(VectorSchemaRoot batch, int row) {
      Boolean result = filter.evaluate(batch, row);
      return result == null ? null : !result;
    }

    @Override
    public void collectColumns(Set<String> columns) {
      filter.collectColumns(columns);
    }
  }

  /**
   * {@code decisive} as soon as one filter gives it (false for and, true for or); else unknown if
   * one was unknown, else the other value.
   */
  private static Boolean combine(
      List<RowFilter> filters, VectorSchemaRoot batch, int row, boolean decisive) {
    boolean unknown = false;
    for (RowFilter filter : filters) {
      Boolean result = filter.evaluate(batch, row);
      if (result != null && result == decisive) {
        return decisive;
      }
      unknown |= result == null;
    }
    return unknown ? null : !decisive;
  }

  private static FieldVector vector(VectorSchemaRoot batch, String column) {
    FieldVector vector = batch.getVector(column);
    if (vector == null) {
      throw new IllegalArgumentException("Cannot filter on column " + column + ": not read");
    }
    return vector;
  }
}
