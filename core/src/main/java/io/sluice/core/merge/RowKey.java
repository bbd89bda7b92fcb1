package io.sluice.core.merge;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The primary-key values of a row, comparable by value (binary keys too). */
public record RowKey(List<Object> values) {

  /** The key of {@code row}, whose values are in table column order. */
  public static RowKey of(Object[] row, int[] keyIndexes) {
    List<Object> values = new ArrayList<>(keyIndexes.length);
    for (int index : keyIndexes) {
      Object value = row[index];
      values.add(value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value);
    }
    return new RowKey(values);
  }
}
