package io.sluice.core.service;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Rows read from one bucket ({@code _offset}, {@code _timestamp}, then the chosen columns), where
 * to continue, and the bucket's high watermark at the time of the read. The caller closes it.
 */
public record LogRead(VectorSchemaRoot rows, long nextOffset, long highWatermark)
    implements AutoCloseable {
  @Override
  public void close() {
    rows.close();
  }
}
