package io.sluice.lake.paimon;

import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctionFactory;
import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import java.util.List;

/** Paimon's bucketing, found by {@link java.util.ServiceLoader}. */
public final class PaimonBucketFunctionFactory implements BucketFunctionFactory {

  @Override
  public LakeFormatName format() {
    return LakeFormatName.PAIMON;
  }

  @Override
  public BucketFunction create(TableDefinition definition) {
    List<Column> bucketKey =
        definition.bucketKey().stream()
            .map(
                name ->
                    definition
                        .column(name)
                        .orElseThrow(
                            () ->
                                new IllegalArgumentException(
                                    "Cannot bucket by Paimon's function: bucket key column "
                                        + name
                                        + " is not a column of the table")))
            .toList();
    return new PaimonBucketFunction(bucketKey, definition.buckets());
  }
}
