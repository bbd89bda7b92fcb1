package io.sluice.core.log;

/** Told about commit events worth counting: conflicts with other writers. */
@FunctionalInterface
public interface CommitObserver {
  CommitObserver NONE = (tableId, bucket) -> {};

  /** An append to a bucket found its head moved by another writer and will retry. */
  void conflict(String tableId, int bucket);
}
