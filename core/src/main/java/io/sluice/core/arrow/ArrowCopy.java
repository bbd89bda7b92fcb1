package io.sluice.core.arrow;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Copies rows between batches by column name, leaving columns the source lacks null. */
public final class ArrowCopy {
  private ArrowCopy() {}

  /**
   * Copies rows {@code [start, end)} of {@code source} into {@code target} from row {@code at}, for
   * every column of {@code target} that {@code source} has. Does not set value counts.
   */
  public static void copyRows(
      VectorSchemaRoot source, int start, int end, VectorSchemaRoot target, int at) {
    for (FieldVector to : target.getFieldVectors()) {
      FieldVector from = source.getVector(to.getName());
      if (from == null) {
        continue;
      }
      for (int row = start; row < end; row++) {
        to.copyFromSafe(row, at + row - start, from);
      }
    }
  }

  /** Sets every vector's value count and the batch's row count to {@code rows}. */
  public static void finish(VectorSchemaRoot target, int rows) {
    for (FieldVector vector : target.getFieldVectors()) {
      vector.setValueCount(rows);
    }
    target.setRowCount(rows);
  }
}
