package io.sluice.local;

import static io.sluice.local.ServerScenarios.assertError;
import static io.sluice.local.ServerScenarios.list;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Partitioned tables over HTTP, as a data engineer checks them, on every deployment shape (each
 * subclass starts the server on other stores, see its test profile): rows of concurrent clients
 * read back per partition and bucket at the offsets their answers imply, the partition listing and
 * describe agreeing; SQL counts with filters on the partition columns; every bad input answered
 * with its code and nothing written; idempotent retries across partitions; and a primary-key table
 * partitioned by region, its union scan and changelog. Every test uses its own tables, named {@code
 * part_*} (the server is shared with the other scenarios of its shape).
 */
abstract class PartitionScenarios {
  /** Region values and how partition names write them (Hive escaping: {@code /} is %2F). */
  private static final Map<String, String> REGIONS = new LinkedHashMap<>();

  static {
    REGIONS.put("eu", "eu");
    REGIONS.put("us/east", "us%2Feast");
    REGIONS.put("zürich", "zürich");
    REGIONS.put("東京", "東京");
  }

  private static final List<String> REGION_VALUES = List.copyOf(REGIONS.keySet());
  private static final LocalDate FIRST_DAY = LocalDate.parse("2026-11-21");
  private static final int DAYS = 5;
  private static final int BUCKETS = 4;
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");

  @TestHTTPResource("/")
  URI base;

  SluiceHttp http() {
    return new SluiceHttp(base);
  }

  // ---- the table of events: partitioned by day(t) and region, bucketed by id ----

  /** One event row; {@code amount} may be null. */
  private record Event(long id, LocalDateTime t, String region, Long amount) {
    ObjectNode json() {
      ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
      node.put("id", id).put("t", MICROS.format(t)).put("region", region);
      if (amount == null) {
        node.putNull("amount");
      } else {
        node.put("amount", amount);
      }
      return node;
    }

    /** The partition its values put it in, named as API.md says. */
    String partition() {
      return partitionName(t.toLocalDate(), region);
    }

    static Event fromJson(JsonNode row) {
      return new Event(
          row.path("id").asLong(),
          LocalDateTime.parse(row.path("t").asText()),
          row.path("region").asText(),
          row.path("amount").isNull() ? null : row.path("amount").asLong());
    }
  }

  private static String partitionName(LocalDate day, String region) {
    return "t_day=" + day + "/region=" + REGIONS.getOrDefault(region, region);
  }

  private static String eventsDefinition(String more) {
    return eventsDefinition(BUCKETS, more);
  }

  private static String eventsDefinition(int buckets, String more) {
    return """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "region", "type": "string", "nullable": false},
                     {"name": "amount", "type": "bigint"}],
         "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": %d%s}
        """
        .formatted(buckets, more);
  }

  private static byte[] jsonBody(List<Event> events) {
    ArrayNode array = SluiceHttp.MAPPER.createArrayNode();
    events.forEach(e -> array.add(e.json()));
    return array.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ndjsonBody(List<Event> events) {
    return events.stream()
        .map(e -> e.json().toString() + "\n")
        .collect(Collectors.joining())
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A log row's place: which partition, which bucket, which offset. */
  private record Place(String partition, int bucket, long offset) {}

  // ---- 1. concurrent writers, exact read-back per partition and bucket ----

  @Test
  void concurrentWritersAcrossPartitionsAreReadBackExactlyPerPartitionAndBucket() throws Exception {
    SluiceHttp http = http();
    String table = "part_events";
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, eventsDefinition(""));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("partitionBy"))
        .extracting(JsonNode::asText)
        .containsExactly("day(t)", "region");

    int requests = 48;
    int rowsPerRequest = 40;
    Map<Integer, List<Event>> sent = new ConcurrentHashMap<>();
    Map<Integer, JsonNode> answers = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int r = 0; r < requests; r++) {
        int request = r;
        done.add(
            clients.submit(
                () -> {
                  List<Event> events =
                      requestEvents(new Random(7_000L + request), request, rowsPerRequest);
                  sent.put(request, events);
                  String path = "/v1/tables/" + table + "/rows?rowBuckets=true";
                  SluiceHttp.Answer answer =
                      request % 2 == 0
                          ? http.post(path, SluiceHttp.JSON, jsonBody(events))
                          : http.post(path, SluiceHttp.NDJSON, ndjsonBody(events));
                  assertThat(answer.status()).as("%s", answer).isEqualTo(200);
                  answers.put(request, answer.json());
                }));
      }
      for (Future<?> future : done) {
        future.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }

    // Each answer places each of its rows: its partition as its values say, its bucket, and its
    // offset (the part's baseOffset plus the row's rank among the request's rows of that part).
    Map<Place, Event> placed = new HashMap<>();
    for (int r = 0; r < requests; r++) {
      JsonNode answer = answers.get(r);
      List<Event> events = sent.get(r);
      assertThat(answer.path("rows").asLong()).as("%s", answer).isEqualTo(events.size());
      assertThat(answer.path("rowBuckets")).as("%s", answer).hasSize(events.size());
      assertThat(answer.path("rowPartitions")).as("%s", answer).hasSize(events.size());
      Map<Place, JsonNode> parts = new HashMap<>();
      for (JsonNode part : answer.path("buckets")) {
        Place at = new Place(part.path("partition").asText(), part.path("bucket").asInt(), 0);
        assertThat(parts.put(at, part))
            .as("one part per partition and bucket: %s", answer)
            .isNull();
      }
      Map<Place, Integer> ranks = new HashMap<>();
      for (int i = 0; i < events.size(); i++) {
        Event event = events.get(i);
        String partition = answer.path("rowPartitions").get(i).asText();
        int bucket = answer.path("rowBuckets").get(i).asInt();
        assertThat(partition)
            .as("request %d row %d: the partition of its values", r, i + 1)
            .isEqualTo(event.partition());
        assertThat(bucket).isBetween(0, BUCKETS - 1);
        Place part = new Place(partition, bucket, 0);
        JsonNode ack = parts.get(part);
        assertThat(ack).as("request %d row %d: its part is in %s", r, i + 1, answer).isNotNull();
        int rank = ranks.merge(part, 1, Integer::sum) - 1;
        Place place = new Place(partition, bucket, ack.path("baseOffset").asLong() + rank);
        assertThat(placed.put(place, event)).as("two rows acknowledged at %s", place).isNull();
      }
      for (Map.Entry<Place, JsonNode> part : parts.entrySet()) {
        assertThat(part.getValue().path("count").asLong())
            .as("request %d: the count of %s", r, part.getKey())
            .isEqualTo(ranks.getOrDefault(part.getKey(), 0).longValue());
      }
    }
    int total = requests * rowsPerRequest;
    assertThat(placed).hasSize(total);
    assertThat(placed.keySet().stream().map(Place::partition).distinct())
        .as("rows in every day and region")
        .hasSize(DAYS * REGIONS.size());

