package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeSettings;
import io.sluice.core.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.paimon.Snapshot;
import org.apache.paimon.append.AppendCompactCoordinator;
import org.apache.paimon.append.AppendCompactTask;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.operation.BaseAppendFileStoreWrite;
import org.apache.paimon.operation.LocalOrphanFilesClean;
import org.apache.paimon.options.ExpireConfig;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.TableCommitImpl;
import org.apache.paimon.table.sink.TableWriteImpl;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.EndOfScanException;
import org.apache.paimon.utils.Pair;
import org.apache.paimon.utils.SnapshotManager;

/**
 * Keeps a Paimon lake table small with Paimon's own tools: full compaction of buckets holding many
 * files (a snapshot without offsets, which readers walk past), snapshot expiry that always keeps
 * the newest tiering snapshot, and removal of files no snapshot references (left by failed
 * commits), once they are older than a guard.
 */
final class PaimonMaintenance {
  /** The commit user of compactions; tiering's is {@link PaimonLakeWrite#COMMIT_USER}. */
  static final String COMMIT_USER = "sluice-maintenance";

  /**
   * How much maintenance keeps.
   *
   * @param compactAboveFiles a bucket with more data files than this is compacted
   * @param retainMin snapshots always kept
   * @param retainMax snapshots kept at most (more when the newest tiering snapshot is older)
   * @param orphanOlderThan unreferenced files younger than this are kept: a running write's files
   */
  record Policy(int compactAboveFiles, int retainMin, int retainMax, Duration orphanOlderThan) {
    static final String COMPACT_ABOVE_FILES = "paimon.compact.above-files";
    static final String RETAIN_MIN = "paimon.snapshot.retain-min";
    static final String RETAIN_MAX = "paimon.snapshot.retain-max";
    static final String ORPHAN_OLDER_THAN = "paimon.orphan.older-than";

    Policy {
      List<String> problems = new ArrayList<>();
      if (compactAboveFiles < 1) {
        problems.add(COMPACT_ABOVE_FILES + " must be at least 1, not " + compactAboveFiles);
      }
      if (retainMin < 1) {
        problems.add(RETAIN_MIN + " must be at least 1, not " + retainMin);
      }
      if (retainMax < retainMin) {
        problems.add(
            "%s must be at least %s (%d), not %d"
                .formatted(RETAIN_MAX, RETAIN_MIN, retainMin, retainMax));
      }
      if (orphanOlderThan.isNegative()) {
        problems.add(ORPHAN_OLDER_THAN + " must not be negative, not " + orphanOlderThan);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "Invalid Paimon maintenance settings: " + String.join("; ", problems));
      }
    }

    /** The policy of these settings: 4 files, 5 to 20 snapshots and 1 day unless set. */
    static Policy of(LakeSettings settings) {
      return new Policy(
          integer(settings, COMPACT_ABOVE_FILES, 4),
          integer(settings, RETAIN_MIN, 5),
          integer(settings, RETAIN_MAX, 20),
          settings
              .option(ORPHAN_OLDER_THAN)
              .map(value -> duration(ORPHAN_OLDER_THAN, value))
              .orElse(Duration.ofDays(1)));
    }

    private static int integer(LakeSettings settings, String key, int defaultValue) {
      return settings
          .option(key)
          .map(
              value -> {
                try {
                  return Integer.parseInt(value.trim());
                } catch (NumberFormatException e) {
                  throw new IllegalArgumentException(
                      "Invalid Paimon maintenance setting "
                          + key
                          + ": '"
                          + value
                          + "' is no number");
                }
              })
          .orElse(defaultValue);
    }

