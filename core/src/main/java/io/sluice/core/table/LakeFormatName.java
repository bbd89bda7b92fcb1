package io.sluice.core.table;

import java.util.Locale;

/** The lake formats a table can be tiered into. */
public enum LakeFormatName {
  PAIMON,
  ICEBERG;

  /** The lower-case name used in the API and in configuration. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code paimon} or {@code iceberg}, case-insensitively.
   *
   * @throws IllegalArgumentException naming the value when it is neither
   */
  public static LakeFormatName parse(String name) {
    for (LakeFormatName format : values()) {
      if (format.apiName().equalsIgnoreCase(name.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown lake format '" + name + "' (expected paimon or iceberg)");
  }
}
