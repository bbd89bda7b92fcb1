package io.sluice.client;

import java.time.Duration;

/**
 * How a {@link TableWriter} batches and retries; immutable, each method returns a changed copy.
 *
 * <ul>
 *   <li>{@code linger} (5 ms): how long a batch waits for more rows once a request could be sent;
 *   <li>{@code batchBytes} (4 MiB, the AWS shape's body limit): the most a batch holds;
 *   <li>{@code maxInFlight} (5): requests open at once; more batches wait and keep filling;
 *   <li>{@code bufferMemory} (32 MiB): rows held, from {@code write} until answered;
 *   <li>{@code maxBlock} (60 s): how long {@code write} waits for buffer room before it throws
 *       {@link BufferFullException};
 *   <li>{@code deliveryTimeout} (2 min): how long a batch is retried before its rows fail;
 *   <li>{@code retryBackoff} (100 ms) and {@code maxRetryBackoff} (5 s): the first and the longest
 *       wait between attempts (doubling in between; a {@code Retry-After} is honoured).
 * </ul>
 */
public final class WriterOptions {
  private static final WriterOptions DEFAULTS =
      new WriterOptions(
          Duration.ofMillis(5),
          4 << 20,
          5,
          32L << 20,
          Duration.ofSeconds(60),
          Duration.ofMinutes(2),
          Duration.ofMillis(100),
          Duration.ofSeconds(5));

  private final Duration linger;
  private final int batchBytes;
  private final int maxInFlight;
  private final long bufferMemory;
  private final Duration maxBlock;
  private final Duration deliveryTimeout;
  private final Duration retryBackoff;
  private final Duration maxRetryBackoff;

  private WriterOptions(
      Duration linger,
      int batchBytes,
      int maxInFlight,
      long bufferMemory,
      Duration maxBlock,
      Duration deliveryTimeout,
      Duration retryBackoff,
      Duration maxRetryBackoff) {
    this.linger = linger;
    this.batchBytes = batchBytes;
    this.maxInFlight = maxInFlight;
    this.bufferMemory = bufferMemory;
    this.maxBlock = maxBlock;
    this.deliveryTimeout = deliveryTimeout;
    this.retryBackoff = retryBackoff;
    this.maxRetryBackoff = maxRetryBackoff;
  }

  /** The defaults listed above. */
  public static WriterOptions defaults() {
    return DEFAULTS;
  }

  public WriterOptions linger(Duration linger) {
    return new WriterOptions(
        notNegative("linger", linger),
        batchBytes,
        maxInFlight,
        bufferMemory,
        maxBlock,
        deliveryTimeout,
        retryBackoff,
        maxRetryBackoff);
  }

  public WriterOptions batchBytes(int bytes) {
    positive("batchBytes", bytes);
    return new WriterOptions(
        linger,
        bytes,
        maxInFlight,
        bufferMemory,
        maxBlock,
        deliveryTimeout,
        retryBackoff,
        maxRetryBackoff);
  }

  public WriterOptions maxInFlight(int requests) {
    positive("maxInFlight", requests);
    return new WriterOptions(
        linger,
        batchBytes,
        requests,
        bufferMemory,
        maxBlock,
        deliveryTimeout,
        retryBackoff,
        maxRetryBackoff);
  }

  public WriterOptions bufferMemory(long bytes) {
    positive("bufferMemory", bytes);
    return new WriterOptions(
        linger,
        batchBytes,
        maxInFlight,
        bytes,
        maxBlock,
        deliveryTimeout,
        retryBackoff,
        maxRetryBackoff);
  }

  public WriterOptions maxBlock(Duration maxBlock) {
    return new WriterOptions(
        linger,
        batchBytes,
        maxInFlight,
        bufferMemory,
        notNegative("maxBlock", maxBlock),
        deliveryTimeout,
        retryBackoff,
        maxRetryBackoff);
  }

  public WriterOptions deliveryTimeout(Duration timeout) {
    return new WriterOptions(
        linger,
        batchBytes,
        maxInFlight,
        bufferMemory,
        maxBlock,
        notNegative("deliveryTimeout", timeout),
        retryBackoff,
        maxRetryBackoff);
  }

  /** The first wait between attempts, and the longest. */
  public WriterOptions retryBackoff(Duration first, Duration longest) {
    notNegative("retryBackoff", first);
    if (longest.compareTo(first) < 0) {
      throw new IllegalArgumentException(
          "Cannot set maxRetryBackoff " + longest + ": shorter than retryBackoff " + first);
    }
    return new WriterOptions(
        linger, batchBytes, maxInFlight, bufferMemory, maxBlock, deliveryTimeout, first, longest);
  }

  public Duration linger() {
    return linger;
  }

  public int batchBytes() {
    return batchBytes;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public long bufferMemory() {
    return bufferMemory;
  }

  public Duration maxBlock() {
    return maxBlock;
  }

  public Duration deliveryTimeout() {
    return deliveryTimeout;
  }

  public Duration retryBackoff() {
    return retryBackoff;
  }

  public Duration maxRetryBackoff() {
    return maxRetryBackoff;
  }

  @Override
  public String toString() {
    return "WriterOptions[linger="
        + linger
        + ", batchBytes="
        + batchBytes
        + ", maxInFlight="
        + maxInFlight
        + ", bufferMemory="
        + bufferMemory
        + ", maxBlock="
        + maxBlock
        + ", deliveryTimeout="
        + deliveryTimeout
        + ", retryBackoff="
        + retryBackoff
        + ".."
        + maxRetryBackoff
        + "]";
  }

  private static Duration notNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("Cannot set " + name + " to " + value + ": negative");
    }
    return value;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Cannot set " + name + " to " + value + ": must be > 0");
    }
  }
}
