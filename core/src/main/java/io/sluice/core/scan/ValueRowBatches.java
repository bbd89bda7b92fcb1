package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowCopy;
import io.sluice.core.arrow.ArrowValues;
import java.util.Iterator;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Batches filled from rows of plain Java values (see {@link ArrowValues}), one value per field of
 * the schema: how lake readers that yield rows hand them over as Arrow.
 */
public final class ValueRowBatches implements RowBatches {
  /** Rows per batch. */
  public static final int BATCH_ROWS = 4096;

  private final Iterator<Object[]> rows;
  private final AutoCloseable source;
  private final VectorSchemaRoot batch;

  /**
   * @param rows the rows, each with one value per field of {@code schema}
   * @param source closed with these batches (the reader behind {@code rows})
   */
  public ValueRowBatches(
      Schema schema, Iterator<Object[]> rows, AutoCloseable source, BufferAllocator allocator) {
    this.rows = rows;
    this.source = source;
    this.batch = VectorSchemaRoot.create(schema, allocator);
  }

  /**
   * Batches of a reader's records, each turned into its values by {@code values} as it is read
   * (readers may reuse a record object, so it is never kept).
   */
  public static <T> ValueRowBatches of(
      Schema schema,
      Iterator<T> records,
      Function<T, Object[]> values,
      AutoCloseable source,
      BufferAllocator allocator) {
    Iterator<Object[]> rows =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return records.hasNext();
          }

          @Override
          public Object[] next() {
            return values.apply(records.next());
          }
        };
    return new ValueRowBatches(schema, rows, source, allocator);
  }

  @Override
  public VectorSchemaRoot batch() {
    return batch;
  }

  @Override
  public boolean next() {
    batch.allocateNew();
    int count = 0;
    while (count < BATCH_ROWS && rows.hasNext()) {
      Object[] row = rows.next();
      int field = 0;
      for (FieldVector vector : batch.getFieldVectors()) {
        ArrowValues.set(vector, count, row[field++]);
      }
      count++;
    }
    ArrowCopy.finish(batch, count);
    return count > 0;
  }

  @Override
  public void close() {
    try (batch) {
      source.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot close a lake reader: " + e.getMessage(), e);
    }
  }
}
