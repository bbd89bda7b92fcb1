package io.sluice.core.bucket;

import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;

/**
 * Makes a lake format's {@link BucketFunction} for a table; implementations live with the lake
 * adapters and are found through {@link java.util.ServiceLoader}.
 */
public interface BucketFunctionFactory {

  /** The format whose bucketing this reproduces. */
  LakeFormatName format();

  /**
   * The bucket function of a table with a non-empty bucket key whose bucketing format is {@link
   * #format()}.
   */
  BucketFunction create(TableDefinition definition);
}
