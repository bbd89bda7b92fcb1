package io.sluice.core.lake;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.merge.ChangeType;
import io.sluice.core.merge.Changelogs;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.scan.ValueRowBatches;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An in-memory lake format for unit tests of tiering: snapshots with offsets, rows as maps, and
 * commits that fail on command (refused, lost answer, or failed before applying).
 */
public class TestingLakeFormat implements LakeFormat {
  private final LakeFormatName name;
  private final Map<TableName, Table> tables = new HashMap<>();

  /** What the next commit does instead of succeeding. */
  public enum Failure {
    NONE,
    /** Applies the commit, then reports an unknown outcome (the answer was lost). */
    LOST_ANSWER,
    /** Reports an unknown outcome without applying anything. */
    UNKNOWN_NOT_APPLIED
  }

  public final AtomicInteger aborted = new AtomicInteger();
  public volatile Failure nextCommit = Failure.NONE;

  /** Runs inside the next write, e.g. to let another run commit meanwhile. */
  public volatile Consumer<Integer> duringWrite = bucket -> {};

  public TestingLakeFormat(LakeFormatName name) {
    this.name = name;
  }

  @Override
  public LakeFormatName name() {
    return name;
  }

  @Override
  public synchronized LakeTable createOrLoad(TableEntry entry) {
    Table table =
        tables.computeIfAbsent(
            entry.name(), n -> new Table(entry.tableId(), entry.definition().primaryKey()));
    if (!table.tableId.equals(entry.tableId())) {
      throw new LakeTableExistsException("lake table " + entry.name() + " holds another table id");
    }
    return table;
  }

  @Override
  public synchronized Optional<LakeTable> load(TableEntry entry) {
    return Optional.ofNullable(tables.get(entry.name()))
        .filter(table -> table.tableId.equals(entry.tableId()))
        .map(LakeTable.class::cast);
  }

  @Override
  public synchronized boolean exists(TableName table) {
    return tables.containsKey(table);
  }

  @Override
  public synchronized void purge(TableName table) {
    tables.remove(table);
  }

  /**
   * Every row the lake table holds: in commit order for a log table, one per key for a primary-key
   * table.
   */
  public synchronized List<Map<String, Object>> rows(TableName table) {
    return List.copyOf(tables.get(table).latestRows());
  }

  /** A snapshot with every row the table holds in it. */
  private record Snapshot(LakeSnapshot snapshot, long epoch, List<Map<String, Object>> rows) {}

  private final class Table implements LakeTable {
    private final String tableId;
    private final List<String> primaryKey;
    private final List<Snapshot> snapshots = new ArrayList<>();

    Table(String tableId, List<String> primaryKey) {
      this.tableId = tableId;
      this.primaryKey = primaryKey;
    }

    List<Map<String, Object>> latestRows() {
      return snapshots.isEmpty() ? List.of() : snapshots.get(snapshots.size() - 1).rows();
    }

    /** The rows after applying changes (key to the row after, null when deleted), in key order. */
    private List<Map<String, Object>> applied(Map<List<Object>, Map<String, Object>> changes) {
      Map<List<Object>, Map<String, Object>> byKey = new LinkedHashMap<>();
      latestRows().forEach(row -> byKey.put(key(row), row));
      changes.forEach(
          (key, row) -> {
            if (row == null) {
              byKey.remove(key);
            } else {
              byKey.put(key, row);
            }
          });
      return new ArrayList<>(byKey.values());
    }

    private List<Object> key(Map<String, Object> row) {
      return primaryKey.stream()
          .map(c -> row.get(c) instanceof byte[] b ? java.nio.ByteBuffer.wrap(b) : row.get(c))
          .toList();
    }

    @Override
    public Optional<LakeSnapshot> latestTiered() {
      synchronized (TestingLakeFormat.this) {
        return snapshots.isEmpty()
            ? Optional.empty()
            : Optional.of(snapshots.get(snapshots.size() - 1).snapshot());
      }
    }

    @Override
    public List<LakeSnapshot> snapshots() {
      synchronized (TestingLakeFormat.this) {
        List<LakeSnapshot> newestFirst =
            new ArrayList<>(snapshots.stream().map(Snapshot::snapshot).toList());
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
      }
    }

    /** The rows of the snapshot, unfiltered. */
    @Override
    public RowBatches scan(
        LakeSnapshot snapshot,
        List<Column> columns,
        Optional<RowFilter> filter,
        BufferAllocator allocator) {
      List<Object[]> values = new ArrayList<>();
      synchronized (TestingLakeFormat.this) {
        Snapshot found =
            snapshots.stream()
                .filter(s -> s.snapshot().snapshotId() == snapshot.snapshotId())
                .findFirst()
                .orElseThrow();
        for (Map<String, Object> row : found.rows()) {
          values.add(columns.stream().map(c -> row.get(c.name())).toArray());
        }
      }
      return new ValueRowBatches(
          ArrowSchemas.schema(columns), values.iterator(), () -> {}, allocator);
    }