    // The acknowledged offsets tile each partition's bucket from 0.
    Map<String, long[]> counts = new TreeMap<>();
    for (Place place : placed.keySet()) {
      counts.computeIfAbsent(place.partition(), p -> new long[BUCKETS])[place.bucket()]++;
    }
    for (Place place : placed.keySet()) {
      assertThat(place.offset())
          .as("%s is below the row count of its bucket: offsets are contiguous from 0", place)
          .isLessThan(counts.get(place.partition())[place.bucket()]);
    }

    // Every bucket of every partition read back: each row exactly at its offset, in the
    // partition its values say.
    int matched = 0;
    for (Map.Entry<String, long[]> partition : counts.entrySet()) {
      for (int bucket = 0; bucket < BUCKETS; bucket++) {
        long rows = partition.getValue()[bucket];
        List<JsonNode> log = readAll(http, table, "records", partition.getKey(), bucket, rows);
        assertThat(log).hasSize((int) rows);
        for (int offset = 0; offset < log.size(); offset++) {
          JsonNode row = log.get(offset);
          Place place = new Place(partition.getKey(), bucket, offset);
          assertThat(row.path("_offset").asLong()).as("%s", place).isEqualTo(offset);
          Event event = Event.fromJson(row);
          assertThat(event.partition())
              .as("%s: in its partition", place)
              .isEqualTo(place.partition());
          assertThat(event).as("%s", place).isEqualTo(placed.get(place));
          matched++;
        }
      }
    }
    assertThat(matched).isEqualTo(total);

    // The partition listing: exactly the partitions written, values unescaped, and high
    // watermarks that add up to the rows written.
    SluiceHttp.Answer listing = http.get("/v1/tables/" + table + "/partitions");
    assertThat(listing.status()).as("%s", listing).isEqualTo(200);
    Map<String, long[]> listed = new TreeMap<>();
    for (JsonNode partition : listing.json().path("partitions")) {
      String name = partition.path("name").asText();
      Event any =
          placed.entrySet().stream()
              .filter(e -> e.getKey().partition().equals(name))
              .findFirst()
              .orElseThrow(() -> new AssertionError("No row was written into " + name))
              .getValue();
      assertThat(partition.path("values"))
          .as("the values of %s", name)
          .isEqualTo(
              SluiceHttp.MAPPER
                  .createObjectNode()
                  .put("t_day", any.t().toLocalDate().toString())
                  .put("region", any.region()));
      long[] marks = new long[BUCKETS];
      assertThat(partition.path("bucketState")).as("%s", name).hasSize(BUCKETS);
      for (JsonNode state : partition.path("bucketState")) {
        assertThat(state.path("partition").asText()).isEqualTo(name);
        marks[state.path("bucket").asInt()] = state.path("highWatermark").asLong();
        assertThat(state.path("logStartOffset").asLong()).isZero();
      }
      assertThat(listed.put(name, marks)).as("%s is listed once", name).isNull();
    }
    assertThat(listed.keySet()).isEqualTo(counts.keySet());
    listed.forEach(
        (name, marks) ->
            assertThat(marks).as("high watermarks of %s", name).isEqualTo(counts.get(name)));
    assertThat(listed.values().stream().flatMapToLong(Arrays::stream).sum()).isEqualTo(total);

    // Describe agrees, bucket by bucket.
    Map<String, long[]> described = bucketStates(http, table);
    assertThat(described.keySet()).isEqualTo(counts.keySet());
    described.forEach(
        (name, marks) -> assertThat(marks).as("described %s", name).isEqualTo(counts.get(name)));

