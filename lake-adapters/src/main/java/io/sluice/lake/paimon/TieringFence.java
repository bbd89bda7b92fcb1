package io.sluice.lake.paimon;

import io.sluice.core.lake.LockNotAcquiredException;
import java.util.List;
import java.util.Optional;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.SnapshotCommit;
import org.apache.paimon.partition.PartitionStatistics;
import org.apache.paimon.table.CatalogEnvironment;
import org.apache.paimon.utils.SnapshotManager;

/**
 * The fence of one tiering commit, checked inside Paimon's atomic snapshot commit.
 *
 * <p>Paimon commits a snapshot by writing the file of id {@code latest + 1} atomically (a rename
 * that fails when the file exists; on object stores a check and a copy under the catalog lock, a
 * {@link PaimonCommitLock}). This fence wraps that step: just before the write it reads the
 * snapshots between the run's base and the new one, and refuses (answers "not committed", so Paimon
 * cleans up its manifests) when one of them is a tiering commit. Since snapshot ids are contiguous
 * and the write of {@code latest + 1} succeeds only if nobody took that id, the snapshots checked
 * are exactly the ones below the committed snapshot: there is no window between the check and the
 * commit. Compaction snapshots (no offsets) in between are allowed.
 *
 * <p>Paimon must not retry a refused commit on top of the new latest snapshot; the write table sets
 * {@code commit.max-retries} to 0 for that.
 */
final class TieringFence {

  /** What happened to the one snapshot this fence saw committed. */
  enum Outcome {
    /** Paimon did not reach the snapshot commit. */
    NOT_TRIED,
    /** A tiering commit landed after the base: refused before writing anything. */
    REFUSED,
    /** Another commit took the snapshot id first: nothing written. */
    LOST_RACE,
    /** The catalog lock (object stores) was not acquired: nothing written. */
    NOT_LOCKED,
    /** The snapshot write failed: it may or may not exist. */
    FAILED,
    COMMITTED
  }

  private final Long baseId;
  private volatile Outcome outcome = Outcome.NOT_TRIED;
  private volatile Snapshot seen;
  private volatile String refusal;

  /**
   * @param baseId the snapshot the run started from, or null when tiering never committed
   */
  TieringFence(Long baseId) {
    this.baseId = baseId;
  }

  Outcome outcome() {
    return outcome;
  }

  /** The snapshot Paimon last tried to commit through this fence, if any. */
  Optional<Snapshot> snapshot() {
    return Optional.ofNullable(seen);
  }

  /** Why the fence refused, or why the lock was not acquired, when either happened. */
  Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** A catalog environment like {@code environment} whose snapshot commits pass this fence. */
  CatalogEnvironment environment(CatalogEnvironment environment) {
    return new CatalogEnvironment(
        environment.identifier(),
        environment.uuid(),
        environment.catalogLoader(),
        environment.lockFactory(),
        environment.lockContext(),
        environment.supportsVersionManagement()) {
      @Override
      public SnapshotCommit snapshotCommit(SnapshotManager snapshots) {
        return new FencedSnapshotCommit(super.snapshotCommit(snapshots), snapshots);
      }
    };
  }

  /**
   * Why a snapshot of id {@code nextId} may not be committed on top of the base, if it may not: a
   * tiering snapshot above the base and below {@code nextId}, or a base the table no longer reaches
   * (it was replaced). The check itself, also run before committing to refuse early.
   */
  Optional<String> moved(SnapshotManager snapshots, long nextId) {
    long latest = nextId - 1;
    if (baseId != null && latest < baseId) {
      return Optional.of(
          "the base snapshot %d is newer than the table's latest snapshot %d (the table was replaced)"
              .formatted(baseId, latest));
    }
    return PaimonSnapshots.newestTieringOfAny(snapshots, latest, baseId == null ? 0 : baseId)
        .map(
            snapshot ->
                "tiering snapshot %d (epoch %d) was committed after the base %s"
                    .formatted(
                        snapshot.id(),
                        snapshot.commitIdentifier(),
                        baseId == null ? "(none: tiering never committed)" : baseId.toString()));
  }

  private final class FencedSnapshotCommit implements SnapshotCommit {
    private final SnapshotCommit delegate;
    private final SnapshotManager snapshots;

    FencedSnapshotCommit(SnapshotCommit delegate, SnapshotManager snapshots) {
      this.delegate = delegate;
      this.snapshots = snapshots;
    }

    @Override
    public boolean commit(Snapshot snapshot, String branch, List<PartitionStatistics> statistics)
        throws Exception {
      seen = snapshot;
      Optional<String> moved = moved(snapshots, snapshot.id());
      if (moved.isPresent()) {
        refusal = moved.get();
        outcome = Outcome.REFUSED;
        return false;
      }
      boolean committed;
      try {
        committed = delegate.commit(snapshot, branch, statistics);
      } catch (LockNotAcquiredException e) {
        // Thrown before the snapshot write, which never ran.
        refusal = e.getMessage();
        outcome = Outcome.NOT_LOCKED;
        throw e;
      } catch (Exception | Error e) {
        outcome = Outcome.FAILED;
        throw e;
      }
      outcome = committed ? Outcome.COMMITTED : Outcome.LOST_RACE;
      return committed;
    }

    @Override
    public void close() throws Exception {
      delegate.close();
    }
  }
}
