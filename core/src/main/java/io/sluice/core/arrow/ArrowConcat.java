package io.sluice.core.arrow;

import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorAppender;

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
          appendVariableWidth(variable, parts, column, rows);
        } else {
          vector.setInitialCapacity(rows);
          vector.allocateNew();
          VectorAppender appender = new VectorAppender(vector);
          for (VectorSchemaRoot part : parts) {
            part.getVector(column).accept(appender, null);
          }
        }
      }
      target.setRowCount(rows);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /**
   * Appends a variable-width column of every part: values and validity copied in bulk, offsets
   * shifted in one pass over buffer views. Arrow's {@link VectorAppender} does the offsets one
   * checked access at a time, which made this copy the largest cost of a group commit.
   */
  private static void appendVariableWidth(
      BaseVariableWidthVector target, List<VectorSchemaRoot> parts, int column, int rows) {
    long bytes = 0;
    for (VectorSchemaRoot part : parts) {
      BaseVariableWidthVector values = (BaseVariableWidthVector) part.getVector(column);
      int count = part.getRowCount();
      bytes += count == 0 ? 0 : values.getEndOffset(count - 1) - values.getStartOffset(0);
    }
    target.allocateNew(Math.max(bytes, 1), rows);
    ArrowBuf offsets = target.getOffsetBuffer();
    ArrowBuf validity = target.getValidityBuffer();
    int row = 0;
    int end = 0;
    offsets.setInt(0, 0);
    for (VectorSchemaRoot part : parts) {
      int count = part.getRowCount();
      if (count == 0) {
        continue;
      }
      BaseVariableWidthVector source = (BaseVariableWidthVector) part.getVector(column);
      int start = source.getStartOffset(0);
      int length = source.getEndOffset(count - 1) - start;
      target.getDataBuffer().setBytes(end, source.getDataBuffer(), start, length);
      IntBuffer from =
          source
              .getOffsetBuffer()
              .nioBuffer(0, (count + 1) * Integer.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asIntBuffer();
      IntBuffer to =
          offsets
              .nioBuffer((long) row * Integer.BYTES, (count + 1) * Integer.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN)
              .asIntBuffer();
      int shift = end - start;
      for (int i = 1; i <= count; i++) {
        to.put(i, from.get(i) + shift);
      }
      BitVectorHelper.concatBits(validity, row, source.getValidityBuffer(), count, validity);
      row += count;
      end += length;
    }
    target.setLastSet(rows - 1);
    target.setValueCount(rows);
  }
}
