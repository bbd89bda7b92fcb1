package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.arrow.ArrowTestBatches;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.lake.LakeWrite;
import io.sluice.core.merge.ChangeType;
import io.sluice.core.merge.Changelogs;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.MergeEngine;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.table.TypeKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Three tiering commits of a primary-key table's changes, as Sluice would make them under one merge
 * engine: whole rows, already merged, each update an update_before of the row the lake holds and an
 * update_after of the merged row. It writes them through {@link LakeWrite#writeChanges}, reads the
 * table back through {@link LakeTable#scan}, and knows the rows each commit must leave.
 *
 * <ol>
 *   <li>inserts keys 1 to 8;
 *   <li>updates keys 1 and 2 (key 2's name explicitly to null), deletes key 3, inserts key 9;
 *   <li>updates key 1 again and inserts the deleted key 3 again with other values.
 * </ol>
 *
 * A first_row table only ever gets inserts: its commits 2 and 3 insert new keys.
 */
public final class PrimaryKeyScenario {
  public static final TableName NAME = TableName.parse("shop.accounts");
  public static final int BUCKETS = 3;

  /** The columns; {@code id} is the primary key and the bucket key. */
  public static final List<Column> COLUMNS =
      List.of(
          new Column("id", DataType.of(TypeKind.BIGINT), false),
          new Column("name", DataType.of(TypeKind.STRING), true),
          new Column("amount", DataType.of(TypeKind.BIGINT), true),
          new Column("top", DataType.of(TypeKind.INT), true),
          new Column("first", DataType.of(TypeKind.STRING), true),
          new Column("ok", DataType.of(TypeKind.BOOLEAN), true),
          new Column("ver", DataType.of(TypeKind.BIGINT), true));

  /** The aggregations of an aggregation table; name keeps the last value. */
  public static final Map<String, String> AGGREGATIONS =
      Map.of(
          "amount", "sum",
          "top", "max",
          "first", "first_value",
          "ok", "bool_and",
          "ver", "last_non_null_value");

  /** One record of a change batch. */
  public record Change(ChangeType type, Object[] row) {
    public long id() {
      return (Long) row[0];
    }

    @Override
    public String toString() {
      return type.apiName() + Arrays.toString(row);
    }
  }

  private final MergeEngine engine;
  private final TableEntry entry;

  public PrimaryKeyScenario(MergeEngine engine, LakeFormatName format, String tableId) {
    this.engine = engine;
    TableDefinition.Builder builder =
        TableDefinition.builder()
            .columns(COLUMNS)
            .primaryKey(List.of("id"))
            .buckets(BUCKETS)
            .lakeFormats(List.of(format))
            .mergeEngine(engine);
    if (engine == MergeEngine.VERSIONED) {
      builder.versionColumn("ver");
    }
    if (engine == MergeEngine.AGGREGATION) {
      builder.aggregations(AGGREGATIONS);
    }
    this.entry =
        new TableEntry(
            NAME,
            tableId,
            builder.build("Cannot create table " + NAME),
            1,
            Instant.parse("2026-01-01T00:00:00Z"));
  }

  public TableEntry entry() {
    return entry;
  }

  public MergeEngine engine() {
    return engine;
  }

  /** Key {@code id} as first inserted. */
  static Object[] inserted(long id) {
    return new Object[] {id, "n" + id, id * 10, (int) id, "f" + id, true, 1L};
  }

  /** Key {@code id} after its first update: each aggregate of the inserted row and a new value. */
  static Object[] updated(long id) {
    Object[] before = inserted(id);
    return new Object[] {
      id, id == 2 ? null : "u" + id, (Long) before[2] + 5, (int) id + 100, before[4], false, 2L
    };
  }

  /** Key 1 after its second update: its max and first value stay. */
  static Object[] updatedAgain() {
    Object[] before = updated(1);
    return new Object[] {1L, "again", (Long) before[2] + 1, before[3], before[4], false, 3L};
  }

  /** Key 3 inserted again after its delete: a new first value, a lower version. */
  static Object[] reinserted() {
    return new Object[] {3L, "back", 7L, 1, "g3", true, 0L};
  }

  /** The changes of commit {@code commit} (1 to 3), in offset order. */
  public List<Change> changes(int commit) {
    List<Change> changes = new ArrayList<>();
    if (engine == MergeEngine.FIRST_ROW) {
      long from = commit == 1 ? 1 : 7 + 2L * commit;
      long to = commit == 1 ? 8 : from + 1;
      for (long id = from; id <= to; id++) {
        changes.add(new Change(ChangeType.INSERT, inserted(id)));
      }
      return changes;
    }
    switch (commit) {
      case 1 -> {
        for (long id = 1; id <= 8; id++) {
          changes.add(new Change(ChangeType.INSERT, inserted(id)));
        }
      }
      case 2 -> {
        changes.add(new Change(ChangeType.UPDATE_BEFORE, inserted(1)));
        changes.add(new Change(ChangeType.UPDATE_AFTER, updated(1)));
        changes.add(new Change(ChangeType.DELETE, inserted(3)));
        changes.add(new Change(ChangeType.UPDATE_BEFORE, inserted(2)));
        changes.add(new Change(ChangeType.UPDATE_AFTER, updated(2)));
        changes.add(new Change(ChangeType.INSERT, inserted(9)));
      }
      case 3 -> {
        changes.add(new Change(ChangeType.INSERT, reinserted()));
        changes.add(new Change(ChangeType.UPDATE_BEFORE, updated(1)));
        changes.add(new Change(ChangeType.UPDATE_AFTER, updatedAgain()));
        // Deleted and inserted again in one commit: nothing of the old row may survive.
        changes.add(new Change(ChangeType.DELETE, inserted(4)));
        changes.add(new Change(ChangeType.INSERT, reinsertedWithNulls(4)));
      }
      default -> throw new IllegalArgumentException("no commit " + commit);
    }
    return changes;
  }

  /** Key {@code id} inserted again in the commit that deleted it, with nulls. */
  static Object[] reinsertedWithNulls(long id) {
    return new Object[] {id, null, 1L, null, null, null, null};
  }

  /** The rows the lake holds after commit {@code commit}, by key. */
  public Map<Long, List<Object>> expected(int commit) {
    Map<Long, List<Object>> rows = new TreeMap<>();
    for (int c = 1; c <= commit; c++) {
      for (Change change : changes(c)) {
        if (change.type().isRetraction()) {
          rows.remove(change.id());
        } else {
          rows.put(change.id(), Arrays.asList(change.row()));
        }
      }
    }
    return rows;
  }

  /** The changes of a commit by log bucket, each in offset order. */
  public Map<Integer, List<Change>> byBucket(List<Change> changes, BufferAllocator allocator) {
    int[] buckets;
    try (VectorSchemaRoot batch =
        ArrowTestBatches.of(allocator, COLUMNS, changes.stream().map(Change::row).toList())) {
      buckets = BucketFunctions.of(entry.definition()).buckets(batch);
    }
    Map<Integer, List<Change>> byBucket = new TreeMap<>();
    for (int i = 0; i < changes.size(); i++) {
      byBucket.computeIfAbsent(buckets[i], b -> new ArrayList<>()).add(changes.get(i));
    }
    return byBucket;
  }

  /** A change batch: {@code _change_type} then the columns. */
  public static VectorSchemaRoot batch(BufferAllocator allocator, List<Change> changes) {
    List<Column> columns = new ArrayList<>();
    columns.add(new Column(Changelogs.CHANGE_TYPE, DataType.of(TypeKind.STRING), false));
    columns.addAll(COLUMNS);
    List<Object[]> rows = new ArrayList<>();
    for (Change change : changes) {
      Object[] row = new Object[COLUMNS.size() + 1];
      row[0] = change.type().apiName();
      System.arraycopy(change.row(), 0, row, 1, COLUMNS.size());
      rows.add(row);
    }
    return ArrowTestBatches.of(allocator, columns, rows);
  }

  /**
   * Writes commit {@code commit}'s changes bucket by bucket into {@code write}; answers the offsets
   * after it (each bucket's offset grows by its records).
   */
  public Map<Integer, Long> write(
      LakeWrite write, int commit, Map<Integer, Long> from, BufferAllocator allocator) {
    Map<Integer, Long> offsets = new TreeMap<>(from);
    byBucket(changes(commit), allocator)
        .forEach(
            (bucket, changes) -> {
              try (VectorSchemaRoot batch = batch(allocator, changes)) {
                write.writeChanges(TableBucket.UNPARTITIONED, bucket, batch);
              }
              offsets.merge(bucket, (long) changes.size(), Long::sum);
            });
    return offsets;
  }

  /** Commits 1 to {@code commits} with epochs 1, 2, ...; answers the snapshots, oldest first. */
  public List<LakeSnapshot> commit(LakeTable table, int commits, BufferAllocator allocator) {
    List<LakeSnapshot> snapshots = new ArrayList<>();
    Optional<LakeSnapshot> base = Optional.empty();
    for (int commit = 1; commit <= commits; commit++) {
      try (LakeWrite write = table.newWrite(base, commit)) {
        Map<Integer, Long> offsets =
            write(write, commit, base.map(LakeSnapshot::bucketOffsets).orElse(Map.of()), allocator);
        base = Optional.of(write.commit(LogOffsets.ofBuckets(offsets)));
      }
      snapshots.add(base.get());
    }
    return snapshots;
  }

  /** The rows of {@code snapshot} read through {@link LakeTable#scan}, by key. */
  public static Map<Long, List<Object>> read(
      LakeTable table, LakeSnapshot snapshot, BufferAllocator allocator) {
    Map<Long, List<Object>> rows = new LinkedHashMap<>();
    try (RowBatches batches = table.scan(snapshot, COLUMNS, Optional.empty(), allocator)) {
      while (batches.next()) {
        VectorSchemaRoot batch = batches.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          List<Object> values = new ArrayList<>();
          for (var vector : batch.getFieldVectors()) {
            values.add(ArrowValues.get(vector, row));
          }
          List<Object> previous = rows.put((Long) values.get(0), values);
          if (previous != null) {
            throw new AssertionError("key " + values.get(0) + " read twice: " + previous);
          }
        }
      }
    }
    return new TreeMap<>(rows);
  }

  /**
   * Makes commits 1 to 3 and checks that each snapshot reads back exactly the rows Sluice merged
   * and that the last one is the newest tiered; answers the snapshots, oldest first.
   */
  public List<LakeSnapshot> commitAndCheckEach(LakeTable table, BufferAllocator allocator) {
    List<LakeSnapshot> snapshots = commit(table, 3, allocator);
    for (int commit = 1; commit <= 3; commit++) {
      assertThat(read(table, snapshots.get(commit - 1), allocator))
          .as("rows after commit %d", commit)
          .isEqualTo(expected(commit));
    }
    assertThat(table.latestTiered()).contains(snapshots.get(2));
    return snapshots;
  }

  /**
   * Makes commit 1, then checks that commit 2 written on no base is refused as a conflict with the
   * message {@code message} gives for commit 1's snapshot, and leaves the snapshots as they were;
   * answers the snapshot of commit 1.
   */
  public LakeSnapshot checkStaleBaseRefused(
      LakeTable table, BufferAllocator allocator, Function<LakeSnapshot, String> message) {
    LakeSnapshot first = commit(table, 1, allocator).get(0);
    LakeWrite stale = table.newWrite(Optional.empty(), 2);
    Map<Integer, Long> offsets = write(stale, 2, first.bucketOffsets(), allocator);
    assertThatThrownBy(() -> stale.commit(LogOffsets.ofBuckets(offsets)))
        .isInstanceOf(CommitConflictException.class)
        .hasMessage(message.apply(first));
    stale.abort();
    stale.close();
    assertThat(table.snapshots()).containsExactly(first);
    return first;
  }
}
