package io.sluice.core.write;

import io.sluice.core.service.OverloadedException;

/**
 * Bounds the memory writes hold between arriving and being answered: each write reserves its body
 * (and then its decoded rows) before it is read or queued, and a write that would pass the bound is
 * refused at once with nothing written, so memory stays bounded under any load.
 */
public final class WriteBudget {
  private final long limit;
  private long used;

  /** A budget of {@code limit} bytes. */
  public WriteBudget(long limit) {
    this.limit = limit;
  }

  /**
   * Reserves bytes for one write.
   *
   * @throws OverloadedException when the reservation would pass the bound (a write alone is always
   *     admitted, however large, so that no body within the body limit is refused forever)
   */
  public Reservation reserve(long bytes) {
    Reservation reservation = new Reservation();
    reservation.grow(bytes);
    return reservation;
  }

  /** The bytes reserved now. */
  public synchronized long used() {
    return used;
  }

  private synchronized void take(long bytes, long heldByWrite) {
    if (used > heldByWrite && used + bytes > limit) {
      throw new OverloadedException(
          "Cannot take the write now: "
              + used
              + " bytes of writes are queued, the bound is "
              + limit
              + "; retry after a moment");
    }
    used += bytes;
  }

  private synchronized void give(long bytes) {
    used -= bytes;
  }

  /** One write's share of the budget; closing it gives the share back. */
  public final class Reservation implements AutoCloseable {
    private long held;

    private Reservation() {}

    /**
     * Reserves more for the same write (its decoded rows).
     *
     * @throws OverloadedException as {@link WriteBudget#reserve} does
     */
    public synchronized void grow(long bytes) {
      take(bytes, held);
      held += bytes;
    }

    @Override
    public synchronized void close() {
      give(held);
      held = 0;
    }
  }
}
