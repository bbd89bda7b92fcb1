package io.sluice.core.scan;

import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.table.Column;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The rows of batches as plain Java values of some columns (null where a batch lacks a column),
 * read batch by batch; the inverse of {@link ValueRowBatches}.
 */
public final class BatchRows implements Iterator<Object[]> {
  private final RowBatches batches;
  private final List<Column> columns;
  private VectorSchemaRoot batch;
  private FieldVector[] vectors;
  private int row;

  public BatchRows(RowBatches batches, List<Column> columns) {
    this.batches = batches;
    this.columns = columns;
  }

  @Override
  public boolean hasNext() {
    while (batch == null || row >= batch.getRowCount()) {
      if (!batches.next()) {
        return false;
      }
      batch = batches.batch();
      vectors = new FieldVector[columns.size()];
      for (int c = 0; c < vectors.length; c++) {
        vectors[c] = batch.getVector(columns.get(c).name());
      }
      row = 0;
    }
    return true;
  }

  @Override
  public Object[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Object[] values = new Object[vectors.length];
    for (int c = 0; c < vectors.length; c++) {
      values[c] = vectors[c] == null ? null : ArrowValues.get(vectors[c], row);
    }
    row++;
    return values;
  }
}
