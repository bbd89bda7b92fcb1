package io.sluice.core.service;

/**
 * A write refused because of the partition one of its rows falls in: expired ({@code
 * PARTITION_EXPIRED}) or one too many ({@code PARTITION_LIMIT}); HTTP 409, nothing written.
 */
public class PartitionRejectedException extends RuntimeException {

  /** Why the partition was refused, with its API code. */
  public enum Reason {
    EXPIRED("PARTITION_EXPIRED"),
    LIMIT("PARTITION_LIMIT");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The API error code. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;
  private final int row;

  public PartitionRejectedException(Reason reason, int row, String message) {
    super(message);
    this.reason = reason;
    this.row = row;
  }

  public Reason reason() {
    return reason;
  }

  /** The 1-based row of the body that falls in the refused partition. */
  public int row() {
    return row;
  }
}
