package io.sluice.core.log;

import io.sluice.core.store.StoreUnavailableException;

/**
 * A write cannot commit now: its plan key holds a GC tombstone, or retries ran out under
 * contention. Nothing of it is visible; the client may retry (HTTP 503).
 */
public class CommitAbortedException extends StoreUnavailableException {
  public CommitAbortedException(String message) {
    super(message, null);
  }
}
