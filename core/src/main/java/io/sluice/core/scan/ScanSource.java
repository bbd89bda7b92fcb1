package io.sluice.core.scan;

import io.sluice.core.service.InvalidParameterException;
import java.util.Locale;

/** What a scan reads: the lake plus the log tail, the lake only, or only what the log holds. */
public enum ScanSource {
  UNION,
  LAKE,
  LOG;

  /** The lower-case name of the API. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code union}, {@code lake} or {@code log}.
   *
   * @throws InvalidParameterException naming the value otherwise
   */
  public static ScanSource ofName(String name) {
    for (ScanSource source : values()) {
      if (source.apiName().equalsIgnoreCase(name.trim())) {
        return source;
      }
    }
    throw new InvalidParameterException("source must be union, lake or log, not '" + name + "'");
  }
}
