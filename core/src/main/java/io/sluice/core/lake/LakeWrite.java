package io.sluice.core.lake;

import io.sluice.core.metadata.PartitionBucket;
import java.util.Collection;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One tiering run's write into a lake table: rows per log bucket, then one atomic commit that
 * records the end offsets. Three outcomes, as every commit here has: it returns the snapshot
 * (done), throws {@link io.sluice.core.store.CommitConflictException} (refused: nothing visible,
 * {@link #abort} may delete the files), or throws {@link
 * io.sluice.core.store.CommitStateUnknownException} (keep everything; the next run reads the lake
 * to learn what happened).
 */
public interface LakeWrite extends AutoCloseable {

  /**
   * Writes rows that bucket {@code bucket} of partition {@code partition} (the empty name on an
   * unpartitioned table) holds; columns by name, the table's current columns. They land in that
   * partition of the lake table, and in the bucketing format in lake bucket {@code bucket}.
   */
  void write(String partition, int bucket, VectorSchemaRoot rows);

  /**
   * Writes the changes of a primary-key table that bucket {@code bucket} of partition {@code
   * partition} holds, in offset order, in the shape of {@link io.sluice.core.merge.Changelogs}:
   * {@code insert} and {@code update_after} records carry the key's row after the change, {@code
   * update_before} and {@code delete} the row before it; rows are whole (merge engines and partial
   * updates already applied, against the rows this lake table holds). Called at most once per
   * bucket per write, with every change of that bucket the run tiers, so a format that keeps only
   * the last row per key may collapse them.
   */
  void writeChanges(String partition, int bucket, VectorSchemaRoot changes);

  /**
   * Makes this write's commit remove every row of these partitions (names as {@link
   * io.sluice.core.table.Partition#name()} writes them) from the lake table, whole files at a time;
   * the commit's offsets then leave them out. A write that drops partitions writes no rows: this is
   * how partition retention drops a partition from the lake, in a commit fenced like every tiering
   * commit.
   *
   * @throws IllegalStateException when the write already holds rows, or the table is not
   *     partitioned
   */
  void dropPartitions(Collection<String> partitions);

  /**
   * Commits everything written (or dropped) as one snapshot recording, per log bucket (of each
   * partition), the end offset (exclusive) of what the lake now holds, and the Sluice table id.
   */
  LakeSnapshot commit(Map<PartitionBucket, Long> offsets);

  /** Deletes what this write put in storage; only after a refused commit. */
  void abort();

  /** Releases resources; never deletes committed or possibly committed files. */
  @Override
  void close();
}
