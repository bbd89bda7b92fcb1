package io.sluice.core.scan;

import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.service.LogRead;
import io.sluice.core.service.LogReadService;
import io.sluice.core.table.TableName;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.VectorSchemaRoot;

/** One bucket's log from an offset up to an end offset fixed when the scan started. */
final class LogTailBatches implements RowBatches {
  private final LogReadService reads;
  private final TableName table;
  private final PartitionBucket bucket;
  private final long end;
  private final Optional<List<String>> columns;
  private long next;
  private LogRead current;

  LogTailBatches(
      LogReadService reads,
      TableName table,
      PartitionBucket bucket,
      long from,
      long end,
      List<String> columns) {
    this.reads = reads;
    this.table = table;
    this.bucket = bucket;
    this.next = from;
    this.end = end;
    this.columns = Optional.of(columns);
  }

  @Override
  public VectorSchemaRoot batch() {
    return current.rows();
  }

  @Override
  public boolean next() {
    close();
    if (next >= end) {
      return false;
    }
    int limit = (int) Math.min(LogReadService.MAX_LIMIT, end - next);
    try {
      current =
          reads.read(
              new LogReadService.Request(
                  table, bucket.partition(), bucket.bucket(), next, limit, columns, 0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted reading " + where() + " of " + table, e);
    }
    int rows = current.rows().getRowCount();
    if (rows == 0) {
      throw new IllegalStateException(
          where()
              + " of "
              + table
              + " returned no rows at offset "
              + next
              + " below the scan's end "
              + end);
    }
    next += rows;
    return true;
  }

  private String where() {
    return bucket.toString();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
