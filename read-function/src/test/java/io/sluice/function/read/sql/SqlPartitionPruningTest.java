package io.sluice.function.read.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingSluice;
import io.sluice.core.access.Caller;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.merge.ChangelogService;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.ScanService;
import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.store.CountingObjectStore;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.table.TableName;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQL's WHERE clauses reach the scan of their table as far as a scan can take them, so that a query
 * of one day reads that day's segments only; what cannot be taken (NOT, casts of columns, a table
 * read twice) reads everything, and every answer is the same as without pruning.
 */
class SqlPartitionPruningTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final LocalDate FIRST_DAY = LocalDate.parse("2026-11-21");
  private static final int DAYS = 5;
  private static final List<String> REGIONS = List.of("eu", "us");

  private final TestingSluice sluice = new TestingSluice();
  private final CountingObjectStore objects = new CountingObjectStore(sluice.objects());

  /** The segment of each (day, region), written by a request of its own. */
  private final Map<String, String> segments = new TreeMap<>();

  private SqlService sql;

  @BeforeEach
  void setUp() {
    ScanService scans =
        new ScanService(
            sluice.tables(),
            sluice.metadata(),
            sluice.reads(objects),
            Optional.empty(),
            sluice.allocator());
    sql =
        new SqlService(
            sluice.tables(),
            scans,
            new ChangelogService(
                sluice.tables(), sluice.reads(objects), Optional.empty(), sluice.allocator()),
            sluice.allocator());
    sluice.create(
        EVENTS,
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "ts", "type": "timestamp_ltz", "nullable": false},
                     {"name": "region", "type": "string", "nullable": false},
                     {"name": "amount", "type": "bigint"}],
         "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": 1}
        """);
    // Each (day, region) four rows: at midnight, 08:00, 16:00 and a microsecond before the next
    // day; ts is t an hour earlier, as an instant; amount is the id.
    long id = 0;
    for (int d = 0; d < DAYS; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      for (String region : REGIONS) {
        Set<String> before = keys();
        List<String> rows = new ArrayList<>();
        for (LocalDateTime t :
            List.of(
                day.atStartOfDay(),
                day.atTime(8, 0),
                day.atTime(16, 0),
                day.plusDays(1).atStartOfDay().minusNanos(1000))) {
          rows.add(
              "{\"id\": %d, \"t\": \"%s\", \"ts\": \"%sZ\", \"region\": \"%s\", \"amount\": %d}"
                  .formatted(id, t, t.minusHours(1), region, id));
          id++;
        }
        sluice.append(EVENTS, rows.stream().collect(Collectors.joining(",", "[", "]")));
        Set<String> added = keys();
        added.removeAll(before);
        assertThat(added).hasSize(1);
        segments.put(day + "/" + region, added.iterator().next());
      }
    }
  }

  @AfterEach
  void close() {
    sluice.close();
  }

  private Set<String> keys() {
    try (Stream<ObjectInfo> listed = sluice.objects().list("")) {
      return listed.map(ObjectInfo::key).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** What a query answered and the (day, region) partitions whose segments it read. */
  private record Answer(List<Map<String, Object>> rows, Set<String> partitionsRead) {
    long n() {
      return (Long) rows.get(0).get("n");
    }
  }

  private Answer query(String text) {
    int before = objects.keysRead().size();
    List<Map<String, Object>> rows = new ArrayList<>();
    try (RowBatches result = sql.query(text, Caller.ANYONE)) {
      while (result.next()) {
        VectorSchemaRoot batch = result.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            values.put(vector.getName(), ArrowValues.get(vector, row));
          }
          rows.add(values);
        }
      }
    }
    List<String> read = objects.keysRead();
    Set<String> keys = new TreeSet<>(read.subList(before, read.size()));
    Set<String> partitions = new TreeSet<>();
    segments.forEach(
        (partition, key) -> {
          if (keys.contains(key)) {
            partitions.add(partition);
          }
        });
    return new Answer(rows, partitions);
  }

  private static Set<String> partitions(List<Integer> days, List<String> regions) {
    Set<String> partitions = new TreeSet<>();
    for (int d : days) {
      for (String region : regions) {
        partitions.add(FIRST_DAY.plusDays(d) + "/" + region);
      }
    }
    return partitions;
  }

  private static Set<String> all() {
    return partitions(List.of(0, 1, 2, 3, 4), REGIONS);
  }

  @Test
  void aRangeOnTheTimeColumnReadsOnlyItsDays() {
    Answer day =
        query(
            "SELECT COUNT(*) AS n FROM events"
                + " WHERE t >= TIMESTAMP '2026-11-23 00:00:00' AND t < '2026-11-24'");
    assertThat(day.n()).isEqualTo(8);
    assertThat(day.partitionsRead()).isEqualTo(partitions(List.of(2), REGIONS));

    Answer between =
        query(
            "SELECT COUNT(*) AS n FROM events AS e"
                + " WHERE e.t BETWEEN '2026-11-22' AND '2026-11-22 23:59:59.999999'");
    assertThat(between.n()).isEqualTo(8);
    assertThat(between.partitionsRead()).isEqualTo(partitions(List.of(1), REGIONS));

    Answer after = query("SELECT COUNT(*) AS n FROM events WHERE '2026-11-23 23:59:59.999999' < t");
    assertThat(after.n())
        .as("the days after 2026-11-23, whose last row is not after")
        .isEqualTo(16);
    assertThat(after.partitionsRead()).isEqualTo(partitions(List.of(3, 4), REGIONS));

    Answer atMidnight = query("SELECT COUNT(*) AS n FROM events WHERE t <= '2026-11-23'");
    assertThat(atMidnight.n()).isEqualTo(16 + 2);
    assertThat(atMidnight.partitionsRead()).isEqualTo(partitions(List.of(0, 1, 2), REGIONS));
  }

  @Test
  void regionEqualityInAndOrReadOnlyTheirPartitions() {
    Answer in =
        query(
            "SELECT CAST(SUM(amount) AS BIGINT) AS n FROM events WHERE region IN ('us', 'asia')"
                + " AND (t < '2026-11-22' OR t >= '2026-11-25')");
    assertThat(in.n()).isEqualTo((4 + 5 + 6 + 7) + (36 + 37 + 38 + 39));
    assertThat(in.partitionsRead()).isEqualTo(partitions(List.of(0, 4), List.of("us")));

    Answer subquery =
        query(
            "SELECT COUNT(*) AS n FROM (SELECT id FROM events WHERE region = 'eu'"
                + " AND amount > 10) s");
    assertThat(subquery.n()).isEqualTo(13);
    assertThat(subquery.partitionsRead())
        .isEqualTo(partitions(List.of(0, 1, 2, 3, 4), List.of("eu")));
  }

  @Test
  void timestampLtzLiteralsAreInstants() {
    sluice.create(
        TableName.parse("ltz"),
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "ts", "type": "timestamp_ltz", "nullable": false}],
         "partitionBy": ["day(ts)"], "bucketKey": ["id"], "buckets": 1}
        """);
    Set<String> before = keys();
    sluice.append(
        TableName.parse("ltz"),
        "[{\"id\": 1, \"ts\": \"2026-11-21T23:30:00Z\"}, {\"id\": 2, \"ts\": \"2026-11-22T00:30:00Z\"}]");
    assertThat(keys()).hasSize(before.size() + 1);
    Answer offset =
        query("SELECT COUNT(*) AS n FROM ltz WHERE ts >= TIMESTAMPTZ '2026-11-22 01:00:00+01'");
    assertThat(offset.n()).as("01:00+01 is midnight UTC").isEqualTo(1);
    Answer utc = query("SELECT COUNT(*) AS n FROM ltz WHERE ts < '2026-11-22 00:00:00+00'");
    assertThat(utc.n()).isEqualTo(1);
  }

  @Test
  void whatAScanCannotTakeReadsEverythingAndAnswersAlike() {
    Answer not = query("SELECT COUNT(*) AS n FROM events WHERE NOT (region = 'eu')");
    assertThat(not.n()).isEqualTo(20);
    assertThat(not.partitionsRead()).isEqualTo(all());

    Answer cast =
        query("SELECT COUNT(*) AS n FROM events WHERE CAST(t AS DATE) = DATE '2026-11-25'");
    assertThat(cast.n()).isEqualTo(8);
    assertThat(cast.partitionsRead()).isEqualTo(all());

    Answer either = query("SELECT COUNT(*) AS n FROM events WHERE region = 'us' OR amount = 0");
    assertThat(either.n()).isEqualTo(21);
    assertThat(either.partitionsRead()).isEqualTo(all());

    Answer twice =
        query(
            "SELECT COUNT(*) AS n FROM events a JOIN events b ON a.id = b.id"
                + " WHERE a.region = 'eu' AND b.t < '2026-11-22'");
    assertThat(twice.n()).isEqualTo(4);
    assertThat(twice.partitionsRead()).as("a table read twice is read whole").isEqualTo(all());

    Answer otherColumn = query("SELECT COUNT(*) AS n FROM events WHERE amount >= 30");
    assertThat(otherColumn.n()).isEqualTo(10);
    assertThat(otherColumn.partitionsRead()).isEqualTo(all());

    Answer stringRange = query("SELECT COUNT(*) AS n FROM events WHERE region > 'eu'");
    assertThat(stringRange.n()).as("strings are ordered by DuckDB, not pruned").isEqualTo(20);
    assertThat(stringRange.partitionsRead()).isEqualTo(all());
  }

  @Test
  void partitionsListsEachPartitionWithItsValuesAndRows() {
    sluice.append(
        EVENTS,
        "[{\"id\": 100, \"t\": \"2026-11-21T10:00:00\", \"ts\": \"2026-11-21T10:00:00Z\","
            + " \"region\": \"eu\", \"amount\": 1}]");
    Answer listing =
        query(
            "SELECT name, t_day, region, buckets, high_watermark, log_rows"
                + " FROM events$partitions ORDER BY name");
    assertThat(listing.rows()).hasSize(10);
    assertThat(listing.rows().get(0))
        .containsExactly(
            Map.entry("name", "t_day=2026-11-21/region=eu"),
            Map.entry("t_day", "2026-11-21"),
            Map.entry("region", "eu"),
            Map.entry("buckets", 1),
            Map.entry("high_watermark", 5L),
            Map.entry("log_rows", 5L));
    assertThat(listing.rows().get(9).get("name")).isEqualTo("t_day=2026-11-25/region=us");
    assertThat(listing.rows().stream().mapToLong(r -> (Long) r.get("high_watermark")).sum())
        .isEqualTo(41);
    Answer counted =
        query(
            "SELECT region, SUM(high_watermark) AS n FROM events$partitions"
                + " WHERE t_day >= '2026-11-24' GROUP BY region ORDER BY region");
    assertThat(counted.rows())
        .extracting(r -> r.get("region") + "=" + r.get("n"))
        .containsExactly("eu=8", "us=8");

    sluice.create(
        TableName.parse("plain"), "{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\"}]}");
    assertThatThrownBy(() -> query("SELECT * FROM plain$partitions"))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessage("Unknown table plain$partitions: default.plain is not partitioned");
  }
}
