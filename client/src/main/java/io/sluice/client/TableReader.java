package io.sluice.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A streaming reader of one table, pulled like Kafka's consumer: {@link #poll} returns the next
 * records, {@link #checkpoint} where the reader stands, to resume from exactly once.
 *
 * <p>From {@link ReaderOptions#earliest()} it first back-fills the newest lake snapshot (the merged
 * rows of a primary-key table), then follows each bucket's log from the offsets that snapshot was
 * tiered up to, so every row is delivered once, as Fluss's union read hands over from lake to log.
 * From {@link ReaderOptions#latest()} it follows from the high watermarks at its start. The log of
 * a log table is its records; that of a primary-key table its changelog. Within a bucket, records
 * come in offset order.
 *
 * <pre>{@code
 * try (TableReader reader = sluice.reader("orders", ReaderOptions.earliest())) {
 *   while (running) {
 *     for (TableRecord record : reader.poll(Duration.ofSeconds(1))) {
 *       handle(record);
 *     }
 *     store(reader.checkpoint().toJson());
 *   }
 * }
 * }</pre>
 *
 * <p>A checkpoint taken during the back-fill resumes it only while that lake snapshot is still the
 * newest, since the scan API reads no other: it skips the rows already delivered and goes on; after
 * a newer snapshot was committed it fails with {@link IllegalStateException}. Not thread-safe: one
 * thread polls.
 */
public final class TableReader implements AutoCloseable {
  private final TableDescription table;
  private final LogFollower follower;
  private final Consumer<TableReader> onClose;
  private final BufferAllocator allocator;
  private final int maxPollRecords;
  private SnapshotBackfill backfill; // null once read, or when there is none
  private boolean closed;

  TableReader(
      HttpApi api,
      TableDescription table,
      ReaderOptions options,
      BufferAllocator allocator,
      Consumer<TableReader> onClose) {
    this.table = table;
    this.allocator = allocator;
    this.onClose = onClose;
    this.maxPollRecords = options.maxPollRecords();
    Map<BucketId, Long> from;
    try {
      from =
          switch (options.start()) {
            case EARLIEST -> earliest(api, options);
            case LATEST -> highWatermarks(table);
            case CHECKPOINT -> resume(api, options, options.checkpoint().orElseThrow());
          };
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
    this.follower = new LogFollower(api, table, options, allocator, from);
  }

  /** The qualified name of the table read. */
  public String table() {
    return table.name();
  }

  /**
   * The next records: up to {@link ReaderOptions#maxPollRecords} rows of the back-fill while it
   * lasts, then whatever the log has, waiting up to {@code timeout} for some; empty when none came.
   *
   * @throws SluiceException for an error the server answered that retrying does not mend, such as
   *     {@code OFFSET_OUT_OF_RANGE} for an offset below a bucket's log start
   * @throws IllegalStateException once the reader is closed
   */
  public List<TableRecord> poll(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("Cannot poll " + table.name() + ": the reader is closed");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    if (backfill != null) {
      List<TableRecord> records = backfill.next(maxPollRecords);
      if (!records.isEmpty()) {
        return records;
      }
      backfill.close();
      backfill = null;
    }
    return follower.poll(deadline);
  }

  /** Where the reader stands: everything {@link #poll} returned so far, and nothing more. */
  public Checkpoint checkpoint() {
    return new Checkpoint(
        table.name(),
        table.tableId(),
        follower.positions(),
        backfill == null ? Optional.empty() : backfill.progress());
  }

  /** Stops reading; reads still open are abandoned. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (backfill != null) {
        backfill.close();
      }
      follower.close();
    } finally {
      onClose.accept(this);
      allocator.close();
    }
  }

  private Map<BucketId, Long> earliest(HttpApi api, ReaderOptions options) {
    if (table.lakeFormats().isEmpty()) {
      return logStarts(table); // nothing is tiered, so the log holds every row still kept
    }
    backfill = SnapshotBackfill.open(api, table, lake(options), child("back-fill"));
    return backfill.offsets();
  }

  private Map<BucketId, Long> resume(HttpApi api, ReaderOptions options, Checkpoint checkpoint) {
    if (!checkpoint.table().equals(table.name())
        || !String.valueOf(checkpoint.tableId()).equals(table.tableId())) {
      throw new IllegalStateException(
          "Cannot resume %s (table id %s) from a checkpoint of %s (table id %s): another table,"
                  .formatted(
                      table.name(), table.tableId(), checkpoint.table(), checkpoint.tableId())
              + " or one dropped and created again since");
    }
    Optional<Checkpoint.Backfill> progress = checkpoint.backfill();
    if (progress.isEmpty()) {
      return checkpoint.offsets();
    }
    Checkpoint.Backfill at = progress.get();
    SnapshotBackfill scan = SnapshotBackfill.open(api, table, at.lake(), child("back-fill"));
    try {
      if (scan.snapshotId().isEmpty() || scan.snapshotId().getAsLong() != at.snapshotId()) {
        throw new IllegalStateException(
            ("Cannot resume the back-fill of %s from %s snapshot %d: the newest snapshot is now %s,"
                    + " and a scan reads only the newest; start from earliest again, or take"
                    + " checkpoints after the back-fill")
                .formatted(
                    table.name(),
                    at.lake(),
                    at.snapshotId(),
                    scan.snapshotId().isEmpty() ? "none" : scan.snapshotId().getAsLong()));
      }
      scan.skip(at.rowsDelivered());
    } catch (RuntimeException e) {
      scan.close();
      throw e;
    }
    backfill = scan;
    Map<BucketId, Long> from = new TreeMap<>(scan.offsets());
    from.putAll(checkpoint.offsets());
    return from;
  }

  private String lake(ReaderOptions options) {
    String lake = options.lake().orElse(table.lakeFormats().get(0));
    if (!table.lakeFormats().contains(lake)) {
      throw new IllegalArgumentException(
          "Cannot back-fill %s from %s: it is tiered into %s"
              .formatted(table.name(), lake, table.lakeFormats()));
    }
    return lake;
  }

  private BufferAllocator child(String name) {
    return allocator.newChildAllocator(name + " " + table.name(), 0, Long.MAX_VALUE);
  }

  private static Map<BucketId, Long> highWatermarks(TableDescription table) {
    Map<BucketId, Long> offsets = new TreeMap<>();
    table
        .bucketStates()
        .forEach(s -> offsets.put(new BucketId(s.partition(), s.bucket()), s.highWatermark()));
    return offsets;
  }

  private static Map<BucketId, Long> logStarts(TableDescription table) {
    Map<BucketId, Long> offsets = new TreeMap<>();
    table
        .bucketStates()
        .forEach(s -> offsets.put(new BucketId(s.partition(), s.bucket()), s.logStartOffset()));
    return offsets;
  }
}
