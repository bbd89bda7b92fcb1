package io.sluice.core.tiering;

import io.sluice.core.log.PlanKeys;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drops the partitions of a table whose time range ended longer ago than its {@code
 * partitionRetention}, from the log and then from every lake, in an order that keeps every union
 * read whole (docs/commit-protocol.md, section 11). Per expired partition, on each pass until done:
 *
 * <ol>
 *   <li>wait until recovery has settled every plan keyed before the partition expired: writers make
 *       no plan with a part in it after that (they refuse it, or their group commit does), so no
 *       plan still to come or still live writes to it;
 *   <li>close its buckets: a writer whose clock lags gets a closed bucket (409 PARTITION_EXPIRED);
 *   <li>wait until every lake format holds all of it (tiering goes on meanwhile): from here on a
 *       union read takes the partition from the lake alone, whole;
 *   <li>drop it from the log ({@link RetentionService#dropPartitionLog}): slices, index pages, then
 *       the partition list; segment GC deletes its objects once no live slice needs them;
 *   <li>drop it from each lake ({@link TieringService#dropPartitions}).
 * </ol>
 *
 * Every step is idempotent and conditioned on what it reads, so passes may race; a crash anywhere
 * is finished by a later pass.
 */
public final class PartitionRetention {
  private final MetadataStore metadata;
  private final RetentionService retention;
  private final TieringService tiering;
  private final Clock clock;

  /** What one pass did: the partitions it dropped from the log, and the lake commits it made. */
  public record Dropped(List<String> fromLog, List<TieringService.FormatResult> fromLakes) {
    public static final Dropped NOTHING = new Dropped(List.of(), List.of());
  }

  public PartitionRetention(
      MetadataStore metadata, RetentionService retention, TieringService tiering, Clock clock) {
    this.metadata = metadata;
    this.retention = retention;
    this.tiering = tiering;
    this.clock = clock;
  }

  /** One pass over a table, as {@code owner} (for the lease of the lake commits). */
  public Dropped run(TableEntry table, String owner) {
    TableDefinition definition = table.definition();
    if (definition.partitionRetention().isEmpty()) {
      return Dropped.NOTHING;
    }
    Instant now = clock.instant();
    List<String> listed = metadata.partitions(table.tableId());
    List<String> live = new ArrayList<>(listed);
    List<String> dropped = new ArrayList<>();
    String recovered = null;
    Map<LakeFormatName, Map<PartitionBucket, Long>> tiered = null;
    for (String name : listed) {
      Optional<Instant> expiry = definition.expiry(Partition.parse(definition, name));
      if (expiry.isEmpty() || expiry.get().isAfter(now)) {
        continue;
      }
      if (recovered == null) {
        recovered = metadata.sweepState(table.tableId()).recoveredUpTo();
      }
      if (recovered.compareTo(PlanKeys.at(expiry.get())) < 0) {
        continue; // a plan made before the partition expired may still be live
      }
      List<BucketHead> heads = close(table, name);
      if (tiered == null) {
        tiered = retention.tieredOffsets(table);
      }
      if (heldByEveryLake(name, heads, tiered) && retention.dropPartitionLog(table, name, heads)) {
        dropped.add(name);
        live.remove(name);
      }
    }
    List<TieringService.FormatResult> lakes = tiering.dropPartitions(table, owner, live).formats();
    return new Dropped(dropped, lakes);
  }

  /** Closes every bucket of a partition and returns their heads as they are once closed. */
  private List<BucketHead> close(TableEntry table, String partition) {
    List<BucketHead> heads = new ArrayList<>();
    for (int bucket = 0; bucket < table.definition().buckets(); bucket++) {
      TableBucket at = new TableBucket(table.tableId(), partition, bucket);
      BucketHead head = metadata.head(at);
      if (!head.closed()) {
        metadata.closeBucket(at);
        head = metadata.head(at);
      }
      heads.add(head);
    }
    return heads;
  }

  /**
   * Whether every lake format holds every row of the closed partition, as its recorded tiering
   * state says (a copy that may lag the lake, never lead it). A table without lake formats holds
   * nothing elsewhere: true.
   */
  private static boolean heldByEveryLake(
      String partition,
      List<BucketHead> heads,
      Map<LakeFormatName, Map<PartitionBucket, Long>> tiered) {
    for (Map<PartitionBucket, Long> offsets : tiered.values()) {
      for (BucketHead head : heads) {
        long held = offsets.getOrDefault(new PartitionBucket(partition, head.bucket()), 0L);
        if (held < head.nextOffset()) {
          return false;
        }
      }
    }
    return true;
  }
}
