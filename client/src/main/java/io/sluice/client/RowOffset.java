package io.sluice.client;

/**
 * Where a written row went: its partition ({@code null} on an unpartitioned table), its bucket and
 * its offset in that (partition, bucket).
 */
public record RowOffset(String partition, int bucket, long offset) {}
