package io.sluice.core.arrow;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/** Concatenates batches of one schema into a new batch sized once, buffer by buffer. */
public final class ArrowConcat {
  private ArrowConcat() {}

  /**
   * The rows of every part, in order, in a new batch from {@code allocator}; the caller closes it.
   */
  public static VectorSchemaRoot concat(List<VectorSchemaRoot> parts, BufferAllocator allocator) {
    VectorSchemaRoot target = VectorSchemaRoot.create(parts.get(0).getSchema(), allocator);
    try {
      int rows = 0;
      for (VectorSchemaRoot part : parts) {
        rows += part.getRowCount();
      }
      for (int column = 0; column < target.getFieldVectors().size(); column++) {
        FieldVector vector = target.getVector(column);
        if (vector instanceof BaseVariableWidthVector variable) {
          long bytes = 0;
          for (VectorSchemaRoot part : parts) {
            BaseVariableWidthVector values = (BaseVariableWidthVector) part.getVector(column);
            int count = part.getRowCount();
            bytes += count == 0 ? 0 : values.getEndOffset(count - 1) - values.getStartOffset(0);
          }
          variable.allocateNew(Math.max(bytes, 1), rows);
        } else {
          vector.setInitialCapacity(rows);
          vector.allocateNew();
        }
      }
      VectorSchemaRootAppender.append(false, target, parts.toArray(VectorSchemaRoot[]::new));
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }
}
