package io.sluice.core.service;

import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.CommitRequest;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.segment.BucketBatch;
import io.sluice.core.segment.EncodedSegment;
import io.sluice.core.segment.SegmentWriter;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Appends a write request's rows: checks the whole body, places every row in its bucket, encodes
 * one segment and commits it.
 */
public final class AppendService {
  private static final Pattern IDEMPOTENCY_KEY =
      Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]{0,127}");

  private final TableService tables;
  private final AppendCommitter committer;
  private final BufferAllocator allocator;
  private final LogWaiter waiter;
  private final Function<TableDefinition, BucketFunction> bucketFunctions;

  /** Per table id, the bucket function of its current schema (even spreading keeps state). */
  private final Map<String, Bucketing> bucketings = new ConcurrentHashMap<>();

  private record Bucketing(int schemaId, BucketFunction function) {}

  public AppendService(
      TableService tables, AppendCommitter committer, BufferAllocator allocator, LogWaiter waiter) {
    this(tables, committer, allocator, waiter, BucketFunctions::of);
  }

  /** An append service that places rows with {@code bucketFunctions} instead of the lakes'. */
  public AppendService(
      TableService tables,
      AppendCommitter committer,
      BufferAllocator allocator,
      LogWaiter waiter,
      Function<TableDefinition, BucketFunction> bucketFunctions) {
    this.bucketFunctions = bucketFunctions;
    this.tables = tables;
    this.committer = committer;
    this.allocator = allocator;
    this.waiter = waiter;
  }

  /**
   * Appends rows to a table.
   *
   * @param idempotencyKey makes a retry within 24 h return the first answer and write nothing
   * @throws TableNotFoundException, MalformedBodyException, SchemaMismatchException, and {@code
   *     InvalidParameterException} for a bad key: nothing is written
   */
  public CommitResult append(TableName name, RowBody body, Optional<String> idempotencyKey) {
    idempotencyKey.ifPresent(AppendService::checkKey);
    TableEntry table = tables.table(name);
    String requestId = SegmentKeys.newRequestId();
    String planKey = SegmentKeys.planKey(idempotencyKey, requestId);
    String bodyHash =
        SegmentKeys.sha256(body.format().name() + "\n" + SegmentKeys.sha256(body.bytes()));
    if (idempotencyKey.isPresent()) {
      Optional<CommitResult> earlier = committer.existingAnswer(table.tableId(), planKey, bodyHash);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    EncodedSegment segment;
    try (VectorSchemaRoot rows = RowBodyDecoder.decode(body, table.definition(), allocator)) {
      if (rows.getRowCount() == 0) {
        return new CommitResult(0, Instant.EPOCH, List.of());
      }
      segment = encode(table, rows);
    }
    CommitResult result =
        committer.commit(
            new CommitRequest(
                table.tableId(),
                planKey,
                requestId,
                bodyHash,
                table.schemaId(),
                segment.bytes(),
                segment.buckets()));
    waiter.signal();
    return result;
  }

  private EncodedSegment encode(TableEntry table, VectorSchemaRoot rows) {
    int bucketCount = table.definition().buckets();
    int[] buckets = bucketing(table).buckets(rows);
    int[] counts = new int[bucketCount];
    for (int bucket : buckets) {
      counts[bucket]++;
    }
    List<BucketBatch> batches = new ArrayList<>();
    try {
      for (int bucket = 0; bucket < bucketCount; bucket++) {
        if (counts[bucket] == 0) {
          continue;
        }
        VectorSchemaRoot part = VectorSchemaRoot.create(rows.getSchema(), allocator);
        batches.add(new BucketBatch(bucket, table.schemaId(), part));
        int written = 0;
        for (int row = 0; row < buckets.length; row++) {
          if (buckets[row] == bucket) {
            for (int column = 0; column < rows.getFieldVectors().size(); column++) {
              FieldVector to = part.getVector(column);
              to.copyFromSafe(row, written, rows.getVector(column));
            }
            written++;
          }
        }
        for (FieldVector vector : part.getFieldVectors()) {
          vector.setValueCount(written);
        }
        part.setRowCount(written);
      }
      return SegmentWriter.encode(batches);
    } finally {
      batches.forEach(b -> b.root().close());
    }
  }

  private BucketFunction bucketing(TableEntry table) {
    return bucketings
        .compute(
            table.tableId(),
            (id, known) ->
                known != null && known.schemaId() == table.schemaId()
                    ? known
                    : new Bucketing(table.schemaId(), bucketFunctions.apply(table.definition())))
        .function();
  }

  private static void checkKey(String key) {
    if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new InvalidParameterException(
          "Idempotency-Key must be 1 to 128 printable ASCII characters");
    }
  }
}
