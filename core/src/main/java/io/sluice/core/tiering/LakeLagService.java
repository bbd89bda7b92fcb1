package io.sluice.core.tiering;

import io.sluice.core.lake.OffsetsFiles;
import io.sluice.core.log.LogIndex;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.table.LakeFormatName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures each lake format's lag behind the log from the tiering state the metadata store keeps (a
 * copy of the lake snapshots' offsets) and the bucket logs' slices.
 */
public final class LakeLagService {
  private final MetadataStore metadata;
  private final OffsetsFiles offsetsFiles;
  private final LogIndex index;
  private final Clock clock;

  public LakeLagService(MetadataStore metadata, OffsetsFiles offsetsFiles, Clock clock) {
    this.metadata = metadata;
    this.offsetsFiles = offsetsFiles;
    this.index = new LogIndex(metadata);
    this.clock = clock;
  }

  /** The lag of every lake format of the table, in the table's format order. */
  public List<LakeLag> lag(TableEntry table) {
    List<TableBucket> buckets = metadata.buckets(table);
    List<BucketHead> heads = buckets.stream().map(metadata::head).toList();
    List<LakeLag> lags = new ArrayList<>();
    for (LakeFormatName format : table.definition().lakeFormats()) {
      Optional<TieringState> state = metadata.tieringState(table.tableId(), format);
      Map<PartitionBucket, Long> tiered = state.map(offsetsFiles::offsets).orElse(Map.of());
      long rows = 0;
      long bytes = 0;
      Instant newestTiered = null;
      for (int i = 0; i < heads.size(); i++) {
        BucketHead head = heads.get(i);
        TableBucket at = buckets.get(i);
        long end = tiered.getOrDefault(at.partitionBucket(), 0L);
        rows += Math.max(0, head.nextOffset() - end);
        // From the last tiered row on: its slice gives the commit time, later ones the bytes.
        long from = Math.max(head.logStartOffset(), end - 1);
        if (from >= head.nextOffset()) {
          continue;
        }
        for (Slice slice : index.slices(at, from).slices()) {
          if (slice.endOffset() > end) {
            bytes += slice.byteLength();
          }
          if (end > 0 && slice.baseOffset() < end && slice.endOffset() >= end) {
            Instant committed = slice.timestamp();
            newestTiered =
                newestTiered == null || committed.isAfter(newestTiered) ? committed : newestTiered;
          }
        }
      }
      if (newestTiered == null && state.isPresent() && !tiered.isEmpty()) {
        // Retention dropped the slices of the newest tiered rows: the lake commit is the best
        // bound left (it is at or after the rows' commit).
        newestTiered = state.get().committedAt();
      }
      Optional<Duration> freshness =
          Optional.ofNullable(newestTiered).map(t -> Duration.between(t, clock.instant()));
      lags.add(new LakeLag(format, rows, bytes, freshness));
    }
    return lags;
  }
}
