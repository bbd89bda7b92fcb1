package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sections of a report that another benchmark writes: each between {@code <!-- section: name -->}
 * and {@code <!-- /section: name -->}, so that two benchmarks can share one report and each rewrite
 * only its own part.
 */
public final class ReportSections {
  private static final Pattern SECTION =
      Pattern.compile("<!-- section: ([\\w-]+) -->\\n.*?<!-- /section: \\1 -->\\n", Pattern.DOTALL);

  private ReportSections() {}

  /**
   * Writes {@code markdown} as section {@code name} of {@code report}: in place of the section of
   * that name if the report has one, else at its end (a new report if there is none).
   */
  public static void write(Path report, String name, String markdown) throws IOException {
    String section =
        "<!-- section: " + name + " -->\n" + markdown + "<!-- /section: " + name + " -->\n";
    String text = Files.exists(report) ? Files.readString(report) : "";
    Matcher m = SECTION.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        Files.writeString(report, text.substring(0, m.start()) + section + text.substring(m.end()));
        return;
      }
    }
    String separator =
        text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
    Files.writeString(report, text + separator + section);
  }

  /**
   * Every section another benchmark wrote into {@code report}, with its markers, in order: what a
   * benchmark that rewrites the whole report appends so as to keep them. Empty when there is none.
   */
  public static String kept(Path report) throws IOException {
    if (!Files.exists(report)) {
      return "";
    }
    StringBuilder kept = new StringBuilder();
    Matcher m = SECTION.matcher(Files.readString(report));
    while (m.find()) {
      kept.append('\n').append(m.group());
    }
    return kept.toString();
  }
}
