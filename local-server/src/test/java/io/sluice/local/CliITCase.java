package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.local.CliRun.Result;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sluice} command line against the test server: the README's Quick start commands as a
 * reader pastes them, every file format it writes, a bad file, and the launcher itself.
 */
@QuarkusTest
@TestProfile(CliITCase.Profile.class)
class CliITCase {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String QUICK_START = "Quick start";
  private static final Pattern WROTE = Pattern.compile("Wrote ([0-9,]+) rows to (\\S+) ");
  private static final Pattern WRITTEN_IN_ALL = Pattern.compile("([0-9,]+) rows written in all");

  /** The embedded shape with a data directory of its own, so the README's table is new here. */
  public static class Profile extends EmbeddedProfile {}

  @TestHTTPResource("/")
  URI base;

  @TempDir Path dir;

  @Test
  void theQuickStartCommandsWork() throws Exception {
    List<String> block =
        ReadmeHttpApiITCase.shellBlock(
            Files.readAllLines(ReadmeHttpApiITCase.README, StandardCharsets.UTF_8), QUICK_START);
    List<List<String>> commands = new ArrayList<>();
    for (String line : block) {
      String command = line.replaceFirst("\\s+#.*$", "").strip();
      if (command.startsWith("./sluice ")) {
        commands.add(CliRun.words(command.substring("./sluice ".length())));
      }
    }
    assertThat(commands)
        .as("the ./sluice commands of the README's Quick start block:%n%s", block)
        .extracting(c -> c.get(0))
        .contains("create", "write", "describe", "tail", "tier", "sql");

    long written = 0;
    List<String> csvRows = List.of();
    for (List<String> command : commands) {
      Result result = run(command);
      assertThat(result.exitCode())
          .as("./sluice %s%nstdout: %s%nstderr: %s", command, result.out(), result.err())
          .isZero();
      String output = result.out();
      switch (command.get(0)) {
        case "create" -> assertThat(output).startsWith("Table default.orders:");
        case "write" -> {
          csvRows = dataLines(ROOT.resolve(command.get(command.size() - 1)));
          Matcher wrote = WROTE.matcher(output);
          assertThat(wrote.find()).as("the summary of %s: %s", command, output).isTrue();
          written += count(wrote.group(1));
          assertThat(written).as("rows written, as the file has").isEqualTo(csvRows.size());
        }
        case "describe" -> {
          Matcher total = WRITTEN_IN_ALL.matcher(output);
          assertThat(total.find()).as("describe's total: %s", output).isTrue();
          assertThat(count(total.group(1))).isEqualTo(written);
          assertThat(output).contains("order_id", "decimal(12,2)", "HIGH WATERMARK");
        }
        case "tail" -> {
          TreeSet<Long> ids = new TreeSet<>();
          List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
          for (String line : lines) {
            ids.add(SluiceHttp.MAPPER.readTree(line).path("order_id").asLong());
          }
          assertThat(lines).as("tail prints every row once: %s", output).hasSize((int) written);
          assertThat(ids).hasSize((int) written);
        }
        case "tier" -> assertThat(output).contains("paimon snapshot", "iceberg snapshot");
        case "sql" -> assertThat(output).contains(" " + written + " ").contains("(1 row)");
        default -> {}
      }
    }
    // Everything is in the lake and the table reads the same through the union read.
    Result tail = run(List.of("tail", "orders"));
    assertThat(tail.out().lines().filter(l -> !l.isBlank())).hasSize((int) written);
  }

  @Test
  void aBadFileIsRefusedNamingItsLineAndColumnAndNothingIsWritten() throws Exception {
    createTable("bad_file");
    Path file =
        Files.writeString(
            dir.resolve("bad.csv"),
            "order_id,customer,amount\n1,ada,1.00\n2,grace,lots\n3,edsger,3.00\n");
    Result result = run(List.of("write", "bad_file", file.toString()));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo(
            "sluice write: Cannot write %s to default.bad_file: %s line 3: column amount expects"
                + " decimal(12,2), not 'lots'; nothing was written",
            file, file);
    assertThat(totalRows("bad_file")).isZero();

    Result missing = run(List.of("write", "bad_file", dir.resolve("none.csv").toString()));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("none.csv: no such file");
  }

  @Test
  void csvNdjsonJsonParquetAndStandardInputAreWritten() throws Exception {
    createTable("formats");
    Path csv = Files.writeString(dir.resolve("a.csv"), "order_id,amount\n1,1.50\n2,\n");
    Path ndjson =
        Files.writeString(
            dir.resolve("b.ndjson"),
            "{\"order_id\": 3, \"t\": \"2026-11-25T08:00:00\"}\n{\"order_id\": 4}\n");
    Path json = Files.writeString(dir.resolve("c.json"), "[{\"order_id\": 5, \"amount\": 2.5}]");
    Path parquet = dir.resolve("d.parquet");
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute(
          "COPY (SELECT range + 6 AS order_id, 'p' || range AS customer FROM range(3)) TO '"
              + parquet
              + "' (FORMAT parquet)");
    }
    Result files =
        run(
            List.of(
                "write",
                "formats",
                csv.toString(),
                ndjson.toString(),
                json.toString(),
                parquet.toString()));
    assertThat(files.exitCode()).as(files.err()).isZero();
    assertThat(files.out()).startsWith("Wrote 8 rows to default.formats");

    Result stdin =
        CliRun.run(environment(), ROOT, "{\"order_id\": 9}\n", List.of("write", "formats", "-"));
    assertThat(stdin.exitCode()).as(stdin.err()).isZero();
    assertThat(stdin.out()).startsWith("Wrote 1 rows to default.formats");

    Result sql =
        run(List.of("sql", "--format", "csv", "SELECT order_id, amount FROM formats ORDER BY 1"));
    assertThat(sql.out().lines())
        .containsExactly(
            "order_id,amount", "1,1.50", "2,", "3,", "4,", "5,2.50", "6,", "7,", "8,", "9,");
    Result tables = run(List.of("tables"));
    assertThat(tables.out()).contains("default.formats");
  }

  @Test
  void theLauncherRunsTheCommandLine() throws Exception {
    createTable("launched");
    ProcessBuilder launcher =
        new ProcessBuilder(ROOT.resolve("sluice").toString(), "describe", "launched")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile());
    launcher.environment().put("SLUICE_ENDPOINT", base.toString());
    Process process = launcher.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(dir.resolve("out.txt"));
    assertThat(process.exitValue()).as(output).isEqualTo(0);
    assertThat(output).contains("Table default.launched");
  }

  private void createTable(String name) throws IOException {
    Result created =
        run(
            List.of(
                "create", name, "--definition", ROOT.resolve("examples/orders.json").toString()));
    assertThat(created.exitCode()).as(created.err()).isZero();
  }

  private long totalRows(String table) throws IOException {
    Result count = run(List.of("sql", "--format", "json", "SELECT COUNT(*) AS n FROM " + table));
    assertThat(count.exitCode()).as(count.err()).isZero();
    JsonNode row = SluiceHttp.MAPPER.readTree(count.out());
    return row.path("n").asLong();
  }

  private Result run(List<String> args) {
    return CliRun.run(environment(), ROOT, "", args);
  }

  private Map<String, String> environment() {
    return Map.of("SLUICE_ENDPOINT", base.toString());
  }

  private static List<String> dataLines(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
  }

  private static long count(String text) {
    return Long.parseLong(text.replace(",", ""));
  }
}
