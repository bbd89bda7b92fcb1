package io.sluice.core.log;

import io.sluice.core.metadata.TableBucket;

/** Told about commit events worth counting: conflicts with other writers. */
@FunctionalInterface
public interface CommitObserver {
  CommitObserver NONE = bucket -> {};

  /** An append to a bucket found its head moved by another writer and will retry. */
  void conflict(TableBucket bucket);
}