    private static Duration duration(String key, String value) {
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "Invalid Paimon maintenance setting "
                + key
                + ": '"
                + value
                + "' is no ISO-8601 duration such as PT24H");
      }
    }
  }

  private final Policy policy;
  private final Clock clock;

  PaimonMaintenance(Policy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /** Compacts, expires and cleans {@code table}, keeping the newest tiering of {@code tableId}. */
  void run(FileStoreTable table, String tableId) {
    try {
      compact(table);
      expire(table, tableId);
      removeOrphans(table);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("Cannot maintain Paimon table " + table.name(), e);
    } catch (Exception e) {
      throw new StoreUnavailableException(
          "Cannot maintain Paimon table " + table.name() + ": " + e.getMessage(), e);
    }
  }

  /** Fully compacts every bucket with more than the policy's files; one snapshot for all. */
  private void compact(FileStoreTable table) throws Exception {
    List<Pair<BinaryRow, Integer>> crowded = crowdedBuckets(table);
    if (crowded.isEmpty()) {
      return;
    }
    boolean unaware = table.coreOptions().bucket() == PaimonTableSchemas.UNAWARE_BUCKETS;
    // The writer compacts (write-only would make it skip that); the commit leaves expiry to us.
    FileStoreTable compacting =
        table.copy(
            Map.of(
                "write-only",
                "false",
                "compaction.min.file-num",
                Integer.toString(policy.compactAboveFiles() + 1)));
    FileStoreTable committing = table.copy(Map.of("write-only", "true"));
    try (TableWriteImpl<?> write = compacting.newWrite(COMMIT_USER);
        TableCommitImpl commit = committing.newCommit(COMMIT_USER)) {
      List<CommitMessage> messages = new ArrayList<>();
      if (unaware) {
        for (AppendCompactTask task : unawareTasks(compacting)) {
          messages.add(task.doCompact(compacting, (BaseAppendFileStoreWrite) write.getWrite()));
        }
      } else {
        for (Pair<BinaryRow, Integer> bucket : crowded) {
          write.compact(bucket.getLeft(), bucket.getRight(), true);
        }
        messages.addAll(write.prepareCommit(true, BatchWriteBuilder.COMMIT_IDENTIFIER));
      }
      if (!messages.isEmpty()) {
        commit.commit(BatchWriteBuilder.COMMIT_IDENTIFIER, messages);
      }
    }
  }

  private List<Pair<BinaryRow, Integer>> crowdedBuckets(FileStoreTable table) {
    if (table.snapshotManager().latestSnapshotId() == null) {
      return List.of();
    }
    Map<Pair<BinaryRow, Integer>, Integer> files = new HashMap<>();
    for (DataSplit split : table.newSnapshotReader().read().dataSplits()) {
      files.merge(
          Pair.of(split.partition(), split.bucket()), split.dataFiles().size(), Integer::sum);
    }
    List<Pair<BinaryRow, Integer>> crowded = new ArrayList<>();
    files.forEach(
        (bucket, count) -> {
          if (count > policy.compactAboveFiles()) {
            crowded.add(bucket);
          }
        });
    return crowded;
  }

  private static List<AppendCompactTask> unawareTasks(FileStoreTable table) {
    try {
      return new AppendCompactCoordinator(table, false).run();
    } catch (EndOfScanException e) {
      return List.of();
    }
  }

  /**
   * Expires snapshots beyond the policy's, widening it so that the newest tiering snapshot stays:
   * it holds the offsets the next run starts from.
   */
  private void expire(FileStoreTable table, String tableId) {
    SnapshotManager snapshots = table.snapshotManager();
    Long latest = snapshots.latestSnapshotId();
    if (latest == null) {
      return;
    }
    Optional<Snapshot> tiered = PaimonSnapshots.newestTiering(snapshots, latest, 0, tableId);
    int retainMin = policy.retainMin();
    if (tiered.isPresent()) {
      retainMin = (int) Math.max(retainMin, latest - tiered.get().id() + 1);
    }
    ExpireConfig config =
        ExpireConfig.builder()
            .snapshotRetainMin(retainMin)
            .snapshotRetainMax(Math.max(policy.retainMax(), retainMin))
            .snapshotTimeRetain(table.coreOptions().snapshotTimeRetain())
            .snapshotMaxDeletes(table.coreOptions().snapshotExpireLimit())
            .build();
    table.newExpireSnapshots().config(config).expire();
  }

  /** Deletes the files no snapshot references that are older than the policy's guard. */
  private void removeOrphans(FileStoreTable table) throws Exception {
    long olderThan = clock.millis() - policy.orphanOlderThan().toMillis();
    new LocalOrphanFilesClean(table, olderThan, false).clean();
  }
}
