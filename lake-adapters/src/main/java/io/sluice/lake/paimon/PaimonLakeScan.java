package io.sluice.lake.paimon;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.scan.PartitionPruner;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.scan.ValueRowBatches;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.partition.PartitionPredicate;
import org.apache.paimon.predicate.Predicate;
import org.apache.paimon.predicate.PredicateBuilder;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.reader.RecordReaderIterator;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DecimalType;
import org.apache.paimon.types.RowType;

/**
 * Reads one snapshot of a Paimon table with Paimon's own reader: the projection and the pushable
 * part of the filter go into the {@link ReadBuilder}, rows come back as Arrow batches.
 */
final class PaimonLakeScan {
  private PaimonLakeScan() {}

  /**
   * Reads {@code snapshot} of {@code table}, the Paimon table of {@code definition}: only the
   * partitions a row of which may pass {@code filter} ({@link PrunedPartitions}), then only the
   * files and row groups the pushable part of the filter leaves.
   */
  static RowBatches scan(
      FileStoreTable table,
      TableDefinition definition,
      LakeSnapshot snapshot,
      List<Column> columns,
      Optional<RowFilter> filter,
      BufferAllocator allocator) {
    FileStoreTable atSnapshot =
        table.copy(
            Map.of(CoreOptions.SCAN_SNAPSHOT_ID.key(), Long.toString(snapshot.snapshotId())));
    RowType rowType = atSnapshot.rowType();
    List<String> names = rowType.getFieldNames();
    List<Integer> present = new ArrayList<>();
    int[] positions = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      int index = names.indexOf(columns.get(i).name());
      positions[i] = index < 0 ? -1 : present.size();
      if (index >= 0) {
        present.add(index);
      }
    }
    ReadBuilder builder =
        atSnapshot.newReadBuilder().withProjection(present.stream().mapToInt(i -> i).toArray());
    Optional<Predicate> pushed =
        filter.flatMap(f -> predicate(f, new PredicateBuilder(rowType), rowType));
    pushed.ifPresent(builder::withFilter);
    PartitionPruner pruner = PartitionPruner.of(definition, filter);
    if (pruner.prunes()) {
      // Replaces the partition filter Paimon takes from the predicate: hand that one on.
      builder.withPartitionFilter(
          PrunedPartitions.of(
              definition, pruner, pushed.flatMap(p -> onPartitionKeys(atSnapshot, p))));
    }
    List<DataType> types = present.stream().map(i -> rowType.getTypeAt(i)).toList();
    try {
      RecordReader<InternalRow> reader =
          builder.newRead().createReader(builder.newScan().plan().splits());
      RecordReaderIterator<InternalRow> rows = new RecordReaderIterator<>(reader);
      return ValueRowBatches.of(
          ArrowSchemas.schema(columns),
          rows,
          row -> {
            Object[] out = new Object[positions.length];
            for (int i = 0; i < positions.length; i++) {
              int at = positions[i];
              out[i] = at < 0 || row.isNullAt(at) ? null : value(row, at, types.get(at));
            }
            return out;
          },
          rows,
          allocator);
    } catch (IOException | RuntimeException e) {
      throw new StoreUnavailableException(
          "Cannot read snapshot %d of Paimon table %s: %s"
              .formatted(snapshot.snapshotId(), table.name(), e.getMessage()),
          e);
    }
  }

  /** Paimon's own predicate on the partition keys: the and-parts of {@code p} only on them. */
  private static Optional<PartitionPredicate> onPartitionKeys(FileStoreTable table, Predicate p) {
    List<String> keys = table.partitionKeys();
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    int[] partitionIndexes = PredicateBuilder.fieldIdxToPartitionIdx(table.rowType(), keys);
    List<Predicate> onKeys = PredicateBuilder.splitAndByPartition(p, partitionIndexes).getLeft();
    if (onKeys.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        PartitionPredicate.fromPredicate(
            table.schema().logicalPartitionType(), PredicateBuilder.and(onKeys)));
  }

  /** A Paimon value as the Java value of {@link io.sluice.core.arrow.ArrowValues}. */
  private static Object value(InternalRow row, int at, DataType type) {
    return switch (type.getTypeRoot()) {
      case BOOLEAN -> row.getBoolean(at);
      case TINYINT -> row.getByte(at);
      case SMALLINT -> row.getShort(at);
      case INTEGER -> row.getInt(at);
      case BIGINT -> row.getLong(at);
      case FLOAT -> row.getFloat(at);
      case DOUBLE -> row.getDouble(at);
      case DECIMAL -> {
        DecimalType decimal = (DecimalType) type;
        yield row.getDecimal(at, decimal.getPrecision(), decimal.getScale()).toBigDecimal();
      }
      case CHAR, VARCHAR -> row.getString(at).toString();
      case BINARY, VARBINARY -> row.getBinary(at);
      case DATE -> LocalDate.ofEpochDay(row.getInt(at));
      case TIMESTAMP_WITHOUT_TIME_ZONE ->
          row.getTimestamp(at, PaimonTypes.TIMESTAMP_PRECISION).toLocalDateTime();
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
          row.getTimestamp(at, PaimonTypes.TIMESTAMP_PRECISION)
              .toLocalDateTime()
              .toInstant(ZoneOffset.UTC);
      default ->
          throw new IllegalStateException("Paimon type " + type + " is not one Sluice writes");
    };
  }

  /**
   * The part of {@code filter} Paimon can prune with: comparisons and null checks on columns the
   * lake table has, under and/or; a {@code not} is never pushed (pruning must not drop a row the
   * full filter keeps).
   */
  private static Optional<Predicate> predicate(
      RowFilter filter, PredicateBuilder builder, RowType rowType) {
    if (filter instanceof RowFilter.And and) {
      List<Predicate> parts = new ArrayList<>();
      and.filters().forEach(f -> predicate(f, builder, rowType).ifPresent(parts::add));
      return parts.isEmpty() ? Optional.empty() : Optional.of(PredicateBuilder.and(parts));
    }
    if (filter instanceof RowFilter.Or or) {
      List<Predicate> parts = new ArrayList<>();
      for (RowFilter f : or.filters()) {
        Optional<Predicate> part = predicate(f, builder, rowType);
        if (part.isEmpty()) {
          return Optional.empty();
        }
        parts.add(part.get());
      }
      return Optional.of(PredicateBuilder.or(parts));
    }
    if (filter instanceof RowFilter.NullCheck check) {
      int index = rowType.getFieldIndex(check.column());
      if (index < 0) {
        return Optional.empty();
      }
      return Optional.of(check.negated() ? builder.isNotNull(index) : builder.isNull(index));
    }
    if (filter instanceof RowFilter.Comparison comparison) {
      int index = rowType.getFieldIndex(comparison.column());
      if (index < 0) {
        return Optional.empty();
      }
      Object literal = literal(comparison.value(), rowType.getTypeAt(index));
      return Optional.of(
          switch (comparison.operator()) {
            case EQ -> builder.equal(index, literal);
            case NE -> builder.notEqual(index, literal);
            case LT -> builder.lessThan(index, literal);
            case LE -> builder.lessOrEqual(index, literal);
            case GT -> builder.greaterThan(index, literal);
            case GE -> builder.greaterOrEqual(index, literal);
          });
    }
    return Optional.empty(); // not: never pushed
  }

  /** A filter value as Paimon's internal value of {@code type}. */
  private static Object literal(Object value, DataType type) {
    if (value instanceof BigDecimal decimal) {
      DecimalType decimalType = (DecimalType) type;
      return Decimal.fromBigDecimal(decimal, decimalType.getPrecision(), decimalType.getScale());
    } else if (value instanceof String text) {
      return BinaryString.fromString(text);
    } else if (value instanceof LocalDate date) {
      return (int) date.toEpochDay();
    } else if (value instanceof LocalDateTime time) {
      return Timestamp.fromLocalDateTime(time);
    } else if (value instanceof Instant instant) {
      return Timestamp.fromLocalDateTime(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
    return value;
  }
}
