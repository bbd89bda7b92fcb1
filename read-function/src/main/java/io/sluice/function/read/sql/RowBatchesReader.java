package io.sluice.function.read.sql;

import io.sluice.core.scan.RowBatches;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/** Row batches as an {@link ArrowReader}, the form Arrow's C data interface exports to DuckDB. */
final class RowBatchesReader extends ArrowReader {
  private final RowBatches batches;
  private final Schema schema;

  RowBatchesReader(BufferAllocator allocator, RowBatches batches) {
    super(allocator);
    this.batches = batches;
    this.schema = batches.batch().getSchema();
  }

  @Override
  public boolean loadNextBatch() {
    if (!batches.next()) {
      return false;
    }
    try (ArrowRecordBatch batch = new VectorUnloader(batches.batch()).getRecordBatch()) {
      loadRecordBatch(batch);
    }
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    batches.close();
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }
}
