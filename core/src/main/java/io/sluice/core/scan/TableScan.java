package io.sluice.core.scan;

import io.sluice.core.lake.LakeSnapshot;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A running scan: its rows and, per bucket, the offset it read the log up to (where a client
 * follows the log from), with the lake snapshot it read, if any. The caller closes it.
 */
public record TableScan(
    RowBatches rows, Map<Integer, Long> offsets, Optional<LakeSnapshot> snapshot)
    implements RowBatches {
  public TableScan {
    offsets = Map.copyOf(offsets);
  }

  @Override
  public VectorSchemaRoot batch() {
    return rows.batch();
  }

  @Override
  public boolean next() {
    return rows.next();
  }

  @Override
  public void close() {
    rows.close();
  }
}
