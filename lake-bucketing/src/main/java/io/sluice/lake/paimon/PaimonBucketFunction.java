package io.sluice.lake.paimon;

import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.table.Column;
import io.sluice.lake.BucketKeyVectors;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.serializer.InternalRowSerializer;
import org.apache.paimon.types.RowType;

/**
 * The bucket Paimon gives a row of a fixed-bucket table ({@code bucket} = N, {@code bucket-key} =
 * the bucket key, {@code bucket-function.type} = {@code default}).
 *
 * <p>Paimon's writer ({@code FixedBucketRowKeyExtractor} with {@code DefaultBucketFunction}, both
 * in paimon-core 1.3) projects the bucket-key fields of a row into a {@link BinaryRow} and takes
 * {@code Math.abs(binaryRow.hashCode() % N)}. This function builds the same {@link BinaryRow} with
 * Paimon's own {@link InternalRowSerializer} over the bucket-key row type, and hashes it with
 * {@link BinaryRow#hashCode()} (Paimon's Murmur3 over the row's words), so that only paimon-common
 * is needed on the write path; the tests pin the result to Paimon's writer bucket by bucket.
 */
public final class PaimonBucketFunction implements BucketFunction {
  private final List<Column> bucketKey;
  private final RowType bucketKeyType;
  private final int buckets;

  /**
   * @param bucketKey the bucket-key columns, in the order of the table's bucket key
   * @param buckets the number of buckets, at least 1
   */
  public PaimonBucketFunction(List<Column> bucketKey, int buckets) {
    if (bucketKey.isEmpty()) {
      throw new IllegalArgumentException("Cannot bucket by Paimon's function: no bucket key");
    }
    if (buckets < 1) {
      throw new IllegalArgumentException(
          "Cannot bucket by Paimon's function: buckets must be at least 1, not " + buckets);
    }
    this.bucketKey = List.copyOf(bucketKey);
    this.bucketKeyType = PaimonTypes.rowType(bucketKey);
    this.buckets = buckets;
  }

  @Override
  public int[] buckets(VectorSchemaRoot batch) {
    int keys = bucketKey.size();
    @SuppressWarnings("unchecked")
    IntFunction<Object>[] readers = new IntFunction[keys];
    for (int k = 0; k < keys; k++) {
      Column column = bucketKey.get(k);
      readers[k] =
          PaimonArrowValues.reader(
              BucketKeyVectors.find(batch, column), column.name(), column.type());
    }
    // A serializer reuses its row, so each call has its own: a function may serve many threads.
    InternalRowSerializer serializer = new InternalRowSerializer(bucketKeyType);
    GenericRow key = new GenericRow(keys);
    int[] result = new int[batch.getRowCount()];
    for (int row = 0; row < result.length; row++) {
      for (int k = 0; k < keys; k++) {
        key.setField(k, readers[k].apply(row));
      }
      result[row] = bucket(serializer.toBinaryRow(key));
    }
    return result;
  }

  /** Paimon's {@code DefaultBucketFunction}: the absolute remainder of the row's hash. */
  private int bucket(BinaryRow bucketKeyRow) {
    return Math.abs(bucketKeyRow.hashCode() % buckets);
  }
}
