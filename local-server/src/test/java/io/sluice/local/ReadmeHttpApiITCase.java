package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the curl commands of the README's "The HTTP API" against the test server, as a reader would
 * paste them, and checks that each succeeds and answers what it promises.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class ReadmeHttpApiITCase {
  static final Path README = Path.of("..", "README.md");
  static final String HTTP_API = "The HTTP API";
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern FENCE = Pattern.compile("^```\\s*(sh|bash|shell|console)?\\s*$");
  private static final Pattern URL = Pattern.compile("https?://[^\\s'\"]+");
  private static final Pattern METHOD = Pattern.compile("(?:-X|--request)\\s+([A-Za-z]+)");
  private static final Pattern INLINE_BODY =
      Pattern.compile("(?:-d|--data|--data-raw|--data-binary)\\s+'([^']*)'", Pattern.DOTALL);
  private static final Pattern BUCKET_PATH = Pattern.compile("/buckets/(\\d+)/");
  private static final Pattern TABLE_PATH = Pattern.compile("/v1/tables/([^/?\\s]+)");

  @TestHTTPResource("/")
  URI base;

  @Test
  void theQuickStartCommandsWork() throws Exception {
    assertThat(README)
        .as("the repository README (%s from the module directory)", README.toAbsolutePath())
        .isRegularFile();
    List<String> block = shellBlock(Files.readAllLines(README, StandardCharsets.UTF_8), HTTP_API);
    List<String> commands = curlCommands(block);
    if (commands.isEmpty()) {
      fail(
          "README.md: the shell block under \"The HTTP API\" has no curl command; expected curl"
              + " commands against http://localhost:8080 that create a table, write rows and read"
              + " them. The block is:%n%s",
          String.join("\n", block));
    }
    String hostPort = base.getHost() + ":" + base.getPort();
    Map<String, List<JsonNode>> written = new HashMap<>();
    Map<String, Map<Integer, Long>> acknowledged = new HashMap<>();
    boolean created = false;
    boolean wrote = false;
    boolean read = false;
    for (String readme : commands) {
      String command =
          readme.replace("localhost:8080", hostPort).replace("127.0.0.1:8080", hostPort);
      String output = run(command);
      Matcher url = URL.matcher(command);
      if (!url.find()) {
        continue;
      }
      String path = URI.create(url.group()).getPath();
      String method = method(command);
      Matcher tableMatch = TABLE_PATH.matcher(path);
      String table = tableMatch.find() ? tableMatch.group(1) : "";
      if (method.equals("PUT") && path.matches("/v1/tables/[^/]+")) {
        assertThat(output).as("output of %s", readme).contains("\"tableId\"");
        created = true;
      } else if (method.equals("POST") && path.endsWith("/rows")) {
        JsonNode answer = json(readme, output);
        assertThat(answer.path("rows").asLong())
            .as("rows written by %s: %s", readme, output)
            .isPositive();
        for (JsonNode part : answer.path("buckets")) {
          acknowledged
              .computeIfAbsent(table, t -> new TreeMap<>())
              .merge(part.path("bucket").asInt(), part.path("count").asLong(), Long::sum);
        }
        written.computeIfAbsent(table, t -> new ArrayList<>()).addAll(inlineRows(command));
        wrote = true;
      } else if (method.equals("POST") && path.equals("/v1/sql")) {
        JsonNode answer = json(readme, output);
        long sent = written.values().stream().mapToLong(List::size).sum();
        assertThat(answer.isArray() && answer.size() == 1)
            .as("one result row from %s: %s", readme, output)
            .isTrue();
        assertThat(answer.get(0).elements().next().asLong())
            .as("the first column (a COUNT) of %s: %s", readme, output)
            .isEqualTo(sent);
      } else if (method.equals("GET") && path.endsWith("/records")) {
        Matcher bucketMatch = BUCKET_PATH.matcher(path);
        int bucket = bucketMatch.find() ? Integer.parseInt(bucketMatch.group(1)) : -1;
        Map<Integer, Long> acks = acknowledged.getOrDefault(table, Map.of());
        List<JsonNode> rows = rows(readme, output);
        assertThat(rows)
            .as(
                "rows read by%n  %s%nThe writes before it put rows into buckets (bucket=rows) %s;"
                    + " a read of bucket %d returns the rows written only if the write put some"
                    + " there",
                readme, acks, bucket)
            .isNotEmpty();
        if (!url.group().contains("from=") || url.group().contains("from=0")) {
          assertThat((long) rows.size())
              .as("rows of bucket %d read by %s (the writes acknowledged %s)", bucket, readme, acks)
              .isEqualTo(acks.getOrDefault(bucket, 0L));
        }
        List<JsonNode> sent = written.getOrDefault(table, List.of());
        if (!sent.isEmpty()) {
          for (JsonNode got : rows) {
            assertThat(sent)
                .as("the row read %s is one of the rows written by the HTTP API section", got)
                .anySatisfy(s -> assertThat(contains(got, s)).isTrue());
          }
        }
        read = true;
      }
    }
    assertThat(created)
        .as("the HTTP API section creates a table (curl -X PUT .../v1/tables/<name>)")
        .isTrue();
    assertThat(wrote)
        .as("the HTTP API section writes rows (curl ... /v1/tables/<name>/rows)")
        .isTrue();
    assertThat(read)
        .as("the HTTP API section reads rows (curl .../v1/tables/<name>/buckets/<b>/records)")
        .isTrue();
  }

  /** The lines of the first shell block under a heading (matched ignoring case). */
  static List<String> shellBlock(List<String> lines, String title) {
    int heading = -1;
    int level = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = HEADING.matcher(lines.get(i));
      if (m.matches() && m.group(2).equalsIgnoreCase(title)) {
        heading = i;
        level = m.group(1).length();
        break;
      }
    }
    if (heading < 0) {
      fail(
          "README.md has no heading \"%s\" (e.g. \"## %s\"); expected one followed by a ```sh"
              + " block of commands against http://localhost:8080 that create a table, write rows"
              + " and read them back",
          title, title);
    }
    for (int i = heading + 1; i < lines.size(); i++) {
      Matcher h = HEADING.matcher(lines.get(i));
      if (h.matches() && h.group(1).length() <= level) {
        break;
      }
      if (FENCE.matcher(lines.get(i).trim()).matches()) {
        List<String> block = new ArrayList<>();
        for (int j = i + 1; j < lines.size(); j++) {
          if (lines.get(j).trim().startsWith("```")) {
            return block;
          }
          block.add(lines.get(j));
        }
        fail("README.md: the code block under \"%s\" (line %d) is never closed", title, i + 1);
      }
    }
    return fail(
        "README.md: the \"%s\" section (line %d) has no ```sh code block with its commands",
        title, heading + 1);
  }

  /** The curl commands of a block, continuation lines joined, comments and prompts dropped. */
  static List<String> curlCommands(List<String> block) {
    List<String> commands = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : block) {
      String line = raw.stripTrailing();
      if (current.length() == 0) {
        line = line.strip();
        if (line.startsWith("$ ")) {
          line = line.substring(2);
        }
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String command = current.toString().strip();
      current.setLength(0);
      if (command.startsWith("curl ")) {
        commands.add(command);
      }
    }
    return commands;
  }

  private static String run(String command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("quickstart", ".out");
    Path err = Files.createTempFile("quickstart", ".err");
    try {
      Process process =
          new ProcessBuilder("bash", "-c", command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("README command did not finish within 30 s: %s", command);
      }
      String stdout = Files.readString(out);
      String stderr = Files.readString(err);
      assertThat(process.exitValue())
          .as("exit code of%n  %s%nstdout: %s%nstderr: %s", command, stdout, stderr)
          .isZero();
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String method(String command) {
    Matcher m = METHOD.matcher(command);
    if (m.find()) {
      return m.group(1).toUpperCase(Locale.ROOT);
    }
    return command.matches("(?s).*\\s(-d|--data[-a-z]*|-F|--form|-T)\\s.*") ? "POST" : "GET";
  }

  private static JsonNode json(String command, String output) {
    try {
      return SluiceHttp.MAPPER.readTree(output);
    } catch (IOException e) {
      throw new AssertionError("The output of " + command + " is not JSON: " + output, e);
    }
  }

  /** Rows of a read's output: a JSON array or NDJSON lines. */
  private static List<JsonNode> rows(String command, String output) {
    List<JsonNode> rows = new ArrayList<>();
    String text = output.strip();
    if (text.startsWith("[")) {
      json(command, text).forEach(rows::add);
    } else {
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          rows.add(json(command, line));
        }
      }
    }
    rows.forEach(
        row ->
            assertThat(row.has("_offset"))
                .as("each row read by %s has _offset: %s", command, row)
                .isTrue());
    return rows;
  }

  /** The rows of a write's inline body, if it has one in single quotes. */
  private static List<JsonNode> inlineRows(String command) {
    Matcher m = INLINE_BODY.matcher(command);
    if (!m.find()) {
      return List.of();
    }
    String body = m.group(1).strip();
    List<JsonNode> rows = new ArrayList<>();
    try {
      if (body.startsWith("[")) {
        SluiceHttp.MAPPER.readTree(body).forEach(rows::add);
      } else {
        for (String line : body.split("\n")) {
          if (!line.isBlank()) {
            rows.add(SluiceHttp.MAPPER.readTree(line));
          }
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return rows;
  }

  /** Whether a row read back holds every value of a row written (numbers by value). */
  private static boolean contains(JsonNode got, JsonNode sent) {
    for (var it = sent.fields(); it.hasNext(); ) {
      var field = it.next();
      JsonNode value = got.get(field.getKey());
      if (value == null) {
        return false;
      }
      JsonNode expected = field.getValue();
      if (expected.isNull() ? !value.isNull() : !sameValue(value, expected)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameValue(JsonNode got, JsonNode sent) {
    if (got.asText().equals(sent.asText())) {
      return true;
    }
    try {
      return new BigDecimal(got.asText()).compareTo(new BigDecimal(sent.asText())) == 0;
    } catch (NumberFormatException e) {
      // not numbers
    }
    try {
      return LocalDateTime.parse(got.asText()).equals(LocalDateTime.parse(sent.asText()));
    } catch (DateTimeParseException e) {
      // not local date-times
    }
    try {
      return OffsetDateTime.parse(got.asText())
          .toInstant()
          .equals(OffsetDateTime.parse(sent.asText()).toInstant());
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
