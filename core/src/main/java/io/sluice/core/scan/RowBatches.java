package io.sluice.core.scan;

import org.apache.arrow.vector.VectorSchemaRoot;

/** Rows read batch after batch into one reusable batch of a fixed schema; the caller closes it. */
public interface RowBatches extends AutoCloseable {

  /** The batch the last {@link #next()} filled. */
  VectorSchemaRoot batch();

  /** Reads the next batch (at least one row); false at the end. */
  boolean next();

  @Override
  void close();
}
