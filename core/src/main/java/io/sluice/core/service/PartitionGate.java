package io.sluice.core.service;

import io.sluice.core.bucket.RowPartitions;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Durations;
import io.sluice.core.table.Partition;
import io.sluice.core.table.TableDefinition;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admits the partitions a write brings to a partitioned table: none may have expired ({@code
 * partitionRetention}) and the live ones may not pass {@code maxPartitions}.
 */
final class PartitionGate {
  private final TableService tables;
  private final Clock clock;

  /** Per table id, the partitions known to hold rows. */
  private final Map<String, Set<String>> knownPartitions = new ConcurrentHashMap<>();

  PartitionGate(TableService tables, Clock clock) {
    this.tables = tables;
    this.clock = clock;
  }

  /**
   * Refuses a write with a row in an expired partition, or in more new partitions than the table's
   * {@code maxPartitions} leaves room for (counted against the partitions known to hold rows, read
   * again from the store when the request brings one this process has not seen). Concurrent writers
   * may together pass the bound by the new partitions of the requests in flight.
   */
  void check(TableEntry table, RowPartitions partitions) {
    TableDefinition definition = table.definition();
    Instant now = clock.instant();
    List<Partition> found = partitions.partitions();
    for (int p = 0; p < found.size(); p++) {
      Partition partition = found.get(p);
      if (expired(definition, partition, now)) {
        throw new PartitionRejectedException(
            PartitionRejectedException.Reason.EXPIRED,
            firstRow(partitions, p),
            "row %d: partition %s ended at %s, longer ago than the table's partitionRetention %s"
                .formatted(
                    firstRow(partitions, p),
                    partition.name(),
                    partition.timeRangeEnd().orElseThrow(),
                    Durations.format(definition.partitionRetention().get())));
      }
    }
    Set<String> known =
        knownPartitions.computeIfAbsent(table.tableId(), id -> loadPartitions(table));
    if (found.stream().allMatch(p -> known.contains(p.name()))) {
      return;
    }
    Set<String> fresh = loadPartitions(table);
    knownPartitions.put(table.tableId(), fresh);
    // Expired partitions wait for retention to drop them; they do not count against the limit.
    long live =
        fresh.stream()
            .filter(name -> !expired(definition, Partition.parse(definition, name), now))
            .count();
    for (int p = 0; p < found.size(); p++) {
      if (!fresh.contains(found.get(p).name()) && ++live > definition.maxPartitions()) {
        throw new PartitionRejectedException(
            PartitionRejectedException.Reason.LIMIT,
            firstRow(partitions, p),
            "row %d: partition %s would be partition %d of table %s, past its maxPartitions %d"
                .formatted(
                    firstRow(partitions, p),
                    found.get(p).name(),
                    live,
                    table.name(),
                    definition.maxPartitions()));
      }
    }
  }

  /** Whether a partition's time range ended longer ago than the table's partition retention. */
  static boolean expired(TableDefinition definition, Partition partition, Instant now) {
    return definition.expiry(partition).filter(expiry -> !expiry.isAfter(now)).isPresent();
  }

  private Set<String> loadPartitions(TableEntry table) {
    Set<String> partitions = ConcurrentHashMap.newKeySet();
    partitions.addAll(tables.partitions(table));
    return partitions;
  }

  void remember(TableEntry table, RowPartitions partitions) {
    Set<String> known = knownPartitions.get(table.tableId());
    if (known != null) {
      partitions.partitions().forEach(p -> known.add(p.name()));
    }
  }

  /** The 1-based row of the first row of the {@code p}-th partition. */
  static int firstRow(RowPartitions partitions, int p) {
    int[] index = partitions.index();
    for (int row = 0; row < index.length; row++) {
      if (index[row] == p) {
        return row + 1;
      }
    }
    throw new IllegalArgumentException("No row falls in partition " + p);
  }
}
