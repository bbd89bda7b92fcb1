package io.sluice.core.metadata;

/**
 * How far the scheduled sweeps of a table's log got, as plan keys (which sort by creation time):
 * every plan below {@code recoveredUpTo} is settled (done or aborted), the objects of every plan
 * below {@code objectsCollectedUpTo} are deleted or still needed by nothing, every plan below
 * {@code plansCollectedUpTo} is deleted, and every object below {@code orphansListedUpTo} was
 * listed once. A hint that saves reading history again: losing it costs a re-read, never a row.
 */
public record SweepState(
    String tableId,
    String recoveredUpTo,
    String objectsCollectedUpTo,
    String plansCollectedUpTo,
    String orphansListedUpTo) {

  /** The state of a table no sweep has visited yet. */
  public static SweepState initial(String tableId) {
    return new SweepState(tableId, "", "", "", "");
  }

  public SweepState withRecoveredUpTo(String key) {
    return new SweepState(
        tableId, key, objectsCollectedUpTo, plansCollectedUpTo, orphansListedUpTo);
  }

  public SweepState withObjectsCollectedUpTo(String key) {
    return new SweepState(tableId, recoveredUpTo, key, plansCollectedUpTo, orphansListedUpTo);
  }

  public SweepState withPlansCollectedUpTo(String key) {
    return new SweepState(tableId, recoveredUpTo, objectsCollectedUpTo, key, orphansListedUpTo);
  }

  public SweepState withOrphansListedUpTo(String key) {
    return new SweepState(tableId, recoveredUpTo, objectsCollectedUpTo, plansCollectedUpTo, key);
  }
}
