package io.sluice.core.bucket;

import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.table.DataType;
import io.sluice.core.table.Partition;
import io.sluice.core.table.PartitionField;
import io.sluice.core.table.PartitionTransform;
import io.sluice.core.table.TypeKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import org.apache.arrow.memory.util.ArrowBufPointer;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The partition of every row of an Arrow batch: the distinct partitions in order of first
 * appearance, and for each row the index of its partition among them.
 *
 * <p>Rows are compared by their transformed values, without building a string per row: names are
 * built once per distinct partition, so a batch of one partition costs little more than reading the
 * partition columns.
 */
public final class RowPartitions {
  /**
   * The longest partition name, in UTF-8 bytes: it is part of DynamoDB keys (sort keys of at most 1
   * KB) and of lake file paths (S3 keys of at most 1 KB).
   */
  public static final int MAX_NAME_BYTES = 512;

  /** The partitions of a batch of no rows: none. */
  public static final RowPartitions NONE = new RowPartitions(List.of(), new int[0]);

  private final List<Partition> partitions;
  private final int[] index;

  private RowPartitions(List<Partition> partitions, int[] index) {
    this.partitions = partitions;
    this.index = index;
  }

  /** {@code rows} rows of an unpartitioned table, all in {@link Partition#NONE}. */
  public static RowPartitions unpartitioned(int rows) {
    return rows == 0 ? NONE : new RowPartitions(List.of(Partition.NONE), new int[rows]);
  }

  /**
   * The partitions of the rows of {@code batch}, whose partition columns are found by name and have
   * the Arrow types of {@link io.sluice.core.arrow.ArrowSchemas}. For an unpartitioned table
   * ({@code spec} empty) every row is in {@link Partition#NONE}. A batch of no rows has no
   * partitions: {@link #NONE}.
   *
   * @throws SchemaMismatchException naming the row (1-based) and column of the first null partition
   *     value or empty or blank string identity value, or the partition column the batch lacks
   * @throws IllegalArgumentException when a partition column's vector is of a type the field cannot
   *     take (the batch was not checked against the table)
   */
  public static RowPartitions of(List<PartitionField> spec, VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    if (rows == 0) {
      return NONE;
    }
    if (spec.isEmpty()) {
      return unpartitioned(rows);
    }
    int[] index = new int[rows];
    Reader[] readers = new Reader[spec.size()];
    for (int f = 0; f < readers.length; f++) {
      readers[f] = reader(spec.get(f), batch);
    }
    List<Partition> partitions = new ArrayList<>();
    Map<Object, Integer> indexByKey = new HashMap<>();
    int current = -1;
    for (int row = 0; row < rows; row++) {
      boolean changed = false;
      for (Reader reader : readers) {
        changed |= reader.read(row);
      }
      if (changed) {
        Object key = key(readers);
        Integer known = indexByKey.get(key);
        if (known == null) {
          known = partitions.size();
          partitions.add(partition(spec, readers, row));
          indexByKey.put(key, known);
        }
        current = known;
      }
      index[row] = current;
    }
    return new RowPartitions(List.copyOf(partitions), index);
  }

  /** The distinct partitions of the rows, in order of first appearance. */
  public List<Partition> partitions() {
    return partitions;
  }

  /**
   * For each row, the index of its partition in {@link #partitions()}; the caller may not change
   * it.
   */
  public int[] index() {
    return index;
  }

  /** The partition of a row (0-based). */
  public Partition partition(int row) {
    return partitions.get(index[row]);
  }

  private static Object key(Reader[] readers) {
    if (readers.length == 1) {
      return readers[0].key();
    }
    Object[] keys = new Object[readers.length];
    for (int f = 0; f < readers.length; f++) {
      keys[f] = readers[f].key();
    }
    return Arrays.asList(keys);
  }

