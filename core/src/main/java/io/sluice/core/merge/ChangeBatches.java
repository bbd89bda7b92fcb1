package io.sluice.core.merge;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.table.Column;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Changes as Arrow batches of {@link Changelogs#schema}. */
public final class ChangeBatches {
  private ChangeBatches() {}

  /** The changes as one batch of {@link Changelogs#schema} for rows of {@code columns}. */
  public static VectorSchemaRoot of(
      List<Change> changes, List<Column> columns, BufferAllocator allocator) {
    return fill(changes, Changelogs.schema(columns), 1, allocator);
  }

  /**
   * The changes as changelog records of {@link Changelogs#recordSchema}, with offset and timestamp.
   */
  public static VectorSchemaRoot records(
      List<Change> changes, List<Column> columns, BufferAllocator allocator) {
    return fill(changes, Changelogs.recordSchema(columns), 3, allocator);
  }

  private static VectorSchemaRoot fill(
      List<Change> changes, Schema schema, int firstColumn, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      root.allocateNew();
      List<FieldVector> vectors = root.getFieldVectors();
      VarCharVector types = (VarCharVector) root.getVector(Changelogs.CHANGE_TYPE);
      FieldVector offsets = root.getVector(Changelogs.OFFSET);
      FieldVector timestamps = root.getVector(Changelogs.TIMESTAMP);
      for (int i = 0; i < changes.size(); i++) {
        Change change = changes.get(i);
        types.setSafe(i, change.type().apiName().getBytes(StandardCharsets.UTF_8));
        if (offsets != null) {
          ArrowValues.set(offsets, i, change.offset());
          ArrowValues.set(timestamps, i, change.timestamp());
        }
        Object[] row = change.row();
        for (int v = firstColumn; v < vectors.size(); v++) {
          ArrowValues.set(vectors.get(v), i, row[v - firstColumn]);
        }
      }
      ArrowCopy.finish(root, changes.size());
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }
}
