package io.sluice.core.merge;

import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.lake.LakeTable;
import io.sluice.core.scan.BatchRows;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.table.TableDefinition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;

/** Reads the rows a lake snapshot holds for some keys of a primary-key table. */
public final class LakeKeys {
  /** The most keys a lake scan is filtered by; past that, one scan reads everything. */
  private static final int KEYS_PER_SCAN = 512;

  private LakeKeys() {}

  /**
   * Passes the row of each of {@code keys} that {@code snapshot} holds to {@code rows}: one scan
   * filtered by the keys (the format skips files and row groups by them) when they are few, one
   * scan of the whole snapshot when they are more, since each filtered scan may read the whole
   * snapshot anyway when keys spread over its files.
   */
  public static void read(
      LakeTable lake,
      LakeSnapshot snapshot,
      TableDefinition table,
      Collection<RowKey> keys,
      BufferAllocator allocator,
      Consumer<Object[]> rows) {
    int[] keyIndexes = table.primaryKey().stream().mapToInt(table::columnIndex).toArray();
    Set<RowKey> wanted = new HashSet<>(keys);
    Optional<RowFilter> filter =
        keys.size() <= KEYS_PER_SCAN
            ? Optional.of(filter(table, List.copyOf(keys)))
            : Optional.empty();
    try (RowBatches batches = lake.scan(snapshot, table.columns(), filter, allocator)) {
      new BatchRows(batches, table.columns())
          .forEachRemaining(
              row -> {
                if (wanted.contains(RowKey.of(row, keyIndexes))) {
                  rows.accept(row);
                }
              });
    }
  }

  private static RowFilter filter(TableDefinition table, List<RowKey> keys) {
    List<RowFilter> anyKey = new ArrayList<>(keys.size());
    for (RowKey key : keys) {
      List<RowFilter> columns = new ArrayList<>();
      for (int i = 0; i < table.primaryKey().size(); i++) {
        Object value = key.values().get(i);
        columns.add(
            new RowFilter.Comparison(
                table.primaryKey().get(i),
                RowFilter.Operator.EQ,
                value instanceof ByteBuffer buffer ? bytes(buffer) : value));
      }
      anyKey.add(columns.size() == 1 ? columns.get(0) : new RowFilter.And(columns));
    }
    return new RowFilter.Or(anyKey);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
