package io.sluice.core.segment;

import org.apache.arrow.vector.VectorSchemaRoot;

/** The rows of one bucket to write into a segment, with the id of the schema they follow. */
public record BucketBatch(int bucket, int schemaId, VectorSchemaRoot root) {}
