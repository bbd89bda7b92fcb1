package io.sluice.function.read;

import io.sluice.core.scan.RowBatches;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Batches whose first batch is read on construction, so its errors surface before streaming. */
final class PrefetchedBatches implements RowBatches {
  private final RowBatches delegate;
  private Boolean first;

  PrefetchedBatches(RowBatches delegate) {
    this.delegate = delegate;
    this.first = delegate.next();
  }

  @Override
  public VectorSchemaRoot batch() {
    return delegate.batch();
  }

  @Override
  public boolean next() {
    if (first != null) {
      boolean result = first;
      first = null;
      return result;
    }
    return delegate.next();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
