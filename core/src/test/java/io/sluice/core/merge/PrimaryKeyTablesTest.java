package io.sluice.core.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingSluice;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.log.CommitResult;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.scan.TableScan;
import io.sluice.core.service.LogRead;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Primary-key tables on the in-memory stores and lakes: a model-based test of every merge engine
 * (concurrent writers of upserts, deletes and partial updates, interleaved with tiering, against a
 * replay of the acknowledged writes), the changelog, and bad input.
 */
class PrimaryKeyTablesTest {
  private static final TableName ITEMS = TableName.parse("items");
  private static final int KEYS = 12;
  private static final int WRITERS = 3;

  private final TestingSluice sluice = new TestingSluice();
  private final TestingLakeFormat paimon = new TestingLakeFormat(LakeFormatName.PAIMON);
  private final TestingLakeFormat iceberg = new TestingLakeFormat(LakeFormatName.ICEBERG);
  private final LakeFormats lakes = LakeFormats.of(paimon, iceberg);
  private final ExecutorService executor = Executors.newFixedThreadPool(WRITERS);
  private final TieringService tiering = sluice.tiering(lakes);
  private final ScanService scans =
      new ScanService(
          sluice.tables(),
          sluice.metadata(),
          sluice.reads(sluice.objects()),
          Optional.of(lakes),
          sluice.allocator());
  private final ChangelogService changelogs =
      new ChangelogService(
          sluice.tables(), sluice.reads(sluice.objects()), Optional.of(lakes), sluice.allocator());

  @AfterEach
  void close() {
    executor.shutdownNow();
    sluice.close();
  }

  private void create(String engine, String... formats) {
    sluice.create(ITEMS, PrimaryKeyModel.definition(engine, List.of(formats), 3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"last_row", "first_row", "versioned", "aggregation"})
  void unionReadsEqualAReplayOfTheAcknowledgedWritesUnderEveryMergeEngine(String engine)
      throws Exception {
    create(engine, "paimon", "iceberg");
    Random random = new Random(engine.hashCode());
    List<PrimaryKeyModel.Write> written = new ArrayList<>();
    for (int step = 0; step < 12; step++) {
      List<Future<List<PrimaryKeyModel.Write>>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        long seed = random.nextLong();
        writers.add(executor.submit(() -> write(engine, new Random(seed), 6)));
      }
      for (Future<List<PrimaryKeyModel.Write>> writer : writers) {
        written.addAll(writer.get());
      }
      if (step % 3 != 2) {
        tiering.tier(sluice.tables().table(ITEMS), "test");
      }
      Map<Long, Map<String, Object>> expected = PrimaryKeyModel.replay(engine, written);
      assertThat(byId(scan(Optional.empty())))
          .as("union read after step %d", step)
          .isEqualTo(expected);
      assertThat(byId(scan(Optional.of(LakeFormatName.ICEBERG))))
          .as("union read through iceberg after step %d", step)
          .isEqualTo(expected);
    }
    tiering.tier(sluice.tables().table(ITEMS), "test");
    Map<Long, Map<String, Object>> expected = PrimaryKeyModel.replay(engine, written);
    assertThat(byId(paimon.rows(ITEMS))).as("the paimon lake").isEqualTo(expected);
    assertThat(byId(iceberg.rows(ITEMS))).as("the iceberg lake").isEqualTo(expected);
    assertThat(byId(scanLake())).isEqualTo(expected);
    assertThat(replayChangelogs(1000)).as("the changelog replayed").isEqualTo(expected);
    assertThat(replayChangelogs(7)).as("the changelog read in small steps").isEqualTo(expected);
  }

  @Test
  void tieringMergesOntoTheLakeRowsOfManyKeysAtOnce() {
    create("aggregation", "paimon");
    int keys = 1500; // more than one key-filtered lake scan takes
    sluice.append(ITEMS, rows(keys, id -> "{\"id\": %d, \"a\": %d}".formatted(id, id)));
    tiering.tier(sluice.tables().table(ITEMS), "test");
    sluice.append(ITEMS, rows(keys, id -> "{\"id\": %d, \"a\": 1, \"s\": \"x\"}".formatted(id)));
    tiering.tier(sluice.tables().table(ITEMS), "test");

    Map<Long, Map<String, Object>> lake = byId(paimon.rows(ITEMS));
    assertThat(lake).hasSize(keys);
    assertThat(lake.values())
        .allSatisfy(row -> assertThat(row.get("a")).isEqualTo((Long) row.get("id") + 1));
  }

  private static String rows(int keys, java.util.function.LongFunction<String> row) {
    return java.util.stream.LongStream.range(0, keys)
        .mapToObj(row)
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }

  @Test
  void partialUpdatesKeepTheColumnsTheyLeaveOutAndExplicitNullsSetNull() {
    create("last_row", "paimon");
    sluice.append(ITEMS, "[{\"id\": 1, \"a\": 10, \"s\": \"x\", \"v\": 1}]");
    tiering.tier(sluice.tables().table(ITEMS), "test");
    sluice.append(ITEMS, "[{\"id\": 1, \"a\": 11}]");
    sluice.append(ITEMS, "[{\"id\": 1, \"v\": null}]");
    sluice.append(
        ITEMS, "[{\"id\": 2, \"s\": \"y\"}, {\"id\": 3}, {\"id\": 3, \"_op\": \"delete\"}]");

    assertThat(byId(scan(Optional.empty())))
        .isEqualTo(
            Map.of(
                1L, PrimaryKeyModel.row(1L, 11L, "x", null),
                2L, PrimaryKeyModel.row(2L, null, "y", null)));
  }

