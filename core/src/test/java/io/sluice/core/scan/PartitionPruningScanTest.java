package io.sluice.core.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.TestingSluice;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.DelegatingMetadataStore;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CountingObjectStore;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.table.TableName;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scans of a partitioned table with filters on its partition columns read the log of the matching
 * partitions only, as the object and metadata reads show: no segment of another partition is
 * fetched and no head or index page of one is read, and the rows are exactly those of a scan of
 * everything, filtered.
 */
class PartitionPruningScanTest {
  private static final TableName EVENTS = TableName.parse("events");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FIRST_DAY = LocalDate.parse("2026-11-21");
  private static final int DAYS = 5;
  private static final List<String> REGIONS = List.of("eu", "us");

  private final TestingSluice sluice = new TestingSluice();
  private final CountingObjectStore objects = new CountingObjectStore(sluice.objects());
  private final Queue<TableBucket> headsRead = new ConcurrentLinkedQueue<>();
  private final DelegatingMetadataStore metadata =
      new DelegatingMetadataStore(sluice.metadata()) {
        @Override
        public BucketHead head(TableBucket at) {
          headsRead.add(at);
          return super.head(at);
        }

        @Override
        public List<IndexPage> indexPages(
            TableBucket at, long fromOffset, long toOffset, int limit) {
          headsRead.add(at);
          return super.indexPages(at, fromOffset, toOffset, limit);
        }
      };
  private ScanService scans;

  /** One written row, with the segment it was written into. */
  private record Row(long id, LocalDateTime t, String region, long amount, String segment) {
    String partition() {
      return "t_day=" + t.toLocalDate() + "/region=" + region;
    }
  }

  private final List<Row> written = new ArrayList<>();

