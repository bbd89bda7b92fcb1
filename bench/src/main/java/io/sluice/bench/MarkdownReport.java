package io.sluice.bench;

import java.util.Locale;

/** A bench report written as Markdown, line by line. */
public abstract class MarkdownReport {
  protected final StringBuilder out = new StringBuilder();

  /** Appends a line. */
  protected void line(String text) {
    out.append(text).append('\n');
  }

  /** Appends an empty line. */
  protected void line() {
    out.append('\n');
  }

  /** A table row: the label, then the values formatted (in the root locale) into their cells. */
  protected static String row(String label, String format, Object... values) {
    return "| " + label + " | " + String.format(Locale.ROOT, format, values) + " |";
  }
}
