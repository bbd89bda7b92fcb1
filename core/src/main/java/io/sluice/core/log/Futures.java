package io.sluice.core.log;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joins futures of store calls, rethrowing what the call threw rather than a wrapper. */
final class Futures {
  private Futures() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
