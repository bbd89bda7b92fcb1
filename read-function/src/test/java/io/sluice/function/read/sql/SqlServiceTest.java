package io.sluice.function.read.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingSluice;
import io.sluice.core.access.Caller;
import io.sluice.core.access.ForbiddenException;
import io.sluice.core.access.Grant;
import io.sluice.core.access.Permission;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.TestingLakeFormat;
import io.sluice.core.merge.ChangelogService;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.ScanService;
import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.service.TableService;
import io.sluice.core.store.DelegatingObjectStore;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableName;
import io.sluice.core.tiering.TieringService;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SQL on DuckDB over the union, lake, log and snapshot views, and what it refuses. */
class SqlServiceTest {
  private static final TableName ORDERS = TableName.parse("shop.orders");

  private final TestingSluice sluice = new TestingSluice();
  private final LakeFormats lakes = LakeFormats.of(new TestingLakeFormat(LakeFormatName.PAIMON));
  private final java.util.concurrent.atomic.AtomicLong bytesRead =
      new java.util.concurrent.atomic.AtomicLong();
  private final DelegatingObjectStore countingReads =
      new DelegatingObjectStore(sluice.objects()) {
        @Override
        public byte[] read(String key) {
          return counted(super.read(key));
        }

        @Override
        public byte[] readRange(String key, long offset, int length) {
          return counted(super.readRange(key, offset, length));
        }

        @Override
        public byte[] readTail(String key, int length) {
          return counted(super.readTail(key, length));
        }

        private byte[] counted(byte[] bytes) {
          bytesRead.addAndGet(bytes.length);
          return bytes;
        }
      };
  private TableService tables;
  private TieringService tiering;
  private SqlService sql;

  @BeforeEach
  void setUp() {
    tables = sluice.tables();
    tiering = sluice.tiering(lakes);
    ScanService scans =
        new ScanService(
            tables,
            sluice.metadata(),
            sluice.reads(countingReads),
            Optional.of(lakes),
            sluice.allocator());
    sql =
        new SqlService(
            tables,
            scans,
            new ChangelogService(
                tables, sluice.reads(sluice.objects()), Optional.of(lakes), sluice.allocator()),
            sluice.allocator());
    sluice.create(
        ORDERS,
        """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "amount", "type": "decimal(10,2)"},
                     {"name": "t", "type": "timestamp"}],
         "buckets": 2, "lake": {"formats": ["paimon"]}}
        """);
  }

  @AfterEach
  void close() {
    sluice.close();
  }

  /** Writes ids [from, to): amount id.50, t 2026-01-01 plus id minutes. */
  private void write(long from, long to) {
    String body =
        LongStream.range(from, to)
            .mapToObj(
                id ->
                    "{\"id\": %d, \"amount\": \"%d.50\", \"t\": \"%s\"}"
                        .formatted(
                            id, id, java.time.LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(id)))
            .collect(Collectors.joining(",", "[", "]"));
    sluice.append(ORDERS, body);
  }

