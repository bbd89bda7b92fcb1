package io.sluice.lake.paimon;

import io.sluice.core.lake.LakeLocks;
import java.util.concurrent.Callable;
import org.apache.paimon.catalog.CatalogLock;
import org.apache.paimon.catalog.CatalogLockContext;
import org.apache.paimon.catalog.CatalogLockFactory;

/**
 * Paimon's catalog lock as a {@link LakeLocks} lock, one per table, named {@value #PREFIX}{@code
 * <database>.<table>}. Paimon takes it around every snapshot commit (the write of snapshot {@code
 * n} if it is absent) and every schema change of a table whose warehouse is on an object store,
 * where that write is not atomic.
 *
 * <p>Paimon declares its lock factories serializable for engines that ship tables to workers;
 * Sluice never does, and a deserialized copy has no locks and refuses to lock.
 */
final class PaimonCommitLock implements CatalogLockFactory {
  private static final long serialVersionUID = 1L;

  /** The prefix of the lock names. */
  static final String PREFIX = "paimon-lock:";

  private final transient LakeLocks locks;

  PaimonCommitLock(LakeLocks locks) {
    this.locks = locks;
  }

  /** The name of the lock of a table. */
  static String name(String database, String table) {
    return PREFIX + database + "." + table;
  }

  @Override
  public String identifier() {
    return "sluice";
  }

  @Override
  public CatalogLock createLock(CatalogLockContext context) {
    return new CatalogLock() {
      @Override
      public <T> T runWithLock(String database, String table, Callable<T> callable)
          throws Exception {
        if (locks == null) {
          throw new IllegalStateException(
              "Cannot lock Paimon table "
                  + database
                  + "."
                  + table
                  + ": this lock factory was deserialized and has no metadata store");
        }
        return locks.callWithLock(name(database, table), callable);
      }

      @Override
      public void close() {}
    };
  }
}
