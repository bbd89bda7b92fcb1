package io.sluice.bench.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed loop of {@code clients} threads, each sending one request at a time and waiting for its
 * acknowledgement, until {@code maxRequests} requests have been started or {@code maxDuration} has
 * passed, whichever comes first. Both bounds always hold: a client starts no request once the
 * deadline has passed, and at most {@code maxRequests} are ever started.
 */
public final class LoadLoop {

  /** One request: sends it and returns once it is acknowledged, or throws. */
  @FunctionalInterface
  public interface Request {
    void send() throws Exception;
  }

  /** Thrown by a request the target refused for overload (HTTP 429): counted apart from errors. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  /** Makes client {@code i}'s request (each client may hold its own connection). */
  @FunctionalInterface
  public interface Client {
    Request create(int client) throws Exception;
  }

  private LoadLoop() {}

  /**
   * Runs the loop and measures it.
   *
   * @param clients concurrent clients, each with one request in flight at a time
   * @param maxRequests requests started at most, over all clients
   * @param maxDuration time after which no client starts another request
   * @param client makes each client's request; called before the clock starts
   */
  public static Result run(int clients, int maxRequests, Duration maxDuration, Client client)
      throws Exception {
    List<Request> requests = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      requests.add(client.create(i));
    }
    AtomicInteger tickets = new AtomicInteger(maxRequests);
    AtomicLong errors = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>(clients);
    long[] startNanos = new long[1];
    long deadlineNanos = maxDuration.toNanos();
    long[] lastEnd = new long[clients];
    for (int c = 0; c < clients; c++) {
      int me = c;
      latencies[me] = new long[Math.max(16, maxRequests / clients + 16)];
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                Request request = requests.get(me);
                long origin = startNanos[0];
                while (System.nanoTime() - origin < deadlineNanos
                    && tickets.getAndDecrement() > 0) {
                  long begin = System.nanoTime();
                  try {
                    request.send();
                    long end = System.nanoTime();
                    if (counts[me] == latencies[me].length) {
                      latencies[me] = Arrays.copyOf(latencies[me], latencies[me].length * 2);
                    }
                    latencies[me][counts[me]++] = end - begin;
                    lastEnd[me] = end;
                  } catch (Refused e) {
                    refused.incrementAndGet();
                    lastEnd[me] = System.nanoTime();
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e);
                    lastEnd[me] = System.nanoTime();
                  }
                }
              },
              "load-client-" + me);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    startNanos[0] = System.nanoTime();
    start.countDown();
    for (Thread thread : threads) {
      // A request that hangs past the deadline by a minute is a broken target, not a result.
      thread.join(deadlineNanos / 1_000_000 + 60_000);
      if (thread.isAlive()) {
        thread.interrupt();
        throw new IllegalStateException(
            thread.getName() + " did not finish a minute after the deadline; the target hangs");
      }
    }
    long end = startNanos[0];
    int total = 0;
    for (int c = 0; c < clients; c++) {
      end = Math.max(end, lastEnd[c]);
      total += counts[c];
    }
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    return new Result(
        clients, total, errors.get(), refused.get(), end - startNanos[0], all, firstError.get());
  }

  /**
   * What one loop measured.
   *
   * @param ok acknowledged requests
   * @param errors requests that failed (not counted in throughput or latency)
   * @param refused requests refused for overload (429), neither acknowledged nor failed
   * @param elapsedNanos from the start to the last acknowledgement
   * @param latencyNanos every acknowledged request's latency, sorted
   */
  public record Result(
      int clients,
      int ok,
      long errors,
      long refused,
      long elapsedNanos,
      long[] latencyNanos,
      Throwable firstError) {

    public double seconds() {
      return elapsedNanos / 1e9;
    }

    /** Acknowledged requests per second. */
    public double requestsPerSecond() {
      return elapsedNanos == 0 ? 0 : ok / seconds();
    }

    /** The latency at quantile {@code q} (nearest rank), in milliseconds; NaN without requests. */
    public double latencyMillis(double q) {
      if (latencyNanos.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * latencyNanos.length);
      return latencyNanos[Math.min(latencyNanos.length - 1, Math.max(0, rank - 1))] / 1e6;
    }
  }
}
