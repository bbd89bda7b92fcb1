package io.sluice.client;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Bytes a writer may hold at once: taken by {@code write}, given back once a row is answered. */
final class MemoryBudget {
  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Condition released = lock.newCondition();
  private long used;

  MemoryBudget(long capacity) {
    this.capacity = capacity;
  }

  long capacity() {
    return capacity;
  }

  /** Takes {@code bytes}, waiting up to {@code maxWait} for them; false if they never came. */
  boolean reserve(long bytes, Duration maxWait) throws InterruptedException {
    long remaining = maxWait.toNanos();
    lock.lockInterruptibly();
    try {
      while (used + bytes > capacity) {
        if (remaining <= 0) {
          return false;
        }
        remaining = released.awaitNanos(remaining);
      }
      used += bytes;
      return true;
    } finally {
      lock.unlock();
    }
  }

  void release(long bytes) {
    lock.lock();
    try {
      used -= bytes;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long used() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }
}
