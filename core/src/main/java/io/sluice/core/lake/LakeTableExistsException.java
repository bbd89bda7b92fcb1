package io.sluice.core.lake;

/**
 * A lake table with this name is left from an earlier incarnation of the Sluice table (HTTP 409
 * LAKE_TABLE_EXISTS): drop it with {@code ?purgeLake=true} first.
 */
public class LakeTableExistsException extends RuntimeException {
  public LakeTableExistsException(String message) {
    super(message);
  }
}
