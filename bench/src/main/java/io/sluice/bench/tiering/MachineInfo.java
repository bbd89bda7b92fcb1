package io.sluice.bench.tiering;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The machine a report ran on. The ingest benchmark's helper ({@code IngestReport#machine}) is
 * private to its report, so the same facts are read here.
 */
final class MachineInfo {
  private MachineInfo() {}

  /** Markdown table rows: cores, CPU, memory, JDK, OS. */
  static String markdownRows() {
    return "| cores (`nproc`) | "
        + Runtime.getRuntime().availableProcessors()
        + " |\n| CPU | "
        + procField("/proc/cpuinfo", "model name").orElse("unknown")
        + " |\n| memory | "
        + procField("/proc/meminfo", "MemTotal")
            .map(
                v ->
                    String.format(
                        Locale.ROOT,
                        "%.1f GiB",
                        Long.parseLong(v.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
            .orElse("unknown")
        + " |\n| JDK | "
        + System.getProperty("java.vm.name")
        + " "
        + System.getProperty("java.runtime.version")
        + " |\n| OS | "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + " |\n| max heap | "
        + Runtime.getRuntime().maxMemory() / 1024 / 1024
        + " MiB |\n";
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static Optional<String> procField(String file, String field) {
    try {
      return Files.readAllLines(Path.of(file)).stream()
          .filter(l -> l.startsWith(field))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
