package io.sluice.core.write;

/**
 * The group a write was in could not be applied, because another plan holds one of its members'
 * idempotency keys; nothing of the group is visible. The write itself may be tried again: its key
 * may now be answered by the plan that holds it.
 */
public class GroupAbortedException extends RuntimeException {
  public GroupAbortedException(String message) {
    super(message, null, false, false);
  }
}