  @Test
  void theChangelogCarriesExactBeforeImagesAlsoAcrossTheLake() throws Exception {
    create("last_row", "paimon");
    CommitResult first = sluice.append(ITEMS, "[{\"id\": 7, \"a\": 1, \"s\": \"x\"}]");
    int bucket = first.buckets().get(0).bucket();
    tiering.tier(sluice.tables().table(ITEMS), "test");
    sluice.append(ITEMS, "[{\"id\": 7, \"a\": 2}]");
    sluice.append(ITEMS, "[{\"id\": 7, \"_op\": \"delete\"}]");

    List<String> records = new ArrayList<>();
    try (LogRead read = changelogs.read(ITEMS, "", bucket, 1, 100)) {
      VectorSchemaRoot rows = read.rows();
      for (int i = 0; i < rows.getRowCount(); i++) {
        records.add(
            "%s@%s %s %s"
                .formatted(
                    value(rows, Changelogs.CHANGE_TYPE, i),
                    value(rows, Changelogs.OFFSET, i),
                    value(rows, "a", i),
                    value(rows, "s", i)));
      }
      assertThat(read.nextOffset()).isEqualTo(3);
    }
    assertThat(records)
        .containsExactly("update_before@1 1 x", "update_after@1 2 x", "delete@2 2 x");
  }

  @Test
  void refusesBadRowsNamingTheProblemAndWritesNothing() {
    create("first_row", "paimon");
    assertRefused("[{\"a\": 1}]", "row 1: column id: a primary-key column needs a value");
    assertRefused(
        "[{\"id\": 1, \"a\": 1, \"s\": \"x\", \"v\": 1}, {\"id\": 2, \"_op\": \"merge\"}]",
        "row 2: _op: expected \"upsert\" or \"delete\", got \"merge\"");
    assertRefused(
        "[{\"id\": 1, \"a\": 1, \"s\": \"x\", \"v\": 1, \"w\": 2}]",
        "row 1: column w: not a column of the table");
    assertRefused(
        "[{\"id\": 1, \"_op\": \"delete\"}]",
        "row 1: _op: delete is not allowed under mergeEngine first_row");
    assertRefused(
        "[{\"id\": 1, \"a\": 1}]",
        "row 1: a partial update (leaving out s, v) is not allowed under mergeEngine first_row");
    assertThat(sluice.tables().describe(ITEMS).buckets())
        .allSatisfy(head -> assertThat(head.nextOffset()).isZero());
  }

  private void assertRefused(String body, String message) {
    assertThatThrownBy(() -> sluice.append(ITEMS, body))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining(message);
  }

  /** Writes {@code count} single-row requests of random operations over a few keys. */
  private List<PrimaryKeyModel.Write> write(String engine, Random random, int count) {
    List<PrimaryKeyModel.Write> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> fields = PrimaryKeyModel.randomRow(engine, random, KEYS);
      CommitResult result = sluice.append(ITEMS, "[" + PrimaryKeyModel.json(fields) + "]");
      done.add(
          new PrimaryKeyModel.Write(
              result.buckets().get(0).bucket(), result.buckets().get(0).baseOffset(), fields));
    }
    return done;
  }

  private static Map<Long, Map<String, Object>> byId(List<Map<String, Object>> rows) {
    Map<Long, Map<String, Object>> byId = new TreeMap<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> copy = new HashMap<>(row);
      copy.remove("_bucket");
      assertThat(byId.put((Long) row.get("id"), copy)).as("key %s twice", row.get("id")).isNull();
    }
    return byId;
  }

  private List<Map<String, Object>> scan(Optional<LakeFormatName> lake) {
    return scan(ScanSource.UNION, lake);
  }

  private List<Map<String, Object>> scanLake() {
    return scan(ScanSource.LAKE, Optional.empty());
  }

  private List<Map<String, Object>> scan(ScanSource source, Optional<LakeFormatName> lake) {
    return rows(
        new ScanService.Request(
            ITEMS, Optional.empty(), Optional.empty(), source, lake, Long.MAX_VALUE));
  }

  private List<Map<String, Object>> rows(ScanService.Request request) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (TableScan scan = scans.scan(request)) {
      while (scan.next()) {
        VectorSchemaRoot batch = scan.batch();
        for (int i = 0; i < batch.getRowCount(); i++) {
          Map<String, Object> values = new HashMap<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            values.put(vector.getName(), ArrowValues.get(vector, i));
          }
          rows.add(values);
        }
      }
    }
    return rows;
  }

  /** Every bucket's changelog from offset 0, read {@code step} log rows at a time, replayed. */
  private Map<Long, Map<String, Object>> replayChangelogs(int step) throws Exception {
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    for (int bucket = 0; bucket < 3; bucket++) {
      long from = 0;
      while (true) {
        try (LogRead read = changelogs.read(ITEMS, "", bucket, from, step)) {
          VectorSchemaRoot records = read.rows();
          for (int i = 0; i < records.getRowCount(); i++) {
            Map<String, Object> row = new HashMap<>();
            for (String column : List.of("id", "a", "s", "v")) {
              row.put(column, value(records, column, i));
            }
            long id = (Long) row.get("id");
            switch (ChangeType.parse((String) value(records, Changelogs.CHANGE_TYPE, i))) {
              case INSERT -> assertThat(rows.put(id, row)).as("insert of a live key").isNull();
              case UPDATE_BEFORE ->
                  assertThat(row).as("before-image of %d", id).isEqualTo(rows.get(id));
              case UPDATE_AFTER -> rows.put(id, row);
              case DELETE -> assertThat(rows.remove(id)).as("deleted row").isEqualTo(row);
            }
          }
          if (read.nextOffset() == from) {
            break;
          }
          from = read.nextOffset();
        }
      }
    }
    return rows;
  }

  private static Object value(VectorSchemaRoot rows, String column, int row) {
    return ArrowValues.get(rows.getVector(column), row);
  }
}
