package io.sluice.core.store;

/**
 * A conditional write was refused: the stored state is not what the caller expected. Nothing of the
 * caller's was written, so whatever it prepared for this write is safe to clean up.
 */
public class CommitConflictException extends StoreException {
  public CommitConflictException(String message) {
    super(message);
  }

  public CommitConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
