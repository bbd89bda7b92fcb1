package io.sluice.core.table;

import java.util.List;

/** A table definition has problems; the message lists all of them (HTTP 400). */
public class InvalidDefinitionException extends IllegalArgumentException {
  private final List<String> problems;

  public InvalidDefinitionException(String subject, List<String> problems) {
    super(subject + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
