package io.sluice.lake.paimon;

import io.sluice.core.scan.PartitionPruner;
import io.sluice.core.table.Column;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.partition.PartitionPredicate;

/**
 * The Paimon partitions a scan reads: those a row of which may pass the scan's filter, judged by
 * Sluice's own {@link PartitionPruner} on the partition's values, exactly as the log's partitions
 * are. Paimon skips the files of every other partition while it plans the scan.
 *
 * <p>Judging the values themselves rather than translating the filter into a predicate on the
 * derived string columns ({@code t_day >= '2026-11-25'}) keeps the bounds exact for every value:
 * the derived strings sort as their times only for years 0 to 9999. Paimon's own predicate on the
 * partition keys (the filter's part on identity columns), when there is one, still decides which
 * manifests to read by their partition statistics, and must pass too.
 */
final class PrunedPartitions implements PartitionPredicate {
  private static final long serialVersionUID = 1L;

  private final List<PartitionField> spec;
  private final List<TypeKind> sources;
  private final PartitionPruner pruner;
  private final Optional<PartitionPredicate> paimon;
  private final Map<BinaryRow, Boolean> judged = new ConcurrentHashMap<>();

  private PrunedPartitions(
      TableDefinition definition, PartitionPruner pruner, Optional<PartitionPredicate> paimon) {
    this.spec = definition.partitionBy();
    List<TypeKind> types = new ArrayList<>();
    for (PartitionField field : spec) {
      types.add(definition.column(field.column()).map(Column::type).orElseThrow().kind());
    }
    this.sources = List.copyOf(types);
    this.pruner = pruner;
    this.paimon = paimon;
  }

  /**
   * The partitions of {@code definition}'s Paimon table that rows passing {@code pruner}'s filter
   * may be in, also passing {@code paimon} (Paimon's predicate on the partition keys) if given.
   */
  static PrunedPartitions of(
      TableDefinition definition, PartitionPruner pruner, Optional<PartitionPredicate> paimon) {
    return new PrunedPartitions(definition, pruner, paimon);
  }

  @Override
  public boolean test(BinaryRow partition) {
    if (paimon.isPresent() && !paimon.get().test(partition)) {
      return false;
    }
    Boolean may = judged.get(partition);
    if (may == null) {
      may = mayMatch(partition);
      judged.put(partition.copy(), may);
    }
    return may;
  }

  /** Manifests are chosen by Paimon's own predicate alone: string bounds say little of times. */
  @Override
  public boolean test(
      long rowCount, InternalRow minValues, InternalRow maxValues, InternalArray nullCounts) {
    return paimon.isEmpty() || paimon.get().test(rowCount, minValues, maxValues, nullCounts);
  }

  private boolean mayMatch(BinaryRow row) {
    List<String> values = new ArrayList<>(spec.size());
    for (int i = 0; i < spec.size(); i++) {
      if (row.isNullAt(i)) {
        return true; // no partition Sluice writes: never skipped
      }
      PartitionField field = spec.get(i);
      TypeKind type = sources.get(i);
      if (field.transform() != PartitionTransform.IDENTITY || type == TypeKind.STRING) {
        values.add(row.getString(i).toString());
        continue;
      }
      long value =
          switch (type) {
            case INT, DATE -> row.getInt(i);
            case BIGINT -> row.getLong(i);
            case BOOLEAN -> row.getBoolean(i) ? 1 : 0;
            default -> throw new IllegalStateException("No identity partition of type " + type);
          };
      values.add(PartitionTransform.IDENTITY.humanString(type, value));
    }
    try {
      return pruner.mayMatch(Partition.ofCanonical(spec, values));
    } catch (IllegalArgumentException e) {
      return true; // a value Sluice would not write: never skipped
    }
  }
}