  /** The partition of the values the readers hold, checked once as it first appears. */
  private static Partition partition(List<PartitionField> spec, Reader[] readers, int row) {
    List<String> values = new ArrayList<>(readers.length);
    for (Reader reader : readers) {
      String value = reader.human();
      if (value.isBlank()) {
        String column = reader.field.column();
        throw new SchemaMismatchException(
            row + 1,
            column,
            "row %d: column %s: a partition value may not be an empty or blank string"
                .formatted(row + 1, column));
      }
      values.add(value);
    }
    Partition partition = Partition.ofCanonical(spec, values);
    int bytes = partition.name().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      String column = readers[readers.length - 1].field.column();
      throw new SchemaMismatchException(
          row + 1,
          column,
          "row %d: the partition name of its values is %d bytes, more than the %d a partition name may have (it is part of store keys and lake file paths)"
              .formatted(row + 1, bytes, MAX_NAME_BYTES));
    }
    return partition;
  }

  private static Reader reader(PartitionField field, VectorSchemaRoot batch) {
    FieldVector vector = batch.getVector(field.column());
    if (vector == null) {
      throw new SchemaMismatchException(
          0,
          field.column(),
          "column %s: a partition column needs a value in every row, got no field"
              .formatted(field.column()));
    }
    TypeKind type = typeOf(vector);
    if (type == null || !field.transform().accepts(DataType.of(type))) {
      throw new IllegalArgumentException(
          "Cannot partition rows by "
              + field
              + ": column "
              + field.column()
              + " is "
              + vector.getField().getType()
              + ", which "
              + field.transform().apiName()
              + " does not take");
    }
    if (vector instanceof VarCharVector strings) {
      return new StringReader(field, strings);
    }
    return new LongReader(field, type, vector, longs(vector));
  }

  private static IntToLongFunction longs(FieldVector vector) {
    if (vector instanceof IntVector ints) {
      return ints::get;
    } else if (vector instanceof BigIntVector longs) {
      return longs::get;
    } else if (vector instanceof DateDayVector dates) {
      return dates::get;
    } else if (vector instanceof BitVector bits) {
      return bits::get;
    } else if (vector instanceof TimeStampMicroTZVector instants) {
      return instants::get;
    } else {
      return ((TimeStampMicroVector) vector)::get;
    }
  }

  private static TypeKind typeOf(FieldVector vector) {
    if (vector instanceof VarCharVector) {
      return TypeKind.STRING;
    } else if (vector instanceof IntVector) {
      return TypeKind.INT;
    } else if (vector instanceof BigIntVector) {
      return TypeKind.BIGINT;
    } else if (vector instanceof DateDayVector) {
      return TypeKind.DATE;
    } else if (vector instanceof BitVector) {
      return TypeKind.BOOLEAN;
    } else if (vector instanceof TimeStampMicroTZVector) {
      return TypeKind.TIMESTAMP_LTZ;
    } else if (vector instanceof TimeStampMicroVector) {
      return TypeKind.TIMESTAMP;
    }
    return null;
  }

  /** Reads one partition column row by row, telling whether the value changed. */
  private abstract static class Reader {
    final PartitionField field;
    private final FieldVector vector;
    private final boolean hasNulls;

    Reader(PartitionField field, FieldVector vector) {
      this.field = field;
      this.vector = vector;
      this.hasNulls = vector.getNullCount() > 0;
    }

    /** Reads a row; whether its value differs from the row read before (true for the first). */
    final boolean read(int row) {
      if (hasNulls && vector.isNull(row)) {
        throw new SchemaMismatchException(
            row + 1,
            field.column(),
            "row %d: column %s: a partition column needs a value, got null"
                .formatted(row + 1, field.column()));
      }
      return readValue(row);
    }

    abstract boolean readValue(int row);

    /** The value last read, as a hash key. */
    abstract Object key();

    /** The value last read, as partition names write it (unescaped). */
    abstract String human();
  }

  /**
   * A column held in a long: the transform's result is computed only when a value leaves the range
   * of the previous result (for time transforms the period, e.g. the day).
   */
  private static final class LongReader extends Reader {
    private final TypeKind type;
    private final IntToLongFunction values;
    private final PartitionTransform transform;
    private long from = 1;
    private long until = 0; // [from, until): the values with the current result; none yet
    private long result;

    LongReader(PartitionField field, TypeKind type, FieldVector vector, IntToLongFunction values) {
      super(field, vector);
      this.type = type;
      this.values = values;
      this.transform = field.transform();
    }

    @Override
    boolean readValue(int row) {
      long value = values.applyAsLong(row);
      if (value >= from && value < until) {
        return false;
      }
      boolean first = from > until;
      long next = transform.apply(type, value);
      if (!transform.isTimeTransform()) {
        from = value;
        until = value == Long.MAX_VALUE ? value : value + 1;
      } else if (type == TypeKind.DATE) {
        from = Math.floorDiv(transform.start(next).getEpochSecond(), 86_400L);
        until = Math.floorDiv(transform.end(next).getEpochSecond(), 86_400L);
      } else {
        from = micros(transform.start(next));
        until = micros(transform.end(next));
      }
      boolean changed = first || next != result;
      result = next;
      return changed;
    }

    private static long micros(Instant instant) {
      try {
        return Math.multiplyExact(instant.getEpochSecond(), 1_000_000L);
      } catch (ArithmeticException e) {
        return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
    }

    @Override
    Object key() {
      return result;
    }

    @Override
    String human() {
      return transform.humanString(type, result);
    }
  }

  /** A string column: a row's bytes are compared with the previous row's in place. */
  private static final class StringReader extends Reader {
    private final VarCharVector strings;
    private ArrowBufPointer current = new ArrowBufPointer();
    private ArrowBufPointer previous = new ArrowBufPointer();
    private boolean first = true;
    private String value;

    StringReader(PartitionField field, VarCharVector strings) {
      super(field, strings);
      this.strings = strings;
    }

    @Override
    boolean readValue(int row) {
      strings.getDataPointer(row, current);
      if (!first && current.equals(previous)) {
        return false;
      }
      ArrowBufPointer swap = previous;
      previous = current;
      current = swap;
      first = false;
      value = new String(strings.get(row), StandardCharsets.UTF_8);
      return true;
    }

    @Override
    Object key() {
      return value;
    }

    @Override
    String human() {
      return value;
    }
  }
}
