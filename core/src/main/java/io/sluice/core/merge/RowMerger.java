package io.sluice.core.merge;

import io.sluice.core.table.AggregateFunction;
import io.sluice.core.table.MergeEngine;
import io.sluice.core.table.TableDefinition;
import java.util.Arrays;

/**
 * A primary-key table's merge engine: what a key's row becomes when a log row arrives.
 *
 * <ul>
 *   <li>{@code last_row}: an upsert replaces the columns it gives and keeps the others; a delete
 *       removes the key.
 *   <li>{@code first_row}: the first row of a key stays; later ones are ignored.
 *   <li>{@code versioned}: the row with the higher version column wins; ties go to the later one.
 *   <li>{@code aggregation}: each column given is folded into the current value with its function
 *       ({@code last_value} when none is named); a delete removes the key.
 * </ul>
 */
public final class RowMerger {
  private final MergeEngine engine;
  private final int[] keyIndexes;
  private final int versionIndex;
  private final AggregateFunction[] functions;

  public RowMerger(TableDefinition table) {
    this.engine = table.mergeEngine().orElseThrow();
    this.keyIndexes = table.primaryKey().stream().mapToInt(table::columnIndex).toArray();
    this.versionIndex = table.versionColumn().map(table::columnIndex).orElse(-1);
    this.functions = new AggregateFunction[table.columns().size()];
    Arrays.fill(functions, AggregateFunction.LAST_VALUE);
    table
        .aggregations()
        .forEach(
            (column, function) ->
                functions[table.columnIndex(column)] = AggregateFunction.parse(function));
  }

  /** The indexes of the primary-key columns, in key order. */
  public int[] keyIndexes() {
    return keyIndexes.clone();
  }

  /** The key of a row of values in table column order. */
  public RowKey key(Object[] row) {
    return RowKey.of(row, keyIndexes);
  }

  /**
   * The key's row after {@code row}, given its row before (null when absent); null when the key is
   * absent after it. Never changes {@code current}.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object[] merge(Object[] current, LogRow row) {
    if (row.op() == Op.DELETE) {
      return null;
    }
    switch (engine) {
      case FIRST_ROW:
        return current != null ? current : given(null, row);
      case VERSIONED:
        if (current != null
            && ((Comparable) current[versionIndex]).compareTo(row.values()[versionIndex]) > 0) {
          return current;
        }
        return given(current, row);
      case LAST_ROW:
        return given(current, row);
      case AGGREGATION:
        if (current == null) {
          return given(null, row);
        }
        Object[] merged = current.clone();
        for (int i = 0; i < merged.length; i++) {
          if (row.gives(i)) {
            merged[i] = functions[i].apply(current[i], row.values()[i]);
          }
        }
        for (int index : keyIndexes) {
          merged[index] = row.values()[index];
        }
        return merged;
      default:
        throw new IllegalStateException("Unknown merge engine " + engine);
    }
  }

  /** The columns {@code row} gives, the others from {@code current} (null when absent). */
  private static Object[] given(Object[] current, LogRow row) {
    Object[] merged = row.values().clone();
    for (int index : row.unset()) {
      merged[index] = current == null ? null : current[index];
    }
    return merged;
  }
}
