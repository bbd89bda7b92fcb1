package io.sluice.core.access;

import java.util.Locale;

/** What a caller may do to a table: read it, write rows to it, or administer it (which is all). */
public enum Permission {
  READ,
  WRITE,
  ADMIN;

  /** The name in a grants file and in messages: {@code read}, {@code write}, {@code admin}. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
