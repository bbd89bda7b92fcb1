package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.table.Column;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which partitions of a table a scan's filter can match, decided from each partition's values
 * alone: an identity field's value is the value of its column in every row of the partition, and a
 * time-transformed field's value bounds its column to the partition's time range [start, end)
 * ({@link PartitionTransform#start}, {@link PartitionTransform#end}).
 *
 * <p>A partition is skipped only when no row of it can pass the filter, with SQL's three-valued
 * logic: each part of the filter is found true for every row of the partition, false for every row,
 * or either (anything on a column that is no partition source, for one). Partition source columns
 * are never null. Rows of a partition that is read are still filtered one by one.
 */
public final class PartitionPruner {
  private static final PartitionPruner NOTHING =
      new PartitionPruner(List.of(), Optional.empty(), Map.of());

  /** Of the rows of a partition: all pass a condition, none do, or some may. */
  private enum Verdict {
    ALL,
    NONE,
    SOME;

    Verdict not() {
      return this == ALL ? NONE : this == NONE ? ALL : SOME;
    }
  }

  private final List<PartitionField> spec;
  private final Optional<RowFilter> filter;
  private final Map<String, TypeKind> sourceTypes;

  private PartitionPruner(
      List<PartitionField> spec, Optional<RowFilter> filter, Map<String, TypeKind> sourceTypes) {
    this.spec = spec;
    this.filter = filter;
    this.sourceTypes = sourceTypes;
  }

  /** The pruner of {@code filter} on {@code table}; it prunes nothing without a filter. */
  public static PartitionPruner of(TableDefinition table, Optional<RowFilter> filter) {
    if (!table.isPartitioned() || filter.isEmpty()) {
      return NOTHING;
    }
    Map<String, TypeKind> sources = new HashMap<>();
    for (PartitionField field : table.partitionBy()) {
      table
          .column(field.column())
          .map(Column::type)
          .ifPresent(t -> sources.put(field.column(), t.kind()));
    }
    Set<String> read = filter.get().columns();
    if (read.stream().noneMatch(sources::containsKey)) {
      return NOTHING;
    }
    return new PartitionPruner(table.partitionBy(), filter, Map.copyOf(sources));
  }

  /** Whether the filter reads a partition source column, so that it may skip partitions. */
  public boolean prunes() {
    return filter.isPresent();
  }

  /** The partition source columns (the columns partition fields derive from). */
  public Set<String> sourceColumns() {
    return sourceTypes.keySet();
  }

  /**
   * Whether a row of {@code partition} may pass the filter: false only when none can.
   *
   * @param partition a partition of the table, its values as its name gives them
   */
  public boolean mayMatch(Partition partition) {
    if (filter.isEmpty()) {
      return true;
    }
    return verdict(filter.get(), partition.values()) != Verdict.NONE;
  }

  /**
   * The part of a filter that reads only {@code columns}: a filter every row passing {@code filter}
   * passes too (parts on other columns are left out of an and; an or or not with such a part is
   * left out whole). Empty when nothing is left.
   */
  public static Optional<RowFilter> restrictTo(RowFilter filter, Set<String> columns) {
    if (columns.containsAll(filter.columns())) {
      return Optional.of(filter);
    }
    if (filter instanceof RowFilter.And and) {
      List<RowFilter> kept = new ArrayList<>();
      and.filters().forEach(f -> restrictTo(f, columns).ifPresent(kept::add));
      return kept.isEmpty()
          ? Optional.empty()
          : Optional.of(kept.size() == 1 ? kept.get(0) : new RowFilter.And(kept));
    }
    if (filter instanceof RowFilter.Or or) {
      List<RowFilter> kept = new ArrayList<>();
      for (RowFilter f : or.filters()) {
        Optional<RowFilter> part = restrictTo(f, columns);
        if (part.isEmpty()) {
          return Optional.empty();
        }
        kept.add(part.get());
      }
      return Optional.of(new RowFilter.Or(kept));
    }
    return Optional.empty();
  }

  private Verdict verdict(RowFilter filter, Map<String, String> values) {
    if (filter instanceof RowFilter.And and) {
      boolean all = true;
      for (RowFilter f : and.filters()) {
        Verdict v = verdict(f, values);
        if (v == Verdict.NONE) {
          return Verdict.NONE;
        }
        all &= v == Verdict.ALL;
      }
      return all ? Verdict.ALL : Verdict.SOME;
    }
    if (filter instanceof RowFilter.Or or) {
      boolean none = true;
      for (RowFilter f : or.filters()) {
        Verdict v = verdict(f, values);
        if (v == Verdict.ALL) {
          return Verdict.ALL;
        }
        none &= v == Verdict.NONE;
      }
      return none ? Verdict.NONE : Verdict.SOME;
    }
    if (filter instanceof RowFilter.Not not) {
      return verdict(not.filter(), values).not();
    }
    if (filter instanceof RowFilter.NullCheck check) {
      // Partition source columns are never null.
      return !sourceTypes.containsKey(check.column())
          ? Verdict.SOME
          : check.negated() ? Verdict.ALL : Verdict.NONE;
    }
    if (filter instanceof RowFilter.Comparison comparison) {
      return comparison(comparison, values);
    }
    return Verdict.SOME;
  }

  /** What every field on the compared column says; each alone is sound for all the rows. */
  private Verdict comparison(RowFilter.Comparison comparison, Map<String, String> values) {
    TypeKind type = sourceTypes.get(comparison.column());
    if (type == null) {
      return Verdict.SOME;
    }
    for (PartitionField field : spec) {
      if (!field.column().equals(comparison.column())) {
        continue;
      }
      String value = values.get(field.name());
      if (value == null) {
        continue;
      }
      Verdict v;
      try {
        v =
            field.transform() == PartitionTransform.IDENTITY
                ? identity(comparison, type, value)
                : timeRange(comparison, type, field.transform(), value);
      } catch (RuntimeException e) {
        // A value or literal out of what the bounds can say (e.g. out of range): keep it.
        v = Verdict.SOME;
      }
      if (v != Verdict.SOME) {
        return v;
      }
    }
    return Verdict.SOME;
  }

  /** Every row of the partition has {@code value} in the column. */
  private static Verdict identity(RowFilter.Comparison comparison, TypeKind type, String value) {
    Object actual =
        switch (type) {
          case STRING -> value;
          case INT -> Integer.valueOf(value);
          case BIGINT -> Long.valueOf(value);
          case DATE -> LocalDate.parse(value);
          case BOOLEAN -> Boolean.valueOf(value);
          default -> null;
        };
    if (actual == null || !actual.getClass().isInstance(comparison.value())) {
      return Verdict.SOME;
    }
    boolean holds = comparison.operator().holds(compare(actual, comparison.value()));
    return holds ? Verdict.ALL : Verdict.NONE;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object actual, Object expected) {
    return ((Comparable) actual).compareTo(expected);
  }

  /**
   * Every row of the partition has the column in [lo, hi), both in the column's own units: days
   * since the epoch for a date, microseconds since the epoch for timestamps.
   */
  private static Verdict timeRange(
      RowFilter.Comparison comparison, TypeKind type, PartitionTransform transform, String value) {
    long result = transform.parseHumanString(type, value);
    Instant start = transform.start(result);
    Instant end = transform.end(result);
    long lo;
    long hi;
    long v;
    Object literal = comparison.value();
    switch (type) {
      case DATE -> {
        if (!(literal instanceof LocalDate date)) {
          return Verdict.SOME;
        }
        lo = Math.floorDiv(start.getEpochSecond(), 86_400L);
        hi = Math.floorDiv(end.getEpochSecond(), 86_400L);
        v = date.toEpochDay();
      }
      case TIMESTAMP -> {
        if (!(literal instanceof LocalDateTime time)) {
          return Verdict.SOME;
        }
        lo = ArrowValues.micros(start);
        hi = ArrowValues.micros(end);
        v = ArrowValues.micros(time.toInstant(ZoneOffset.UTC));
      }
      case TIMESTAMP_LTZ -> {
        if (!(literal instanceof Instant instant)) {
          return Verdict.SOME;
        }
        lo = ArrowValues.micros(start);
        hi = ArrowValues.micros(end);
        v = ArrowValues.micros(instant);
      }
      default -> {
        return Verdict.SOME;
      }
    }
    long last = hi - 1; // the greatest value a row of the partition can have
    return switch (comparison.operator()) {
      case EQ -> v < lo || v > last ? Verdict.NONE : lo == last ? Verdict.ALL : Verdict.SOME;
      case NE -> v < lo || v > last ? Verdict.ALL : lo == last ? Verdict.NONE : Verdict.SOME;
      case LT -> last < v ? Verdict.ALL : lo < v ? Verdict.SOME : Verdict.NONE;
      case LE -> last <= v ? Verdict.ALL : lo <= v ? Verdict.SOME : Verdict.NONE;
      case GT -> lo > v ? Verdict.ALL : last > v ? Verdict.SOME : Verdict.NONE;
      case GE -> lo >= v ? Verdict.ALL : last >= v ? Verdict.SOME : Verdict.NONE;
    };
  }

  /** The names of the partitions among {@code names} a row of which may pass the filter. */
  public List<String> matching(TableDefinition table, List<String> names) {
    if (filter.isEmpty()) {
      return names;
    }
    List<String> kept = new ArrayList<>();
    for (String name : names) {
      boolean may;
      try {
        may = mayMatch(Partition.parse(table, name));
      } catch (IllegalArgumentException e) {
        may = true; // a name this table would not write: never skip what cannot be judged
      }
      if (may) {
        kept.add(name);
      }
    }
    return kept;
  }
}
