package io.sluice.core.table;

import java.util.Locale;

/** How a primary-key table merges rows with the same key. */
public enum MergeEngine {
  LAST_ROW,
  FIRST_ROW,
  VERSIONED,
  AGGREGATION;

  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses an API merge engine name.
   *
   * @throws IllegalArgumentException naming the value when it is unknown
   */
  public static MergeEngine parse(String name) {
    for (MergeEngine engine : values()) {
      if (engine.apiName().equalsIgnoreCase(name.trim())) {
        return engine;
      }
    }
    throw new IllegalArgumentException(
        "unknown merge engine '"
            + name
            + "' (expected last_row, first_row, versioned or aggregation)");
  }
}
