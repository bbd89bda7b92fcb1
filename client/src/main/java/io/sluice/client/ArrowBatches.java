package io.sluice.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows of a scan or query as Arrow record batches, read from the answer as it streams in: call
 * {@link #next} until it returns false, reading {@link #root} after each call. Closing it releases
 * the batches and the connection.
 */
public final class ArrowBatches implements AutoCloseable {
  private final ArrowStreamReader reader;
  private final BufferAllocator allocator;

  ArrowBatches(InputStream body, BufferAllocator allocator) {
    this.allocator = allocator;
    this.reader = new ArrowStreamReader(body, allocator);
  }

  /** The schema of every batch. */
  public Schema schema() {
    try {
      return reader.getVectorSchemaRoot().getSchema();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Arrow schema of the answer", e);
    }
  }

  /** Loads the next batch into {@link #root}; false once there are no more. */
  public boolean next() {
    try {
      return reader.loadNextBatch();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the next Arrow batch of the answer", e);
    }
  }

  /** The current batch; the same root is refilled by each {@link #next}. */
  public VectorSchemaRoot root() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Arrow schema of the answer", e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close the Arrow answer", e);
    } finally {
      allocator.close();
    }
  }
}
