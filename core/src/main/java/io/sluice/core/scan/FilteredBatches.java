package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowCopy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads sources one after another, each opened only when the one before is done, and keeps the rows
 * that pass the filter, in the output schema, up to a limit.
 */
final class FilteredBatches implements RowBatches {
  private final Deque<Supplier<RowBatches>> sources;
  private final Optional<RowFilter> filter;
  private final VectorSchemaRoot batch;
  private long left;
  private RowBatches current;

  FilteredBatches(
      List<Supplier<RowBatches>> sources,
      Optional<RowFilter> filter,
      Schema schema,
      long limit,
      BufferAllocator allocator) {
    this.sources = new ArrayDeque<>(sources);
    this.filter = filter;
    this.left = limit;
    this.batch = VectorSchemaRoot.create(schema, allocator);
  }

  @Override
  public VectorSchemaRoot batch() {
    return batch;
  }

  @Override
  public boolean next() {
    batch.allocateNew();
    while (left > 0) {
      if (current == null) {
        if (sources.isEmpty()) {
          break;
        }
        current = sources.poll().get();
      }
      if (!current.next()) {
        current.close();
        current = null;
        continue;
      }
      int kept = keep(current.batch());
      if (kept > 0) {
        ArrowCopy.finish(batch, kept);
        left -= kept;
        return true;
      }
    }
    ArrowCopy.finish(batch, 0);
    return false;
  }

  private int keep(VectorSchemaRoot source) {
    int kept = 0;
    int rows = source.getRowCount();
    if (filter.isEmpty()) {
      int count = (int) Math.min(rows, left);
      ArrowCopy.copyRows(source, 0, count, batch, 0);
      return count;
    }
    for (int row = 0; row < rows && kept < left; row++) {
      if (filter.get().test(source, row)) {
        for (FieldVector to : batch.getFieldVectors()) {
          to.copyFromSafe(row, kept, source.getVector(to.getName()));
        }
        kept++;
      }
    }
    return kept;
  }

  @Override
  public void close() {
    try (batch) {
      if (current != null) {
        current.close();
      }
    }
  }
}
