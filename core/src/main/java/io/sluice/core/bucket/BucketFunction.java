package io.sluice.core.bucket;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Places rows in buckets exactly as a lake format places them, so that log bucket b is lake bucket
 * b and tiering never shuffles.
 */
public interface BucketFunction {

  /** The bucket of every row of a batch whose columns are the table's (by name). */
  int[] buckets(VectorSchemaRoot batch);
}
