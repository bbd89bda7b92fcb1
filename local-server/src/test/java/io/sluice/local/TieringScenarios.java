package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.ScheduledRun;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SerializableFunction;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Tiering through the HTTP API, checked by reading the lake tables with Paimon's and Iceberg's own
 * readers: every acknowledged row exactly once in each lake, in the first format's bucket equal to
 * its log bucket; drop and re-create with and without purging the lake; and log retention applied
 * by the scheduled work. The scheduler is off in tests, so tiering is driven by {@code POST
 * .../tier} and retention by {@link ScheduledRun#runOnce()}. Subclasses choose the shape: the lake
 * in a local directory, or on S3 ({@code sluice.lake.warehouse}), read here as a user would.
 */
abstract class TieringScenarios {
  private static final String DATABASE = "default";
  private static final int BUCKETS = 4;
  private static final String TIER_WAIT = "?waitMs=60000";

  @TestHTTPResource("/")
  URI base;

  @ConfigProperty(name = "sluice.data-dir")
  String dataDir;

  @ConfigProperty(name = "sluice.lake.warehouse")
  Optional<String> lakeWarehouse;

  @ConfigProperty(name = "sluice.lake.iceberg-uri")
  Optional<String> icebergUri;

  @ConfigProperty(name = "sluice.object-store.endpoint")
  Optional<String> s3Endpoint;

  @ConfigProperty(name = "sluice.object-store.region")
  Optional<String> s3Region;

  @ConfigProperty(name = "sluice.object-store.access-key")
  Optional<String> s3AccessKey;

  @ConfigProperty(name = "sluice.object-store.secret-key")
  Optional<String> s3SecretKey;

  @Inject ScheduledRun scheduled;

  @Inject MetadataStore metadata;

  @Inject MovableClock clock;

  SluiceHttp http() {
    return new SluiceHttp(base);
  }

  // ---- 1. both lakes, exactly once, bucket-aligned with the first format ----

  @Test
  void paimonFirstTableIsTieredExactlyOnceIntoBothLakesInPaimonsBuckets() throws Exception {
    tiersExactlyOnceIntoBothLakes("tiered_paimon_first", List.of("paimon", "iceberg"), 1);
  }

  @Test
  void icebergFirstTableIsTieredExactlyOnceIntoBothLakesInIcebergsBuckets() throws Exception {
    tiersExactlyOnceIntoBothLakes("tiered_iceberg_first", List.of("iceberg", "paimon"), 2);
  }

  private void tiersExactlyOnceIntoBothLakes(String table, List<String> formats, long seed)
      throws Exception {
    SluiceHttp http = http();
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, definition(formats, null));
    assertThat(created.status()).as("%s", created).isEqualTo(201);

    // First round: ~1,000 rows in five requests.
    List<Order> first = orders(1, 1_000, seed);
    Map<Long, LogPosition> positions = new HashMap<>(write(http, table, first, 200));
    Map<Integer, Long> marks1 = highWatermarks(http, table);
    assertThat(marks1.values()).as("every bucket got rows").allMatch(m -> m > 0);
    assertThat(marks1.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1_000);

    JsonNode tiered1 = tier(http, table);
    assertThat(fieldNames(tiered1)).containsExactlyInAnyOrderElementsOf(formats);
    for (String format : formats) {
      assertThat(offsets(tiered1.path(format).path("offsets")))
          .as("%s offsets after the first tiering: %s", format, tiered1)
          .isEqualTo(marks1);
      assertThat(tiered1.path(format).path("snapshotId").isIntegralNumber())
          .as("%s", tiered1)
          .isTrue();
    }
    assertLakesHold(table, formats, byId(first), positions);
    assertThat(metadata.lease("paimon-lock:" + DATABASE + "." + table))
        .as("Paimon's commit lock is a lease in the metadata store, on an object store only")
        .matches(lock -> lock.isPresent() == lakeOnS3());

    // Second round: only the new rows are added, every row still exactly once.
    List<Order> second = orders(5_001, 300, seed + 100);
    positions.putAll(write(http, table, second, 100));
    Map<Integer, Long> marks2 = highWatermarks(http, table);
    assertThat(marks2.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1_300);

    JsonNode tiered2 = tier(http, table);
    for (String format : formats) {
      assertThat(offsets(tiered2.path(format).path("offsets")))
          .as("%s offsets after the second tiering: %s", format, tiered2)
          .isEqualTo(marks2);
      // Paimon numbers snapshots 1, 2, ...; Iceberg's ids are random.
      assertThat(tiered2.path(format).path("snapshotId").asLong())
          .isNotEqualTo(tiered1.path(format).path("snapshotId").asLong());
    }
    List<Order> all = new ArrayList<>(first);
    all.addAll(second);
    assertLakesHold(table, formats, byId(all), positions);

    // The snapshot listing: newest first, each tiering with its offsets.
    for (String format : formats) {
      SluiceHttp.Answer listed = http.get("/v1/tables/" + table + "/lake/snapshots?lake=" + format);
      assertThat(listed.status()).as("%s", listed).isEqualTo(200);
      List<JsonNode> snapshots = ServerScenarios.list(listed.json().path("snapshots"));
      assertThat(snapshots).as("%s", listed).hasSizeGreaterThanOrEqualTo(2);
      assertThat(snapshots).allSatisfy(s -> assertThat(s.path("lake").asText()).isEqualTo(format));
      List<Instant> times =
          snapshots.stream().map(s -> Instant.parse(s.path("commitTime").asText())).toList();
      assertThat(times)
          .as("newest first: %s", listed)
          .isSortedAccordingTo(java.util.Comparator.reverseOrder());
      if (format.equals("paimon")) {
        List<Long> ids = snapshots.stream().map(s -> s.path("snapshotId").asLong()).toList();
        assertThat(ids)
            .as("newest first: %s", listed)
            .isSortedAccordingTo(java.util.Comparator.reverseOrder());
      }
      JsonNode newest = snapshots.get(0);
      assertThat(newest.path("snapshotId").asLong())
          .isEqualTo(tiered2.path(format).path("snapshotId").asLong());
      assertThat(offsets(newest.path("offsets"))).as("%s", listed).isEqualTo(marks2);
      assertThat(newest.path("rows").asLong()).as("%s", listed).isEqualTo(1_300);
      assertThat(Instant.parse(newest.path("commitTime").asText())).isBefore(Instant.now());
      JsonNode earlier =
          snapshots.stream()
              .filter(
                  s ->
                      s.path("snapshotId").asLong()
                          == tiered1.path(format).path("snapshotId").asLong())
              .findFirst()
              .orElseThrow(() -> new AssertionError("No first tiering snapshot in " + listed));
      assertThat(offsets(earlier.path("offsets"))).as("%s", listed).isEqualTo(marks1);
      assertThat(earlier.path("rows").asLong()).as("%s", listed).isEqualTo(1_000);
    }
    SluiceHttp.Answer byDefault = http.get("/v1/tables/" + table + "/lake/snapshots");
    assertThat(byDefault.json())
        .as("without lake=, the first format's snapshots")
        .isEqualTo(
            http.get("/v1/tables/" + table + "/lake/snapshots?lake=" + formats.get(0)).json());

    // The table shows, per bucket, what each format holds.
    JsonNode described = http.get("/v1/tables/" + table).json();
    for (JsonNode state : described.path("bucketState")) {
      int bucket = state.path("bucket").asInt();
      assertThat(state.path("highWatermark").asLong()).isEqualTo(marks2.get(bucket));
      for (String format : formats) {
        assertThat(state.path("tiered").path(format).asLong())
            .as("tiered %s of bucket %d: %s", format, bucket, described)
            .isEqualTo(marks2.get(bucket));
      }
    }

    // Union scans and SQL read each lake (on S3 too) plus the log tail exactly once.
    List<Order> third = orders(9_001, 50, seed + 200);
    write(http, table, third, 50);
    for (String format : formats) {
      List<Long> scanned = http.scannedIds(table, "&lake=" + format);
      List<Long> expected = new ArrayList<>(byId(all).keySet());
      third.forEach(o -> expected.add(o.id()));
      assertThat(scanned).as("%s union scan", format).containsExactlyInAnyOrderElementsOf(expected);
      SluiceHttp.Answer counted =
          http.postJson(
              "/v1/sql",
              "{\"sql\": \"SELECT COUNT(*) AS n FROM %s$lake_%s\"}".formatted(table, format));
      assertThat(counted.status()).as("%s", counted).isEqualTo(200);
      assertThat(counted.json().get(0).path("n").asLong()).isEqualTo(1_300);
    }
  }

  /**
   * Both lakes hold exactly {@code expected}, with equal values; in the table's first format each
   * row sits in the lake bucket equal to its log bucket, and in every format where that format's
   * own bucketing function puts it.
   */
  private void assertLakesHold(
      String table, List<String> formats, Map<Long, Order> expected, Map<Long, LogPosition> log)
      throws Exception {
    Map<Long, String> values = new TreeMap<>();
    expected.forEach((id, order) -> values.put(id, order.values()));
    for (String format : formats) {
      List<LakeRow> rows = format.equals("paimon") ? readPaimon(table) : readIceberg(table);
      assertThat(rows)
          .as("%s rows of %s: each exactly once", format, table)
          .extracting(LakeRow::id)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expected.keySet());
      Map<Long, String> read = new TreeMap<>();
      rows.forEach(r -> read.put(r.id(), r.values()));
      assertThat(read).as("%s values of %s", format, table).isEqualTo(values);
      for (LakeRow row : rows) {
        assertThat(row.lakeBucket())
            .as("%s: row %d sits where %s's own bucketing puts it", table, row.id(), format)
            .isEqualTo(row.ownBucket());
      }
      if (format.equals(formats.get(0))) {
        for (LakeRow row : rows) {
          assertThat(row.lakeBucket())
              .as("%s: row %d sits in %s bucket = its log bucket", table, row.id(), format)
              .isEqualTo(log.get(row.id()).bucket());
        }
      }
    }
  }

  // ---- 1b. partitioned tables into a partitioned Paimon table ----

  /** A row of the partitioned tables: day and region make its partition. */
  record Event(long id, LocalDateTime t, String region, long amount) {
    static Event of(long id) {
      String region = List.of("eu", "us/east", "ap-süd").get((int) (id % 3));
      return new Event(
          id, LocalDateTime.of(2026, 11, 23 + (int) (id % 4), (int) (id % 24), 7), region, id * 3);
    }

    String partition() {
      return "t_day=" + t.toLocalDate() + "/region=" + region.replace("/", "%2F");
    }

    ObjectNode json() {
      ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
      node.put("id", id);
      node.put("t", t.toString());
      node.put("region", region);
      node.put("amount", amount);
      return node;
    }
  }

  /** Where each row of the requests was acknowledged: its partition, bucket and offset. */
  private static Map<Long, String> writeEvents(SluiceHttp http, String table, List<Event> events) {
    Map<Long, String> placed = new HashMap<>();
    for (int from = 0; from < events.size(); from += 100) {
      List<Event> request = events.subList(from, Math.min(events.size(), from + 100));
      ArrayNode body = SluiceHttp.MAPPER.createArrayNode();
      request.forEach(e -> body.add(e.json()));
      SluiceHttp.Answer answer =
          http.post(
              "/v1/tables/" + table + "/rows?rowBuckets=true",
              SluiceHttp.JSON,
              body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(answer.status()).as("%s", answer).isEqualTo(200);
      Map<String, Long> next = new HashMap<>();
      for (JsonNode part : answer.json().path("buckets")) {
        next.put(
            part.path("partition").asText() + "#" + part.path("bucket").asInt(),
            part.path("baseOffset").asLong());
      }
      for (int i = 0; i < request.size(); i++) {
        String partition = answer.json().path("rowPartitions").get(i).asText();
        assertThat(partition).isEqualTo(request.get(i).partition());
        String at = partition + "#" + answer.json().path("rowBuckets").get(i).asInt();
        long offset = next.merge(at, 1L, Long::sum) - 1;
        placed.put(request.get(i).id(), at + "@" + offset);
      }
    }
    return placed;
  }

  /** High watermarks by partition and bucket, from {@code GET .../partitions}. */
  private static Map<String, Map<Integer, Long>> partitionMarks(SluiceHttp http, String table) {
    SluiceHttp.Answer listed = http.get("/v1/tables/" + table + "/partitions");
    assertThat(listed.status()).as("%s", listed).isEqualTo(200);
    Map<String, Map<Integer, Long>> marks = new TreeMap<>();
    for (JsonNode partition : listed.json().path("partitions")) {
      Map<Integer, Long> buckets = new TreeMap<>();
      for (JsonNode state : partition.path("bucketState")) {
        if (state.path("highWatermark").asLong() > 0) {
          buckets.put(state.path("bucket").asInt(), state.path("highWatermark").asLong());
        }
      }
      marks.put(partition.path("name").asText(), buckets);
    }
    return marks;
  }

  private static Map<String, Map<Integer, Long>> nestedOffsets(JsonNode node) {
    Map<String, Map<Integer, Long>> offsets = new TreeMap<>();
    node.properties()
        .forEach(
            e -> {
              Map<Integer, Long> buckets = new TreeMap<>();
              e.getValue()
                  .properties()
                  .forEach(
                      b -> {
                        if (b.getValue().asLong() > 0) {
                          buckets.put(Integer.parseInt(b.getKey()), b.getValue().asLong());
                        }
                      });
              offsets.put(e.getKey(), buckets);
            });
    return offsets;
  }

  /**
   * A table partitioned by {@code day(t)} and {@code region} is tiered into a Paimon table
   * partitioned by {@code t_day} (a derived column) and {@code region}: every row once, in the
   * Paimon partition of its values and, within it, in the bucket of its log bucket; the tiered
   * offsets name each partition; union scans and SQL read lake plus log exactly once.
   */
  @Test
  void aPartitionedTableIsTieredIntoAPartitionedPaimonTableExactlyOnce() throws Exception {
    SluiceHttp http = http();
    String table = "events_by_day";
    String definition =
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "region", "type": "string", "nullable": false},
                     {"name": "amount", "type": "bigint"}],
         "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": 4,
         "lake": {"formats": ["paimon", "iceberg"]}}
        """;
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, definition);
    assertThat(created.status()).as("%s", created).isEqualTo(201);

    List<Event> first = new ArrayList<>();
    for (long id = 0; id < 600; id++) {
      first.add(Event.of(id));
    }
    Map<Long, String> placed = new HashMap<>(writeEvents(http, table, first));
    Map<String, Map<Integer, Long>> marks1 = partitionMarks(http, table);
    assertThat(marks1).hasSize(12);

    JsonNode tiered1 = tier(http, table);
    for (String format : List.of("paimon", "iceberg")) {
      assertThat(nestedOffsets(tiered1.path(format).path("offsets")))
          .as("the tiered %s offsets by partition and bucket: %s", format, tiered1)
          .isEqualTo(marks1);
    }
    assertPaimonPartitionsHold(table, first, placed);
    assertIcebergPartitionsHold(table, first);

    List<Event> second = new ArrayList<>();
    for (long id = 600; id < 800; id++) {
      second.add(Event.of(id));
    }
    placed.putAll(writeEvents(http, table, second));
    JsonNode tiered2 = tier(http, table);
    assertThat(nestedOffsets(tiered2.path("iceberg").path("offsets")))
        .isEqualTo(partitionMarks(http, table));
    List<Event> all = new ArrayList<>(first);
    all.addAll(second);
    assertPaimonPartitionsHold(table, all, placed);
    assertIcebergPartitionsHold(table, all);

    List<Event> tail = new ArrayList<>();
    for (long id = 800; id < 830; id++) {
      tail.add(Event.of(id));
    }
    writeEvents(http, table, tail);
    SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan?columns=id,t,region,amount");
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    List<Long> scanned = new ArrayList<>();
    scan.json()
        .forEach(
            row -> {
              assertThat(fieldNames(row)).containsExactly("id", "t", "region", "amount");
              scanned.add(row.path("id").asLong());
            });
    assertThat(scanned)
        .as("the union scan: lake plus log tail, each row once")
        .hasSize(830)
        .doesNotHaveDuplicates();
    SluiceHttp.Answer counted =
        http.postJson(
            "/v1/sql",
            "{\"sql\": \"SELECT COUNT(*) AS n FROM %s$lake WHERE region = 'eu'\"}"
                .formatted(table));
    assertThat(counted.status()).as("%s", counted).isEqualTo(200);
    assertThat(counted.json().get(0).path("n").asLong())
        .as("the lake holds the tiered rows of region eu")
        .isEqualTo(all.stream().filter(e -> e.region().equals("eu")).count());
  }

  /**
   * A table of many partitions keeps its tiered offsets in an offsets file that each lake snapshot
   * names, so the snapshots stay small; the tier answer, the snapshot listing, describe, the next
   * run and the union scan all find the offsets through it.
   */
  @Test
  void manyPartitionsKeepTheirTieredOffsetsInAFileTheSnapshotsName() throws Exception {
    SluiceHttp http = http();
    String table = "events_many_days";
    String definition =
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "region", "type": "string", "nullable": false},
                     {"name": "amount", "type": "bigint"}],
         "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": 2,
         "lake": {"formats": ["paimon", "iceberg"]}}
        """;
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, definition);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    // 24 partitions (12 days, two regions with long names) of four rows each: about 3.5 KB of
    // offsets JSON, past what a snapshot property holds inline.
    List<String> regions = List.of("eu-" + "x".repeat(100), "us/east-" + "y".repeat(100));
    List<Event> events = new ArrayList<>();
    for (long id = 0; id < 96; id++) {
      events.add(
          new Event(
              id,
              LocalDateTime.of(2026, 1, 1, 8, 0).plusDays(id / 8),
              regions.get((int) (id % 2)),
              id));
    }
    writeEvents(http, table, events);
    Map<String, Map<Integer, Long>> marks = partitionMarks(http, table);
    assertThat(marks).hasSize(24);

    JsonNode tiered = tier(http, table);
    for (String format : List.of("paimon", "iceberg")) {
      assertThat(nestedOffsets(tiered.path(format).path("offsets"))).isEqualTo(marks);
      SluiceHttp.Answer snapshots =
          http.get("/v1/tables/" + table + "/lake/snapshots?lake=" + format);
      assertThat(snapshots.status()).as("%s", snapshots).isEqualTo(200);
      assertThat(nestedOffsets(snapshots.json().path("snapshots").get(0).path("offsets")))
          .as("the newest %s snapshot's offsets, read from its offsets file", format)
          .isEqualTo(marks);
    }
    try (Catalog catalog = paimonCatalog()) {
      FileStoreTable lake = (FileStoreTable) catalog.getTable(Identifier.create(DATABASE, table));
      Map<String, String> properties = lake.snapshotManager().latestSnapshot().properties();
      assertThat(properties).containsKey("sluice.offsets-file").doesNotContainKey("sluice.offsets");
      assertThat(properties.toString().length())
          .as("the snapshot's properties stay small: %s", properties)
          .isLessThan(300);
    }
    SluiceHttp.Answer described = http.get("/v1/tables/" + table);
    assertThat(described.status()).as("%s", described).isEqualTo(200);
    for (JsonNode state : described.json().path("bucketState")) {
      assertThat(state.path("tiered").path("iceberg").asLong())
          .as("describe's tiered offset of %s", state)
          .isEqualTo(state.path("highWatermark").asLong());
    }

    List<Event> more = new ArrayList<>();
    for (long id = 96; id < 120; id++) {
      more.add(
          new Event(id, LocalDateTime.of(2026, 1, 1, 9, 0).plusDays(id % 12), regions.get(0), id));
    }
    writeEvents(http, table, more);
    JsonNode next = tier(http, table);
    assertThat(nestedOffsets(next.path("paimon").path("offsets")))
        .as("the next run started from the offsets in the file")
        .isEqualTo(partitionMarks(http, table));
    SluiceHttp.Answer scan = http.get("/v1/tables/" + table + "/scan?columns=id");
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    assertThat(scan.json()).as("the union scan: lake plus log tail, each row once").hasSize(120);
  }

  /**
   * Iceberg holds exactly {@code expected}, each row in the partition of its day, region and
   * Iceberg's own bucket of its id.
   */
  @SuppressWarnings("unchecked")
  private void assertIcebergPartitionsHold(String table, List<Event> expected) throws Exception {
    Map<Long, String> read = new HashMap<>();
    try (JdbcCatalog catalog = icebergCatalog()) {
      org.apache.iceberg.Table lake = catalog.loadTable(TableIdentifier.of(DATABASE, table));
      assertThat(lake.spec().fields())
          .extracting(PartitionField::name)
          .containsExactly("t_day", "region", "id_bucket");
      SerializableFunction<Long, Integer> ownBucket =
          ((Transform<Long, Integer>) lake.spec().fields().get(2).transform())
              .bind(Types.LongType.get());
      Map<String, String> partitionOfFile = new HashMap<>();
      try (CloseableIterable<FileScanTask> tasks = lake.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          var partition = task.file().partition();
          partitionOfFile.put(
              task.file().location(),
              java.time.LocalDate.ofEpochDay(partition.get(0, Integer.class))
                  + "/"
                  + partition.get(1, String.class)
                  + "/"
                  + partition.get(2, Integer.class));
        }
      }
      Schema withFile = TypeUtil.join(lake.schema(), new Schema(MetadataColumns.FILE_PATH));
      try (CloseableIterable<Record> records =
          IcebergGenerics.read(lake).project(withFile).build()) {
        for (Record record : records) {
          long id = (Long) record.getField("id");
          String file = record.getField(MetadataColumns.FILE_PATH.name()).toString();
          assertThat(read.put(id, partitionOfFile.get(file))).as("row %d once", id).isNull();
        }
      }
      Map<Long, String> places = new HashMap<>();
      for (Event event : expected) {
        places.put(
            event.id(),
            event.t().toLocalDate() + "/" + event.region() + "/" + ownBucket.apply(event.id()));
      }
      assertThat(read).as("every row in the Iceberg partition of its values").isEqualTo(places);
    }
  }

  /**
   * A primary-key table partitioned by region: upserts, partial updates and deletes, tiered into
   * both lakes; the union scan equals a replay of the writes before and after each tiering.
   */
  @Test
  void aPartitionedPrimaryKeyTableReadsAsItsReplayBeforeAndAfterTiering() {
    SluiceHttp http = http();
    String table = "stock_by_region";
    String definition =
        """
        {"columns": [{"name": "region", "type": "string", "nullable": false},
                     {"name": "id", "type": "bigint", "nullable": false},
                     {"name": "qty", "type": "bigint"}],
         "primaryKey": ["region", "id"], "partitionBy": ["region"], "buckets": 2,
         "lake": {"formats": ["iceberg", "paimon"]}}
        """;
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, definition);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("bucketKey").toString())
        .as("the bucket key is the primary key less its partition columns")
        .isEqualTo("[\"id\"]");
    Map<String, Long> replay = new TreeMap<>();
    Random random = new Random(7);
    for (int round = 0; round < 3; round++) {
      for (int request = 0; request < 4; request++) {
        ArrayNode body = SluiceHttp.MAPPER.createArrayNode();
        for (int i = 0; i < 40; i++) {
          String region = random.nextBoolean() ? "eu" : "us";
          long id = random.nextInt(30);
          String key = region + "/" + id;
          ObjectNode row = body.addObject().put("region", region).put("id", id);
          if (random.nextInt(5) == 0) {
            row.put("_op", "delete");
            replay.remove(key);
          } else {
            long qty = random.nextInt(1000);
            row.put("qty", qty);
            replay.put(key, qty);
          }
        }
        SluiceHttp.Answer wrote =
            http.post(
                "/v1/tables/" + table + "/rows",
                SluiceHttp.JSON,
                body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(wrote.status()).as("%s", wrote).isEqualTo(200);
      }
      assertThat(currentRows(http, table, ""))
          .as("union before tiering %d", round)
          .isEqualTo(replay);
      tier(http, table);
      for (String lake : List.of("iceberg", "paimon")) {
        assertThat(currentRows(http, table, "&source=lake&lake=" + lake))
            .as("%s after tiering %d", lake, round)
            .isEqualTo(replay);
      }
    }
  }

  private static Map<String, Long> currentRows(SluiceHttp http, String table, String query) {
    SluiceHttp.Answer scan =
        http.get("/v1/tables/" + table + "/scan?columns=region,id,qty" + query);
    assertThat(scan.status()).as("%s", scan).isEqualTo(200);
    Map<String, Long> rows = new TreeMap<>();
    for (JsonNode row : scan.json()) {
      String key = row.path("region").asText() + "/" + row.path("id").asLong();
      assertThat(rows.put(key, row.path("qty").asLong())).as("key %s once", key).isNull();
    }
    return rows;
  }

  /** Paimon holds exactly {@code expected}, each row in its partition and its log bucket. */
  private void assertPaimonPartitionsHold(String table, List<Event> expected, Map<Long, String> log)
      throws Exception {
    Map<Long, String> read = new HashMap<>();
    try (Catalog catalog = paimonCatalog()) {
      FileStoreTable lake = (FileStoreTable) catalog.getTable(Identifier.create(DATABASE, table));
      assertThat(lake.partitionKeys()).containsExactly("t_day", "region");
      assertThat(lake.rowType().getFieldNames())
          .containsExactly("id", "t", "region", "amount", "t_day");
      ReadBuilder builder = lake.newReadBuilder();
      for (Split split : builder.newScan().plan().splits()) {
        DataSplit data = (DataSplit) split;
        String partition =
            "t_day="
                + data.partition().getString(0)
                + "/region="
                + data.partition().getString(1).toString().replace("/", "%2F");
        try (RecordReader<InternalRow> reader = builder.newRead().createReader(split)) {
          reader.forEachRemaining(
              row -> {
                long id = row.getLong(0);
                assertThat(read.put(id, partition + "#" + data.bucket()))
                    .as("row %d once", id)
                    .isNull();
                assertThat(row.getString(4).toString())
                    .as("t_day of row %d", id)
                    .isEqualTo(row.getTimestamp(1, 6).toLocalDateTime().toLocalDate().toString());
              });
        }
      }
    }
    Map<Long, String> expectedPlaces = new HashMap<>();
    for (Event event : expected) {
      String at = log.get(event.id());
      expectedPlaces.put(event.id(), at.substring(0, at.indexOf('@')));
    }
    assertThat(read)
        .as("every row in the Paimon partition of its values and the bucket of its log bucket")
        .isEqualTo(expectedPlaces);
  }

  // ---- 2. drop and re-create ----

  /**
   * A table dropped without purging keeps its lake tables, and re-creating it is refused with
   * LAKE_TABLE_EXISTS pointing at {@code ?purgeLake=true}; that purge works on the name alone,
   * after which the name is free again.
   */
  @Test
  void aTableDroppedWithoutPurgeKeepsItsLakeTablesUntilTheNameIsPurged() throws Exception {
    SluiceHttp http = http();
    String table = "dropped_kept";
    List<String> formats = List.of("paimon", "iceberg");
    String definition = definition(formats, null);
    assertThat(http.putJson("/v1/tables/" + table, definition).status()).isEqualTo(201);
    List<Order> rows = orders(1, 120, 3);
    Map<Long, LogPosition> positions = write(http, table, rows, 60);
    tier(http, table);

    SluiceHttp.Answer dropped = http.delete("/v1/tables/" + table);
    assertThat(dropped.status()).as("%s", dropped).isEqualTo(200);
    assertThat(dropped.json().path("dropped").asBoolean()).isTrue();
    assertThat(dropped.json().path("lakePurged")).isEmpty();
    ServerScenarios.assertError(http.get("/v1/tables/" + table), 404, "TABLE_NOT_FOUND", table);
    assertLakesHold(table, formats, byId(rows), positions);

    SluiceHttp.Answer refused = http.putJson("/v1/tables/" + table, definition);
    ServerScenarios.assertError(refused, 409, "LAKE_TABLE_EXISTS", table, "purgeLake=true");

    // The advised purge works on the name, though no Sluice table has it any more.
    SluiceHttp.Answer purge = http.delete("/v1/tables/" + table + "?purgeLake=true");
    assertThat(purge.status()).as("%s", purge).isEqualTo(200);
    assertThat(purge.json().path("dropped").asBoolean()).isFalse();
    assertThat(purge.json().path("lakePurged").toString()).isEqualTo("[\"paimon\",\"iceberg\"]");
    ServerScenarios.assertError(
        http.delete("/v1/tables/" + table + "?purgeLake=true"), 404, "TABLE_NOT_FOUND", table);

    assertThat(http.putJson("/v1/tables/" + table, definition).status()).isEqualTo(201);
  }

  @Test
  void aTablePurgedOfItsLakeIsRecreatedFromOffsetZeroAndTieredAfresh() throws Exception {
    SluiceHttp http = http();
    String table = "reborn";
    List<String> formats = List.of("iceberg", "paimon");
    String definition = definition(formats, null);
    SluiceHttp.Answer created = http.putJson("/v1/tables/" + table, definition);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String oldId = created.json().path("tableId").asText();
    List<Order> old = orders(1, 200, 4);
    write(http, table, old, 100);
    tier(http, table);
    assertThat(readPaimon(table)).hasSize(200);
    assertThat(readIceberg(table)).hasSize(200);

    SluiceHttp.Answer dropped = http.delete("/v1/tables/" + table + "?purgeLake=true");
    assertThat(dropped.status()).as("%s", dropped).isEqualTo(200);
    assertThat(dropped.json().path("lakePurged").toString()).isEqualTo("[\"paimon\",\"iceberg\"]");
    ServerScenarios.assertError(http.get("/v1/tables/" + table), 404, "TABLE_NOT_FOUND", table);
    try (Catalog catalog = paimonCatalog()) {
      assertThatThrownBy(() -> catalog.getTable(Identifier.create(DATABASE, table)))
          .isInstanceOf(Catalog.TableNotExistException.class)
          .hasMessageContaining(DATABASE + "." + table);
    }
    try (JdbcCatalog catalog = icebergCatalog()) {
      assertThat(catalog.tableExists(TableIdentifier.of(DATABASE, table))).isFalse();
    }

    SluiceHttp.Answer again = http.putJson("/v1/tables/" + table, definition);
    assertThat(again.status()).as("%s", again).isEqualTo(201);
    assertThat(again.json().path("tableId").asText()).isNotEqualTo(oldId);
    assertThat(highWatermarks(http, table).values()).allMatch(m -> m == 0);

    List<Order> fresh = orders(90_001, 150, 5);
    SluiceHttp.Answer firstWrite =
        http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, jsonBody(fresh));
    assertThat(firstWrite.status()).as("%s", firstWrite).isEqualTo(200);
    assertThat(firstWrite.json().path("buckets"))
        .as("the new incarnation starts at offset 0: %s", firstWrite)
        .allSatisfy(part -> assertThat(part.path("baseOffset").asLong()).isZero());
    Map<Long, LogPosition> positions = positions(http, table, fresh, firstWrite);
    Map<Integer, Long> marks = highWatermarks(http, table);

    JsonNode tiered = tier(http, table);
    for (String format : formats) {
      assertThat(offsets(tiered.path(format).path("offsets"))).as("%s", tiered).isEqualTo(marks);
    }
    assertLakesHold(table, formats, byId(fresh), positions);
    for (String format : formats) {
      List<JsonNode> snapshots =
          ServerScenarios.list(
              http.get("/v1/tables/" + table + "/lake/snapshots?lake=" + format)
                  .json()
                  .path("snapshots"));
      assertThat(snapshots).isNotEmpty();
      assertThat(offsets(snapshots.get(0).path("offsets"))).isEqualTo(marks);
      assertThat(snapshots)
          .as("%s: no snapshot of the old incarnation", format)
          .allSatisfy(s -> assertThat(s.path("rows").asLong()).isLessThanOrEqualTo(150));
    }
  }

  // ---- 3. retention through the scheduled work ----

  @Test
  void theScheduledRunDropsOnlyTieredSlicesOlderThanTheRetention() {
    SluiceHttp http = http();
    String table = "retained_tiered";
    // Freshness 1h: after its first visit the scheduled run leaves tiering to this test.
    assertThat(
            http.putJson("/v1/tables/" + table, definition(List.of("paimon"), "1h", "1s", BUCKETS))
                .status())
        .isEqualTo(201);
    write(http, table, orders(1, 200, 6), 100);
    Map<Integer, Long> tiered = offsets(tier(http, table).path("paimon").path("offsets"));
    assertThat(tiered).isEqualTo(highWatermarks(http, table));
    scheduled.runOnce();

    // Rows written after the tiering are older than the retention too, but not in the lake.
    List<Order> later = orders(1_001, 100, 7);
    SluiceHttp.Answer laterWrite =
        http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, jsonBody(later));
    assertThat(laterWrite.status()).as("%s", laterWrite).isEqualTo(200);
    Instant laterCommitted = Instant.parse(laterWrite.json().path("commitTimestamp").asText());
    Map<Integer, Long> marks = highWatermarks(http, table);

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Instant sweptAt = Instant.now();
              scheduled.runOnce();
              assertThat(sweptAt).isAfter(laterCommitted.plusMillis(1_100));
              assertThat(logStarts(http, table)).isEqualTo(tiered);
            });
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      String records = "/v1/tables/" + table + "/buckets/" + bucket + "/records";
      assertOutOfRange(http.get(records + "?from=0"), tiered.get(bucket));
      SluiceHttp.Answer tail = http.get(records + "?from=" + tiered.get(bucket));
      assertThat(tail.status()).as("%s", tail).isEqualTo(200);
      assertThat(tail.json())
          .as("untiered rows stay in the log: %s", tail)
          .hasSize((int) (marks.get(bucket) - tiered.get(bucket)));
    }
    JsonNode described = http.get("/v1/tables/" + table).json();
    for (JsonNode state : described.path("bucketState")) {
      assertThat(state.path("tiered").path("paimon").asLong())
          .isEqualTo(tiered.get(state.path("bucket").asInt()));
    }

    // Once tiered, they go as well.
    assertThat(offsets(tier(http, table).path("paimon").path("offsets"))).isEqualTo(marks);
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              scheduled.runOnce();
              assertThat(logStarts(http, table)).isEqualTo(marks);
            });
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      assertOutOfRange(
          http.get("/v1/tables/" + table + "/buckets/" + bucket + "/records?from=0"),
          marks.get(bucket));
    }
  }

  // ---- 3b. partition retention ----

  /**
   * A table partitioned by {@code hour(t)} with {@code partitionRetention} 1h: once the server's
   * clock (moved by the test) is past an hour's end plus the retention and recovery's 90 s, one
   * scheduled pass drops that hour from the log and from both lakes, while the live hour reads
   * whole from lake and log; a late row into the dropped hour is 409, a read of its buckets 404.
   */
  @Test
  void theScheduledRunDropsAnExpiredPartitionFromTheLogAndBothLakes() throws Exception {
    SluiceHttp http = http();
    String table = "hourly_events";
    // The server's time: half past an hour, so the hour before stays writable while we write.
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    clock.advance(Duration.between(clock.instant(), hour.plus(Duration.ofMinutes(30))));
    try {
      SluiceHttp.Answer created =
          http.putJson(
              "/v1/tables/" + table,
              """
              {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                           {"name": "t", "type": "timestamp", "nullable": false}],
               "partitionBy": ["hour(t)"], "bucketKey": ["id"], "buckets": 2,
               "partitionRetention": "1h", "lake": {"formats": ["paimon", "iceberg"]}}
              """);
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      LocalDateTime past = LocalDateTime.ofInstant(hour.minus(Duration.ofHours(1)), ZoneOffset.UTC);
      LocalDateTime live = LocalDateTime.ofInstant(hour, ZoneOffset.UTC);
      String expiring = "t_hour=" + hourName(past);
      // Even ids in the past hour, odd ones in the live hour: each request spans both.
      List<Long> liveIds = new ArrayList<>();
      for (long first = 1; first <= 40; first += 10) {
        ArrayNode body = SluiceHttp.MAPPER.createArrayNode();
        for (long id = first; id < first + 10; id++) {
          body.addObject()
              .put("id", id)
              .put("t", (id % 2 == 0 ? past : live).plusMinutes(id).toString());
          if (id % 2 == 1) {
            liveIds.add(id);
          }
        }
        SluiceHttp.Answer wrote =
            http.post(
                "/v1/tables/" + table + "/rows",
                SluiceHttp.JSON,
                body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(wrote.status()).as("%s", wrote).isEqualTo(200);
        if (first == 21) {
          tier(http, table); // the last ten rows stay in the log only
        }
      }
      assertThat(http.scannedIds(table, "")).hasSize(40);

      // The past hour ended at `hour`; an hour later it expires, and once recovery's 90 s have
      // passed too, the pass drops it.
      clock.advance(Duration.ofMinutes(30).plusSeconds(95));
      ServerScenarios.assertError(
          http.post(
              "/v1/tables/" + table + "/rows",
              SluiceHttp.JSON,
              ("[{\"id\": 99, \"t\": \"" + past + "\"}]")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          409,
          "PARTITION_EXPIRED",
          "row 1: partition " + expiring + " ended at " + hour);
      scheduled.runOnce(metadata.table(TableName.parse(table)).orElseThrow());

      SluiceHttp.Answer listed = http.get("/v1/tables/" + table + "/partitions");
      assertThat(listed.status()).as("%s", listed).isEqualTo(200);
      assertThat(listed.json().path("partitions").findValuesAsText("name"))
          .containsExactly("t_hour=" + hourName(live));
      for (String query : List.of("", "&lake=iceberg", "&source=log", "&source=lake")) {
        assertThat(http.scannedIds(table, query))
            .as("scan %s", query)
            .containsExactlyInAnyOrderElementsOf(liveIds);
      }
      for (int bucket = 0; bucket < 2; bucket++) {
        ServerScenarios.assertError(
            http.get(
                "/v1/tables/%s/buckets/%d/records?from=0&partition=%s"
                    .formatted(
                        table,
                        bucket,
                        java.net.URLEncoder.encode(
                            expiring, java.nio.charset.StandardCharsets.UTF_8))),
            404,
            "BUCKET_NOT_FOUND",
            "Partition " + expiring + " of table default." + table + " was dropped");
      }
      assertThat(paimonIds(table)).as("Paimon").containsExactlyInAnyOrderElementsOf(liveIds);
      assertThat(icebergIds(table)).as("Iceberg").containsExactlyInAnyOrderElementsOf(liveIds);
    } finally {
      clock.reset();
    }
  }

  private static String hourName(LocalDateTime hour) {
    return hour.toLocalDate() + "-%02d".formatted(hour.getHour());
  }

  /** The ids in the Paimon table's latest snapshot, read with Paimon's own reader. */
  private List<Long> paimonIds(String table) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Catalog catalog = paimonCatalog()) {
      FileStoreTable lake = (FileStoreTable) catalog.getTable(Identifier.create(DATABASE, table));
      ReadBuilder read = lake.newReadBuilder();
      for (Split split : read.newScan().plan().splits()) {
        try (RecordReader<InternalRow> reader = read.newRead().createReader(split)) {
          reader.forEachRemaining(row -> ids.add(row.getLong(0)));
        }
      }
    }
    return ids;
  }

  /** The ids in the Iceberg table's current snapshot, read with Iceberg's generic reader. */
  private List<Long> icebergIds(String table) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (JdbcCatalog catalog = icebergCatalog();
        CloseableIterable<Record> records =
            IcebergGenerics.read(catalog.loadTable(TableIdentifier.of(DATABASE, table))).build()) {
      records.forEach(record -> ids.add((Long) record.getField("id")));
    }
    return ids;
  }

  @Test
  void theScheduledRunSweepsATableWithoutLakeFormats() {
    SluiceHttp http = http();
    String table = "retained_log";
    assertThat(http.putJson("/v1/tables/" + table, definition(List.of(), null, "1s", 2)).status())
        .isEqualTo(201);
    write(http, table, orders(1, 100, 8), 50);
    Map<Integer, Long> marks = highWatermarks(http, table);
    assertThat(marks.values()).allMatch(m -> m > 0);
    ServerScenarios.assertError(
        http.send("POST", "/v1/tables/" + table + "/tier" + TIER_WAIT, null, null, Map.of()),
        400,
        "NOT_SUPPORTED",
        "no lake formats");

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              scheduled.runOnce();
              assertThat(logStarts(http, table)).isEqualTo(marks);
            });
    for (int bucket = 0; bucket < 2; bucket++) {
      assertOutOfRange(
          http.get("/v1/tables/" + table + "/buckets/" + bucket + "/records?from=0"),
          marks.get(bucket));
    }
    assertThat(highWatermarks(http, table)).isEqualTo(marks);
  }

  private static void assertOutOfRange(SluiceHttp.Answer answer, long logStart) {
    ServerScenarios.assertError(
        answer, 409, "OFFSET_OUT_OF_RANGE", "below the log start " + logStart);
    assertThat(answer.json().path("error").path("logStartOffset").isIntegralNumber())
        .as("%s", answer)
        .isTrue();
    assertThat(answer.json().path("error").path("logStartOffset").asLong())
        .as("%s", answer)
        .isEqualTo(logStart);
  }

  // ---- rows ----

  /** A row of the test tables; nulls now and then in every nullable column. */
  record Order(long id, String customer, BigDecimal amount, LocalDateTime t) {
    /** The comparable form of the nullable columns. */
    String values() {
      return customer + "|" + (amount == null ? null : amount.toPlainString()) + "|" + t;
    }

    ObjectNode json() {
      ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
      node.put("id", id);
      if (customer != null) {
        node.put("customer", customer);
      } else if (id % 2 == 0) {
        node.putNull("customer");
      }
      if (amount != null) {
        node.put("amount", amount.toPlainString());
      }
      if (t != null) {
        node.put("t", t.toString());
      }
      return node;
    }
  }

  private static final String[] CUSTOMERS = {
    "acme", "Zoë Ünïcode", "日本語の顧客", "emoji 🚀", "", "quote \" and \\",
  };

  static List<Order> orders(long firstId, int count, long seed) {
    Random random = new Random(seed);
    List<Order> orders = new ArrayList<>();
    for (long id = firstId; id < firstId + count; id++) {
      String customer =
          random.nextInt(7) == 0
              ? null
              : CUSTOMERS[random.nextInt(CUSTOMERS.length)] + " " + random.nextInt(1000);
      BigDecimal amount =
          random.nextInt(11) == 0
              ? null
              : BigDecimal.valueOf(random.nextLong() % 10_000_000_000L, 2);
      LocalDateTime t =
          random.nextInt(13) == 0
              ? null
              : LocalDateTime.ofEpochSecond(
                  random.nextLong(0, 4_000_000_000L),
                  random.nextInt(1_000_000) * 1000,
                  ZoneOffset.UTC);
      orders.add(new Order(id, customer, amount, t));
    }
    return orders;
  }

  static byte[] jsonBody(List<Order> orders) {
    ArrayNode array = SluiceHttp.MAPPER.createArrayNode();
    orders.forEach(o -> array.add(o.json()));
    return array.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static Map<Long, Order> byId(List<Order> orders) {
    Map<Long, Order> byId = new LinkedHashMap<>();
    orders.forEach(o -> byId.put(o.id(), o));
    return byId;
  }

  static String definition(List<String> formats, String logRetention) {
    return definition(formats, null, logRetention, BUCKETS);
  }

  static String definition(
      List<String> formats, String freshness, String logRetention, int buckets) {
    ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
    ArrayNode columns = node.putArray("columns");
    columns.addObject().put("name", "id").put("type", "bigint").put("nullable", false);
    columns.addObject().put("name", "customer").put("type", "string");
    columns.addObject().put("name", "amount").put("type", "decimal(12,2)");
    columns.addObject().put("name", "t").put("type", "timestamp");
    node.putArray("bucketKey").add("id");
    node.put("buckets", buckets);
    ObjectNode lake = node.putObject("lake");
    ArrayNode list = lake.putArray("formats");
    formats.forEach(list::add);
    if (freshness != null) {
      lake.put("freshness", freshness);
    }
    if (logRetention != null) {
      node.put("logRetention", logRetention);
    }
    return node.toString();
  }

  // ---- the log ----

  /** Where the log acknowledged a row. */
  record LogPosition(int bucket, long offset) {}

  /** Writes in requests of {@code perRequest} rows; returns where each row was acknowledged. */
  static Map<Long, LogPosition> write(
      SluiceHttp http, String table, List<Order> orders, int perRequest) {
    Map<Long, LogPosition> positions = new HashMap<>();
    for (int from = 0; from < orders.size(); from += perRequest) {
      List<Order> request = orders.subList(from, Math.min(orders.size(), from + perRequest));
      SluiceHttp.Answer answer =
          http.post("/v1/tables/" + table + "/rows", SluiceHttp.JSON, jsonBody(request));
      assertThat(answer.status()).as("%s", answer).isEqualTo(200);
      positions.putAll(positions(http, table, request, answer));
    }
    assertThat(positions).hasSize(orders.size());
    return positions;
  }

  /**
   * The acknowledged bucket and offset of each row of a write, read back from the log ranges the
   * answer acknowledged.
   */
  static Map<Long, LogPosition> positions(
      SluiceHttp http, String table, List<Order> request, SluiceHttp.Answer answer) {
    assertThat(answer.json().path("rows").asLong()).as("%s", answer).isEqualTo(request.size());
    Map<Long, LogPosition> positions = new HashMap<>();
    for (JsonNode part : answer.json().path("buckets")) {
      int bucket = part.path("bucket").asInt();
      long baseOffset = part.path("baseOffset").asLong();
      long count = part.path("count").asLong();
      SluiceHttp.Answer read =
          http.get(
              "/v1/tables/%s/buckets/%d/records?from=%d&limit=%d&columns=id"
                  .formatted(table, bucket, baseOffset, count));
      assertThat(read.status()).as("%s", read).isEqualTo(200);
      List<JsonNode> rows = ServerScenarios.list(read.json());
      assertThat(rows).as("%s", read).hasSize((int) count);
      for (int i = 0; i < rows.size(); i++) {
        assertThat(rows.get(i).path("_offset").asLong()).isEqualTo(baseOffset + i);
        LogPosition clash =
            positions.put(rows.get(i).path("id").asLong(), new LogPosition(bucket, baseOffset + i));
        assertThat(clash).as("a row acknowledged twice: %s", read).isNull();
      }
    }
    assertThat(positions.keySet())
        .containsExactlyInAnyOrderElementsOf(request.stream().map(Order::id).toList());
    return positions;
  }

  static JsonNode tier(SluiceHttp http, String table) {
    SluiceHttp.Answer answer =
        http.send("POST", "/v1/tables/" + table + "/tier" + TIER_WAIT, null, null, Map.of());
    assertThat(answer.status()).as("%s", answer).isEqualTo(200);
    return answer.json();
  }

  static Map<Integer, Long> highWatermarks(SluiceHttp http, String table) {
    return bucketStates(http, table, "highWatermark");
  }

  static Map<Integer, Long> logStarts(SluiceHttp http, String table) {
    return bucketStates(http, table, "logStartOffset");
  }

  private static Map<Integer, Long> bucketStates(SluiceHttp http, String table, String field) {
    SluiceHttp.Answer described = http.get("/v1/tables/" + table);
    assertThat(described.status()).as("%s", described).isEqualTo(200);
    Map<Integer, Long> values = new TreeMap<>();
    for (JsonNode state : described.json().path("bucketState")) {
      values.put(state.path("bucket").asInt(), state.path(field).asLong());
    }
    return values;
  }

  static Map<Integer, Long> offsets(JsonNode node) {
    assertThat(node.isObject()).as("offsets object: %s", node).isTrue();
    Map<Integer, Long> offsets = new TreeMap<>();
    node.fields()
        .forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    return offsets;
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ---- the lakes, read with their own libraries ----

  /** A row read from a lake: its lake bucket and where the lake's own bucketing would put it. */
  record LakeRow(long id, int lakeBucket, int ownBucket, String values) {}

  /** The lake warehouse the server tiers into, without a trailing slash. */
  private String lake() {
    String root =
        lakeWarehouse.orElse(Path.of(dataDir).toAbsolutePath().resolve("lake").toUri().toString());
    return root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  private boolean lakeOnS3() {
    return lake().startsWith("s3://");
  }

  /** Paimon's own catalog, configured as a user would: on S3 with paimon-s3's options. */
  private Catalog paimonCatalog() {
    Options options = new Options();
    options.set("warehouse", lake() + "/paimon");
    options.set("cache-enabled", "false");
    if (lakeOnS3()) {
      s3Endpoint.ifPresent(v -> options.set("s3.endpoint", v));
      s3Region.ifPresent(v -> options.set("s3.endpoint.region", v));
      s3AccessKey.ifPresent(v -> options.set("s3.access-key", v));
      s3SecretKey.ifPresent(v -> options.set("s3.secret-key", v));
      options.set("s3.path.style.access", "true");
    }
    return CatalogFactory.createCatalog(CatalogContext.create(options));
  }

  /** Every row of the latest snapshot, split by split, with the split's bucket. */
  private List<LakeRow> readPaimon(String table) throws Exception {
    List<LakeRow> rows = new ArrayList<>();
    try (Catalog catalog = paimonCatalog()) {
      FileStoreTable lake = (FileStoreTable) catalog.getTable(Identifier.create(DATABASE, table));
      assertThat(lake.rowType().getFieldNames()).containsExactly("id", "customer", "amount", "t");
      ReadBuilder read = lake.newReadBuilder();
      try (BatchTableWrite bucketing = lake.newBatchWriteBuilder().newWrite()) {
        for (Split split : read.newScan().plan().splits()) {
          int bucket = ((DataSplit) split).bucket();
          try (RecordReader<InternalRow> reader = read.newRead().createReader(split)) {
            reader.forEachRemaining(
                row ->
                    rows.add(
                        new LakeRow(
                            row.getLong(0),
                            bucket,
                            bucketing.getBucket(row),
                            new Order(
                                    row.getLong(0),
                                    row.isNullAt(1) ? null : row.getString(1).toString(),
                                    row.isNullAt(2)
                                        ? null
                                        : row.getDecimal(2, 12, 2).toBigDecimal(),
                                    row.isNullAt(3)
                                        ? null
                                        : row.getTimestamp(3, 6).toLocalDateTime())
                                .values())));
          }
        }
      }
    }
    return rows;
  }

  /**
   * The catalog {@code sluice} opened as a user would, without the catalog-table check that holds a
   * SQLite read lock in Iceberg 1.10.1. Close it before the next tiering.
   */
  private JdbcCatalog icebergCatalog() {
    Map<String, String> properties = new HashMap<>();
    properties.put(
        CatalogProperties.URI,
        icebergUri.orElse(
            "jdbc:sqlite:" + Path.of(dataDir).toAbsolutePath().resolve("lake/iceberg-catalog.db")));
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, lake() + "/iceberg");
    properties.put("jdbc.init-catalog-tables", "false");
    if (lakeOnS3()) {
      properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
      s3Endpoint.ifPresent(v -> properties.put("s3.endpoint", v));
      s3Region.ifPresent(v -> properties.put("client.region", v));
      s3AccessKey.ifPresent(v -> properties.put("s3.access-key-id", v));
      s3SecretKey.ifPresent(v -> properties.put("s3.secret-access-key", v));
      properties.put("s3.path-style-access", "true");
    }
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("sluice", properties);
    return catalog;
  }

  /** Every row with Iceberg's generic reader, placed by its data file's bucket partition. */
  @SuppressWarnings("unchecked")
  private List<LakeRow> readIceberg(String table) throws Exception {
    List<LakeRow> rows = new ArrayList<>();
    try (JdbcCatalog catalog = icebergCatalog()) {
      org.apache.iceberg.Table lake = catalog.loadTable(TableIdentifier.of(DATABASE, table));
      assertThat(lake.spec().fields()).hasSize(1);
      PartitionField field = lake.spec().fields().get(0);
      assertThat(field.transform().toString()).isEqualTo("bucket[" + BUCKETS + "]");
      SerializableFunction<Long, Integer> ownBucket =
          ((Transform<Long, Integer>) field.transform()).bind(Types.LongType.get());
      Map<String, Integer> partitionOfFile = new HashMap<>();
      try (CloseableIterable<FileScanTask> tasks = lake.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          partitionOfFile.put(
              task.file().location(), task.file().partition().get(0, Integer.class));
        }
      }
      Schema withFile = TypeUtil.join(lake.schema(), new Schema(MetadataColumns.FILE_PATH));
      try (CloseableIterable<Record> records =
          IcebergGenerics.read(lake).project(withFile).build()) {
        for (Record record : records) {
          long id = (Long) record.getField("id");
          String file = record.getField(MetadataColumns.FILE_PATH.name()).toString();
          Integer partition = partitionOfFile.get(file);
          assertThat(partition).as("partition of %s (row %d)", file, id).isNotNull();
          Object customer = record.getField("customer");
          rows.add(
              new LakeRow(
                  id,
                  partition,
                  ownBucket.apply(id),
                  new Order(
                          id,
                          customer == null ? null : customer.toString(),
                          (BigDecimal) record.getField("amount"),
                          (LocalDateTime) record.getField("t"))
                      .values()));
        }
      }
    }
    return rows;
  }
}
