package io.sluice.core.service;

/**
 * Wakes long-polling readers in this process when a bucket grows. Readers also re-check on their
 * own every {@link #RECHECK_MILLIS}, so appends made by other processes are seen too.
 */
public final class LogWaiter {
  /** How long a waiting reader sleeps at most before it looks at the head again. */
  public static final long RECHECK_MILLIS = 100;

  private final Object monitor = new Object();
  private long version;

  /** Tells waiting readers that some bucket grew. */
  public void signal() {
    synchronized (monitor) {
      version++;
      monitor.notifyAll();
    }
  }

  /** Waits until a signal or {@code millis} pass, whichever comes first. */
  public void await(long millis) throws InterruptedException {
    if (millis <= 0) {
      return;
    }
    synchronized (monitor) {
      long seen = version;
      long deadline = System.nanoTime() + millis * 1_000_000;
      while (version == seen) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return;
        }
        monitor.wait(left);
      }
    }
  }
}
