package io.sluice.client;

import java.util.Locale;

/** What a {@link TableRecord} does to its table, as API.md's {@code _change_type} names it. */
public enum ChangeType {
  /** A new row: every row of a log table, every row of a back-fill. */
  INSERT,
  /** A primary-key row as it was before an update. */
  UPDATE_BEFORE,
  /** A primary-key row as it is after an update. */
  UPDATE_AFTER,
  /** A primary-key row removed (the record holds the row as it was). */
  DELETE;

  /** The name in the API's {@code _change_type} column, such as {@code update_after}. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The change type of an API name. */
  static ChangeType ofApiName(String name) {
    for (ChangeType type : values()) {
      if (type.apiName().equals(name)) {
        return type;
      }
    }
    throw new IllegalArgumentException("Cannot read change type '" + name + "': unknown");
  }
}
