package io.sluice.core.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Copies chosen rows of a batch into new vectors sized once, one column at a time and straight
 * between the buffers, without a call into Arrow's vectors per value: how a write's rows are split
 * into its buckets.
 */
public final class ArrowGather {
  private ArrowGather() {}

  /**
   * The rows {@code rows[0..count)} of {@code source}, in that order, as a new batch from {@code
   * allocator}; the caller closes it.
   *
   * @throws IllegalArgumentException for a vector type Sluice tables do not have (nested types)
   */
  public static VectorSchemaRoot gather(
      VectorSchemaRoot source, int[] rows, int count, BufferAllocator allocator) {
    VectorSchemaRoot target = VectorSchemaRoot.create(source.getSchema(), allocator);
    try {
      for (int column = 0; column < source.getFieldVectors().size(); column++) {
        gather(source.getVector(column), target.getVector(column), rows, count);
      }
      target.setRowCount(count);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  private static void gather(FieldVector from, FieldVector to, int[] rows, int count) {
    if (from instanceof BitVector source) {
      BitVector target = (BitVector) to;
      target.allocateNew(count);
      ArrowBuf data = source.getDataBuffer();
      ArrowBuf targetData = target.getDataBuffer();
      for (int k = 0; k < count; k++) {
        if (BitVectorHelper.get(data, rows[k]) != 0) {
          BitVectorHelper.setBit(targetData, k);
        }
      }
      validity(source.getValidityBuffer(), target.getValidityBuffer(), rows, count);
    } else if (from instanceof BaseFixedWidthVector source) {
      BaseFixedWidthVector target = (BaseFixedWidthVector) to;
      target.allocateNew(count);
      fixedWidth(
          source.getDataBuffer(), target.getDataBuffer(), source.getTypeWidth(), rows, count);
      validity(source.getValidityBuffer(), target.getValidityBuffer(), rows, count);
    } else if (from instanceof BaseVariableWidthVector source) {
      variableWidth(source, (BaseVariableWidthVector) to, rows, count);
    } else {
      throw new IllegalArgumentException(
          "Cannot gather rows of column " + from.getName() + ": " + from.getField().getType());
    }
    to.setValueCount(count);
  }

  private static void validity(ArrowBuf from, ArrowBuf to, int[] rows, int count) {
    for (int k = 0; k < count; k++) {
      if (BitVectorHelper.get(from, rows[k]) != 0) {
        BitVectorHelper.setBit(to, k);
      }
    }
  }

  private static void fixedWidth(ArrowBuf from, ArrowBuf to, int width, int[] rows, int count) {
    switch (width) {
      case 1 -> {
        for (int k = 0; k < count; k++) {
          to.setByte(k, from.getByte(rows[k]));
        }
      }
      case 2 -> {
        for (int k = 0; k < count; k++) {
          to.setShort(2L * k, from.getShort(2L * rows[k]));
        }
      }
      case 4 -> {
        for (int k = 0; k < count; k++) {
          to.setInt(4L * k, from.getInt(4L * rows[k]));
        }
      }
      case 8 -> {
        for (int k = 0; k < count; k++) {
          to.setLong(8L * k, from.getLong(8L * rows[k]));
        }
      }
      case 16 -> {
        for (int k = 0; k < count; k++) {
          long at = 16L * rows[k];
          to.setLong(16L * k, from.getLong(at));
          to.setLong(16L * k + 8, from.getLong(at + 8));
        }
      }
      default -> {
        for (int k = 0; k < count; k++) {
          to.setBytes((long) width * k, from, (long) width * rows[k], width);
        }
      }
    }
  }

  private static void variableWidth(
      BaseVariableWidthVector from, BaseVariableWidthVector to, int[] rows, int count) {
    ArrowBuf offsets = from.getOffsetBuffer();
    long bytes = 0;
    for (int k = 0; k < count; k++) {
      long at = (long) rows[k] * BaseVariableWidthVector.OFFSET_WIDTH;
      bytes += offsets.getInt(at + BaseVariableWidthVector.OFFSET_WIDTH) - offsets.getInt(at);
    }
    to.allocateNew(Math.max(bytes, 1), count);
    ArrowBuf data = from.getDataBuffer();
    ArrowBuf targetOffsets = to.getOffsetBuffer();
    ArrowBuf targetData = to.getDataBuffer();
    int position = 0;
    targetOffsets.setInt(0, 0);
    for (int k = 0; k < count; k++) {
      long at = (long) rows[k] * BaseVariableWidthVector.OFFSET_WIDTH;
      int start = offsets.getInt(at);
      int length = offsets.getInt(at + BaseVariableWidthVector.OFFSET_WIDTH) - start;
      targetData.setBytes(position, data, start, length);
      position += length;
      targetOffsets.setInt((long) (k + 1) * BaseVariableWidthVector.OFFSET_WIDTH, position);
    }
    validity(from.getValidityBuffer(), to.getValidityBuffer(), rows, count);
    to.setLastSet(count - 1);
  }
}
