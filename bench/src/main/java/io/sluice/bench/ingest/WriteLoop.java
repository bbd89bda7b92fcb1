package io.sluice.bench.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An open loop of producer threads sharing one {@link RowSink}: each sends {@link SmallRows} one at
 * a time without waiting for their acknowledgements (the sink buffers and batches them, and blocks
 * when its buffer is full) until the time is up, then the sink is flushed. Rows are numbered from
 * {@code firstSequence} on; the sequence number is the row's {@code id}.
 */
final class WriteLoop {
  private WriteLoop() {}

  /** Where rows go: a Sluice {@code TableWriter} or a Kafka producer. */
  interface RowSink {
    /**
     * Sends a row; {@code done} is called once with null when it is acknowledged, or with why not.
     */
    void send(Map<String, Object> row, Consumer<Throwable> done) throws Exception;

    /** Returns once every row sent before the call is answered. */
    void flush() throws Exception;
  }

  /** Told of every acknowledged row: its sequence number and the time of its acknowledgement. */
  @FunctionalInterface
  interface Acknowledgements {
    void acknowledged(long sequence, long nanoTime);
  }

  /**
   * What a loop measured.
   *
   * @param acknowledged rows acknowledged
   * @param failed rows whose send threw or whose acknowledgement failed
   * @param startNanos when the producers started ({@link System#nanoTime})
   * @param elapsedNanos from the start to the last acknowledgement
   * @param latencies from each acknowledged row's send to its acknowledgement
   */
  record Result(
      int threads,
      long acknowledged,
      long failed,
      long startNanos,
      long elapsedNanos,
      Latencies latencies,
      Throwable firstError) {

    double seconds() {
      return elapsedNanos / 1e9;
    }

    double rowsPerSecond() {
      return elapsedNanos == 0 ? 0 : acknowledged / seconds();
    }
  }

  /**
   * Runs {@code threads} producers as fast as the sink takes rows for {@code duration} (or until
   * {@code maxRows} rows are sent), flushes, and waits for every row's answer.
   */
  static Result run(
      RowSink sink,
      int threads,
      Duration duration,
      long firstSequence,
      long maxRows,
      Acknowledgements acknowledgements)
      throws Exception {
    return run(sink, threads, duration, firstSequence, maxRows, 0, acknowledgements);
  }

  /**
   * Runs the loop as {@link #run(RowSink, int, Duration, long, long, Acknowledgements)} does, the
   * producers together sending {@code rowsPerSecond} rows a second, evenly spaced (0: as fast as
   * the sink takes them). A producer that falls behind its schedule sends without pause until it
   * has caught up.
   */
  static Result run(
      RowSink sink,
      int threads,
      Duration duration,
      long firstSequence,
      long maxRows,
      double rowsPerSecond,
      Acknowledgements acknowledgements)
      throws Exception {
    long interval = rowsPerSecond <= 0 ? 0 : (long) (1e9 * threads / rowsPerSecond);
    AtomicLong next = new AtomicLong(firstSequence);
    LongAdder sent = new LongAdder();
    LongAdder acknowledged = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicLong lastAnswer = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    Latencies latencies = new Latencies();
    CountDownLatch start = new CountDownLatch(1);
    long[] startNanos = new long[1];
    List<Thread> producers = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread producer =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                long deadline = startNanos[0] + duration.toNanos();
                long due = startNanos[0] + interval * me / threads;
                while (System.nanoTime() < deadline) {
                  if (interval > 0) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      LockSupport.parkNanos(wait);
                      continue; // the deadline may have passed meanwhile
                    }
                    due += interval;
                  }
                  long sequence = next.getAndIncrement();
                  if (sequence - firstSequence >= maxRows) {
                    return;
                  }
                  Map<String, Object> row = SmallRows.row(sequence);
                  long began = System.nanoTime();
                  sent.increment();
                  try {
                    sink.send(
                        row,
                        error -> {
                          long now = System.nanoTime();
                          if (error == null) {
                            latencies.record(now - began);
                            acknowledgements.acknowledged(sequence, now);
                            acknowledged.increment();
                          } else {
                            firstError.compareAndSet(null, error);
                            failed.increment();
                          }
                          lastAnswer.accumulateAndGet(now, Math::max);
                        });
                  } catch (Exception e) {
                    firstError.compareAndSet(null, e);
                    failed.increment();
                  }
                }
              },
              "producer-" + t);
      producer.setDaemon(true);
      producers.add(producer);
      producer.start();
    }
    startNanos[0] = System.nanoTime();
    start.countDown();
    for (Thread producer : producers) {
      producer.join();
    }
    sink.flush();
    // Both sinks run their callbacks before flush returns; this only guards against one that
    // does not.
    long patience = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (acknowledged.sum() + failed.sum() < sent.sum() && System.nanoTime() < patience) {
      Thread.sleep(1);
    }
    return new Result(
        threads,
        acknowledged.sum(),
        failed.sum(),
        startNanos[0],
        Math.max(0, lastAnswer.get() - startNanos[0]),
        latencies,
        firstError.get());
  }
}
