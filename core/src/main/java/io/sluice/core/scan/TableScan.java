package io.sluice.core.scan;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A running scan of a table (the incarnation it read): its rows and, per bucket (of each
 * partition), the offset it read the log up to (where a client follows the log from), with the lake
 * snapshot it read, if any. Partitions that the scan's filter pruned are not named: no row of
 * theirs could pass it. The caller closes it.
 */
public record TableScan(
    TableEntry table,
    RowBatches rows,
    SortedMap<PartitionBucket, Long> offsets,
    Optional<LakeSnapshot> snapshot)
    implements RowBatches {
  public TableScan {
    offsets = Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
  }

  /**
   * The offsets as JSON: {@code {"0": 120, ...}} by bucket on an unpartitioned table, {@code
   * {"t_day=2026-11-25": {"0": 120, ...}, ...}} by partition and bucket on a partitioned one; ASCII
   * only, as a header value must be ({@link LogOffsets#json}).
   */
  public String offsetsJson() {
    return LogOffsets.json(offsets);
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
