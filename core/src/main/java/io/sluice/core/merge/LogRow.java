package io.sluice.core.merge;

import java.time.Instant;
import java.util.Set;

/**
 * One row of a primary-key table's log: its offset and commit time, what it asks for, its values in
 * table column order, and the indexes of the columns it left out (a partial update).
 */
public record LogRow(long offset, Instant timestamp, Op op, Object[] values, Set<Integer> unset) {

  public LogRow {
    unset = Set.copyOf(unset);
  }

  /** Whether the row gave a value (possibly null) for the column at {@code index}. */
  public boolean gives(int index) {
    return !unset.contains(index);
  }
}
