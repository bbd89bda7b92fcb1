package io.sluice.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link TableReader} starts and how it follows the log; immutable, each method returns a
 * changed copy.
 *
 * <ul>
 *   <li>the start: {@link #earliest} (the lake snapshot, then the log past it), {@link #latest}
 *       (only rows written from now on) or {@link #from(Checkpoint)};
 *   <li>{@code longPoll} (10 s, at most 20 s): how long one read of a bucket waits for new rows;
 *   <li>{@code fetchRows} (1000, at most 10000): the most rows one read of a bucket returns;
 *   <li>{@code maxPollRecords} (10000): the most rows of the back-fill one {@code poll} returns;
 *       from the log, a poll stops taking the answers of bucket reads once it holds this many;
 *   <li>{@code maxOpenFetches} (32): reads of buckets open at once; more buckets take turns;
 *   <li>{@code partitionRefresh} (5 s): how often a partitioned table's partitions are listed to
 *       find new ones;
 *   <li>{@code lake} (the table's first format): the lake format the back-fill reads.
 * </ul>
 */
public final class ReaderOptions {
  /** Where reading starts. */
  enum Start {
    EARLIEST,
    LATEST,
    CHECKPOINT
  }

  private static final Duration MAX_LONG_POLL = Duration.ofSeconds(20);
  private static final int MAX_FETCH_ROWS = 10_000;

  private final Start start;
  private final Checkpoint checkpoint;
  private final Duration longPoll;
  private final int fetchRows;
  private final int maxPollRecords;
  private final int maxOpenFetches;
  private final Duration partitionRefresh;
  private final String lake;

  private ReaderOptions(
      Start start,
      Checkpoint checkpoint,
      Duration longPoll,
      int fetchRows,
      int maxPollRecords,
      int maxOpenFetches,
      Duration partitionRefresh,
      String lake) {
    this.start = start;
    this.checkpoint = checkpoint;
    this.longPoll = longPoll;
    this.fetchRows = fetchRows;
    this.maxPollRecords = maxPollRecords;
    this.maxOpenFetches = maxOpenFetches;
    this.partitionRefresh = partitionRefresh;
    this.lake = lake;
  }

  private static ReaderOptions starting(Start start, Checkpoint checkpoint) {
    return new ReaderOptions(
        start, checkpoint, Duration.ofSeconds(10), 1000, 10_000, 32, Duration.ofSeconds(5), null);
  }

  /** Every row once: the newest lake snapshot, then each bucket's log from where it ends. */
  public static ReaderOptions earliest() {
    return starting(Start.EARLIEST, null);
  }

  /** Only the rows written after the reader is made: each bucket's log from its high watermark. */
  public static ReaderOptions latest() {
    return starting(Start.LATEST, null);
  }

  /** The rows after those delivered when the checkpoint was taken, each once. */
  public static ReaderOptions from(Checkpoint checkpoint) {
    return starting(Start.CHECKPOINT, Objects.requireNonNull(checkpoint, "checkpoint"));
  }

  public ReaderOptions longPoll(Duration wait) {
    if (wait.isNegative() || wait.compareTo(MAX_LONG_POLL) > 0) {
      throw new IllegalArgumentException(
          "Cannot set longPoll to " + wait + ": must be 0 to " + MAX_LONG_POLL);
    }
    return new ReaderOptions(
        start, checkpoint, wait, fetchRows, maxPollRecords, maxOpenFetches, partitionRefresh, lake);
  }

  public ReaderOptions fetchRows(int rows) {
    if (rows < 1 || rows > MAX_FETCH_ROWS) {
      throw new IllegalArgumentException(
          "Cannot set fetchRows to " + rows + ": must be 1 to " + MAX_FETCH_ROWS);
    }
    return new ReaderOptions(
        start, checkpoint, longPoll, rows, maxPollRecords, maxOpenFetches, partitionRefresh, lake);
  }

  public ReaderOptions maxPollRecords(int records) {
    if (records < 1) {
      throw new IllegalArgumentException(
          "Cannot set maxPollRecords to " + records + ": must be > 0");
    }
    return new ReaderOptions(
        start, checkpoint, longPoll, fetchRows, records, maxOpenFetches, partitionRefresh, lake);
  }

  public ReaderOptions maxOpenFetches(int fetches) {
    if (fetches < 1) {
      throw new IllegalArgumentException(
          "Cannot set maxOpenFetches to " + fetches + ": must be > 0");
    }
    return new ReaderOptions(
        start, checkpoint, longPoll, fetchRows, maxPollRecords, fetches, partitionRefresh, lake);
  }

  public ReaderOptions partitionRefresh(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "Cannot set partitionRefresh to " + interval + ": must be positive");
    }
    return new ReaderOptions(
        start, checkpoint, longPoll, fetchRows, maxPollRecords, maxOpenFetches, interval, lake);
  }

  /**
   * The lake format to back-fill from when the table has two ({@code paimon} or {@code iceberg}).
   */
  public ReaderOptions lake(String format) {
    return new ReaderOptions(
        start,
        checkpoint,
        longPoll,
        fetchRows,
        maxPollRecords,
        maxOpenFetches,
        partitionRefresh,
        Objects.requireNonNull(format, "format"));
  }

  Start start() {
    return start;
  }

  /** The checkpoint to resume from, when the reader starts from one. */
  public Optional<Checkpoint> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }

  public Duration longPoll() {
    return longPoll;
  }

  public int fetchRows() {
    return fetchRows;
  }

  public int maxPollRecords() {
    return maxPollRecords;
  }

  public int maxOpenFetches() {
    return maxOpenFetches;
  }

  public Duration partitionRefresh() {
    return partitionRefresh;
  }

  /** The lake format chosen, if not the table's first. */
  public Optional<String> lake() {
    return Optional.ofNullable(lake);
  }

  @Override
  public String toString() {
    return "ReaderOptions[start="
        + (start == Start.CHECKPOINT ? "checkpoint " + checkpoint : start)
        + ", longPoll="
        + longPoll
        + ", fetchRows="
        + fetchRows
        + ", maxPollRecords="
        + maxPollRecords
        + ", maxOpenFetches="
        + maxOpenFetches
        + ", partitionRefresh="
        + partitionRefresh
        + (lake == null ? "" : ", lake=" + lake)
        + "]";
  }
}
