package io.sluice.client;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of a table's lake table as the server lists it: its format, id, commit time, rows, and
 * the log offsets it was tiered up to (exclusive), keyed as the API names buckets ({@code "2"}, or
 * {@code "<partition>/2"} on a partitioned table).
 */
public record LakeSnapshot(
    String lake, long snapshotId, Instant commitTime, long rows, Map<String, Long> offsets) {
  public LakeSnapshot {
    offsets = Map.copyOf(offsets);
  }
}
