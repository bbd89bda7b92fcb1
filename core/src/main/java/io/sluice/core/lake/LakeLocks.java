package io.sluice.core.lake;

import java.util.concurrent.Callable;

/**
 * Named exclusive locks for lake formats whose commit is not atomic on the storage they write: a
 * Paimon snapshot commit on an object store is a "write if absent" made of a check and a copy, and
 * Paimon needs a lock around it. Implementations keep the locks in a store every writer shares (see
 * {@link io.sluice.core.tiering.LeaseLocks}); a format takes one only where its storage needs it.
 */
public interface LakeLocks {

  /**
   * Runs {@code action} while holding the lock {@code name}, and releases the lock when the action
   * returns or throws.
   *
   * @param name the lock's name; it names the format and the table, such as {@code
   *     paimon-lock:db.events}, and must contain a {@code ':'} so that it can never be a table id
   * @throws LockNotAcquiredException when the lock was not acquired within the timeout, or its
   *     store failed: the action did not run
   * @throws Exception whatever the action throws
   */
  <T> T callWithLock(String name, Callable<T> action) throws Exception;
}