    // The scan reads every partition's log: each row once, and its offsets name the partitions.
    SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan");
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    List<Event> scanned = list(scan.json()).stream().map(Event::fromJson).toList();
    assertThat(scanned)
        .containsExactlyInAnyOrderElementsOf(sent.values().stream().flatMap(List::stream).toList());
    JsonNode offsets =
        SluiceHttp.MAPPER.readTree(
            scan.header("Sluice-Scan-Offsets")
                .orElseThrow(() -> new AssertionError("No Sluice-Scan-Offsets: " + scan)));
    Map<String, long[]> scanOffsets = new TreeMap<>();
    offsets
        .fields()
        .forEachRemaining(
            partition -> {
              long[] marks = new long[BUCKETS];
              partition
                  .getValue()
                  .fields()
                  .forEachRemaining(
                      b -> marks[Integer.parseInt(b.getKey())] = b.getValue().asLong());
              scanOffsets.put(partition.getKey(), marks);
            });
    assertThat(scanOffsets.keySet()).as("%s", offsets).isEqualTo(counts.keySet());
    scanOffsets.forEach(
        (name, marks) ->
            assertThat(marks).as("scan offsets of %s", name).isEqualTo(counts.get(name)));
  }

  /**
   * The rows of one request: a client batching recent events, here of two days and two or three
   * regions, in random order; ids tell request and row apart.
   */
  private static List<Event> requestEvents(Random random, int request, int rows) {
    LocalDate day = FIRST_DAY.plusDays(request % (DAYS - 1));
    List<String> regions = new ArrayList<>(REGION_VALUES);
    Collections.shuffle(regions, random);
    regions = regions.subList(0, 2 + random.nextInt(2));
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      LocalDateTime t =
          day.plusDays(random.nextInt(2))
              .atStartOfDay()
              .plusNanos(random.nextLong(86_400_000_000L) * 1000);
      events.add(
          new Event(
              request * 1000L + i,
              t,
              regions.get(random.nextInt(regions.size())),
              random.nextInt(5) == 0 ? null : (long) random.nextInt(10_000)));
    }
    return events;
  }

  // ---- 2. SQL over a partitioned table ----

  @Test
  void sqlCountsWithAndWithoutFiltersOnThePartitionColumns() {
    SluiceHttp http = http();
    String table = "part_sql_events";
    // One bucket per partition: a scan reads every partition's buckets, and each costs store
    // calls (about 25 ms on dynalite) however few rows it holds.
    assertThat(http.putJson("/v1/tables/" + table, eventsDefinition(1, "")).status())
        .isEqualTo(201);
    // A different number of rows in each (day, region), the first at midnight and the last a
    // microsecond before the next: the day boundaries are exact.
    Map<String, Long> byRegion = new TreeMap<>();
    Map<String, Long> amountByRegion = new TreeMap<>();
    long[] byDay = new long[DAYS];
    long zurichOnLastDay = 0;
    long id = 0;
    for (int d = 0; d < DAYS; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      List<Event> events = new ArrayList<>();
      for (int r = 0; r < REGION_VALUES.size(); r++) {
        String region = REGION_VALUES.get(r);
        int rows = 3 + 4 * d + r;
        for (int i = 0; i < rows; i++) {
          LocalDateTime t =
              i == 0
                  ? day.atStartOfDay()
                  : i == rows - 1
                      ? day.plusDays(1).atStartOfDay().minusNanos(1000)
                      : day.atTime(i % 24, (i * 7) % 60);
          long amount = id % 100;
          events.add(new Event(++id, t, region, amount));
          byRegion.merge(region, 1L, Long::sum);
          amountByRegion.merge(region, amount, Long::sum);
        }
        byDay[d] += rows;
        if (d == DAYS - 1 && region.equals("zürich")) {
          zurichOnLastDay = rows;
        }
      }
      SluiceHttp.Answer written =
          http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, jsonBody(events));
      assertThat(written.status()).as("%s", written).isEqualTo(200);
    }
    long total = id;

    assertThat(count("SELECT COUNT(*) AS n FROM " + table)).isEqualTo(total);
    assertThat(
            count(
                "SELECT COUNT(*) AS n FROM "
                    + table
                    + " WHERE t >= TIMESTAMP '2026-11-22 00:00:00'"
                    + " AND t < TIMESTAMP '2026-11-24 00:00:00'"))
        .as("two days")
        .isEqualTo(byDay[1] + byDay[2]);
    assertThat(count("SELECT COUNT(*) AS n FROM " + table + " WHERE region = 'us/east'"))
        .isEqualTo(byRegion.get("us/east"));
    assertThat(
            count(
                "SELECT COUNT(*) AS n FROM "
                    + table
                    + " WHERE region = 'zürich' AND CAST(t AS DATE) = DATE '2026-11-25'"))
        .isEqualTo(zurichOnLastDay);

    // Pruned in the scan (WHERE reaches it), counted exactly at the bounds.
    assertThat(
            count(
                "SELECT COUNT(*) AS n FROM "
                    + table
                    + " WHERE region IN ('eu', 'zürich')"
                    + " AND t BETWEEN '2026-11-23' AND '2026-11-24 23:59:59.999999'"))
        .as("two regions on two days")
        .isEqualTo((3 + 4 * 2 + 0) + (3 + 4 * 2 + 2) + (3 + 4 * 3 + 0) + (3 + 4 * 3 + 2));
    assertThat(
            count("SELECT COUNT(*) AS n FROM " + table + " WHERE t > '2026-11-25 23:59:59.999999'"))
        .as("nothing after the last microsecond")
        .isZero();
    assertThat(count("SELECT COUNT(*) AS n FROM " + table + " WHERE t >= '2026-11-25'"))
        .isEqualTo(byDay[DAYS - 1]);

    // orders$partitions: the partition listing in SQL, as GET .../partitions gives it.
    SluiceHttp.Answer partitions =
        sql(
            "SELECT name, t_day, region, buckets, high_watermark, log_rows FROM "
                + table
                + "$partitions ORDER BY name");
    assertThat(partitions.status()).as("%s", partitions).isEqualTo(200);
    Map<String, String> listed = new TreeMap<>();
    for (JsonNode partition :
        http.get("/v1/tables/" + table + "/partitions").json().path("partitions")) {
      long highWatermark = 0;
      for (JsonNode state : partition.path("bucketState")) {
        highWatermark += state.path("highWatermark").asLong();
      }
      listed.put(
          partition.path("name").asText(),
          partition.path("values").path("t_day").asText()
              + " "
              + partition.path("values").path("region").asText()
              + " 1 "
              + highWatermark);
    }
    assertThat(list(partitions.json()))
        .extracting(
            row ->
                row.path("name").asText()
                    + " -> "
                    + row.path("t_day").asText()
                    + " "
                    + row.path("region").asText()
                    + " "
                    + row.path("buckets").asInt()
                    + " "
                    + row.path("high_watermark").asLong())
        .containsExactlyElementsOf(
            listed.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).toList())
        .hasSize(DAYS * REGION_VALUES.size());
    assertThat(list(partitions.json()))
        .allSatisfy(
            row ->
                assertThat(row.path("log_rows").asLong())
                    .isEqualTo(row.path("high_watermark").asLong()));

    SluiceHttp.Answer grouped =
        sql(
            "SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM "
                + table
                + " GROUP BY region ORDER BY region");
    assertThat(grouped.status()).as("%s", grouped).isEqualTo(200);
    Map<String, Long> counted = new TreeMap<>();
    Map<String, Long> summed = new TreeMap<>();
    for (JsonNode row : grouped.json()) {
      counted.put(row.path("region").asText(), row.path("n").asLong());
      summed.put(row.path("region").asText(), row.path("total").asLong());
    }
    assertThat(counted).isEqualTo(byRegion);
    assertThat(summed).isEqualTo(amountByRegion);

    SluiceHttp.Answer perDay =
        sql(
            "SELECT CAST(t AS DATE) AS day, COUNT(*) AS n FROM "
                + table
                + " GROUP BY day ORDER BY day");
    assertThat(perDay.status()).as("%s", perDay).isEqualTo(200);
    assertThat(list(perDay.json()))
        .extracting(row -> row.path("day").asText() + ": " + row.path("n").asLong())
        .containsExactly(
            IntStream.range(0, DAYS)
                .mapToObj(d -> FIRST_DAY.plusDays(d) + ": " + byDay[d])
                .toArray(String[]::new));
  }

  // ---- 2b. scans pruned by partition, and offsets too large for a header ----

  @Test
  void aScanFilteredOnPartitionColumnsNamesOnlyTheMatchingPartitions() {
    SluiceHttp http = http();
    String table = "part_pruned_scan";
    assertThat(http.putJson("/v1/tables/" + table, eventsDefinition(1, "")).status())
        .isEqualTo(201);
    List<Event> events = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      for (int r = 0; r < 2; r++) {
        LocalDate day = FIRST_DAY.plusDays(d);
        events.add(new Event(events.size(), day.atStartOfDay(), REGION_VALUES.get(r), 1L));
        events.add(
            new Event(
                events.size(),
                day.plusDays(1).atStartOfDay().minusNanos(1000),
                REGION_VALUES.get(r),
                2L));
      }
    }
    assertThat(
            http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, jsonBody(events)).status())
        .isEqualTo(200);
    String filter =
        """
        {"filter": {"and": [{"column": "t", "op": ">=", "value": "2026-11-22T00:00:00"},
                            {"column": "t", "op": "<", "value": "2026-11-23T00:00:00"},
                            {"column": "region", "op": "in", "values": ["us/east", "mars"]}]}}
        """;
    SluiceHttp.Answer scan = http.postJson("/v1/tables/" + table + "/scan", filter);
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    assertThat(list(scan.json()).stream().map(Event::fromJson))
        .containsExactlyInAnyOrderElementsOf(
            events.stream()
                .filter(e -> e.t().toLocalDate().equals(FIRST_DAY.plusDays(1)))
                .filter(e -> e.region().equals("us/east"))
                .toList());
    assertThat(scan.header("Sluice-Scan-Offsets"))
        .as("the offsets name the one partition read")
        .contains("{\"t_day=2026-11-22/region=us%2Feast\":{\"0\":2}}");
  }

  @Test
  void offsetsTooLargeForAHeaderAreFetchedExactlyByTheirLink() throws Exception {
    SluiceHttp http = http();
    String table = "part_many";
    assertThat(
            http.putJson(
                    "/v1/tables/" + table,
                    """
                    {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                                 {"name": "region", "type": "string", "nullable": false}],
                     "partitionBy": ["region"], "bucketKey": ["id"], "buckets": 1}
                    """)
                .status())
        .isEqualTo(201);
    // 40 partitions with names of 237 characters: about 10 KB of offsets.
    int partitions = 40;
    ArrayNode rows = SluiceHttp.MAPPER.createArrayNode();
    Map<String, Long> expected = new TreeMap<>();
    for (int p = 0; p < partitions; p++) {
      String region = "%03d-".formatted(p) + "x".repeat(226);
      for (int i = 0; i <= p % 3; i++) {
        rows.addObject().put("id", rows.size()).put("region", region);
      }
      expected.put("region=" + region, (long) (p % 3 + 1));
    }
    assertThat(
            http.post(
                    "/v1/tables/" + table + "/rows",
                    SluiceHttp.JSON,
                    rows.toString().getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(200);

    SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan?columns=id");
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    assertThat(scan.json()).hasSize(rows.size());
    assertThat(scan.header("Sluice-Scan-Offsets")).as("too large for a header").isEmpty();
    String link =
        scan.header("Sluice-Scan-Offsets-Link")
            .orElseThrow(() -> new AssertionError("No Sluice-Scan-Offsets-Link: " + scan));
    assertThat(link).matches("/v1/tables/default\\.part_many/scan/offsets/\\d{10}-[0-9a-f-]{36}");

    // Rows written after the scan do not change the offsets of that scan.
    assertThat(
            http.post(
                    "/v1/tables/" + table + "/rows",
                    SluiceHttp.JSON,
                    "[{\"id\": 1000, \"region\": \"000-later\"}]".getBytes(StandardCharsets.UTF_8))
                .status())
        .isEqualTo(200);
    SluiceHttp.Answer offsets = http.get(link);
    assertThat(offsets.status()).as("%s", offsets).isEqualTo(200);
    assertThat(offsets.text().length()).isGreaterThan(8 * 1024);
    Map<String, Long> fetched = new TreeMap<>();
    offsets
        .json()
        .fields()
        .forEachRemaining(
            e -> {
              assertThat(e.getValue().size()).isEqualTo(1);
              fetched.put(e.getKey(), e.getValue().path("0").asLong());
            });
    assertThat(fetched).isEqualTo(expected);

    // A filter that keeps a few partitions makes offsets that fit the header again.
    SluiceHttp.Answer one =
        http.postJson(
            "/v1/tables/" + table + "/scan",
            "{\"filter\": {\"column\": \"region\", \"op\": \"=\", \"value\": \"001-"
                + "x".repeat(226)
                + "\"}}");
    assertThat(one.status()).as("%s", one).isEqualTo(200);
    assertThat(one.header("Sluice-Scan-Offsets"))
        .contains("{\"region=001-" + "x".repeat(226) + "\":{\"0\":2}}");
    assertThat(one.header("Sluice-Scan-Offsets-Link")).isEmpty();

    String id = link.substring(link.lastIndexOf('/') + 1);
    assertError(
        http.get("/v1/tables/part_events_other/scan/offsets/" + id),
        404,
        "TABLE_NOT_FOUND",
        "part_events_other");
    assertError(
        http.get(
            "/v1/tables/"
                + table
                + "/scan/offsets/"
                + id.substring(0, 11)
                + "0".repeat(8)
                + id.substring(19)),
        404,
        "SCAN_OFFSETS_NOT_FOUND",
        "do not exist");
    assertError(
        http.get("/v1/tables/" + table + "/scan/offsets/x"), 400, "INVALID_PARAMETER", "'x'");

    // The OpenAPI description tells of the link and where it leads.
    JsonNode openapi = http.get("/q/openapi?format=json").json();
    assertThat(openapi.path("paths").has("/v1/tables/{table}/scan/offsets/{id}"))
        .as("%s", openapi.path("paths"))
        .isTrue();
    assertThat(
            openapi
                .path("paths")
                .path("/v1/tables/{table}/scan")
                .path("get")
                .path("responses")
                .path("200")
                .path("headers")
                .path("Sluice-Scan-Offsets-Link")
                .path("description")
                .asText())
        .contains("more than 8 KB", "/v1/tables/{table}/scan/offsets/{id}");
  }

  private SluiceHttp.Answer sql(String query) {
    return http()
        .postJson("/v1/sql", SluiceHttp.MAPPER.createObjectNode().put("sql", query).toString());
  }

  private long count(String query) {
    SluiceHttp.Answer answer = sql(query);
    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    assertThat(answer.json()).as("%s", answer).hasSize(1);
    return answer.json().get(0).path("n").asLong();
  }

  // ---- 3. bad input: its code and message, and nothing written ----

  @Test
  void badPartitionDefinitionsAreRefusedNamingTheProblem() {
    SluiceHttp http = http();
    String columns =
        """
        "columns": [{"name": "id", "type": "bigint", "nullable": false},
                    {"name": "t", "type": "timestamp", "nullable": false},
                    {"name": "d", "type": "date", "nullable": false},
                    {"name": "region", "type": "string", "nullable": %s}]
        """;
    Map<String, String[]> refused = new LinkedHashMap<>();
    refused.put(
        "{" + columns.formatted("false") + ", \"partitionBy\": [\"day(ts)\"]}",
        new String[] {"partitionBy entry day(ts)", "ts is not a column of the table"});
    refused.put(
        "{" + columns.formatted("true") + ", \"partitionBy\": [\"day(t)\", \"region\"]}",
        new String[] {
          "partitionBy entry region", "column region must be declared \"nullable\": false"
        });
    refused.put(
        "{" + columns.formatted("false") + ", \"partitionBy\": [\"hour(d)\"]}",
        new String[] {"partitionBy entry hour(d)", "cannot take column d", "which has no hours"});
    refused.put(
        "{"
            + columns.formatted("false")
            + ", \"partitionBy\": [\"region\"], \"bucketKey\": [\"region\", \"id\"]}",
        new String[] {"bucket key column region is a partition column"});
    int n = 0;
    for (Map.Entry<String, String[]> definition : refused.entrySet()) {
      String table = "part_refused_definition_" + ++n;
      SluiceHttp.Answer answer = http.putJson("/v1/tables/" + table, definition.getKey());
      assertError(answer, 400, "INVALID_DEFINITION", definition.getValue());
      assertThat(answer.errorMessage()).contains("default." + table);
      assertError(http.get("/v1/tables/" + table), 404, "TABLE_NOT_FOUND", table);
    }
  }

  @Test
  void badRowsAndReadsOnAPartitionedTableAreRefusedAndWriteNothing() {
    SluiceHttp http = http();
    String table = "part_refusals";
    SluiceHttp.Answer created =
        http.putJson(
            "/v1/tables/" + table,
            eventsDefinition(", \"partitionRetention\": \"1d\", \"maxPartitions\": 2"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("maxPartitions").asInt()).isEqualTo(2);
    String rows = "/v1/tables/" + table + "/rows";
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).withNano(0);
    LocalDate today = now.toLocalDate();
    Event first = new Event(1, now, "eu", 10L);
    assertThat(http.post(rows, SluiceHttp.JSON, jsonBody(List.of(first))).status()).isEqualTo(200);

    SluiceHttp.Answer empty =
        http.post(
            rows,
            SluiceHttp.JSON,
            jsonBody(List.of(new Event(2, now, "eu", 1L), new Event(3, now, "", 1L))));
    assertError(empty, 400, "SCHEMA_MISMATCH", "row 2", "region");
    assertThat(empty.json().path("error").path("row").asInt()).isEqualTo(2);
    assertThat(empty.json().path("error").path("column").asText()).isEqualTo("region");
    SluiceHttp.Answer blank =
        http.post(rows, SluiceHttp.NDJSON, ndjsonBody(List.of(new Event(4, now, "  ", 1L))));
    assertError(blank, 400, "SCHEMA_MISMATCH", "row 1", "region");
    assertThat(blank.json().path("error").path("row").asInt()).isEqualTo(1);

    LocalDateTime longAgo = LocalDateTime.parse("2020-01-01T10:00:00");
    SluiceHttp.Answer expired =
        http.post(
            rows,
            SluiceHttp.JSON,
            jsonBody(
                List.of(
                    new Event(5, now, "eu", 1L),
                    new Event(6, now, "us/east", 1L),
                    new Event(7, longAgo, "eu", 1L))));
    assertError(
        expired,
        409,
        "PARTITION_EXPIRED",
        "row 3",
        "t_day=2020-01-01/region=eu",
        "partitionRetention");
    assertThat(expired.json().path("error").path("row").asInt()).isEqualTo(3);

    Event second = new Event(8, now, "us/east", 20L);
    assertThat(http.post(rows, SluiceHttp.JSON, jsonBody(List.of(second))).status()).isEqualTo(200);
    String yesterday = partitionName(today.minusDays(1), "eu");
    SluiceHttp.Answer limit =
        http.post(
            rows,
            SluiceHttp.JSON,
            jsonBody(
                List.of(
                    new Event(9, now, "eu", 1L),
                    new Event(10, now, "us/east", 1L),
                    new Event(11, now.minusDays(1), "eu", 1L))));
    assertError(limit, 409, "PARTITION_LIMIT", "row 3", yesterday, "maxPartitions 2");
    assertThat(limit.json().path("error").path("row").asInt()).isEqualTo(3);

    // Nothing of the refused requests was written: two partitions, one row each.
    Map<String, long[]> states = bucketStates(http, table);
    assertThat(states.keySet()).containsExactlyInAnyOrder(first.partition(), second.partition());
    assertThat(states.values().stream().flatMapToLong(Arrays::stream).sum()).isEqualTo(2);
    SluiceHttp.Answer listing = http.get("/v1/tables/" + table + "/partitions");
    assertThat(listing.json().path("partitions"))
        .extracting(p -> p.path("name").asText())
        .containsExactlyInAnyOrder(first.partition(), second.partition());
    assertThat(sqlCount(table)).isEqualTo(2);

    // Bucket reads must name a partition, by a name partition names write.
    String records = "/v1/tables/" + table + "/buckets/0/records";
    assertError(
        http.get(records),
        400,
        "INVALID_PARAMETER",
        "partition",
        "is partitioned by [day(t), region]",
        "partition=t_day=.../region=...");
    Map<String, String> malformed = new LinkedHashMap<>();
    malformed.put("region=eu", "expected 2 fields, got 1");
    malformed.put("t_day=2026-11-25/region=us/east", "expected 2 fields, got 3");
    malformed.put("region=eu/t_day=2026-11-25", "field 1 is region, expected t_day");
    malformed.put("t_day=2026-11-25/region=us%2feast", "t_day=2026-11-25/region=us%2Feast");
    malformed.put("t_day=2026-11-25/region=a%2", "bad escape");
    malformed.put("t_day=2026-13-01/region=eu", "t_day");
    malformed.put("t_day=2026-11-25/region=", "empty or blank");
    for (Map.Entry<String, String> name : malformed.entrySet()) {
      assertError(
          http.get(records + "?partition=" + encode(name.getKey())),
          400,
          "INVALID_PARAMETER",
          "Cannot read partition '" + name.getKey() + "'",
          name.getValue());
    }
    SluiceHttp.Answer none =
        http.get(records + "?partition=" + encode(partitionName(FIRST_DAY, "eu")));
    assertThat(none.status())
        .as("a partition without rows reads as empty: %s", none)
        .isEqualTo(200);
    assertThat(none.json()).isEmpty();

    // An unpartitioned table names no partition and lists none.
    String plain = "part_unpartitioned";
    assertThat(
            http.putJson(
                    "/v1/tables/" + plain,
                    "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}], \"buckets\": 2}")
                .status())
        .isEqualTo(201);
    assertError(
        http.get("/v1/tables/" + plain + "/buckets/0/records?partition=" + encode("id=1")),
        400,
        "INVALID_PARAMETER",
        "partition",
        "is not partitioned");
    assertError(
        http.get("/v1/tables/" + plain + "/partitions"),
        400,
        "NOT_SUPPORTED",
        "default." + plain,
        "is not partitioned");
    assertThat(http.get("/v1/tables/" + plain).json().path("bucketState"))
        .hasSize(2)
        .allSatisfy(state -> assertThat(state.has("partition")).isFalse());
  }

  private long sqlCount(String table) {
    return count("SELECT COUNT(*) AS n FROM " + table);
  }

  // ---- 4. idempotent retries across partitions ----

  @Test
  void anIdempotentRetryAcrossPartitionsReturnsTheSameAnswerAndWritesNothing() throws Exception {
    SluiceHttp http = http();
    String table = "part_retried";
    assertThat(http.putJson("/v1/tables/" + table, eventsDefinition("")).status()).isEqualTo(201);
    Random random = new Random(44);
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(
          new Event(
              i,
              FIRST_DAY.plusDays(i % 3).atTime(random.nextInt(24), random.nextInt(60)),
              REGION_VALUES.get(i % 2),
              (long) i));
    }
    byte[] body = jsonBody(events);
    String path = "/v1/tables/" + table + "/rows?rowBuckets=true";
    Map<String, String> key = Map.of("Idempotency-Key", "events/2026-11-21/batch-0001");

    SluiceHttp.Answer first = http.post(path, SluiceHttp.JSON, body, key);
    assertThat(first.status()).as("%s", first).isEqualTo(200);
    assertThat(first.json().path("rows").asLong()).isEqualTo(events.size());
    Set<String> partitions = new TreeSet<>();
    first.json().path("buckets").forEach(b -> partitions.add(b.path("partition").asText()));
    assertThat(partitions)
        .as("the request spans six partitions")
        .isEqualTo(events.stream().map(Event::partition).collect(Collectors.toSet()))
        .hasSize(6);
    Map<String, long[]> written = bucketStates(http, table);

    // Retries, a few of them at once: each gets the first answer, rows and places included.
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<SluiceHttp.Answer>> retries = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        retries.add(
            CompletableFuture.supplyAsync(
                () -> http.post(path, SluiceHttp.JSON, body, key), clients));
      }
      for (CompletableFuture<SluiceHttp.Answer> retry : retries) {
        SluiceHttp.Answer answer = retry.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        assertThat(answer.json()).as("%s", answer).isEqualTo(first.json());
      }
    } finally {
      clients.shutdownNow();
    }
    SluiceHttp.Answer plain =
        http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, body, key);
    ObjectNode withoutPlaces = first.json().deepCopy();
    withoutPlaces.remove(List.of("rowBuckets", "rowPartitions"));
    assertThat(plain.json()).as("%s", plain).isEqualTo(withoutPlaces);

    SluiceHttp.Answer other =
        http.post(path, SluiceHttp.JSON, jsonBody(events.subList(0, 29)), key);
    assertError(other, 409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key");

    Map<String, long[]> after = bucketStates(http, table);
    assertThat(after.keySet()).isEqualTo(written.keySet());
    after.forEach((name, marks) -> assertThat(marks).as("%s", name).isEqualTo(written.get(name)));
    assertThat(sqlCount(table)).isEqualTo(events.size());
    long read = 0;
    for (Map.Entry<String, long[]> partition : after.entrySet()) {
      for (int bucket = 0; bucket < BUCKETS; bucket++) {
        read +=
            readAll(
                    http,
                    table,
                    "records",
                    partition.getKey(),
                    bucket,
                    partition.getValue()[bucket])
                .size();
      }
    }
    assertThat(read).isEqualTo(events.size());
  }

  // ---- 5. a primary-key table partitioned by region ----

  /** A key of the primary-key table: region and id. */
  private record Key(String region, long id) {}

  @Test
  void aPrimaryKeyTablePartitionedByRegionScansItsCurrentRowsAndShowsItsChanges() {
    SluiceHttp http = http();
    String table = "part_customers";
    SluiceHttp.Answer created =
        http.putJson(
            "/v1/tables/" + table,
            """
            {"columns": [{"name": "region", "type": "string", "nullable": false},
                         {"name": "id", "type": "bigint", "nullable": false},
                         {"name": "name", "type": "string"},
                         {"name": "qty", "type": "bigint"}],
             "primaryKey": ["region", "id"], "partitionBy": ["region"], "buckets": 2}
            """);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("bucketKey"))
        .as("the primary key minus its partition columns")
        .extracting(JsonNode::asText)
        .containsExactly("id");

    List<String> regions = List.of("eu", "us/east", "zürich");
    PrimaryKeyLog log = new PrimaryKeyLog();
    List<ObjectNode> inserts = new ArrayList<>();
    for (String region : regions) {
      for (long id = 1; id <= 8; id++) {
        inserts.add(customer(region, id, region + " customer " + id, id * 10));
      }
    }
    log.write(http, table, inserts);

    List<ObjectNode> updates = new ArrayList<>();
    updates.add(customer("eu", 1, "eu customer 1, renamed", 11L));
    updates.add(customer("us/east", 1, null, 12L)); // an explicit null
    ObjectNode partial = SluiceHttp.MAPPER.createObjectNode();
    partial.put("region", "zürich").put("id", 2).put("qty", 999); // name left unchanged
    updates.add(partial);
    updates.add(customer("eu", 1, "eu customer 1, renamed twice", 13L));
    updates.add(customer("us/east", 9, "a new one", 1L));
    log.write(http, table, updates);
    log.assertScan(http, table);

    List<ObjectNode> deletes = new ArrayList<>();
    for (Key key :
        List.of(
            new Key("eu", 1), new Key("us/east", 3), new Key("zürich", 2), new Key("zürich", 8))) {
      ObjectNode delete = SluiceHttp.MAPPER.createObjectNode();
      delete.put("_op", "delete").put("region", key.region()).put("id", key.id());
      deletes.add(delete);
    }
    log.write(http, table, deletes);
    log.assertScan(http, table);
    assertThat(count("SELECT COUNT(*) AS n FROM " + table + " WHERE region = 'zürich'"))
        .isEqualTo(log.current.keySet().stream().filter(k -> k.region().equals("zürich")).count());

    // The changelog of each partition's buckets: its changes, with exact before-images.
    Map<Place, List<String>> changelogs = new HashMap<>();
    for (String region : regions) {
      String partition = "region=" + REGIONS.get(region);
      for (int bucket = 0; bucket < 2; bucket++) {
        List<String> changes =
            readAll(http, table, "changelog", partition, bucket, log.logged(partition, bucket))
                .stream()
                .map(PartitionScenarios::change)
                .toList();
        assertThat(changes)
            .as("the changelog of bucket %d of %s", bucket, partition)
            .isEqualTo(log.changes(partition, bucket));
        changelogs.put(new Place(partition, bucket, 0), changes);
      }
    }
    assertThat(changelogs.get(new Place("region=eu", log.bucketOf(new Key("eu", 1)), 0)))
        .as("eu 1: inserted, updated twice, deleted")
        .filteredOn(c -> c.contains("\"id\":1,"))
        .extracting(c -> c.substring(0, c.indexOf(' ')))
        .containsExactly(
            "insert", "update_before", "update_after", "update_before", "update_after", "delete");
    assertError(
        http.get("/v1/tables/" + table + "/buckets/0/changelog"),
        400,
        "INVALID_PARAMETER",
        "partition",
        "partition=region=...");
    assertError(
        http.get(
            "/v1/tables/" + table + "/buckets/0/changelog?partition=" + encode("region=us/east")),
        400,
        "INVALID_PARAMETER",
        "Cannot read partition 'region=us/east'");
  }

  private static ObjectNode customer(String region, long id, String name, Long qty) {
    ObjectNode row = SluiceHttp.MAPPER.createObjectNode();
    row.put("region", region).put("id", id);
    if (name == null) {
      row.putNull("name");
    } else {
      row.put("name", name);
    }
    row.put("qty", qty);
    return row;
  }

  /** A changelog record as {@code "<change type> <row>"}, offset first in the row. */
  private static String change(JsonNode record) {
    return record.path("_change_type").asText()
        + " "
        + changeRow(
            record.path("_offset").asLong(),
            record.path("region").asText(),
            record.path("id").asLong(),
            record.path("name").isNull() ? null : record.path("name").asText(),
            record.path("qty").isNull() ? null : record.path("qty").asLong());
  }

  private static String changeRow(long offset, String region, long id, String name, Long qty) {
    ObjectNode row = SluiceHttp.MAPPER.createObjectNode();
    row.put("_offset", offset).put("region", region).put("id", id);
    row.put("name", name);
    row.put("qty", qty);
    return row.toString();
  }

  /**
   * An independent replay of a primary-key table's acknowledged writes (last_row: an upsert sets
   * the columns it names, a delete removes the key), and of each partition's bucket's log in offset
   * order, from the answers' places.
   */
  private static final class PrimaryKeyLog {
    /** The current row per key: column name to value (a missing column is null). */
    final Map<Key, Map<String, Object>> current =
        new TreeMap<>(Comparator.comparing(Key::region).thenComparingLong(Key::id));

    /** Each partition's bucket's rows, by offset. */
    private final Map<Place, ObjectNode> logged = new HashMap<>();

    private final Map<Key, Integer> buckets = new HashMap<>();

    void write(SluiceHttp http, String table, List<ObjectNode> rows) {
      ArrayNode body = SluiceHttp.MAPPER.createArrayNode();
      rows.forEach(body::add);
      SluiceHttp.Answer answer =
          http.postJson("/v1/tables/" + table + "/rows?rowBuckets=true", body.toString());
      assertThat(answer.status()).as("%s", answer).isEqualTo(200);
      JsonNode ack = answer.json();
      Map<Place, Long> bases = new HashMap<>();
      ack.path("buckets")
          .forEach(
              b ->
                  bases.put(
                      new Place(b.path("partition").asText(), b.path("bucket").asInt(), 0),
                      b.path("baseOffset").asLong()));
      Map<Place, Integer> ranks = new HashMap<>();
      for (int i = 0; i < rows.size(); i++) {
        ObjectNode row = rows.get(i);
        Key key = new Key(row.path("region").asText(), row.path("id").asLong());
        String partition = ack.path("rowPartitions").get(i).asText();
        int bucket = ack.path("rowBuckets").get(i).asInt();
        assertThat(partition).isEqualTo("region=" + REGIONS.get(key.region()));
        Integer known = buckets.putIfAbsent(key, bucket);
        assertThat(known == null ? bucket : known)
            .as("%s stays in its bucket", key)
            .isEqualTo(bucket);
        Place part = new Place(partition, bucket, 0);
        int rank = ranks.merge(part, 1, Integer::sum) - 1;
        logged.put(new Place(partition, bucket, bases.get(part) + rank), row);
        if (row.path("_op").asText("upsert").equals("delete")) {
          current.remove(key);
        } else {
          Map<String, Object> values = current.computeIfAbsent(key, k -> new LinkedHashMap<>());
          row.fields()
              .forEachRemaining(
                  f ->
                      values.put(
                          f.getKey(),
                          f.getValue().isNull()
                              ? null
                              : f.getValue().isNumber()
                                  ? f.getValue().asLong()
                                  : f.getValue().asText()));
        }
      }
    }

    int bucketOf(Key key) {
      return buckets.get(key);
    }

    long logged(String partition, int bucket) {
      return logged.keySet().stream()
          .filter(p -> p.partition().equals(partition) && p.bucket() == bucket)
          .count();
    }

    /** The changes the bucket's log makes, replayed from empty, as {@link #change} prints them. */
    List<String> changes(String partition, int bucket) {
      Map<Key, Object[]> state = new HashMap<>();
      List<String> changes = new ArrayList<>();
      for (long offset = 0; offset < logged(partition, bucket); offset++) {
        ObjectNode row = logged.get(new Place(partition, bucket, offset));
        assertThat(row).as("offset %d of %s bucket %d", offset, partition, bucket).isNotNull();
        Key key = new Key(row.path("region").asText(), row.path("id").asLong());
        Object[] before = state.get(key);
        Object[] after;
        if (row.path("_op").asText("upsert").equals("delete")) {
          after = null;
        } else {
          after = before == null ? new Object[2] : before.clone();
          if (row.has("name")) {
            after[0] = row.path("name").isNull() ? null : row.path("name").asText();
          }
          if (row.has("qty")) {
            after[1] = row.path("qty").isNull() ? null : row.path("qty").asLong();
          }
        }
        if (after == null) {
          if (before != null) {
            state.remove(key);
            changes.add("delete " + print(offset, key, before));
          }
        } else if (before == null) {
          state.put(key, after);
          changes.add("insert " + print(offset, key, after));
        } else if (!Arrays.equals(before, after)) {
          state.put(key, after);
          changes.add("update_before " + print(offset, key, before));
          changes.add("update_after " + print(offset, key, after));
        }
      }
      return changes;
    }

    private static String print(long offset, Key key, Object[] values) {
      return changeRow(offset, key.region(), key.id(), (String) values[0], (Long) values[1]);
    }

    /** The union scan returns exactly the current row of each live key. */
    void assertScan(SluiceHttp http, String table) {
      SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan");
      assertThat(scan.status()).as("%s", scan).isEqualTo(200);
      List<String> expected = new ArrayList<>();
      current.forEach(
          (key, values) ->
              expected.add(
                  scanRow(
                      key.region(),
                      key.id(),
                      (String) values.get("name"),
                      (Long) values.get("qty"))));
      List<String> scanned =
          list(scan.json()).stream()
              .map(
                  r ->
                      scanRow(
                          r.path("region").asText(),
                          r.path("id").asLong(),
                          r.path("name").isNull() ? null : r.path("name").asText(),
                          r.path("qty").isNull() ? null : r.path("qty").asLong()))
              .toList();
      assertThat(scanned).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static String scanRow(String region, long id, String name, Long qty) {
      return region + "/" + id + ": " + name + ", " + qty;
    }
  }

  // ---- helpers ----

  private static String encode(String partition) {
    return URLEncoder.encode(partition, StandardCharsets.UTF_8);
  }

  /**
   * Reads a partition's bucket ({@code records} or {@code changelog}) from 0 to its high watermark,
   * following Sluice-Next-Offset; checks the high watermark is {@code highWatermark}.
   */
  private static List<JsonNode> readAll(
      SluiceHttp http,
      String table,
      String what,
      String partition,
      int bucket,
      long highWatermark) {
    String path =
        "/v1/tables/"
            + table
            + "/buckets/"
            + bucket
            + "/"
            + what
            + "?partition="
            + encode(partition);
    List<JsonNode> rows = new ArrayList<>();
    long from = 0;
    while (true) {
      SluiceHttp.Answer page = http.get(path + "&limit=500&from=" + from);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      assertThat(page.longHeader("Sluice-High-Watermark"))
          .as("the high watermark of %s", page)
          .isEqualTo(highWatermark);
      List<JsonNode> got = list(page.json());
      rows.addAll(got);
      long next = page.longHeader("Sluice-Next-Offset");
      if (next >= highWatermark) {
        assertThat(next).isEqualTo(highWatermark);
        return rows;
      }
      assertThat(next).as("%s moves on", page).isGreaterThan(from);
      from = next;
    }
  }

  /** Describe's bucket states: per partition, each bucket's high watermark. */
  private static Map<String, long[]> bucketStates(SluiceHttp http, String table) {
    SluiceHttp.Answer described = http.get("/v1/tables/" + table);
    assertThat(described.status()).as("%s", described).isEqualTo(200);
    Map<String, long[]> states = new TreeMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (JsonNode state : described.json().path("bucketState")) {
      assertThat(state.has("partition")).as("%s names its partition", state).isTrue();
      String partition = state.path("partition").asText();
      states.computeIfAbsent(partition, p -> new long[BUCKETS])[state.path("bucket").asInt()] =
          state.path("highWatermark").asLong();
      seen.merge(partition, 1, Integer::sum);
    }
    seen.forEach(
        (name, n) -> assertThat(n).as("%s has a state per bucket", name).isEqualTo(BUCKETS));
    return states;
  }
}
