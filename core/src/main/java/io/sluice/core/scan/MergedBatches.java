package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.merge.LogRow;
import io.sluice.core.merge.RowKey;
import io.sluice.core.merge.RowMerger;
import io.sluice.core.table.Column;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The current row of every live key of a primary-key table, in batches of every column: the lake's
 * rows, each merged with the log rows of its key that came after the snapshot, then the keys only
 * the log holds. Lake rows the tail does not touch are copied as Arrow; only their keys become Java
 * values. Holds the log tail in memory, never the lake.
 */
final class MergedBatches implements RowBatches {
  private final RowMerger merger;
  private final int[] keyIndexes;
  private final List<Column> columns;
  private final Supplier<Optional<RowBatches>> lakeSource;
  private final Map<RowKey, List<LogRow>> tail = new HashMap<>();
  private final VectorSchemaRoot batch;
  private Optional<RowBatches> lake;
  private Iterator<List<LogRow>> logOnly;

  /**
   * @param tail the log rows after the snapshot, in offset order per bucket
   * @param lake opens the snapshot's rows of every column, if there is a snapshot
   */
  MergedBatches(
      RowMerger merger,
      List<Column> columns,
      Schema schema,
      List<LogRow> tail,
      Supplier<Optional<RowBatches>> lake,
      BufferAllocator allocator) {
    this.merger = merger;
    this.keyIndexes = merger.keyIndexes();
    this.columns = columns;
    this.lakeSource = lake;
    for (LogRow row : tail) {
      this.tail.computeIfAbsent(merger.key(row.values()), k -> new ArrayList<>()).add(row);
    }
    this.batch = VectorSchemaRoot.create(schema, allocator);
  }

  @Override
  public VectorSchemaRoot batch() {
    return batch;
  }

  @Override
  public boolean next() {
    batch.allocateNew();
    if (lake == null) {
      lake = lakeSource.get();
    }
    int count = 0;
    while (count == 0 && lake.isPresent() && lake.get().next()) {
      count = mergeLakeBatch(lake.get().batch());
    }
    if (count == 0) {
      count = logOnlyRows();
    }
    ArrowCopy.finish(batch, count);
    return count > 0;
  }

  /** Copies a lake batch's rows, merging those whose key the tail touches; returns the count. */
  private int mergeLakeBatch(VectorSchemaRoot in) {
    FieldVector[] keyVectors = new FieldVector[keyIndexes.length];
    for (int k = 0; k < keyIndexes.length; k++) {
      keyVectors[k] = in.getVector(columns.get(keyIndexes[k]).name());
    }
    Object[] key = new Object[columns.size()];
    int count = 0;
    int unchangedFrom = 0;
    for (int row = 0; row < in.getRowCount(); row++) {
      for (int k = 0; k < keyIndexes.length; k++) {
        key[keyIndexes[k]] = ArrowValues.get(keyVectors[k], row);
      }
      List<LogRow> changes = tail.remove(RowKey.of(key, keyIndexes));
      if (changes == null) {
        continue;
      }
      ArrowCopy.copyRows(in, unchangedFrom, row, batch, count);
      count += row - unchangedFrom;
      unchangedFrom = row + 1;
      Object[] merged = fold(values(in, row), changes);
      if (merged != null) {
        set(count++, merged);
      }
    }
    ArrowCopy.copyRows(in, unchangedFrom, in.getRowCount(), batch, count);
    return count + in.getRowCount() - unchangedFrom;
  }

  /** Fills a batch with keys only the log holds; returns the count. */
  private int logOnlyRows() {
    if (logOnly == null) {
      logOnly = tail.values().iterator();
    }
    int count = 0;
    while (count < ValueRowBatches.BATCH_ROWS && logOnly.hasNext()) {
      Object[] merged = fold(null, logOnly.next());
      if (merged != null) {
        set(count++, merged);
      }
    }
    return count;
  }

  private Object[] values(VectorSchemaRoot in, int row) {
    Object[] values = new Object[columns.size()];
    for (int c = 0; c < values.length; c++) {
      FieldVector vector = in.getVector(columns.get(c).name());
      values[c] = vector == null ? null : ArrowValues.get(vector, row);
    }
    return values;
  }

  private void set(int row, Object[] values) {
    List<FieldVector> vectors = batch.getFieldVectors();
    for (int c = 0; c < values.length; c++) {
      ArrowValues.set(vectors.get(c), row, values[c]);
    }
  }

  private Object[] fold(Object[] base, List<LogRow> changes) {
    Object[] row = base;
    for (LogRow change : changes) {
      row = merger.merge(row, change);
    }
    return row;
  }

  @Override
  public void close() {
    try (batch) {
      if (lake != null) {
        lake.ifPresent(RowBatches::close);
      }
    }
  }
}
