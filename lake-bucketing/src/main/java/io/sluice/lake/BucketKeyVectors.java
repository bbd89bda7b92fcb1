package io.sluice.lake;

import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.Column;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Finds the vectors of a table's bucket-key columns in a batch, checking their Arrow types. */
public final class BucketKeyVectors {
  private BucketKeyVectors() {}

  /**
   * The vector of a bucket-key column, or {@code null} when the batch leaves out that (nullable)
   * column, so that every row holds null there.
   *
   * @throws IllegalArgumentException when the vector's Arrow type is not the column's, or when a
   *     non-null column is missing
   */
  public static FieldVector find(VectorSchemaRoot batch, Column column) {
    FieldVector vector = batch.getVector(column.name());
    if (vector == null) {
      if (!column.nullable()) {
        throw new IllegalArgumentException(
            "Cannot bucket rows: the batch has no field for bucket key column "
                + column.name()
                + ", which is not nullable");
      }
      return null;
    }
    ArrowType expected = ArrowSchemas.arrowType(column.type());
    if (!expected.equals(vector.getField().getType())) {
      throw new IllegalArgumentException(
          "Cannot bucket rows: bucket key column %s of type %s must be Arrow %s, not %s"
              .formatted(column.name(), column.type(), expected, vector.getField().getType()));
    }
    return vector;
  }
}
