package io.sluice.lake.iceberg;

import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctionFactory;
import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;

/** Iceberg's {@code bucket[N]} transform, found by {@link java.util.ServiceLoader}. */
public final class IcebergBucketFunctionFactory implements BucketFunctionFactory {

  @Override
  public LakeFormatName format() {
    return LakeFormatName.ICEBERG;
  }

  /**
   * @throws IllegalArgumentException unless the bucket key is one column of a type Iceberg buckets
   */
  @Override
  public BucketFunction create(TableDefinition definition) {
    if (definition.bucketKey().size() != 1) {
      throw new IllegalArgumentException(
          "Cannot bucket by Iceberg's bucket transform: it takes one bucket key column, not "
              + definition.bucketKey());
    }
    String name = definition.bucketKey().get(0);
    Column column =
        definition
            .column(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Cannot bucket by Iceberg's bucket transform: bucket key column "
                            + name
                            + " is not a column of the table"));
    return new IcebergBucketFunction(column, definition.buckets());
  }
}
