package io.sluice.core.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The current row of each key of a primary-key table, as a replay of its log rows in offset order
 * produces it, and the changes each log row makes. Seed it with the rows a lake holds first.
 */
public final class KeyedRows {
  private final RowMerger merger;
  private final Map<RowKey, Object[]> rows = new HashMap<>();

  public KeyedRows(RowMerger merger) {
    this.merger = merger;
  }

  /** Sets a key's row as a lake holds it, without recording a change. */
  public void seed(Object[] row) {
    rows.put(merger.key(row), row);
  }

  /**
   * Applies a log row and returns the changes it made: none, an insert, an update (before, then
   * after) or a delete. A row that leaves its key's row as it was changes nothing.
   */
  public List<Change> apply(LogRow row) {
    RowKey key = merger.key(row.values());
    Object[] before = rows.get(key);
    Object[] after = merger.merge(before, row);
    List<Change> changes = new ArrayList<>(2);
    if (after == null) {
      if (before != null) {
        rows.remove(key);
        changes.add(new Change(ChangeType.DELETE, before, row.offset(), row.timestamp()));
      }
    } else if (before == null) {
      rows.put(key, after);
      changes.add(new Change(ChangeType.INSERT, after, row.offset(), row.timestamp()));
    } else if (!Arrays.deepEquals(before, after)) {
      rows.put(key, after);
      changes.add(new Change(ChangeType.UPDATE_BEFORE, before, row.offset(), row.timestamp()));
      changes.add(new Change(ChangeType.UPDATE_AFTER, after, row.offset(), row.timestamp()));
    }
    return changes;
  }
}