    @Override
    public void evolve(TableDefinition definition) {}

    @Override
    public void maintain() {}

    @Override
    public LakeWrite newWrite(Optional<LakeSnapshot> base, long epoch) {
      List<Map<String, Object>> written = new ArrayList<>();
      Map<List<Object>, Map<String, Object>> changed = new LinkedHashMap<>();
      Set<String> dropped = new HashSet<>();
      return new LakeWrite() {
        @Override
        public void write(String partition, int bucket, VectorSchemaRoot batch) {
          checkNotDropping();
          duringWrite.accept(bucket);
          for (int row = 0; row < batch.getRowCount(); row++) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("_bucket", bucket);
            if (!partition.isEmpty()) {
              values.put("_partition", partition);
            }
            for (FieldVector vector : batch.getFieldVectors()) {
              values.put(vector.getName(), ArrowValues.get(vector, row));
            }
            written.add(values);
          }
        }

        @Override
        public void writeChanges(String partition, int bucket, VectorSchemaRoot changes) {
          checkNotDropping();
          duringWrite.accept(bucket);
          for (int row = 0; row < changes.getRowCount(); row++) {
            Map<String, Object> values = new LinkedHashMap<>();
            if (!partition.isEmpty()) {
              values.put("_partition", partition);
            }
            for (FieldVector vector : changes.getFieldVectors()) {
              if (!vector.getName().equals(Changelogs.CHANGE_TYPE)) {
                values.put(vector.getName(), ArrowValues.get(vector, row));
              }
            }
            String type = (String) ArrowValues.get(changes.getVector(Changelogs.CHANGE_TYPE), row);
            boolean retraction = ChangeType.parse(type).isRetraction();
            if (retraction && !Objects.equals(latestOrChanged(key(values)), values)) {
              throw new IllegalStateException(
                  "before-image " + values + " is not the row the lake holds");
            }
            changed.put(key(values), retraction ? null : values);
          }
        }

        private void checkNotDropping() {
          if (!dropped.isEmpty()) {
            throw new IllegalStateException("this write drops partitions " + dropped);
          }
        }

        @Override
        public void dropPartitions(Collection<String> partitions) {
          if (!written.isEmpty() || !changed.isEmpty()) {
            throw new IllegalStateException("this write holds rows");
          }
          dropped.addAll(partitions);
        }

        private Map<String, Object> latestOrChanged(List<Object> key) {
          if (changed.containsKey(key)) {
            return changed.get(key);
          }
          return latestRows().stream().filter(r -> key(r).equals(key)).findFirst().orElse(null);
        }

        @Override
        public LakeSnapshot commit(Map<PartitionBucket, Long> offsets) {
          synchronized (TestingLakeFormat.this) {
            Failure failure = nextCommit;
            nextCommit = Failure.NONE;
            if (failure == Failure.UNKNOWN_NOT_APPLIED) {
              throw new CommitStateUnknownException("lost before applying", null);
            }
            Optional<Snapshot> latest =
                snapshots.isEmpty()
                    ? Optional.empty()
                    : Optional.of(snapshots.get(snapshots.size() - 1));
            if (latest.isPresent() && latest.get().epoch() == epoch) {
              return latest.get().snapshot();
            }
            long latestId = latest.map(s -> s.snapshot().snapshotId()).orElse(0L);
            if (latestId != base.map(LakeSnapshot::snapshotId).orElse(0L)) {
              throw new CommitConflictException("base " + base + " is stale");
            }
            List<Map<String, Object>> rows;
            if (primaryKey.isEmpty()) {
              rows = new ArrayList<>(latestRows());
              rows.addAll(written);
            } else {
              rows = applied(changed);
            }
            rows.removeIf(row -> dropped.contains(row.get("_partition")));
            LakeSnapshot committed =
                new LakeSnapshot(
                    name, latestId + 1, Instant.now(), rows.size(), Optional.of(tableId), offsets);
            snapshots.add(new Snapshot(committed, epoch, List.copyOf(rows)));
            if (failure == Failure.LOST_ANSWER) {
              throw new CommitStateUnknownException("answer lost", null);
            }
            return committed;
          }
        }

        @Override
        public void abort() {
          aborted.incrementAndGet();
        }

        @Override
        public void close() {}
      };
    }
  }
}
