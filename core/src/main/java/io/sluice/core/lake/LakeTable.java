package io.sluice.core.lake;

import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;

/** One Sluice table's table in a lake format. */
public interface LakeTable {

  /**
   * The newest snapshot that tiering of this table id committed, walking past snapshots without
   * offsets (compaction, maintenance); empty when tiering never committed.
   */
  Optional<LakeSnapshot> latestTiered();

  /** Every snapshot still in the table, newest first. */
  List<LakeSnapshot> snapshots();

  /**
   * Reads the rows of {@code snapshot}: {@code columns} (null where the lake table lacks one), in
   * batches from {@code allocator}. The filter prunes what the format can skip (files, row groups);
   * rows it does not match may still come back, so callers apply it again.
   */
  RowBatches scan(
      LakeSnapshot snapshot,
      List<Column> columns,
      Optional<RowFilter> filter,
      BufferAllocator allocator);

  /** Adds the columns the definition has and the lake table lacks (appended, nullable). */
  void evolve(TableDefinition definition);

  /**
   * Starts writing one tiering run on top of {@code base} (the snapshot the run read its offsets
   * from), fenced by the lease {@code epoch}: a commit that is not on top of {@code base}, or that
   * an earlier attempt of the same epoch already made, is refused rather than duplicated.
   */
  LakeWrite newWrite(Optional<LakeSnapshot> base, long epoch);

  /**
   * Compacts small files, expires old snapshots (always keeping the newest tiered one) and removes
   * files no snapshot references; never changes the rows a reader sees.
   */
  void maintain();
}
