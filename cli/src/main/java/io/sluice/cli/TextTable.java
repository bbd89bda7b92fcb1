package io.sluice.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows printed as an aligned table: a header, a rule, then the rows; numbers right-aligned. */
final class TextTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private final boolean[] numeric;

  TextTable(List<String> header) {
    this.header = List.copyOf(header);
    this.numeric = new boolean[header.size()];
    Arrays.fill(numeric, true);
  }

  /** Adds a row of values (null prints as {@code null}). */
  TextTable add(List<?> values) {
    List<String> cells = new ArrayList<>(header.size());
    for (int i = 0; i < header.size(); i++) {
      Object value = i < values.size() ? values.get(i) : null;
      String text = value == null ? "null" : value.toString();
      if (value != null && !(value instanceof Number) && !text.matches("-?[0-9][0-9.,]*")) {
        numeric[i] = false;
      }
      cells.add(text);
    }
    rows.add(cells);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    out.println(line(header, widths, new boolean[widths.length]));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
    }
    out.println(rule);
    for (List<String> row : rows) {
      out.println(line(row, widths, numeric));
    }
  }

  private static String line(List<String> cells, int[] widths, boolean[] right) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      String pad = " ".repeat(widths[i] - cell.length());
      line.append(i == 0 ? "" : "  ");
      if (right[i]) {
        line.append(pad).append(cell);
      } else {
        line.append(cell);
        if (i < cells.size() - 1) {
          line.append(pad);
        }
      }
    }
    return line.toString();
  }
}
