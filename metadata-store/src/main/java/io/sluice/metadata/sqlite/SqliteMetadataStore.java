package io.sluice.metadata.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sluice.core.log.PlanApplier;
import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.ClaimsTakenException;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.SweepState;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.JDBC;

/**
 * The embedded {@link MetadataStore} for one machine: a SQLite file in WAL mode. Every method runs
 * as one local transaction on one connection, so each is atomic and isolated.
 */
public final class SqliteMetadataStore implements MetadataStore {
  private static final char PARTITION_SEPARATOR = '#';
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS catalog (name TEXT PRIMARY KEY, table_id TEXT NOT NULL,"
        + " definition TEXT NOT NULL, schema_id INTEGER NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS schemas (table_id TEXT NOT NULL, schema_id INTEGER NOT NULL,"
        + " definition TEXT NOT NULL, PRIMARY KEY (table_id, schema_id))",
    "CREATE TABLE IF NOT EXISTS heads (table_id TEXT NOT NULL, bucket INTEGER NOT NULL,"
        + " next_offset INTEGER NOT NULL, log_start_offset INTEGER NOT NULL,"
        + " indexed_up_to INTEGER NOT NULL, last_timestamp TEXT NOT NULL,"
        + " closed INTEGER NOT NULL DEFAULT 0, tiering_pending TEXT,"
        + " PRIMARY KEY (table_id, bucket))",
    "CREATE TABLE IF NOT EXISTS head_slices (table_id TEXT NOT NULL, bucket INTEGER NOT NULL,"
        + " base_offset INTEGER NOT NULL, slice TEXT NOT NULL,"
        + " PRIMARY KEY (table_id, bucket, base_offset))",
    "CREATE TABLE IF NOT EXISTS index_pages (table_id TEXT NOT NULL, bucket INTEGER NOT NULL,"
        + " first_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, slices TEXT NOT NULL,"
        + " PRIMARY KEY (table_id, bucket, first_offset))",
    "CREATE TABLE IF NOT EXISTS plans (table_id TEXT NOT NULL, plan_key TEXT NOT NULL,"
        + " status TEXT NOT NULL, plan TEXT NOT NULL, PRIMARY KEY (table_id, plan_key))",
    "CREATE TABLE IF NOT EXISTS claims (table_id TEXT NOT NULL, claim_key TEXT NOT NULL,"
        + " plan_key TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (table_id, claim_key))",
    "CREATE TABLE IF NOT EXISTS sweeps (table_id TEXT PRIMARY KEY, recovered_up_to TEXT NOT NULL,"
        + " objects_collected_up_to TEXT NOT NULL, plans_collected_up_to TEXT NOT NULL,"
        + " orphans_listed_up_to TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS leases (table_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
        + " epoch INTEGER NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tiering_state (table_id TEXT NOT NULL, format TEXT NOT NULL,"
        + " snapshot_id INTEGER NOT NULL, offsets TEXT NOT NULL, committed_at TEXT NOT NULL,"
        + " last_full_pass TEXT, PRIMARY KEY (table_id, format))",
    "CREATE TABLE IF NOT EXISTS dropped_partitions (table_id TEXT NOT NULL,"
        + " partition_name TEXT NOT NULL, PRIMARY KEY (table_id, partition_name))"
  };

