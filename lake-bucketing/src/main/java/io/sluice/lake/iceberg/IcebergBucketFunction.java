package io.sluice.lake.iceberg;

import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.table.Column;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.BucketKeyVectors;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.transforms.Transforms;
import org.apache.iceberg.util.SerializableFunction;

/**
 * The partition value of Iceberg's {@code bucket[N]} transform on a table's single bucket-key
 * column: Iceberg's own {@link Transforms#bucket(int)}, bound to the column's Iceberg type, applied
 * to each value converted from Arrow to Iceberg's Java representation.
 *
 * <p>Iceberg puts a null in a null partition, which is no bucket: Iceberg-aligned bucket keys are
 * refused unless declared non-null, and a null found here is an error.
 */
public final class IcebergBucketFunction implements BucketFunction {
  /** The Sluice types that Iceberg's bucket transform takes. */
  public static final Set<TypeKind> BUCKETABLE =
      EnumSet.complementOf(EnumSet.of(TypeKind.BOOLEAN, TypeKind.FLOAT, TypeKind.DOUBLE));

  private final Column column;
  private final SerializableFunction<Object, Integer> transform;

  /**
   * @param column the single bucket-key column
   * @param buckets the number of buckets, at least 1
   * @throws IllegalArgumentException when Iceberg cannot bucket the column's type
   */
  public IcebergBucketFunction(Column column, int buckets) {
    if (!BUCKETABLE.contains(column.type().kind())) {
      throw new IllegalArgumentException(
          "Cannot bucket by Iceberg's bucket transform: bucket key column %s has type %s, which it does not take"
              .formatted(column.name(), column.type()));
    }
    if (buckets < 1) {
      throw new IllegalArgumentException(
          "Cannot bucket by Iceberg's bucket transform: buckets must be at least 1, not "
              + buckets);
    }
    this.column = column;
    Transform<Object, Integer> bucket = Transforms.bucket(buckets);
    this.transform = bucket.bind(IcebergTypes.type(column.type()));
  }

  /**
   * @throws IllegalArgumentException naming the first row (1-based) whose bucket key is null
   */
  @Override
  public int[] buckets(VectorSchemaRoot batch) {
    FieldVector vector = BucketKeyVectors.find(batch, column);
    int[] result = new int[batch.getRowCount()];
    if (vector == null) {
      if (result.length > 0) {
        throw nullKey(0);
      }
      return result;
    }
    IntFunction<Object> values = IcebergArrowValues.reader(vector, column.type());
    for (int row = 0; row < result.length; row++) {
      if (vector.isNull(row)) {
        throw nullKey(row);
      }
      result[row] = transform.apply(values.apply(row));
    }
    return result;
  }

  private IllegalArgumentException nullKey(int row) {
    return new IllegalArgumentException(
        "Cannot bucket row %d: bucket key column %s is null, and Iceberg buckets only non-null values"
            .formatted(row + 1, column.name()));
  }
}
