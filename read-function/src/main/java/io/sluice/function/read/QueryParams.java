package io.sluice.function.read;

import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.table.LakeFormatName;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads the read API's query parameters, answering 400 with the parameter's name when bad. */
final class QueryParams {
  private QueryParams() {}

  /** A whole number. */
  static long number(String name, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidParameterException(name + " must be a whole number, not '" + value + "'");
    }
  }

  /** A comma-separated column list; empty when absent or blank. */
  static Optional<List<String>> columns(String value) {
    return Optional.ofNullable(value)
        .filter(c -> !c.isBlank())
        .map(c -> Arrays.stream(c.split(",")).map(String::trim).toList());
  }

  /** A lake format name; empty when absent or blank. */
  static Optional<LakeFormatName> lakeFormat(String lake) {
    if (lake == null || lake.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LakeFormatName.parse(lake));
    } catch (IllegalArgumentException e) {
      throw new InvalidParameterException("lake: " + e.getMessage());
    }
  }
}