  private final Path file;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  // Statements prepared once and reused: preparing (SQLite's parser and planner) was about 6 % of
  // the commit thread's CPU. Used under the lock, as the connection is.
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  private SqliteMetadataStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens (creating when missing) the store in a SQLite file. */
  public static SqliteMetadataStore open(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      // The driver directly, not DriverManager: a second application in the same JVM (tests,
      // live reload) may not see the driver registered with the first one's class loader.
      Connection connection = new JDBC().connect("jdbc:sqlite:" + file, new Properties());
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=FULL");
        statement.execute("PRAGMA busy_timeout=10000");
        for (String ddl : SCHEMA) {
          statement.execute(ddl);
        }
        migrate(statement);
        // Partial: it holds only the marked heads, so listing a table's costs no scan of all heads.
        statement.execute(
            "CREATE INDEX IF NOT EXISTS heads_tiering_pending ON heads (tiering_pending)"
                + " WHERE tiering_pending IS NOT NULL");
      }
      connection.setAutoCommit(false);
      connection.commit();
      return new SqliteMetadataStore(file, connection);
    } catch (SQLException | IOException e) {
      throw new StoreUnavailableException("Cannot open metadata store " + file + ": " + e, e);
    }
  }

  /** The layout version this code writes ({@code PRAGMA user_version}). */
  private static final int VERSION = 3;

  /**
   * Brings a file an earlier version wrote to this layout: version 2 added closed buckets and keys
   * plans by time (plans under the earlier keys are idempotency records only, their rows are
   * committed, and are dropped); version 3 added the tiering-pending mark of heads, absent on the
   * heads written before (tiering's full pass finds their rows), and the time of tiering's last
   * full pass.
   */
  private static void migrate(Statement statement) throws SQLException {
    int version;
    try (ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version >= VERSION) {
      return;
    }
    if (version < 2) {
      addColumnIfMissing(statement, "heads", "closed", "INTEGER NOT NULL DEFAULT 0");
      statement.execute("DELETE FROM plans WHERE plan_key NOT LIKE 'p%'");
    }
    addColumnIfMissing(statement, "heads", "tiering_pending", "TEXT");
    addColumnIfMissing(statement, "tiering_state", "last_full_pass", "TEXT");
    statement.execute("PRAGMA user_version = " + VERSION);
  }

  private static void addColumnIfMissing(
      Statement statement, String table, String column, String type) throws SQLException {
    try (ResultSet rs = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        if (rs.getString("name").equals(column)) {
          return;
        }
      }
    }
    statement.execute("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException, IOException;
  }

  /** Runs work as one transaction; a conflict it throws rolls back everything it did. */
  private <T> T transaction(String what, Work<T> work) {
    lock.lock();
    try {
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (RuntimeException | SQLException | IOException e) {
        rollback();
        throw e;
      }
    } catch (SQLException | IOException e) {
      throw new StoreUnavailableException("Cannot " + what + " in " + file + ": " + e, e);
    } finally {
      lock.unlock();
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the failure that brought us here is reported.
    }
  }

  private int update(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement statement = prepared(c, sql);
    bind(statement, args);
    return statement.executeUpdate();
  }

  private PreparedStatement prepared(Connection c, String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = c.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  private static void bind(PreparedStatement statement, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      statement.setObject(i + 1, args[i]);
    }
  }

  @FunctionalInterface
  private interface Row<T> {
    T map(ResultSet rs) throws SQLException, IOException;
  }

  private <T> List<T> query(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException, IOException {
    PreparedStatement statement = prepared(c, sql);
    bind(statement, args);
    try (ResultSet rs = statement.executeQuery()) {
      List<T> result = new ArrayList<>();
      while (rs.next()) {
        result.add(row.map(rs));
      }
      return result;
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    return e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed");
  }

  // ---- catalog ----

  private static TableEntry tableEntry(ResultSet rs) throws SQLException {
    TableName name = TableName.parse(rs.getString("name"));
    return new TableEntry(
        name,
        rs.getString("table_id"),
        TableDefinitionJson.parse("Stored table " + name, rs.getString("definition")),
        rs.getInt("schema_id"),
        Instant.parse(rs.getString("created_at")));
  }

  @Override
  public Optional<TableEntry> table(TableName name) {
    return transaction(
        "read table " + name,
        c ->
            query(
                    c,
                    "SELECT * FROM catalog WHERE name = ?",
                    SqliteMetadataStore::tableEntry,
                    name.toString())
                .stream()
                .findFirst());
  }

  @Override
  public List<TableEntry> tables() {
    return transaction(
        "list tables",
        c -> query(c, "SELECT * FROM catalog ORDER BY name", SqliteMetadataStore::tableEntry));
  }

  @Override
  public void createTable(TableEntry entry) {
    transaction(
        "create table " + entry.name(),
        c -> {
          try {
            update(
                c,
                "INSERT INTO catalog (name, table_id, definition, schema_id, created_at) VALUES (?, ?, ?, ?, ?)",
                entry.name().toString(),
                entry.tableId(),
                TableDefinitionJson.toJsonString(entry.definition()),
                entry.schemaId(),
                entry.createdAt().toString());
          } catch (SQLException e) {
            if (isUniqueViolation(e)) {
              throw new CommitConflictException(
                  "Cannot create table " + entry.name() + ": a table with this name exists");
            }
            throw e;
          }
          putSchema(c, entry);
          return null;
        });
  }

  private void putSchema(Connection c, TableEntry entry) throws SQLException {
    update(
        c,
        "INSERT OR REPLACE INTO schemas (table_id, schema_id, definition) VALUES (?, ?, ?)",
        entry.tableId(),
        entry.schemaId(),
        TableDefinitionJson.toJsonString(entry.definition()));
  }

  @Override
  public void evolveTable(TableEntry current, TableEntry next) {
    transaction(
        "evolve table " + current.name(),
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE catalog SET definition = ?, schema_id = ? WHERE name = ? AND table_id = ? AND schema_id = ?",
                  TableDefinitionJson.toJsonString(next.definition()),
                  next.schemaId(),
                  current.name().toString(),
                  current.tableId(),
                  current.schemaId());
          if (updated != 1) {
            throw new CommitConflictException(
                "Cannot evolve table "
                    + current.name()
                    + ": it is no longer at schema "
                    + current.schemaId()
                    + " of table id "
                    + current.tableId());
          }
          putSchema(c, next);
          return null;
        });
  }

  @Override
  public void dropTable(TableName name, String tableId) {
    transaction(
        "drop table " + name,
        c -> {
          if (update(
                  c,
                  "DELETE FROM catalog WHERE name = ? AND table_id = ?",
                  name.toString(),
                  tableId)
              != 1) {
            throw new CommitConflictException(
                "Cannot drop table " + name + ": it is not table id " + tableId);
          }
          return null;
        });
  }

  @Override
  public Optional<TableDefinition> schema(String tableId, int schemaId) {
    return transaction(
        "read schema " + schemaId + " of table " + tableId,
        c ->
            query(
                    c,
                    "SELECT definition FROM schemas WHERE table_id = ? AND schema_id = ?",
                    rs -> TableDefinitionJson.parse("Stored schema", rs.getString(1)),
                    tableId,
                    schemaId)
                .stream()
                .findFirst());
  }

  // ---- bucket logs ----

  /**
   * The key of a bucket's log in the {@code table_id} column of {@code heads}, {@code head_slices}
   * and {@code index_pages}: the table id, followed by {@code #} and the partition name on a
   * partitioned table (a table id never holds a {@code #}).
   */
  static String logId(TableBucket bucket) {
    return bucket.partition().isEmpty()
        ? bucket.tableId()
        : bucket.tableId() + PARTITION_SEPARATOR + bucket.partition();
  }

  /**
   * The partitions whose heads exist (their first rows were committed with them, in one
   * transaction), less the dropped ones.
   */
  @Override
  public List<String> partitions(String tableId) {
    String prefix = tableId + PARTITION_SEPARATOR;
    return transaction(
        "list the partitions of table " + tableId,
        c ->
            query(
                c,
                "SELECT DISTINCT table_id FROM heads WHERE table_id > ? AND table_id < ?"
                    + " AND substr(table_id, ?) NOT IN"
                    + " (SELECT partition_name FROM dropped_partitions WHERE table_id = ?)"
                    + " ORDER BY table_id",
                rs -> rs.getString(1).substring(prefix.length()),
                prefix,
                tableId + (char) (PARTITION_SEPARATOR + 1),
                prefix.length() + 1,
                tableId));
  }

  /** Nothing to record: a partition's heads are written with its first rows, in one transaction. */
  @Override
  public void addPartition(String tableId, String partition) {}

  /** Records the partition as dropped; its heads stay, and {@link #partitions} leaves it out. */
  @Override
  public void dropPartition(String tableId, String partition) {
    transaction(
        "drop partition " + partition + " of table " + tableId,
        c ->
            update(
                c,
                "INSERT OR IGNORE INTO dropped_partitions (table_id, partition_name) VALUES (?, ?)",
                tableId,
                partition));
  }

  @Override
  public BucketHead head(TableBucket at) {
    String tableId = logId(at);
    int bucket = at.bucket();
    return transaction(
        "read " + at + " of table " + at.tableId(), c -> readHead(c, tableId, bucket));
  }

  private BucketHead readHead(Connection c, String tableId, int bucket)
      throws SQLException, IOException {
    List<BucketHead> heads =
        query(
            c,
            "SELECT next_offset, log_start_offset, indexed_up_to, last_timestamp, closed FROM heads WHERE table_id = ? AND bucket = ?",
            rs ->
                new BucketHead(
                    bucket,
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    Instant.parse(rs.getString(4)),
                    new TreeMap<>(),
                    rs.getInt(5) != 0),
            tableId,
            bucket);
    if (heads.isEmpty()) {
      return BucketHead.empty(bucket);
    }
    TreeMap<Long, Slice> slices = new TreeMap<>();
    for (Slice slice :
        query(
            c,
            "SELECT slice FROM head_slices WHERE table_id = ? AND bucket = ? ORDER BY base_offset",
            rs -> SqliteJson.slice(JSON.readTree(rs.getString(1))),
            tableId,
            bucket)) {
      slices.put(slice.baseOffset(), slice);
    }
    BucketHead head = heads.get(0);
    return new BucketHead(
        bucket,
        head.nextOffset(),
        head.logStartOffset(),
        head.indexedUpTo(),
        head.lastTimestamp(),
        slices,
        head.closed());
  }

  @Override
  public void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    String tableId = logId(at);
    int bucket = at.bucket();
    if (slice.baseOffset() != expectedNextOffset) {
      throw new IllegalArgumentException(
          "Cannot append slice at "
              + slice.baseOffset()
              + " to bucket "
              + bucket
              + ": expected next offset is "
              + expectedNextOffset);
    }
    transaction(
        "append to " + at + " of table " + at.tableId(),
        c -> {
          BucketHead head = readHead(c, tableId, bucket);
          if (head.nextOffset() != expectedNextOffset || head.closed()) {
            throw new CommitConflictException(
                "Cannot append to "
                    + at
                    + " of table "
                    + at.tableId()
                    + (head.closed()
                        ? ": it is closed (its table was dropped)"
                        : ": next offset is " + head.nextOffset() + ", not " + expectedNextOffset));
          }
          insertSlice(c, at, slice);
          return null;
        });
  }

  /** Appends a slice to a head and marks the head pending tiering. */
  private void insertSlice(Connection c, TableBucket at, Slice slice) throws SQLException {
    String tableId = logId(at);
    int bucket = at.bucket();
    update(
        c,
        "INSERT INTO heads (table_id, bucket, next_offset, log_start_offset, indexed_up_to,"
            + " last_timestamp, tiering_pending) VALUES (?, ?, ?, 0, 0, ?, ?)"
            + " ON CONFLICT (table_id, bucket) DO UPDATE SET next_offset = excluded.next_offset,"
            + " last_timestamp = excluded.last_timestamp,"
            + " tiering_pending = excluded.tiering_pending",
        tableId,
        bucket,
        slice.endOffset(),
        slice.timestamp().toString(),
        at.tableId());
    update(
        c,
        "INSERT INTO head_slices (table_id, bucket, base_offset, slice) VALUES (?, ?, ?, ?)",
        tableId,
        bucket,
        slice.baseOffset(),
        SqliteJson.slice(slice).toString());
  }

  @Override
  public void closeBucket(TableBucket at) {
    String tableId = logId(at);
    int bucket = at.bucket();
    transaction(
        "close " + at + " of table " + at.tableId(),
        c ->
            update(
                c,
                "INSERT INTO heads (table_id, bucket, next_offset, log_start_offset, indexed_up_to,"
                    + " last_timestamp, closed) VALUES (?, ?, 0, 0, 0, ?, 1)"
                    + " ON CONFLICT (table_id, bucket) DO UPDATE SET closed = 1",
                tableId,
                bucket,
                Instant.EPOCH.toString()));
  }

  /**
   * The marked heads of the table, found through the partial index {@code heads_tiering_pending}.
   */
  @Override
  public List<TableBucket> pendingBuckets(String tableId) {
    return transaction(
        "list the buckets pending tiering of table " + tableId,
        c ->
            query(
                c,
                "SELECT table_id, bucket FROM heads WHERE tiering_pending = ?",
                rs -> {
                  String logId = rs.getString(1);
                  String partition =
                      logId.length() > tableId.length()
                          ? logId.substring(tableId.length() + 1)
                          : TableBucket.UNPARTITIONED;
                  return new TableBucket(tableId, partition, rs.getInt(2));
                },
                tableId));
  }

  @Override
  public void clearPending(TableBucket at, long tieredUpTo) {
    transaction(
        "clear the tiering mark of " + at + " of table " + at.tableId(),
        c ->
            update(
                c,
                "UPDATE heads SET tiering_pending = NULL"
                    + " WHERE table_id = ? AND bucket = ? AND next_offset = ?",
                logId(at),
                at.bucket(),
                tieredUpTo));
  }

  @Override
  public IndexPage putIndexPage(TableBucket at, IndexPage page) {
    String tableId = logId(at);
    int bucket = at.bucket();
    return transaction(
        "put index page " + page.firstOffset() + " of " + at,
        c -> insertPage(c, tableId, bucket, page));
  }

  /** Inserts a page unless one starts at its first offset; returns the page stored there. */
  private IndexPage insertPage(Connection c, String tableId, int bucket, IndexPage page)
      throws SQLException, IOException {
    ArrayNode slices = JSON.createArrayNode();
    page.slices().forEach(s -> slices.add(SqliteJson.slice(s)));
    int inserted =
        update(
            c,
            "INSERT OR IGNORE INTO index_pages (table_id, bucket, first_offset, end_offset, slices) VALUES (?, ?, ?, ?, ?)",
            tableId,
            bucket,
            page.firstOffset(),
            page.endOffset(),
            slices.toString());
    if (inserted == 1) {
      return page;
    }
    return pages(c, tableId, bucket, page.firstOffset(), page.firstOffset() + 1, 1).get(0);
  }

  @Override
  public void trimHead(
      TableBucket at, long expectedIndexedUpTo, long newIndexedUpTo, Collection<Long> baseOffsets) {
    String tableId = logId(at);
    int bucket = at.bucket();
    transaction(
        "trim " + at + " of table " + at.tableId(),
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE heads SET indexed_up_to = ? WHERE table_id = ? AND bucket = ? AND indexed_up_to = ?",
                  newIndexedUpTo,
                  tableId,
                  bucket,
                  expectedIndexedUpTo);
          if (updated != 1) {
            throw new CommitConflictException(
                "Cannot trim "
                    + at
                    + " of table "
                    + at.tableId()
                    + ": it is no longer indexed up to "
                    + expectedIndexedUpTo);
          }
          deleteHeadSlices(c, tableId, bucket, baseOffsets);
          return null;
        });
  }

  private void deleteHeadSlices(
      Connection c, String tableId, int bucket, Collection<Long> baseOffsets) throws SQLException {
    for (Long base : baseOffsets) {
      update(
          c,
          "DELETE FROM head_slices WHERE table_id = ? AND bucket = ? AND base_offset = ?",
          tableId,
          bucket,
          base);
    }
  }

  @Override
  public void advanceLogStart(
      TableBucket at,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets) {
    String tableId = logId(at);
    int bucket = at.bucket();
    transaction(
        "advance the log start of " + at + " of table " + at.tableId(),
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE heads SET log_start_offset = ? WHERE table_id = ? AND bucket = ? AND log_start_offset = ?",
                  newLogStartOffset,
                  tableId,
                  bucket,
                  expectedLogStartOffset);
          if (updated != 1) {
            boolean exists =
                !query(
                        c,
                        "SELECT 1 FROM heads WHERE table_id = ? AND bucket = ?",
                        rs -> rs.getInt(1),
                        tableId,
                        bucket)
                    .isEmpty();
            if (exists || expectedLogStartOffset != 0) {
              throw new CommitConflictException(
                  "Cannot advance the log start of "
                      + at
                      + " of table "
                      + at.tableId()
                      + ": its log no longer starts at "
                      + expectedLogStartOffset);
            }
            // No head yet: its log starts at 0, as expected. Create it without slices.
            update(
                c,
                "INSERT INTO heads (table_id, bucket, next_offset, log_start_offset, indexed_up_to, last_timestamp)"
                    + " VALUES (?, ?, 0, ?, 0, ?)",
                tableId,
                bucket,
                newLogStartOffset,
                Instant.EPOCH.toString());
          }
          deleteHeadSlices(c, tableId, bucket, baseOffsets);
          return null;
        });
  }

  @Override
  public void deleteIndexPage(TableBucket at, long firstOffset) {
    String tableId = logId(at);
    int bucket = at.bucket();
    transaction(
        "delete index page " + firstOffset + " of " + at + " of table " + at.tableId(),
        c ->
            update(
                c,
                "DELETE FROM index_pages WHERE table_id = ? AND bucket = ? AND first_offset = ?",
                tableId,
                bucket,
                firstOffset));
  }

  @Override
  public List<IndexPage> indexPages(TableBucket at, long fromOffset, long toOffset, int limit) {
    String tableId = logId(at);
    int bucket = at.bucket();
    return transaction(
        "read index pages of " + at, c -> pages(c, tableId, bucket, fromOffset, toOffset, limit));
  }

  private List<IndexPage> pages(
      Connection c, String tableId, int bucket, long fromOffset, long toOffset, int limit)
      throws SQLException, IOException {
    return query(
        c,
        "SELECT first_offset, end_offset, slices FROM index_pages WHERE table_id = ? AND bucket = ?"
            + " AND end_offset > ? AND first_offset < ? ORDER BY first_offset LIMIT ?",
        rs -> {
          List<Slice> slices = new ArrayList<>();
          for (JsonNode node : JSON.readTree(rs.getString(3))) {
            slices.add(SqliteJson.slice(node));
          }
          return new IndexPage(bucket, rs.getLong(1), rs.getLong(2), slices);
        },
        tableId,
        bucket,
        fromOffset,
        toOffset,
        limit);
  }

  // ---- write plans ----

  @Override
  public Optional<Plan> plan(String tableId, String planKey) {
    return transaction("read plan " + planKey, c -> readPlan(c, tableId, planKey));
  }

  private Optional<Plan> readPlan(Connection c, String tableId, String planKey)
      throws SQLException, IOException {
    return query(
            c,
            "SELECT plan FROM plans WHERE table_id = ? AND plan_key = ?",
            rs -> SqliteJson.plan(JSON.readTree(rs.getString(1))),
            tableId,
            planKey)
        .stream()
        .findFirst();
  }

  @Override
  public void putPlan(Plan plan) {
    transaction(
        "put plan " + plan.planKey(),
        c -> {
          int inserted =
              update(
                  c,
                  "INSERT OR IGNORE INTO plans (table_id, plan_key, status, plan) VALUES (?, ?, ?, ?)",
                  plan.tableId(),
                  plan.planKey(),
                  plan.status().name(),
                  SqliteJson.plan(plan).toString());
          if (inserted != 1) {
            throw new CommitConflictException(
                "Cannot put plan "
                    + plan.planKey()
                    + " of table "
                    + plan.tableId()
                    + ": it exists");
          }
          return null;
        });
  }

  @Override
  public void startApplying(String tableId, String planKey) {
    decide(tableId, planKey, PlanStatus.APPLYING, "apply");
  }

  @Override
  public void completePlan(Plan done) {
    transaction(
        "complete plan " + done.planKey(),
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE plans SET status = ?, plan = ? WHERE table_id = ? AND plan_key = ?"
                      + " AND status IN (?, ?)",
                  PlanStatus.DONE.name(),
                  SqliteJson.plan(done).toString(),
                  done.tableId(),
                  done.planKey(),
                  PlanStatus.PENDING.name(),
                  PlanStatus.APPLYING.name());
          if (updated != 1) {
            throw new CommitConflictException(
                "Cannot complete plan "
                    + done.planKey()
                    + " of table "
                    + done.tableId()
                    + ": it is not pending");
          }
          return null;
        });
  }

  @Override
  public void abortPlan(String tableId, String planKey) {
    decide(tableId, planKey, PlanStatus.ABORTED, "abort");
  }

  /**
   * Moves a pending plan to its verdict, {@code APPLYING} or {@code ABORTED}; aborting an aborted
   * plan again is a no-op.
   */
  private void decide(String tableId, String planKey, PlanStatus verdict, String verb) {
    transaction(
        verb + " plan " + planKey,
        c -> {
          Optional<Plan> stored = readPlan(c, tableId, planKey);
          PlanStatus status = stored.map(Plan::status).orElse(null);
          if (verdict == PlanStatus.ABORTED && status == PlanStatus.ABORTED) {
            return null;
          }
          if (status != PlanStatus.PENDING) {
            throw new CommitConflictException(
                "Cannot "
                    + verb
                    + " plan "
                    + planKey
                    + " of table "
                    + tableId
                    + ": it is "
                    + (status == null ? "missing" : status.name().toLowerCase(Locale.ROOT)));
          }
          update(
              c,
              "UPDATE plans SET status = ?, plan = ? WHERE table_id = ? AND plan_key = ?",
              verdict.name(),
              SqliteJson.plan(stored.get().with(verdict, stored.get().parts())).toString(),
              tableId,
              planKey);
          return null;
        });
  }

  @Override
  public List<Plan> plans(String tableId, String fromKey, String toKey, int limit) {
    return transaction(
        "list the plans of table " + tableId,
        c ->
            query(
                c,
                "SELECT plan FROM plans WHERE table_id = ? AND plan_key >= ? AND plan_key < ?"
                    + " ORDER BY plan_key LIMIT ?",
                rs -> SqliteJson.plan(JSON.readTree(rs.getString(1))),
                tableId,
                fromKey,
                toKey,
                limit));
  }

  @Override
  public Optional<Plan> commitInOneTransaction(Plan pending, List<Claim> claims) {
    return Optional.of(
        transaction(
            "commit plan " + pending.planKey() + " of table " + pending.tableId(),
            c -> {
              List<Claim> taken = new ArrayList<>();
              for (Claim claim : claims) {
                takeClaim(c, claim).ifPresent(taken::add);
              }
              if (!taken.isEmpty()) {
                throw new ClaimsTakenException(
                    "Cannot commit plan "
                        + pending.planKey()
                        + ": other plans hold "
                        + taken.size()
                        + " of its claims",
                    taken);
              }
              List<PlanPart> applied = new ArrayList<>();
              for (PlanPart part : pending.parts()) {
                applied.add(part.appliedAt(append(c, pending, part)));
              }
              Plan done = pending.with(PlanStatus.DONE, applied);
              int inserted =
                  update(
                      c,
                      "INSERT OR IGNORE INTO plans (table_id, plan_key, status, plan) VALUES (?, ?, ?, ?)",
                      done.tableId(),
                      done.planKey(),
                      done.status().name(),
                      SqliteJson.plan(done).toString());
              if (inserted != 1) {
                throw new CommitConflictException(
                    "Cannot commit plan " + done.planKey() + ": an item exists at its key");
              }
              return done;
            }));
  }

  /** Claims a key for a plan in this transaction; returns the claim another live plan holds. */
  private Optional<Claim> takeClaim(Connection c, Claim claim) throws SQLException, IOException {
    Optional<Claim> stored = readClaim(c, claim.tableId(), claim.claimKey());
    if (stored.isPresent() && !stored.get().planKey().equals(claim.planKey())) {
      Optional<Plan> holder = readPlan(c, claim.tableId(), stored.get().planKey());
      if (holder.isPresent() && holder.get().status() != PlanStatus.ABORTED) {
        return stored;
      }
    }
    update(
        c,
        "INSERT OR REPLACE INTO claims (table_id, claim_key, plan_key, created_at) VALUES (?, ?, ?, ?)",
        claim.tableId(),
        claim.claimKey(),
        claim.planKey(),
        claim.createdAt().toString());
    return Optional.empty();
  }

  /**
   * Appends one part of a plan at its bucket's end, moving a page out of a full head. Reads the
   * head's row and its slice count, not its slices: those are parsed only when a page moves.
   */
  private long append(Connection c, Plan plan, PlanPart part) throws SQLException, IOException {
    String tableId = logId(part.in(plan.tableId()));
    int bucket = part.bucket();
    List<Object[]> rows =
        query(
            c,
            "SELECT next_offset, last_timestamp, closed, (SELECT COUNT(*) FROM head_slices s"
                + " WHERE s.table_id = h.table_id AND s.bucket = h.bucket)"
                + " FROM heads h WHERE table_id = ? AND bucket = ?",
            rs ->
                new Object[] {
                  rs.getLong(1), Instant.parse(rs.getString(2)), rs.getInt(3) != 0, rs.getInt(4)
                },
            tableId,
            bucket);
    long next = rows.isEmpty() ? 0 : (long) rows.get(0)[0];
    Instant last = rows.isEmpty() ? Instant.EPOCH : (Instant) rows.get(0)[1];
    int recent = rows.isEmpty() ? 0 : (int) rows.get(0)[3];
    if (!rows.isEmpty() && (boolean) rows.get(0)[2]) {
      throw new CommitConflictException(
          "Cannot commit plan "
              + plan.planKey()
              + ": bucket "
              + bucket
              + " of table "
              + tableId
              + " is closed (its table was dropped)");
    }
    Slice slice = plan.slice(part, next, last);
    insertSlice(c, part.in(plan.tableId()), slice);
    if (recent + 1 > PlanApplier.HEAD_SLICE_LIMIT) {
      List<Slice> moved =
          query(
              c,
              "SELECT slice FROM head_slices WHERE table_id = ? AND bucket = ?"
                  + " ORDER BY base_offset LIMIT ?",
              rs -> SqliteJson.slice(JSON.readTree(rs.getString(1))),
              tableId,
              bucket,
              PlanApplier.PAGE_SLICES);
      IndexPage page =
          insertPage(
              c,
              tableId,
              bucket,
              new IndexPage(
                  bucket,
                  moved.get(0).baseOffset(),
                  moved.get(moved.size() - 1).endOffset(),
                  moved));
      update(
          c,
          "UPDATE heads SET indexed_up_to = ? WHERE table_id = ? AND bucket = ?",
          page.endOffset(),
          tableId,
          bucket);
      update(
          c,
          "DELETE FROM head_slices WHERE table_id = ? AND bucket = ? AND base_offset < ?",
          tableId,
          bucket,
          page.endOffset());
    }
    return slice.baseOffset();
  }

  // ---- claims ----

  private Optional<Claim> readClaim(Connection c, String tableId, String claimKey)
      throws SQLException, IOException {
    return query(
            c,
            "SELECT plan_key, created_at FROM claims WHERE table_id = ? AND claim_key = ?",
            rs -> new Claim(tableId, claimKey, rs.getString(1), Instant.parse(rs.getString(2))),
            tableId,
            claimKey)
        .stream()
        .findFirst();
  }

  @Override
  public Optional<Claim> claim(String tableId, String claimKey) {
    return transaction("read claim " + claimKey, c -> readClaim(c, tableId, claimKey));
  }

  @Override
  public void putClaim(Claim claim) {
    transaction(
        "put claim " + claim.claimKey(),
        c -> {
          int inserted =
              update(
                  c,
                  "INSERT OR IGNORE INTO claims (table_id, claim_key, plan_key, created_at) VALUES (?, ?, ?, ?)",
                  claim.tableId(),
                  claim.claimKey(),
                  claim.planKey(),
                  claim.createdAt().toString());
          if (inserted != 1) {
            throw new CommitConflictException(
                "Cannot claim " + claim.claimKey() + " of table " + claim.tableId() + ": held");
          }
          return null;
        });
  }

  @Override
  public void replaceClaim(Claim expected, Claim next) {
    transaction(
        "take over claim " + expected.claimKey(),
        c -> {
          int updated =
              update(
                  c,
                  "UPDATE claims SET plan_key = ?, created_at = ? WHERE table_id = ? AND claim_key = ? AND plan_key = ?",
                  next.planKey(),
                  next.createdAt().toString(),
                  expected.tableId(),
                  expected.claimKey(),
                  expected.planKey());
          if (updated != 1) {
            throw new CommitConflictException(
                "Cannot take over claim " + expected.claimKey() + ": it changed");
          }
          return null;
        });
  }

  @Override
  public void deleteClaim(Claim claim) {
    transaction(
        "delete claim " + claim.claimKey(),
        c ->
            update(
                c,
                "DELETE FROM claims WHERE table_id = ? AND claim_key = ? AND plan_key = ?",
                claim.tableId(),
                claim.claimKey(),
                claim.planKey()));
  }

  // ---- sweeps ----

  @Override
  public SweepState sweepState(String tableId) {
    return transaction(
        "read sweep state of table " + tableId,
        c ->
            query(
                    c,
                    "SELECT recovered_up_to, objects_collected_up_to, plans_collected_up_to,"
                        + " orphans_listed_up_to FROM sweeps WHERE table_id = ?",
                    rs ->
                        new SweepState(
                            tableId,
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4)),
                    tableId)
                .stream()
                .findFirst()
                .orElse(SweepState.initial(tableId)));
  }

  @Override
  public void putSweepState(SweepState state) {
    transaction(
        "record sweep state of table " + state.tableId(),
        c ->
            update(
                c,
                "INSERT OR REPLACE INTO sweeps (table_id, recovered_up_to, objects_collected_up_to,"
                    + " plans_collected_up_to, orphans_listed_up_to) VALUES (?, ?, ?, ?, ?)",
                state.tableId(),
                state.recoveredUpTo(),
                state.objectsCollectedUpTo(),
                state.plansCollectedUpTo(),
                state.orphansListedUpTo()));
  }

  @Override
  public void deletePlan(String tableId, String planKey) {
    transaction(
        "delete plan " + planKey + " of table " + tableId,
        c -> update(c, "DELETE FROM plans WHERE table_id = ? AND plan_key = ?", tableId, planKey));
  }

  // ---- leases and tiering ----

  @Override
  public Optional<Lease> lease(String tableId) {
    return transaction(
        "read lease of table " + tableId,
        c ->
            query(
                    c,
                    "SELECT owner, epoch, expires_at FROM leases WHERE table_id = ?",
                    rs ->
                        new Lease(
                            tableId,
                            rs.getString(1),
                            rs.getLong(2),
                            Instant.parse(rs.getString(3))),
                    tableId)
                .stream()
                .findFirst());
  }

  @Override
  public void putLease(Optional<Lease> expected, Lease granted) {
    transaction(
        "grant lease of table " + granted.tableId(),
        c -> {
          int changed =
              expected.isEmpty()
                  ? update(
                      c,
                      "INSERT OR IGNORE INTO leases (table_id, owner, epoch, expires_at) VALUES (?, ?, ?, ?)",
                      granted.tableId(),
                      granted.owner(),
                      granted.epoch(),
                      granted.expiresAt().toString())
                  : update(
                      c,
                      "UPDATE leases SET owner = ?, epoch = ?, expires_at = ? WHERE table_id = ? AND epoch = ?",
                      granted.owner(),
                      granted.epoch(),
                      granted.expiresAt().toString(),
                      granted.tableId(),
                      expected.get().epoch());
          if (changed != 1) {
            throw new CommitConflictException(
                "Cannot grant lease of table " + granted.tableId() + ": it changed");
          }
          return null;
        });
  }

  @Override
  public Optional<TieringState> tieringState(String tableId, LakeFormatName format) {
    return transaction(
        "read tiering state of table " + tableId,
        c ->
            query(
                    c,
                    "SELECT snapshot_id, offsets, committed_at, last_full_pass FROM tiering_state"
                        + " WHERE table_id = ? AND format = ?",
                    rs ->
                        TieringState.stored(
                            tableId,
                            format,
                            rs.getLong(1),
                            rs.getString(2),
                            Instant.parse(rs.getString(3)),
                            Optional.ofNullable(rs.getString(4)).map(Instant::parse)),
                    tableId,
                    format.apiName())
                .stream()
                .findFirst());
  }

  @Override
  public void putTieringState(TieringState state) {
    transaction(
        "record tiering state of table " + state.tableId(),
        c -> {
          update(
              c,
              "INSERT OR REPLACE INTO tiering_state (table_id, format, snapshot_id, offsets,"
                  + " committed_at, last_full_pass) VALUES (?, ?, ?, ?, ?, ?)",
              state.tableId(),
              state.format().apiName(),
              state.snapshotId(),
              state.storedOffsets(),
              state.committedAt().toString(),
              state.lastFullPass().map(Instant::toString).orElse(null));
          return null;
        });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      statements.clear(); // closing the connection closes its statements
      connection.close();
    } catch (SQLException e) {
      throw new StoreUnavailableException("Cannot close metadata store " + file + ": " + e, e);
    } finally {
      lock.unlock();
    }
  }
}
