package io.sluice.lake.iceberg;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.RowFilter;
import io.sluice.core.scan.ValueRowBatches;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.Column;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads one snapshot of an Iceberg table with Iceberg's generic reader: the projection and the
 * pushable part of the filter go into the scan, rows come back as Arrow batches.
 */
final class IcebergLakeScan {
  private IcebergLakeScan() {}

  static RowBatches scan(
      Table table,
      LakeSnapshot snapshot,
      List<Column> columns,
      Optional<RowFilter> filter,
      BufferAllocator allocator) {
    Schema schema = table.schemas().get(table.snapshot(snapshot.snapshotId()).schemaId());
    if (schema == null) {
      schema = table.schema();
    }
    Schema lakeSchema = schema;
    List<String> present =
        columns.stream()
            .map(Column::name)
            .filter(name -> lakeSchema.findField(name) != null)
            .toList();
    IcebergGenerics.ScanBuilder builder =
        IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId()).select(present);
    filter.flatMap(f -> expression(f, lakeSchema)).ifPresent(builder::where);
    try {
      CloseableIterable<Record> records = builder.build();
      CloseableIterator<Record> rows = records.iterator();
      return ValueRowBatches.of(
          ArrowSchemas.schema(columns),
          rows,
          record -> {
            Object[] out = new Object[columns.size()];
            for (int i = 0; i < out.length; i++) {
              String name = columns.get(i).name();
              out[i] = present.contains(name) ? value(record.getField(name)) : null;
            }
            return out;
          },
          () -> {
            try (records) {
              rows.close();
            }
          },
          allocator);
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(
          "Cannot read snapshot %d of Iceberg table %s: %s"
              .formatted(snapshot.snapshotId(), table.name(), e.getMessage()),
          e);
    }
  }

  /** An Iceberg generic value as the Java value of {@link ArrowValues}. */
  private static Object value(Object value) {
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    } else if (value instanceof OffsetDateTime time) {
      return time.toInstant();
    } else if (value instanceof CharSequence text) {
      return text.toString();
    }
    return value;
  }

  /**
   * The part of {@code filter} Iceberg can prune with: comparisons and null checks on columns the
   * snapshot's schema has, under and/or, and a {@code not} of a filter pushed whole (leaving a part
   * out of what is negated would negate a wider filter, so drop rows that match). Iceberg rewrites
   * a {@code not} into its complement ({@code not t < x} into {@code t >= x}), which holds for the
   * same non-null values, as SQL's {@code NOT} does.
   */
  private static Optional<Expression> expression(RowFilter filter, Schema schema) {
    if (filter instanceof RowFilter.Not not) {
      return whole(not.filter(), schema).map(Expressions::not);
    }
    if (filter instanceof RowFilter.And and) {
      Expression result = null;
      for (RowFilter f : and.filters()) {
        Optional<Expression> part = expression(f, schema);
        if (part.isPresent()) {
          result = result == null ? part.get() : Expressions.and(result, part.get());
        }
      }
      return Optional.ofNullable(result);
    }
    if (filter instanceof RowFilter.Or or) {
      List<Expression> parts = new ArrayList<>();
      for (RowFilter f : or.filters()) {
        Optional<Expression> part = expression(f, schema);
        if (part.isEmpty()) {
          return Optional.empty();
        }
        parts.add(part.get());
      }
      return parts.stream().reduce(Expressions::or);
    }
    if (filter instanceof RowFilter.NullCheck check) {
      if (schema.findField(check.column()) == null) {
        return Optional.empty();
      }
      return Optional.of(
          check.negated()
              ? Expressions.notNull(check.column())
              : Expressions.isNull(check.column()));
    }
    if (filter instanceof RowFilter.Comparison comparison) {
      String name = comparison.column();
      if (schema.findField(name) == null) {
        return Optional.empty();
      }
      Object literal = literal(comparison.value());
      return Optional.of(
          switch (comparison.operator()) {
            case EQ -> Expressions.equal(name, literal);
            case NE -> Expressions.notEqual(name, literal);
            case LT -> Expressions.lessThan(name, literal);
            case LE -> Expressions.lessThanOrEqual(name, literal);
            case GT -> Expressions.greaterThan(name, literal);
            case GE -> Expressions.greaterThanOrEqual(name, literal);
          });
    }
    return Optional.empty();
  }

  /** The whole of {@code filter} as an expression, or nothing when a part cannot be pushed. */
  private static Optional<Expression> whole(RowFilter filter, Schema schema) {
    if (filter instanceof RowFilter.And and) {
      return all(and.filters(), schema).flatMap(parts -> parts.stream().reduce(Expressions::and));
    }
    if (filter instanceof RowFilter.Or or) {
      return all(or.filters(), schema).flatMap(parts -> parts.stream().reduce(Expressions::or));
    }
    return expression(filter, schema);
  }

  private static Optional<List<Expression>> all(List<RowFilter> filters, Schema schema) {
    List<Expression> parts = new ArrayList<>();
    for (RowFilter f : filters) {
      Optional<Expression> part = whole(f, schema);
      if (part.isEmpty()) {
        return Optional.empty();
      }
      parts.add(part.get());
    }
    return Optional.of(parts);
  }

  /** A filter value as a literal Iceberg binds to the column's type. */
  private static Object literal(Object value) {
    if (value instanceof Byte || value instanceof Short) {
      return ((Number) value).intValue();
    } else if (value instanceof byte[] bytes) {
      return ByteBuffer.wrap(bytes);
    } else if (value instanceof LocalDate date) {
      return date.toString();
    } else if (value instanceof LocalDateTime time) {
      return ArrowValues.micros(time.toInstant(ZoneOffset.UTC));
    } else if (value instanceof Instant instant) {
      return ArrowValues.micros(instant);
    }
    return value;
  }
}