  private List<Map<String, Object>> query(String text) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (RowBatches result = sql.query(text, Caller.ANYONE)) {
      while (result.next()) {
        VectorSchemaRoot batch = result.batch();
        for (int row = 0; row < batch.getRowCount(); row++) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            values.put(vector.getName(), vector.getObject(row));
          }
          rows.add(values);
        }
      }
    }
    return rows;
  }

  @Test
  void aggregatesTheLakeTheLogAndTheirUnion() {
    write(0, 30);
    tiering.tier(tables.table(ORDERS), "runner");
    write(30, 40);

    Map<String, Object> lake =
        query("SELECT COUNT(*) AS n, SUM(amount) AS total, MAX(id) AS top FROM shop.orders$lake")
            .get(0);
    assertThat(lake.get("n")).isEqualTo(30L);
    assertThat((BigDecimal) lake.get("total")).isEqualByComparingTo(sum(0, 30));
    Map<String, Object> union =
        query("select count(*) as n, sum(amount) as total from shop.orders").get(0);
    assertThat(union.get("n")).isEqualTo(40L);
    assertThat((BigDecimal) union.get("total")).isEqualByComparingTo(sum(0, 40));
    assertThat(query("SELECT COUNT(*) AS n FROM shop.orders$log").get(0).get("n")).isEqualTo(40L);
    assertThat(
            query(
                    "SELECT COUNT(*) AS n FROM shop.orders u"
                        + " WHERE NOT EXISTS (SELECT 1 FROM shop.orders$lake_paimon l WHERE l.id = u.id)")
                .get(0)
                .get("n"))
        .as("exactly the untiered rows")
        .isEqualTo(10L);
  }

  @Test
  void seesAPrimaryKeyTableMergedAndItsChangelog() {
    TableName stock = TableName.parse("shop.stock");
    sluice.create(
        stock,
        """
        {"columns": [{"name": "sku", "type": "string", "nullable": false},
                     {"name": "qty", "type": "int"}],
         "primaryKey": ["sku"], "buckets": 2, "lake": {"formats": ["paimon"]},
         "mergeEngine": "aggregation", "aggregations": {"qty": "sum"}}
        """);
    sluice.append(stock, "[{\"sku\": \"a\", \"qty\": 5}, {\"sku\": \"b\", \"qty\": 1}]");
    tiering.tier(tables.table(stock), "runner");
    sluice.append(stock, "[{\"sku\": \"a\", \"qty\": 2}, {\"sku\": \"b\", \"_op\": \"delete\"}]");

    assertThat(query("SELECT sku, qty FROM shop.stock"))
        .containsExactly(Map.of("sku", new Text("a"), "qty", 7));
    assertThat(query("SELECT sku, qty FROM shop.stock$lake ORDER BY sku"))
        .containsExactly(
            Map.of("sku", new Text("a"), "qty", 5), Map.of("sku", new Text("b"), "qty", 1));
    assertThat(
            query(
                "SELECT _change_type AS change, sku, qty FROM shop.stock$changelog"
                    + " ORDER BY sku, _offset, change DESC"))
        .extracting(row -> row.get("change") + " " + row.get("sku") + " " + row.get("qty"))
        .containsExactly(
            "insert a 5", "update_before a 5", "update_after a 7", "insert b 1", "delete b 1");
  }

  @Test
  void readsOnlyTheColumnsTheQueryMentions() {
    TableName wide = TableName.parse("shop.wide");
    sluice.create(
        wide,
        """
        {"columns": [{"name": "id", "type": "bigint"}, {"name": "note", "type": "string"}],
         "buckets": 1}
        """);
    java.util.Random random = new java.util.Random(7);
    String body =
        LongStream.range(0, 200)
            .mapToObj(
                id -> {
                  byte[] noise = new byte[400]; // incompressible, unlike the ids
                  random.nextBytes(noise);
                  String note = java.util.Base64.getEncoder().encodeToString(noise);
                  return "{\"id\": %d, \"note\": \"%s\"}".formatted(id, note);
                })
            .collect(Collectors.joining(",", "[", "]"));
    sluice.append(wide, body);

    // The first read of a segment fetches its tail for the footer (one round trip, then cached).
    query("SELECT COUNT(*) FROM shop.wide");
    bytesRead.set(0);
    assertThat(query("SELECT SUM(id) AS total FROM shop.wide").get(0).get("total").toString())
        .isEqualTo("19900");
    long narrow = bytesRead.getAndSet(0);
    assertThat(query("SELECT * FROM shop.wide")).hasSize(200);
    long all = bytesRead.get();
    assertThat(narrow).as("bytes read for id only vs every column (%d)", all).isLessThan(all / 3);
  }

  @Test
  void aTableReadTwiceInOneQueryIsReadOnceAndKept() {
    write(0, 10);
    assertThat(
            query("SELECT COUNT(*) AS n FROM shop.orders a JOIN shop.orders b ON a.id = b.id")
                .get(0)
                .get("n"))
        .isEqualTo(10L);
  }

  @Test
  void listsLakeSnapshotsWithTheirOffsets() {
    write(0, 10);
    tiering.tier(tables.table(ORDERS), "runner");
    write(10, 16);
    tiering.tier(tables.table(ORDERS), "runner");

    List<Map<String, Object>> snapshots =
        query(
            "SELECT lake, snapshot_id, \"rows\", offsets FROM shop.orders$lake$snapshots"
                + " ORDER BY snapshot_id DESC");
    assertThat(snapshots).hasSize(2);
    assertThat(snapshots.get(0).get("lake").toString()).isEqualTo("paimon");
    assertThat(snapshots.get(0).get("rows")).isEqualTo(16L);
    String offsets = snapshots.get(0).get("offsets").toString();
    Map<Integer, Long> marks = new java.util.TreeMap<>();
    tables.describe(ORDERS).buckets().forEach(h -> marks.put(h.bucket(), h.nextOffset()));
    assertThat(io.sluice.core.lake.LakeSnapshot.parseOffsets(offsets))
        .isEqualTo(io.sluice.core.metadata.LogOffsets.ofBuckets(marks));
  }

  @Test
  void aQueryReadingATableTheCallerMayNotReadIsRefusedNamingIt() {
    Caller shopReader =
        new Caller("shop-reader", List.of(new Grant(Permission.READ, "shop.orders")));
    try (RowBatches result = sql.query("SELECT COUNT(*) FROM shop.orders", shopReader)) {
      assertThat(result.next()).isTrue();
    }
    Caller writer = new Caller("loader", List.of(new Grant(Permission.WRITE, "shop.*")));
    assertThatThrownBy(() -> sql.query("SELECT COUNT(*) FROM shop.orders$log", writer))
        .isInstanceOf(ForbiddenException.class)
        .hasMessage("loader may not read table shop.orders: no read grant covers it");
    assertThatThrownBy(
            () ->
                sql.query(
                    "SELECT * FROM shop.orders o JOIN other.secrets s ON o.id = s.id", shopReader))
        .isInstanceOf(ForbiddenException.class)
        .hasMessage("shop-reader may not read table other.secrets: no read grant covers it");
  }

  @Test
  void refusesWhatIsNotOneReadOnlyQueryOverKnownNames() {
    assertThatThrownBy(() -> sql.query("DELETE FROM shop.orders", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageStartingWith("Only read-only queries");
    assertThatThrownBy(() -> sql.query("COPY (SELECT 1) TO '/tmp/out.csv'", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageStartingWith("Only read-only queries");
    assertThatThrownBy(() -> sql.query("SELEC 1", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("syntax error at or near \"SELEC\"");
    assertThatThrownBy(() -> sql.query("SELECT 1; SELECT 2", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessage("Send exactly one statement per query, not 2");
    assertThatThrownBy(() -> sql.query("SELECT * FROM shop.customers", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageStartingWith("Unknown table shop.customers");
    assertThatThrownBy(() -> sql.query("SELECT * FROM shop.orders$archive", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("$lake, $lake_paimon");
    assertThatThrownBy(() -> sql.query("SELECT price FROM shop.orders", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("price");
    assertThatThrownBy(() -> sql.query("SELECT * FROM shop.orders$lake_iceberg", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("not tiered into iceberg");
    assertThatThrownBy(() -> sql.query("SELECT * FROM read_csv('/etc/passwd')", Caller.ANYONE))
        .isInstanceOf(InvalidSqlException.class)
        .hasMessageContaining("disabled by configuration");
  }

  private static BigDecimal sum(long from, long to) {
    return LongStream.range(from, to)
        .mapToObj(id -> new BigDecimal(id + ".50"))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }
}
