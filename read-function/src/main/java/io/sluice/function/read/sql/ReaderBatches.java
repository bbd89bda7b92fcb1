package io.sluice.function.read.sql;

import io.sluice.core.scan.RowBatches;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/** An {@link ArrowReader}'s batches as {@link RowBatches}, closing {@code owner} with them. */
final class ReaderBatches implements RowBatches {
  private final ArrowReader reader;
  private final AutoCloseable owner;

  ReaderBatches(ArrowReader reader, AutoCloseable owner) {
    this.reader = reader;
    this.owner = owner;
  }

  @Override
  public VectorSchemaRoot batch() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean next() {
    try {
      while (reader.loadNextBatch()) {
        if (reader.getVectorSchemaRoot().getRowCount() > 0) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try (owner) {
      reader.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot close a SQL result: " + e.getMessage(), e);
    }
  }
}
