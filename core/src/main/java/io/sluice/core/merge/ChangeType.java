package io.sluice.core.merge;

import java.util.Locale;

/** What one changelog record does to its key's row, as Paimon's and Flink's row kinds do. */
public enum ChangeType {
  INSERT,
  UPDATE_BEFORE,
  UPDATE_AFTER,
  DELETE;

  /** The name in the API's {@code _change_type} column. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the record carries the row as it was before the change. */
  public boolean isRetraction() {
    return this == UPDATE_BEFORE || this == DELETE;
  }

  /**
   * Parses an API name.
   *
   * @throws IllegalArgumentException naming the value when it is unknown
   */
  public static ChangeType parse(String name) {
    for (ChangeType type : values()) {
      if (type.apiName().equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "unknown change type '"
            + name
            + "' (expected insert, update_before, update_after, delete)");
  }
}
