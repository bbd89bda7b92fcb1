package io.sluice.core.scan;

import io.sluice.core.merge.LogRow;
import io.sluice.core.merge.RowKey;
import io.sluice.core.merge.RowMerger;
import io.sluice.core.table.Column;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The current row of every live key of a primary-key table: the lake's rows, each merged with the
 * log rows of its key that came after the snapshot, then the keys only the log holds. Holds the log
 * tail in memory, never the lake.
 */
final class MergedRows implements Iterator<Object[]>, AutoCloseable {
  private final RowMerger merger;
  private final Optional<RowBatches> lake;
  private final Optional<BatchRows> lakeRows;
  private final Map<RowKey, List<LogRow>> tail;
  private Iterator<List<LogRow>> logOnly;
  private Object[] next;

  /**
   * @param tail the log rows after the snapshot, in offset order per bucket
   * @param lake the snapshot's rows of every column, if there is a snapshot
   */
  MergedRows(RowMerger merger, List<Column> columns, List<LogRow> tail, Optional<RowBatches> lake) {
    this.merger = merger;
    this.lake = lake;
    this.lakeRows = lake.map(batches -> new BatchRows(batches, columns));
    this.tail = new HashMap<>();
    for (LogRow logRow : tail) {
      this.tail.computeIfAbsent(merger.key(logRow.values()), k -> new ArrayList<>()).add(logRow);
    }
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      Object[] base = nextLakeRow();
      if (base != null) {
        List<LogRow> changes = tail.remove(merger.key(base));
        next = changes == null ? base : fold(base, changes);
        continue;
      }
      if (logOnly == null) {
        logOnly = tail.values().iterator();
      }
      if (!logOnly.hasNext()) {
        return false;
      }
      next = fold(null, logOnly.next());
    }
    return true;
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Object[] row = next;
    next = null;
    return row;
  }

  private Object[] fold(Object[] base, List<LogRow> changes) {
    Object[] row = base;
    for (LogRow change : changes) {
      row = merger.merge(row, change);
    }
    return row;
  }

  private Object[] nextLakeRow() {
    return lakeRows.isPresent() && lakeRows.get().hasNext() ? lakeRows.get().next() : null;
  }

  @Override
  public void close() {
    lake.ifPresent(RowBatches::close);
  }
}
