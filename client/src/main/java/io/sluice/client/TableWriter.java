package io.sluice.client;

import io.sluice.client.BatchSender.Part;
import io.sluice.client.RowLayout.PreparedRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A batching writer of one table, safe for any number of threads: {@link #write} checks a row, adds
 * it to the open batch and returns the future of its offset. A batch is sent as one Arrow request
 * once it is full ({@link WriterOptions#batchBytes}) or has waited {@link WriterOptions#linger},
 * with at most {@link WriterOptions#maxInFlight} requests open; while they are, the open batch
 * keeps filling. Every batch is written exactly once (see {@link WriterOptions} for the retries).
 * Rows written by one thread keep their order unless a batch is retried while a later one is sent
 * ({@code maxInFlight(1)} keeps order always).
 *
 * <p>The writer knows the table's columns as they were when it was made; make a new writer after
 * adding columns.
 */
public final class TableWriter implements AutoCloseable {
  private final String table;
  private final WriterOptions options;
  private final RowLayout layout;
  private final BitSet keyColumns;
  private final MemoryBudget memory;
  private final BatchSender sender;
  private final ScheduledExecutorService scheduler;
  private final BufferAllocator allocator;
  private final Consumer<TableWriter> onClose;

  // Guarded by this.
  private Batch open;
  private final Deque<Batch> full = new ArrayDeque<>();
  private final Set<Batch> unfinished = new LinkedHashSet<>();
  private int inFlight;
  private boolean closed;

  TableWriter(
      HttpApi api,
      TableDescription description,
      WriterOptions options,
      ScheduledExecutorService scheduler,
      BufferAllocator allocator,
      Consumer<TableWriter> onClose) {
    this.table = description.name();
    this.options = options;
    this.layout = new RowLayout(description);
    this.keyColumns = layout.keyColumns();
    this.memory = new MemoryBudget(options.bufferMemory());
    this.scheduler = scheduler;
    this.allocator = allocator;
    this.onClose = onClose;
    String writerId = UUID.randomUUID().toString().replace("-", "");
    this.sender =
        new BatchSender(
            api, table, options, scheduler, new BatchEncoder(layout, allocator), writerId);
  }

  /** The qualified name of the table written. */
  public String table() {
    return table;
  }

  /**
   * Adds a row (column name to value; a primary-key table also takes {@code "_op": "delete"}) and
   * returns the future of its place. The future fails with a {@link SluiceException} when the
   * server refuses the row or no attempt settles it in {@link WriterOptions#deliveryTimeout}.
   *
   * @throws IllegalArgumentException naming the column and the type it expects when a value is
   *     wrong, and for a row larger than {@link WriterOptions#batchBytes}
   * @throws BufferFullException when the buffer stays full for {@link WriterOptions#maxBlock}
   * @throws IllegalStateException once the writer is closed
   */
  public CompletableFuture<RowOffset> write(Map<String, Object> row) {
    checkOpen();
    return add(prepare(row));
  }

  /**
   * Adds every row of an Arrow batch, whose vectors are named as the table's columns (any order, a
   * subset allowed) in the types the server takes, and returns the future of their places in row
   * order. Every row is checked first: when one is wrong, none of the batch is written. The batch
   * stays the caller's.
   *
   * @throws IllegalArgumentException naming the row (from 1), the column and the type it expects
   * @throws BufferFullException when the buffer stays full for {@link WriterOptions#maxBlock}
   * @throws IllegalStateException once the writer is closed
   */
  public CompletableFuture<List<RowOffset>> write(VectorSchemaRoot batch) {
    checkOpen();
    List<PreparedRow> rows = new ArrayList<>(batch.getRowCount());
    for (int i = 0; i < batch.getRowCount(); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (FieldVector vector : batch.getFieldVectors()) {
        row.put(vector.getName(), ArrowRecords.value(vector, i));
      }
      try {
        rows.add(prepare(row));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Row " + (i + 1) + " of the batch: " + e.getMessage(), e);
      }
    }
    List<CompletableFuture<RowOffset>> futures = new ArrayList<>(rows.size());
    for (PreparedRow row : rows) {
      futures.add(add(row));
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Checks a row as {@link #write(Map)} would, without writing it.
   *
   * @throws IllegalArgumentException naming the column and the type it expects when a value is
   *     wrong, and for a row larger than {@link WriterOptions#batchBytes}
   */
  public void check(Map<String, Object> row) {
    prepare(row);
  }

  private PreparedRow prepare(Map<String, Object> row) {
    PreparedRow prepared = layout.prepare(row);
    if (prepared.size() > options.batchBytes()) {
      throw new IllegalArgumentException(
          "Cannot write a row of about %d bytes to %s: larger than batchBytes (%d)"
              .formatted(prepared.size(), table, options.batchBytes()));
    }
    return prepared;
  }

  private CompletableFuture<RowOffset> add(PreparedRow prepared) {
    reserve(prepared.size());
    CompletableFuture<RowOffset> future = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        memory.release(prepared.size());
        throw closedError();
      }
      if (open != null
          && (open.bytes + prepared.size() > options.batchBytes() || !open.fits(prepared))) {
        seal();
      }
      if (open == null) {
        Batch batch = new Batch();
        open = batch;
        unfinished.add(batch);
        scheduler.schedule(() -> linger(batch), options.linger().toNanos(), TimeUnit.NANOSECONDS);
      }
      open.add(prepared, future);
      if (open.bytes >= options.batchBytes()) {
        seal();
      }
    }
    dispatch();
    return future;
  }

  /**
   * Sends what is buffered and waits until every row written before the call is answered (written
   * or failed: look at the futures).
   */
  public void flush() throws InterruptedException {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    synchronized (this) {
      if (open != null) {
        seal();
      }
      unfinished.forEach(b -> waits.add(b.done));
    }
    dispatch();
    try {
      CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("A batch ended abnormally", e.getCause()); // never: done
    }
  }

  /**
   * Flushes, then releases the writer; writes after this fail. If interrupted while flushing, it
   * stops waiting (rows still in flight complete on their own) and keeps the interrupt.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      onClose.accept(this);
      allocator.close();
    }
  }

  private void reserve(int bytes) {
    if (bytes > memory.capacity()) {
      throw new IllegalArgumentException(
          "Cannot write a row of about %d bytes to %s: larger than bufferMemory (%d)"
              .formatted(bytes, table, memory.capacity()));
    }
    boolean reserved;
    try {
      reserved = memory.reserve(bytes, options.maxBlock());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BufferFullException(
          "Cannot write to " + table + ": interrupted while waiting for buffer room");
    }
    if (!reserved) {
      throw new BufferFullException(
          ("Cannot write to %s: the writer's buffer (bufferMemory %d bytes) stayed full for"
                  + " %s (maxBlock); the server takes rows more slowly than they come, or not at"
                  + " all")
              .formatted(table, memory.capacity(), options.maxBlock()));
    }
  }

  /** Marks a batch as having waited long enough, then sends it if a request can be opened. */
  private void linger(Batch batch) {
    synchronized (this) {
      batch.lingered = true;
    }
    dispatch();
  }

  /** Moves the open batch to the full ones, which are sent first. Holds the lock. */
  private void seal() {
    full.add(open);
    open = null;
  }

  /** Sends batches while requests may be opened: full ones first, then a lingered open one. */
  private void dispatch() {
    while (true) {
      Batch next;
      synchronized (this) {
        if (inFlight >= options.maxInFlight()) {
          return;
        }
        if (!full.isEmpty()) {
          next = full.poll();
        } else if (open != null && open.lingered) {
          next = open;
          open = null;
        } else {
          return;
        }
        inFlight++;
      }
      sender.send(next.part(keyColumns)).whenComplete((v, e) -> finished(next));
    }
  }

  private void finished(Batch batch) {
    memory.release(batch.bytes);
    synchronized (this) {
      inFlight--;
      unfinished.remove(batch);
    }
    batch.done.complete(null);
    dispatch();
  }

  private synchronized void checkOpen() {
    if (closed) {
      throw closedError();
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("Cannot write to " + table + ": the writer is closed");
  }

  /** Rows gathered for one request. */
  private static final class Batch {
    final List<PreparedRow> rows = new ArrayList<>();
    final List<CompletableFuture<RowOffset>> futures = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    BitSet columns; // the columns every upsert of the batch gives; null while it has none
    long bytes;
    boolean lingered;

    boolean fits(PreparedRow row) {
      // An upsert's columns always hold the key, so a delete (which needs only its key) fits any.
      return columns == null || row.delete() || row.given().equals(columns);
    }

    void add(PreparedRow row, CompletableFuture<RowOffset> future) {
      rows.add(row);
      futures.add(future);
      bytes += row.size();
      if (columns == null && !row.delete()) {
        columns = row.given();
      }
    }

    Part part(BitSet keyColumns) {
      return new Part(rows, futures, columns == null ? keyColumns : columns);
    }
  }
}