  @BeforeEach
  void writeFiveDaysOfTwoRegions() {
    sluice.create(
        EVENTS,
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "region", "type": "string", "nullable": false},
                     {"name": "amount", "type": "bigint"}],
         "partitionBy": ["day(t)", "region"], "bucketKey": ["id"], "buckets": 2}
        """);
    scans =
        new ScanService(
            sluice.tables(),
            metadata,
            sluice.reads(metadata, objects),
            Optional.empty(),
            sluice.allocator());
    // One request per (day, region): each segment holds the rows of one partition. Each day's
    // first row is at midnight and its last a microsecond before the next.
    long id = 0;
    for (int d = 0; d < DAYS; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      for (String region : REGIONS) {
        Set<String> before = segmentKeys();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          LocalDateTime t =
              i == 0
                  ? day.atStartOfDay()
                  : i == 5 ? day.plusDays(1).atStartOfDay().minusNanos(1000) : day.atTime(i * 4, 7);
          rows.add(new Row(id, t, region, id % 7, null));
          id++;
        }
        sluice.append(
            EVENTS,
            rows.stream()
                .map(
                    r ->
                        "{\"id\": %d, \"t\": \"%s\", \"region\": \"%s\", \"amount\": %d}"
                            .formatted(r.id(), r.t(), r.region(), r.amount()))
                .collect(Collectors.joining(",", "[", "]")));
        Set<String> after = segmentKeys();
        after.removeAll(before);
        assertThat(after).as("one segment per request").hasSize(1);
        String segment = after.iterator().next();
        rows.forEach(r -> written.add(new Row(r.id(), r.t(), r.region(), r.amount(), segment)));
      }
    }
  }

  @AfterEach
  void close() {
    sluice.close();
  }

  private Set<String> segmentKeys() {
    try (Stream<ObjectInfo> listed = sluice.objects().list("")) {
      return listed.map(ObjectInfo::key).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** What a scan returned and what it read. */
  private record Scanned(
      List<Long> ids,
      Set<String> segmentsRead,
      Set<String> partitionsRead,
      Map<PartitionBucket, Long> offsets) {}

  private Scanned scan(String filter) throws Exception {
    List<String> before = objects.keysRead();
    headsRead.clear();
    List<Long> ids = new ArrayList<>();
    Map<PartitionBucket, Long> offsets;
    try (TableScan scan =
        scans.scan(
            new ScanService.Request(
                EVENTS,
                Optional.of(List.of("id")),
                filter == null ? Optional.empty() : Optional.of(JSON.readTree(filter)),
                ScanSource.UNION,
                Optional.empty(),
                0))) {
      while (scan.next()) {
        VectorSchemaRoot batch = scan.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          ids.add((Long) ArrowValues.get(batch.getVector("id"), row));
        }
      }
      offsets = scan.offsets();
    }
    List<String> keys = objects.keysRead();
    return new Scanned(
        ids.stream().sorted().toList(),
        new TreeSet<>(keys.subList(before.size(), keys.size())),
        headsRead.stream()
            .map(TableBucket::partition)
            .collect(Collectors.toCollection(TreeSet::new)),
        new TreeMap<>(offsets));
  }

  private List<Long> expectedIds(Predicate<Row> filter) {
    return written.stream().filter(filter).map(Row::id).sorted().toList();
  }

  private Set<String> segmentsOf(Predicate<Row> filter) {
    return written.stream()
        .filter(filter)
        .map(Row::segment)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> partitionsOf(Predicate<Row> filter) {
    return written.stream()
        .filter(filter)
        .map(Row::partition)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Predicate<Row> onDays(int... days) {
    Set<LocalDate> wanted = new HashSet<>();
    for (int d : days) {
      wanted.add(FIRST_DAY.plusDays(d));
    }
    return r -> wanted.contains(r.t().toLocalDate());
  }

  private static String cmp(String column, String op, String value) {
    return "{\"column\": \"%s\", \"op\": \"%s\", \"value\": \"%s\"}".formatted(column, op, value);
  }

  @Test
  void aScanOfOneDayReadsOnlyThatDaysSegmentsHeadsAndOffsets() throws Exception {
    Scanned all = scan(null);
    assertThat(all.ids()).hasSize(written.size());
    assertThat(all.segmentsRead()).isEqualTo(segmentsOf(r -> true));

    Scanned day =
        scan(
            "{\"and\": [%s, %s]}"
                .formatted(
                    cmp("t", ">=", "2026-11-23T00:00:00"), cmp("t", "<", "2026-11-24T00:00:00")));
    Predicate<Row> third = onDays(2);
    assertThat(day.ids()).isEqualTo(expectedIds(third)).hasSize(12);
    assertThat(day.segmentsRead())
        .as("the segments of 2026-11-23 and of no other day")
        .isEqualTo(segmentsOf(third))
        .hasSize(2);
    assertThat(day.partitionsRead())
        .as("no head or index page of another partition is read")
        .isEqualTo(partitionsOf(third));
    assertThat(day.offsets().keySet().stream().map(PartitionBucket::partition).distinct())
        .as("the offsets name the partitions read")
        .containsExactlyInAnyOrderElementsOf(partitionsOf(third));
    assertThat(day.offsets().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(12);
  }

  @Test
  void dayBoundariesAreExact() throws Exception {
    Scanned before = scan(cmp("t", "<", "2026-11-23T00:00:00"));
    assertThat(before.ids()).isEqualTo(expectedIds(onDays(0, 1)));
    assertThat(before.segmentsRead()).isEqualTo(segmentsOf(onDays(0, 1)));

    Scanned upTo = scan(cmp("t", "<=", "2026-11-23T00:00:00"));
    assertThat(upTo.ids())
        .as("the midnight rows of 2026-11-23 only, of that day")
        .isEqualTo(
            expectedIds(
                r ->
                    onDays(0, 1).test(r) || r.t().equals(LocalDateTime.parse("2026-11-23T00:00"))));
    assertThat(upTo.segmentsRead()).isEqualTo(segmentsOf(onDays(0, 1, 2)));

    Scanned after = scan(cmp("t", ">", "2026-11-23T23:59:59.999999"));
    assertThat(after.ids()).isEqualTo(expectedIds(onDays(3, 4)));
    assertThat(after.segmentsRead()).isEqualTo(segmentsOf(onDays(3, 4)));

    Scanned lastMicro = scan(cmp("t", "=", "2026-11-23T23:59:59.999999"));
    assertThat(lastMicro.ids()).hasSize(2);
    assertThat(lastMicro.segmentsRead()).isEqualTo(segmentsOf(onDays(2)));
  }

  @Test
  void identityInAndOrPruneByRegion() throws Exception {
    Scanned us = scan(cmp("region", "=", "us"));
    assertThat(us.ids()).isEqualTo(expectedIds(r -> r.region().equals("us")));
    assertThat(us.segmentsRead()).isEqualTo(segmentsOf(r -> r.region().equals("us"))).hasSize(5);

    Scanned in =
        scan(
            "{\"and\": [{\"column\": \"region\", \"op\": \"in\", \"values\": [\"eu\", \"asia\"]},"
                + " {\"or\": [%s, %s]}]}"
                    .formatted(
                        cmp("t", "<", "2026-11-22T00:00:00"),
                        cmp("t", ">=", "2026-11-25T00:00:00")));
    Predicate<Row> expected = r -> r.region().equals("eu") && onDays(0, 4).test(r);
    assertThat(in.ids()).isEqualTo(expectedIds(expected));
    assertThat(in.segmentsRead()).isEqualTo(segmentsOf(expected)).hasSize(2);
  }

  @Test
  void aFilterOnAnotherColumnPrunesNothing() throws Exception {
    Scanned amount = scan("{\"column\": \"amount\", \"op\": \">\", \"value\": 3}");
    assertThat(amount.ids()).isEqualTo(expectedIds(r -> r.amount() > 3));
    assertThat(amount.segmentsRead()).isEqualTo(segmentsOf(r -> true));
    assertThat(amount.partitionsRead()).isEqualTo(partitionsOf(r -> true));

    Scanned either =
        scan(
            "{\"or\": [%s, {\"column\": \"amount\", \"op\": \"=\", \"value\": 0}]}"
                .formatted(cmp("region", "=", "us")));
    assertThat(either.ids())
        .isEqualTo(expectedIds(r -> r.region().equals("us") || r.amount() == 0));
    assertThat(either.segmentsRead()).isEqualTo(segmentsOf(r -> true));
  }

  @Test
  void aFilterNoPartitionCanPassReadsNothing() throws Exception {
    Scanned none = scan(cmp("t", ">=", "2027-01-01T00:00:00"));
    assertThat(none.ids()).isEmpty();
    assertThat(none.segmentsRead()).isEmpty();
    assertThat(none.partitionsRead()).isEmpty();
    assertThat(none.offsets()).isEmpty();
  }
}
