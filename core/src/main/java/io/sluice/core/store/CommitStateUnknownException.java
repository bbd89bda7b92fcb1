package io.sluice.core.store;

/**
 * A write may or may not have taken effect (a timeout, a lost answer). Nothing it refers to may be
 * deleted; read back to decide, or leave it to recovery and garbage collection.
 */
public class CommitStateUnknownException extends StoreException {
  public CommitStateUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
