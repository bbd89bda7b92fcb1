package io.sluice.core.segment;

/** Where one bucket's rows lie in a segment object: {@code [offset, offset + length)}. */
public record BucketRange(int bucket, long offset, long length, long rows) {}
