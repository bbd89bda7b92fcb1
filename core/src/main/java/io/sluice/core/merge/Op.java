package io.sluice.core.merge;

import java.util.Locale;

/** What a row written to a primary-key table asks for, named by its {@code _op} field. */
public enum Op {
  UPSERT,
  DELETE;

  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses an {@code _op} value.
   *
   * @throws IllegalArgumentException naming the value when it is neither upsert nor delete
   */
  public static Op parse(String name) {
    for (Op op : values()) {
      if (op.apiName().equals(name)) {
        return op;
      }
    }
    throw new IllegalArgumentException("expected \"upsert\" or \"delete\", got \"" + name + "\"");
  }
}
