package io.sluice.core.lake;

import io.sluice.core.store.StoreUnavailableException;

/**
 * A {@link LakeLocks} lock was not acquired, because another holder kept it past the timeout or the
 * lock's store failed. The action it guards did not run: try again later.
 */
public class LockNotAcquiredException extends StoreUnavailableException {
  public LockNotAcquiredException(String message, Throwable cause) {
    super(message, cause);
  }
}
