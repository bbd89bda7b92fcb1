package io.sluice.core.service;

import io.sluice.core.arrow.ArrowGather;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.bucket.BucketFunction;
import io.sluice.core.bucket.BucketFunctions;
import io.sluice.core.bucket.RowPartitions;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.log.BucketClosedException;
import io.sluice.core.log.CommitAbortedException;
import io.sluice.core.log.CommitResult;
import io.sluice.core.log.IdempotencyKeyReusedException;
import io.sluice.core.log.PlanKeys;
import io.sluice.core.log.SegmentKeys;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.table.Durations;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.core.write.GroupAbortedException;
import io.sluice.core.write.GroupCommitter;
import io.sluice.core.write.PendingWrite;
import io.sluice.core.write.WriteBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Appends a write request's rows: checks the whole body, splits its rows by bucket, and hands them
 * to the table's group commit, which answers once they are durable and committed. A request with an
 * {@code Idempotency-Key} that a plan already holds is answered from that plan.
 */
public final class AppendService {
  private static final Pattern IDEMPOTENCY_KEY =
      Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]{0,127}");

  /** How often a write whose group lost a claim to a retry of another is tried again. */
  private static final int GROUP_ATTEMPTS = 4;

  private final TableService tables;
  private final AppendCommitter committer;
  private final GroupCommitter groups;
  private final WriteBudget budget;
  private final BufferAllocator allocator;
  private final LogWaiter waiter;
  private final Function<TableDefinition, BucketFunction> bucketFunctions;
  private final Duration catalogStaleness;

  /** Per table id, the bucket function of its current schema (even spreading keeps state). */
  private final Map<String, Bucketing> bucketings = new ConcurrentHashMap<>();

  /** Per table name, its catalog entry as last read, reused for up to the staleness. */
  private final Map<TableName, Cached> catalog = new ConcurrentHashMap<>();

  private final PartitionGate partitionGate;

  /** Per table id and claim key, the keyed write in flight in this process. */
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  private record Bucketing(int schemaId, BucketFunction function) {}

  private record Cached(TableEntry entry, long readAtNanos) {}

  /** How the write path is tuned; see README, "Writing". */
  public record Settings(
      GroupCommitter.Settings groups, long maxQueuedBytes, Duration catalogStaleness) {
    /** Groups as {@link GroupCommitter.Settings#DEFAULT}; 256 MiB queued; catalog 1 s stale. */
    public static final Settings DEFAULT =
        new Settings(GroupCommitter.Settings.DEFAULT, 256L << 20, Duration.ofSeconds(1));
  }

  /** Whether an answer lists each row's bucket ({@code ?rowBuckets=true}). */
  public enum RowBuckets {
    OMITTED,
    INCLUDED
  }

  /** A write's answer, with each row's bucket in request order when asked for. */
  public record Appended(CommitResult result, Optional<RowPlaces> rowPlaces) {}

  /** Each row's bucket, and on a partitioned table its partition, in request order. */
  public record RowPlaces(int[] buckets, RowPartitions partitions) {}

  /**
   * An append service committing through {@code committer}; group commits run on {@code executor}
   * (blocking store calls).
   */
  public AppendService(
      TableService tables,
      AppendCommitter committer,
      Executor executor,
      BufferAllocator allocator,
      LogWaiter waiter,
      Settings settings) {
    this(tables, committer, executor, allocator, waiter, settings, BucketFunctions::of);
  }

  /** An append service that places rows with {@code bucketFunctions} instead of the lakes'. */
  public AppendService(
      TableService tables,
      AppendCommitter committer,
      Executor executor,
      BufferAllocator allocator,
      LogWaiter waiter,
      Settings settings,
      Function<TableDefinition, BucketFunction> bucketFunctions) {
    this.tables = tables;
    this.committer = committer;
    this.groups = new GroupCommitter(committer, executor, allocator, settings.groups());
    this.budget = new WriteBudget(settings.maxQueuedBytes());
    this.allocator = allocator;
    this.waiter = waiter;
    this.catalogStaleness = settings.catalogStaleness();
    this.bucketFunctions = bucketFunctions;
    this.partitionGate = new PartitionGate(tables, committer.clock());
  }

  /**
   * Reserves room for a write body of {@code bytes} before it is read; close it once answered.
   *
   * @throws OverloadedException when too much is queued: nothing is read or written
   */
  public WriteBudget.Reservation admit(long bytes) {
    return budget.reserve(bytes);
  }

  /** How many writes wait for a group commit now (a gauge for operators). */
  public int queued() {
    return groups.queued();
  }

  /** How many bytes of writes are held now, of the bound that answers 429 beyond it. */
  public long held() {
    return budget.used();
  }

  /** Appends rows to a table without answering each row's bucket. */
  public CommitResult append(TableName name, RowBody body, Optional<String> idempotencyKey) {
    try (WriteBudget.Reservation reservation = admit(body.bytes().length)) {
      return append(name, body, idempotencyKey, RowBuckets.OMITTED, reservation).result();
    }
  }

  /**
   * Appends rows to a table, once its body's room is reserved ({@link #admit}).
   *
   * @param idempotencyKey makes a retry within 24 h return the first answer and write nothing
   * @throws TableNotFoundException, MalformedBodyException, SchemaMismatchException, and {@code
   *     InvalidParameterException} for a bad key: nothing is written
   * @throws OverloadedException when the decoded rows do not fit the write budget
   */
  public Appended append(
      TableName name,
      RowBody body,
      Optional<String> idempotencyKey,
      RowBuckets rowBuckets,
      WriteBudget.Reservation reservation) {
    idempotencyKey.ifPresent(AppendService::checkKey);
    Optional<String> claimKey = idempotencyKey.map(PlanKeys::claimKey);
    String bodyHash =
        idempotencyKey.isPresent()
            ? SegmentKeys.sha256(body.format().name() + "\n" + SegmentKeys.sha256(body.bytes()))
            : "";
    Write write = new Write(name, body, claimKey, bodyHash, rowBuckets, reservation);
    for (int attempt = 1; ; attempt++) {
      TableEntry table = table(name, attempt > 1);
      try {
        Appended appended =
            claimKey.isPresent() ? writeOnce(table, claimKey.get(), write) : write(table, write);
        waiter.signal();
        return appended;
      } catch (GroupAbortedException | BucketClosedException e) {
        // A group lost a claim to a retry of one of its requests (ours may now be answered by
        // it), or a partition of ours expired while the write was queued, or the table was
        // dropped after the catalog entry was read (it may have been created again), or partition
        // retention dropped a partition of ours: read the catalog again and retry (or refuse).
        if (e instanceof BucketClosedException closed && !closed.bucket().partition().isEmpty()) {
          TableEntry fresh = table(name, true);
          if (fresh.tableId().equals(table.tableId())) {
            throw droppedPartition(fresh, write, closed.bucket().partition());
          }
        }
        if (attempt >= GROUP_ATTEMPTS) {
          if (e instanceof BucketClosedException) {
            throw new TableNotFoundException("Table " + name + " was dropped");
          }
          throw new CommitAbortedException(
              "Cannot commit the write to " + name + ": " + e.getMessage());
        }
      }
    }
  }

  /** What a write request brings. */
  private record Write(
      TableName name,
      RowBody body,
      Optional<String> claimKey,
      String bodyHash,
      RowBuckets rowBuckets,
      WriteBudget.Reservation reservation) {}

  /** A keyed write in flight in this process: a second one with its key waits for its answer. */
  private record InFlight(String bodyHash, CompletableFuture<CommitResult> answer) {}

  /**
   * Writes a request with an idempotency key once: answered by the plan that holds the key, by the
   * same key's request already in flight here, or written.
   */
  private Appended writeOnce(TableEntry table, String claimKey, Write write) {
    String id = table.tableId() + "#" + claimKey;
    InFlight mine = new InFlight(write.bodyHash(), new CompletableFuture<>());
    InFlight first = inFlight.putIfAbsent(id, mine);
    if (first != null) {
      CommitResult earlier;
      try {
        earlier = first.answer().join();
      } catch (CompletionException e) {
        throw new GroupAbortedException("the same key's request in flight failed: retry");
      }
      if (!first.bodyHash().equals(write.bodyHash())) {
        throw new IdempotencyKeyReusedException(
            "Idempotency-Key was already used on this table with a different body");
      }
      return new Appended(earlier, bucketsIfAsked(write, table, earlier));
    }
    // The entry leaves the map before its answer is given, so that a waiter that finds it failed
    // and tries again never finds it once more.
    try {
      Optional<CommitResult> earlier =
          committer.existingAnswer(table.tableId(), claimKey, write.bodyHash());
      Appended appended =
          earlier.isPresent()
              ? new Appended(earlier.get(), bucketsIfAsked(write, table, earlier.get()))
              : write(table, write);
      inFlight.remove(id, mine);
      mine.answer().complete(appended.result());
      return appended;
    } catch (RuntimeException e) {
      inFlight.remove(id, mine);
      mine.answer().completeExceptionally(e);
      throw e;
    }
  }

  /** Decodes, splits and queues a request for its table's group commit, and waits for it. */
  private Appended write(TableEntry cached, Write write) {
    Decoded decoded = decode(write.name(), cached, write.body());
    TableEntry table = decoded.table();
    if (decoded.rows().getRowCount() == 0) {
      decoded.rows().close();
      return new Appended(
          new CommitResult(0, Instant.EPOCH, List.of()),
          write.rowBuckets() == RowBuckets.INCLUDED
              ? Optional.of(new RowPlaces(new int[0], RowPartitions.NONE))
              : Optional.empty());
    }
    int[] buckets;
    RowPartitions partitions;
    PendingWrite pending;
    try (VectorSchemaRoot rows = decoded.rows()) {
      partitions = RowPartitions.of(table.definition().partitionBy(), rows);
      if (table.definition().isPartitioned()) {
        partitionGate.check(table, partitions);
      }
      buckets = bucketing(table).buckets(rows);
      long size = bytes(rows);
      write.reservation().grow(size);
      pending =
          new PendingWrite(
              table.tableId(),
              table.schemaId(),
              split(rows, partitions, buckets, table.definition().buckets()),
              write.claimKey(),
              write.bodyHash(),
              size,
              firstExpiry(table.definition(), partitions));
    }
    if (pending.buckets().size() > GroupCommitter.MAX_GROUP_PARTS) {
      int parts = pending.buckets().size();
      pending.close();
      throw new RequestTooLargeException(
          "The rows fall in %d (partition, bucket) parts, more than the %d one write may commit: split the request"
              .formatted(parts, GroupCommitter.MAX_GROUP_PARTS));
    }
    groups.submit(pending);
    if (table.definition().isPartitioned()) {
      pending.answer().thenRun(() -> partitionGate.remember(table, partitions));
    }
    try {
      return new Appended(
          pending.answer().join(),
          write.rowBuckets() == RowBuckets.INCLUDED
              ? Optional.of(new RowPlaces(buckets, partitions))
              : Optional.empty());
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private record Decoded(TableEntry table, VectorSchemaRoot rows) {}

  /**
   * Decodes a body against the cached catalog entry; a column the entry does not know sends it to
   * the catalog once more (the table may have evolved within the cache's staleness).
   */
  private Decoded decode(TableName name, TableEntry cached, RowBody body) {
    try {
      return new Decoded(cached, RowBodyDecoder.decode(body, cached.definition(), allocator));
    } catch (SchemaMismatchException e) {
      TableEntry fresh = tables.table(name);
      catalog.put(name, new Cached(fresh, System.nanoTime()));
      if (fresh.schemaId() == cached.schemaId()) {
        throw e;
      }
      return new Decoded(fresh, RowBodyDecoder.decode(body, fresh.definition(), allocator));
    }
  }

  /** /** When the first partition of a write expires, if the table's partitions expire. */
  private static Optional<Instant> firstExpiry(
      TableDefinition definition, RowPartitions partitions) {
    return partitions.partitions().stream()
        .flatMap(p -> definition.expiry(p).stream())
        .min(Instant::compareTo);
  }

  /**
   * The refusal of a write whose commit found a bucket of one of its partitions closed while the
   * table lives on: partition retention dropped the partition (the writer's clock, unlike the one
   * that dropped it, did not yet see it expired).
   */
  private PartitionRejectedException droppedPartition(
      TableEntry table, Write write, String partition) {
    int row = 1;
    try (VectorSchemaRoot rows =
        RowBodyDecoder.decode(write.body(), table.definition(), allocator)) {
      RowPartitions partitions = RowPartitions.of(table.definition().partitionBy(), rows);
      for (int p = 0; p < partitions.partitions().size(); p++) {
        if (partitions.partitions().get(p).name().equals(partition)) {
          row = PartitionGate.firstRow(partitions, p);
        }
      }
    }
    return new PartitionRejectedException(
        PartitionRejectedException.Reason.EXPIRED,
        row,
        "row %d: partition %s was dropped: the table's partitionRetention %s passed since it ended"
            .formatted(
                row,
                partition,
                table.definition().partitionRetention().map(Durations::format).orElse("")));
  }

  /**
   * Each row's place, for a request answered from its earlier commit, when it asked for them: the
   * one bucket the answer names (a table without a bucket key sends a request whole to a bucket it
   * picks, so hashing again would not find it), else the rows hashed again as they were then.
   */
  private Optional<RowPlaces> bucketsIfAsked(Write write, TableEntry table, CommitResult earlier) {
    if (write.rowBuckets() == RowBuckets.OMITTED) {
      return Optional.empty();
    }
    // A table without a bucket key sends a request whole to one bucket, in every partition.
    boolean oneBucket = earlier.buckets().size() == 1 || table.definition().bucketKey().isEmpty();
    if (oneBucket && !table.definition().isPartitioned()) {
      int[] buckets = new int[Math.toIntExact(earlier.rows())];
      Arrays.fill(buckets, earlier.buckets().get(0).bucket());
      return Optional.of(new RowPlaces(buckets, RowPartitions.unpartitioned(buckets.length)));
    }
    try (VectorSchemaRoot rows =
        RowBodyDecoder.decode(write.body(), table.definition(), allocator)) {
      RowPartitions partitions = RowPartitions.of(table.definition().partitionBy(), rows);
      int[] buckets;
      if (oneBucket) {
        buckets = new int[rows.getRowCount()];
        Arrays.fill(buckets, earlier.buckets().get(0).bucket());
      } else {
        buckets = bucketing(table).buckets(rows);
      }
      return Optional.of(new RowPlaces(buckets, partitions));
    }
  }

  /** The table's catalog entry, read at most {@code catalogStaleness} ago unless {@code fresh}. */
  private TableEntry table(TableName name, boolean fresh) {
    Cached cached = catalog.get(name);
    long now = System.nanoTime();
    if (!fresh && cached != null && now - cached.readAtNanos() < catalogStaleness.toNanos()) {
      return cached.entry();
    }
    TableEntry entry = tables.table(name);
    catalog.put(name, new Cached(entry, now));
    return entry;
  }

  /**
   * The rows of each bucket of each partition, in request order: a body that lands in one bucket is
   * kept whole; otherwise each bucket's rows are gathered column by column.
   */
  private SortedMap<PartitionBucket, VectorSchemaRoot> split(
      VectorSchemaRoot rows, RowPartitions partitions, int[] buckets, int bucketCount) {
    SortedMap<PartitionBucket, VectorSchemaRoot> parts = new TreeMap<>();
    int[] partitionOf = partitions.index();
    int[][] counts = new int[partitions.partitions().size()][bucketCount];
    for (int row = 0; row < buckets.length; row++) {
      counts[partitionOf[row]][buckets[row]]++;
    }
    if (counts[partitionOf[0]][buckets[0]] == buckets.length) {
      VectorSchemaRoot whole = VectorSchemaRoot.create(rows.getSchema(), allocator);
      for (int i = 0; i < rows.getFieldVectors().size(); i++) {
        rows.getVector(i).makeTransferPair(whole.getVector(i)).transfer();
      }
      whole.setRowCount(rows.getRowCount());
      parts.put(key(partitions, partitionOf[0], buckets[0]), whole);
      return parts;
    }
    int[][][] indexes = new int[counts.length][bucketCount][];
    int[][] filled = new int[counts.length][bucketCount];
    for (int row = 0; row < buckets.length; row++) {
      int partition = partitionOf[row];
      int bucket = buckets[row];
      if (indexes[partition][bucket] == null) {
        indexes[partition][bucket] = new int[counts[partition][bucket]];
      }
      indexes[partition][bucket][filled[partition][bucket]++] = row;
    }
    try {
      for (int partition = 0; partition < counts.length; partition++) {
        for (int bucket = 0; bucket < bucketCount; bucket++) {
          int count = counts[partition][bucket];
          if (count > 0) {
            parts.put(
                key(partitions, partition, bucket),
                ArrowGather.gather(rows, indexes[partition][bucket], count, allocator));
          }
        }
      }
      return parts;
    } catch (RuntimeException e) {
      parts.values().forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  private static PartitionBucket key(RowPartitions partitions, int partition, int bucket) {
    return new PartitionBucket(partitions.partitions().get(partition).name(), bucket);
  }

  private static long bytes(VectorSchemaRoot rows) {
    long bytes = 0;
    for (FieldVector vector : rows.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
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
