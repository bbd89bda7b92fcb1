package io.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The machine a benchmark report ran on: cores, CPU model, memory, JDK, OS and load average. Every
 * report's "Machine" section reads these facts from here.
 */
public final class MachineInfo {
  private MachineInfo() {}

  /** One row of a report's machine table. */
  public record Row(String label, String value) {
    /** This row as a Markdown table row, ending in a newline. */
    public String markdown() {
      return "| " + label + " | " + value + " |\n";
    }
  }

  /** Cores, CPU, memory, JDK and OS, in that order. */
  public static List<Row> rows() {
    return List.of(
        new Row("cores (`nproc`)", cores()),
        new Row("CPU", cpuModel()),
        new Row("memory", memory()),
        new Row("JDK", jdk()),
        new Row("OS", os()));
  }

  /**
   * A report's opening sentence: which script and class wrote it, when (UTC, to the minute), and
   * how long the run took.
   */
  public static String writtenBy(String script, Class<?> bench, Duration took) {
    return "Written by `bench/%s` (`%s`) on %s UTC; the run took %d s."
        .formatted(
            script,
            bench.getName(),
            ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
            took.toSeconds());
  }

  /**
   * A report's "Machine" section: its heading, {@link #rows()}, the max heap and the load averages
   * at the start (given) and now, each line ending in a newline, then an empty line.
   */
  public static String markdownSection(String startLoad) {
    return "## Machine\n\n| what | value |\n| --- | --- |\n"
        + markdownRows()
        + "| max heap | "
        + maxHeap()
        + " |\n| load average (1, 5, 15 min) at the start | "
        + startLoad
        + " |\n| load average at the end | "
        + loadAverage()
        + " |\n\n";
  }

  /** {@link #rows()} as Markdown table rows (no header). */
  public static String markdownRows() {
    StringBuilder md = new StringBuilder();
    rows().forEach(row -> md.append(row.markdown()));
    return md.toString();
  }

  /** The output of {@code nproc}, or the JVM's available processors when it cannot be run. */
  /** The file system a directory is on, as {@code type (device)}; {@code unknown} if unreadable. */
  public static String fileSystem(Path directory) {
    try {
      FileStore store = Files.getFileStore(directory);
      return store.type() + " (" + store.name() + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }

  public static String cores() {
    String command = run("nproc");
    return command == null
        ? Runtime.getRuntime().availableProcessors() + " (availableProcessors)"
        : command;
  }

  /** The CPU model from {@code /proc/cpuinfo}, or "unknown". */
  public static String cpuModel() {
    List<String> lines = readLines("/proc/cpuinfo");
    for (String key : List.of("model name", "Hardware", "cpu model", "Processor")) {
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return line.substring(colon + 1).trim();
        }
      }
    }
    return "unknown";
  }

  /** {@code MemTotal} from {@code /proc/meminfo} in GiB, or "unknown". */
  public static String memory() {
    for (String line : readLines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
        try {
          double gib = Long.parseLong(parts[0]) / 1024.0 / 1024.0;
          return String.format(Locale.ROOT, "%.1f GiB", gib);
        } catch (NumberFormatException e) {
          return line;
        }
      }
    }
    return "unknown";
  }

  /** The running JVM's name and version. */
  public static String jdk() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
  }

  /** OS name and version. */
  public static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.version");
  }

  /** The JVM's maximum heap in MiB. */
  public static String maxHeap() {
    return Runtime.getRuntime().maxMemory() / 1024 / 1024 + " MiB";
  }

  /** The 1, 5 and 15 minute load averages, space separated, or "unknown". */
  public static String loadAverage() {
    List<String> lines = readLines("/proc/loadavg");
    if (lines.isEmpty()) {
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
    }
    String[] parts = lines.get(0).trim().split("\\s+");
    return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : lines.get(0).trim();
  }

  private static List<String> readLines(String path) {
    try {
      return Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out;
      try (InputStream in = process.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      return process.waitFor() == 0 && !out.isEmpty() ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
