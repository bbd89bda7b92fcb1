package io.sluice.core.write;

import io.sluice.core.log.CommitResult;
import io.sluice.core.metadata.PartitionBucket;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One write request waiting for its group commit: its table incarnation and schema, its rows split
 * by bucket (in request order within each), the claim key of its {@code Idempotency-Key} and its
 * body's hash, when the first partition it writes to expires, and the answer it waits for. The
 * group commit takes over the rows and closes them.
 */
public final class PendingWrite implements AutoCloseable {
  private final String tableId;
  private final int schemaId;
  private final SortedMap<PartitionBucket, VectorSchemaRoot> parts;
  private final Optional<String> claimKey;
  private final String bodyHash;
  private final long bytes;
  private final Optional<Instant> expiresAt;
  private final CompletableFuture<CommitResult> answer = new CompletableFuture<>();

  /**
   * A write to partitions that never expire.
   *
   * @param parts the rows of each bucket the request writes to, in request order; taken over
   * @param bytes the memory its rows hold, for back-pressure
   */
  public PendingWrite(
      String tableId,
      int schemaId,
      SortedMap<PartitionBucket, VectorSchemaRoot> parts,
      Optional<String> claimKey,
      String bodyHash,
      long bytes) {
    this(tableId, schemaId, parts, claimKey, bodyHash, bytes, Optional.empty());
  }

  /**
   * @param parts the rows of each bucket the request writes to, in request order; taken over
   * @param bytes the memory its rows hold, for back-pressure
   * @param expiresAt when the first of its partitions expires under the table's {@code
   *     partitionRetention}, if any does: its group must be planned before then
   */
  public PendingWrite(
      String tableId,
      int schemaId,
      SortedMap<PartitionBucket, VectorSchemaRoot> parts,
      Optional<String> claimKey,
      String bodyHash,
      long bytes,
      Optional<Instant> expiresAt) {
    this.tableId = tableId;
    this.schemaId = schemaId;
    this.parts = Collections.unmodifiableSortedMap(new TreeMap<>(parts));
    this.claimKey = claimKey;
    this.bodyHash = bodyHash;
    this.bytes = bytes;
    this.expiresAt = expiresAt;
  }

  public String tableId() {
    return tableId;
  }

  public int schemaId() {
    return schemaId;
  }

  /** The rows of each bucket, in request order. */
  public SortedMap<PartitionBucket, VectorSchemaRoot> parts() {
    return parts;
  }

  public Optional<String> claimKey() {
    return claimKey;
  }

  public String bodyHash() {
    return bodyHash;
  }

  /** The memory its rows hold. */
  public long bytes() {
    return bytes;
  }

  /** When the first of its partitions expires, if any of them does. */
  public Optional<Instant> expiresAt() {
    return expiresAt;
  }

  /** The number of rows over all buckets. */
  public long rows() {
    return parts.values().stream().mapToLong(VectorSchemaRoot::getRowCount).sum();
  }

  /** Completes when the write is committed, or fails with why it was not. */
  public CompletableFuture<CommitResult> answer() {
    return answer;
  }

  /** The buckets it writes to. */
  public List<PartitionBucket> buckets() {
    return List.copyOf(parts.keySet());
  }

  @Override
  public void close() {
    parts.values().forEach(VectorSchemaRoot::close);
  }
}
