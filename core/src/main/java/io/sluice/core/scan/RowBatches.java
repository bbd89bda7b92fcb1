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

  /** One batch, already read; closing these batches closes {@code owner}. */
  static RowBatches of(VectorSchemaRoot batch, AutoCloseable owner) {
    return new RowBatches() {
      private boolean read;

      @Override
      public VectorSchemaRoot batch() {
        return batch;
      }

      @Override
      public boolean next() {
        boolean first = !read;
        read = true;
        return first && batch.getRowCount() > 0;
      }

      @Override
      public void close() {
        try {
          owner.close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
