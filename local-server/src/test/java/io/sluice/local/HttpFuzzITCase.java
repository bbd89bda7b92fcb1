package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 4: a generator of requests over HTTP against the embedded server. Every endpoint
 * of the API gets valid, mutated and nonsense path parameters, query parameters, bodies and SQL;
 * every answer must be a 2xx, or a 4xx whose JSON body carries a code of API.md (never a 5xx, a
 * text page or a hang), and afterwards the table holds exactly the rows of the accepted writes.
 * {@code -Dhttpfuzz.requests} and {@code -Dhttpfuzz.seed} run longer or other campaigns.
 */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class HttpFuzzITCase {
  private static final int REQUESTS = Integer.getInteger("httpfuzz.requests", 1500);
  private static final long SEED = Long.getLong("httpfuzz.seed", 7);
  private static final String TABLE = "fuzzed_http";
  private static final int BUCKETS = 3;

  /** The codes API.md gives, and the two the server adds (README, "Choices made"). */
  private static final Set<String> CODES =
      Set.of(
          "INVALID_NAME",
          "INVALID_DEFINITION",
          "MALFORMED_BODY",
          "SCHEMA_MISMATCH",
          "INVALID_PARAMETER",
          "INVALID_SQL",
          "NOT_SUPPORTED",
          "TABLE_NOT_FOUND",
          "BUCKET_NOT_FOUND",
          "TABLE_EXISTS",
          "IDEMPOTENCY_KEY_REUSED",
          "OFFSET_OUT_OF_RANGE",
          "LAKE_TABLE_EXISTS",
          "PARTITION_EXPIRED",
          "PARTITION_LIMIT",
          "BODY_TOO_LARGE",
          "SCAN_OFFSETS_NOT_FOUND",
          "NOT_FOUND");

  private static final String DEFINITION =
      """
      {"columns": [
        {"name": "id", "type": "bigint", "nullable": false},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "decimal(12,2)"},
        {"name": "t", "type": "timestamp"},
        {"name": "ok", "type": "boolean"}],
       "bucketKey": ["id"], "buckets": %d}
      """
          .formatted(BUCKETS);

  @TestHTTPResource("/")
  URI base;

  private final Random random = new Random(SEED);
  private final List<String> findings = new ArrayList<>();
  private final Map<String, Long> answers = new TreeMap<>();
  private final Map<String, String> keyedBodies = new HashMap<>();
  private long acceptedRows;
  private long nextId;
  private int broken;

  @Test
  void everyAnswerIsASuccessOrACallersErrorAndTheTableHoldsWhatWasAccepted() {
    SluiceHttp http = new SluiceHttp(base);
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + TABLE, DEFINITION);
    assertThat(created.status()).as("%s", created).isEqualTo(201);

    List<Supplier<SluiceHttp.Answer>> requests =
        List.of(
            () -> write(http),
            () -> write(http),
            () -> write(http),
            () -> records(http),
            () -> scan(http),
            () -> sql(http),
            () -> sql(http),
            () -> tables(http),
            () -> misc(http));
    for (int i = 0; i < REQUESTS; i++) {
      // Half the requests are valid; each other one breaks one of its parts.
      broken = random.nextBoolean() ? -1 : random.nextInt(6);
      SluiceHttp.Answer answer = requests.get(random.nextInt(requests.size())).get();
      check(answer);
    }
    System.out.printf(
        "[httpfuzz] seed %d, %d requests, answers %s, rows accepted %d%n",
        SEED, REQUESTS, answers, acceptedRows);
    assertThat(findings).as("answers outside the contract").isEmpty();

    long held = 0;
    for (int b = 0; b < BUCKETS; b++) {
      SluiceHttp.Answer page =
          http.get("/v1/tables/" + TABLE + "/buckets/" + b + "/records?limit=1");
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      held += page.longHeader("Sluice-High-Watermark");
    }
    assertThat(held).as("rows in the log: those of the accepted writes").isEqualTo(acceptedRows);
  }

  private void check(SluiceHttp.Answer answer) {
    if (answer.status() < 400) {
      answers.merge(answer.status() / 100 + "xx", 1L, Long::sum);
      return;
    }
    String code = null;
    try {
      code = answer.errorCode();
    } catch (AssertionError notJson) {
      // reported below
    }
    if (answer.status() >= 500 || code == null || !CODES.contains(code)) {
      findings.add(
          answer + ": " + answer.text().substring(0, Math.min(300, answer.text().length())));
    }
    answers.merge(answer.status() + " " + code, 1L, Long::sum);
  }

  // ---- writes ----

  private SluiceHttp.Answer write(SluiceHttp http) {
    int rows = 1 + random.nextInt(20);
    long first = nextId;
    StringBuilder body = new StringBuilder("[");
    for (int r = 0; r < rows; r++) {
      body.append(r == 0 ? "" : ",")
          .append(
              "{\"id\": %d, \"name\": %s, \"amount\": %s, \"t\": %s, \"ok\": %s}"
                  .formatted(
                      first + r,
                      pick("\"n\"", "null", "\"\"", "\"ünï\""),
                      pick("\"12.50\"", "3", "\"-0.01\"", "null", "\"1e3\""),
                      pick("\"2026-12-08T10:00:00\"", "null", "\"2026-12-08T10:00:00Z\""),
                      pick("true", "false", "null")));
    }
    String valid = body.append(']').toString();
    boolean mutated = broken == 1;
    String sent = mutated ? mutate(valid) : valid;
    String type = part(2, valid(SluiceHttp.JSON, SluiceHttp.NDJSON), "text/plain", "");
    if (type.equals(SluiceHttp.NDJSON)) {
      sent = sent.replaceAll("^\\[|\\]$", "").replace("},{", "}\n{");
    }
    Map<String, String> headers = new HashMap<>();
    String key = null;
    if (random.nextBoolean()) {
      key = keyedBodies.isEmpty() || random.nextInt(4) > 0 ? "k" + nextId : anyKey();
      headers.put("Idempotency-Key", key);
    }
    String path =
        "/v1/tables/" + table() + "/rows" + part(3, valid("", "?rowBuckets=true"), "?rowBuckets=x");
    SluiceHttp.Answer answer =
        http.post(
            path, type.isEmpty() ? null : type, sent.getBytes(StandardCharsets.UTF_8), headers);
    if (answer.status() == 200) {
      String earlier = key == null ? null : keyedBodies.putIfAbsent(key, sent);
      if (earlier == null) {
        acceptedRows += answer.json().path("rows").asLong();
        if (!mutated) {
          nextId += rows;
        }
      } else if (!earlier.equals(sent)) {
        findings.add("key " + key + " reused with another body, answered 200: " + answer);
      }
      if (!mutated && answer.json().path("rows").asLong() != rows) {
        findings.add("a write of " + rows + " rows answered " + answer.text());
      }
    }
    nextId += mutated ? 1000 : 0; // mutated bodies keep their ids out of the valid ones' way
    return answer;
  }

  private String anyKey() {
    List<String> keys = new ArrayList<>(keyedBodies.keySet());
    return keys.get(random.nextInt(keys.size()));
  }

  /** Cuts, flips, duplicates or replaces a few characters of {@code text}. */
  private String mutate(String text) {
    StringBuilder out = new StringBuilder(text);
    for (int m = 1 + random.nextInt(3); m > 0 && out.length() > 0; m--) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(5)) {
        case 0 -> out.setLength(at);
        case 1 -> out.setCharAt(at, (char) (out.charAt(at) ^ (1 << random.nextInt(7))));
        case 2 -> out.insert(at, out.substring(at, Math.min(out.length(), at + 8)));
        case 3 -> out.deleteCharAt(at);
        default ->
            out.insert(
                at,
                pick(
                    "99999999999999999999",
                    "-1e400",
                    "\"\\u0000\"",
                    "{",
                    "]",
                    "\"_op\": \"delete\",",
                    "\"extra\": 1,",
                    "NaN",
                    "\"id\": 1,"));
      }
    }
    return out.toString();
  }

  // ---- reads ----

  private SluiceHttp.Answer records(SluiceHttp http) {
    String path =
        "/v1/tables/%s/buckets/%s/%s"
            .formatted(
                table(),
                part(1, valid("0", "1", "2"), "3", "-1", "x", "99999999999"),
                pick("records", "records", "changelog"));
    return http.get(
        path
            + query(
                "from", part(2, valid("0", "5", "40"), "-1", "x", "9223372036854775807", "1e3"),
                "limit", part(3, valid("1", "10", "10000"), "0", "10001", "-5", "y"),
                "columns", part(4, valid("id", "id,name", "amount,t,ok"), "", "nope", ",,"),
                "format", part(5, valid("json", "ndjson", "arrow"), "xml", ""),
                "waitMs", pick("0", "20", "-1", "20001", "z"),
                "partition", pick(null, null, "", "t_day=2026-12-08", "%%%")));
  }

  private SluiceHttp.Answer scan(SluiceHttp http) {
    String path = "/v1/tables/" + table() + "/scan";
    if (random.nextBoolean()) {
      return http.get(
          path
              + query(
                  "columns", part(1, valid(null, "id", "id,amount"), "nope", ""),
                  "source", part(2, valid(null, "union", "log"), "nope", "lake"),
                  "lake", pick(null, null, "paimon", "delta"),
                  "format", part(3, valid(null, "json", "arrow", "ndjson"), "csv"),
                  "limit", part(4, valid(null, "0", "3"), "-1", "many"),
                  "filter", part(5, valid(null, filter()), mutate(filter()))));
    }
    String body =
        "{\"columns\": %s, \"filter\": %s, \"source\": %s}"
            .formatted(
                part(1, valid("[\"id\"]", "[\"id\", \"name\"]"), "[]", "[1]", "\"id\""),
                part(2, valid(filter(), "null"), mutate(filter()), "[]", "7"),
                part(3, valid("\"union\"", "\"log\""), "3", "\"lakes\""));
    return http.post(
        path + part(4, valid("", "?format=arrow"), "?format=x"),
        SluiceHttp.JSON,
        (broken == 5 ? mutate(body) : body).getBytes(StandardCharsets.UTF_8));
  }

  private String filter() {
    return pick(
        "{\"column\": \"id\", \"op\": \"gt\", \"value\": 3}",
        "{\"and\": [{\"column\": \"ok\", \"op\": \"eq\", \"value\": true}, {\"column\": \"name\","
            + " \"op\": \"is_null\"}]}",
        "{\"column\": \"amount\", \"op\": \"in\", \"values\": [\"12.50\", 3]}",
        "{\"column\": \"t\", \"op\": \"lt\", \"value\": \"2026-12-09T00:00:00\"}",
        "{\"not\": {\"column\": \"nope\", \"op\": \"eq\", \"value\": 1}}");
  }

  /** Queries that read the tables: answered with rows, or refused for what they name. */
  private static final String[] READS = {
    "SELECT COUNT(*), SUM(amount) FROM %s",
    "SELECT id, name FROM %s WHERE id > 3 ORDER BY id LIMIT 5",
    "SELECT * FROM %s$log",
    "SELECT * FROM %s$lake",
    "SELECT * FROM %s$changelog",
    "SELECT * FROM %s$lake$snapshots",
    "WITH x AS (SELECT id FROM %s) SELECT COUNT(*) FROM x",
    "SELECT a.id FROM %s a JOIN %s b ON a.id = b.id",
    "VALUES (1, 'a')",
    "SELECT * FROM default.%s",
    "SELECT * FROM nope.%s",
    // The engine's own settings: each query runs in a fresh in-memory DuckDB, so they hold nothing
    // of the server's.
    "SELECT current_setting('threads')",
    "SELECT * FROM duckdb_settings()",
  };

  /** Queries that reach past the tables (files, the environment) or change something. */
  private static final String[] REFUSED = {
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_parquet('target/**/*.parquet')",
    "SELECT * FROM 'target/it-data/*/objects/**'",
    "COPY (SELECT 1) TO 'target/sluice-fuzz.csv'",
    "ATTACH 'target/x.db' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET threads = 1",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM read_json_auto('target/**/*.json')",
    "CREATE TABLE t AS SELECT 1",
    "DROP TABLE %s",
    "SELECT 1; SELECT 2",
    "SELECT getenv('HOME')",
    "SELECT * FROM glob('*')",
  };

  private SluiceHttp.Answer sql(SluiceHttp http) {
    boolean refused = random.nextInt(3) == 0;
    String query = pick(refused ? REFUSED : READS).replace("%s", table());
    if (broken == 1) {
      query = mutate(query);
    }
    String body =
        broken == 2
            ? mutate("{\"sql\": \"" + query + "\"}")
            : "{\"sql\": " + SluiceHttp.MAPPER.valueToTree(query) + "}";
    SluiceHttp.Answer answer =
        http.post(
            "/v1/sql" + part(3, valid("", "?format=json", "?format=arrow"), "?format=html"),
            SluiceHttp.JSON,
            body.getBytes(StandardCharsets.UTF_8));
    if (refused && broken < 0 && answer.status() < 300) {
      findings.add("a query that reaches past the tables ran: " + query + ": " + answer.text());
    }
    return answer;
  }

  // ---- tables and the rest ----

  private SluiceHttp.Answer tables(SluiceHttp http) {
    String name =
        part(
            0,
            valid("other_fuzzed", "db2.other_fuzzed"),
            "Bad-Name",
            "a".repeat(300),
            "x.y.z",
            "_x");
    return switch (random.nextInt(4)) {
      case 0, 1 ->
          http.putJson("/v1/tables/" + name, broken == 1 ? mutate(DEFINITION) : DEFINITION);
      case 2 -> http.delete("/v1/tables/" + name + pick("", "?purgeLake=true", "?purgeLake=maybe"));
      default ->
          http.get("/v1/tables" + pick("", "/" + name, "/" + TABLE, "/" + name + "/partitions"));
    };
  }

  private SluiceHttp.Answer misc(SluiceHttp http) {
    return switch (random.nextInt(4)) {
      case 0 ->
          http.get(
              "/v1/tables/" + table() + "/lake/snapshots" + pick("", "?lake=paimon", "?lake=x"));
      case 1 ->
          http.get(
              "/v1/tables/"
                  + table()
                  + "/scan/offsets/"
                  + pick("abc", "0", "%2e%2e", "x".repeat(200)));
      case 2 ->
          http.post(
              "/v1/tables/" + table() + "/tier" + pick("", "?waitMs=10", "?waitMs=x", "?waitMs=-1"),
              SluiceHttp.JSON,
              new byte[0]);
      default -> http.get("/v1/tables/" + TABLE + "/partitions");
    };
  }

  private String table() {
    return part(0, valid(TABLE), "missing_table", "Bad-Name", "%20", "a%2Fb");
  }

  /**
   * Part {@code part} of this request: a valid value, unless it is the part this request breaks.
   */
  private String part(int part, String[] valid, String... invalid) {
    return part == broken ? pick(invalid) : pick(valid);
  }

  private static String[] valid(String... values) {
    return values;
  }

  @SafeVarargs
  private <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** A query string of the pairs whose value is not null, each value URL-encoded. */
  private static String query(String... pairs) {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        query
            .append(query.isEmpty() ? "?" : "&")
            .append(pairs[i])
            .append('=')
            .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
      }
    }
    return query.toString();
  }
}
