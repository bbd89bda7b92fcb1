package io.sluice.function.read.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.access.Caller;
import io.sluice.core.access.ForbiddenException;
import io.sluice.core.access.Permission;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.ArrowValues;
import io.sluice.core.lake.LakeSnapshot;
import io.sluice.core.merge.ChangelogService;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.scan.RowBatches;
import io.sluice.core.scan.ScanService;
import io.sluice.core.scan.ScanSource;
import io.sluice.core.service.InvalidSqlException;
import io.sluice.core.service.TableNotFoundException;
import io.sluice.core.service.TableService;
import io.sluice.core.sql.SqlRelation;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.duckdb.DuckDBResultSet;

/**
 * Answers read-only SQL over Sluice tables on an embedded DuckDB, one in-memory database per query.
 * DuckDB parses the query first; every Sluice name in it ({@code orders}, {@code orders$lake}, ...)
 * becomes a view over an Arrow stream of the matching scan, reading only the columns the query
 * mentions and, where the query reads a table through one {@code SELECT}, filtered by what of its
 * {@code WHERE} clause a scan can take ({@link WherePushdown}), so that partitions and lake files
 * it rules out are not read; then file and network access is switched off and locked, and the query
 * runs. {@code orders$partitions} lists a partitioned table's partitions ({@link SqlPartitions}).
 */
public final class SqlService {
  /** Rows per Arrow batch of a result. */
  static final int RESULT_BATCH_ROWS = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DuckDBDriver DRIVER = new DuckDBDriver();
  private static final List<Column> SNAPSHOT_COLUMNS =
      List.of(
          new Column("lake", DataType.of(TypeKind.STRING), false),
          new Column("snapshot_id", DataType.of(TypeKind.BIGINT), false),
          new Column("commit_time", DataType.of(TypeKind.TIMESTAMP_LTZ), false),
          new Column("rows", DataType.of(TypeKind.BIGINT), false),
          new Column("offsets", DataType.of(TypeKind.STRING), false));

  private final TableService tables;
  private final ScanService scans;
  private final ChangelogService changelogs;
  private final BufferAllocator allocator;

  public SqlService(
      TableService tables,
      ScanService scans,
      ChangelogService changelogs,
      BufferAllocator allocator) {
    this.tables = tables;
    this.scans = scans;
    this.changelogs = changelogs;
    this.allocator = allocator;
  }

  /**
   * Runs a query; its rows stream as the caller pulls them, and closing them ends the query.
   *
   * @throws InvalidSqlException when the query does not parse, is not read-only, or names a table
   *     or column that does not exist
   * @throws ForbiddenException when it reads a table the caller may not read
   */
  public RowBatches query(String sql, Caller caller) {
    if (sql == null || sql.isBlank()) {
      throw new InvalidSqlException("The query is empty");
    }
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    AtomicReference<RuntimeException> scanFailure = new AtomicReference<>();
    try {
      Properties properties = new Properties();
      properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
      // The driver itself, not DriverManager: its registry is JVM-wide and only hands a caller
      // the drivers its class loader sees, so a second application in one JVM (a Quarkus restart
      // in tests or dev mode) would find none.
      Connection connection = DRIVER.connect("jdbc:duckdb:", properties);
      resources.push(connection);
      ParsedQuery parsed = ParsedQuery.of(serialize(connection, sql));
      int next = 0;
      for (Map.Entry<ParsedQuery.QualifiedName, Integer> table : parsed.tables().entrySet()) {
        RowBatches rows = rows(table.getKey(), parsed, scanFailure, connection, caller);
        register(
            connection,
            "sluice_source_" + next++,
            table.getKey(),
            table.getValue(),
            rows,
            resources);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET enable_external_access = false");
        statement.execute("SET lock_configuration = true");
      }
      PreparedStatement statement = connection.prepareStatement(sql);
      resources.push(statement);
      ResultSet result = statement.executeQuery();
      resources.push(result);
      ArrowReader reader =
          (ArrowReader)
              result.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, RESULT_BATCH_ROWS);
      return new ReaderBatches(reader, () -> closeAll(resources));
    } catch (SQLException e) {
      closeAll(resources);
      if (scanFailure.get() != null) {
        throw scanFailure.get();
      }
      throw new InvalidSqlException(reason(e));
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  static JsonNode serialize(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
      statement.setString(1, sql);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return JSON.readTree(result.getString(1));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("DuckDB returned a parse tree that is not JSON", e);
      }
    }
  }

  /** The rows behind one name of the query, opened lazily by the scan. */
  private RowBatches rows(
      ParsedQuery.QualifiedName name,
      ParsedQuery parsed,
      AtomicReference<RuntimeException> failure,
      Connection connection,
      Caller caller) {
    SqlRelation relation = SqlRelation.parse(name.schema(), name.name());
    caller.check(Permission.READ, relation.table());
    String written = name.schema().isEmpty() ? name.name() : name.schema() + "." + name.name();
    TableEntry table;
    try {
      table = tables.table(relation.table());
    } catch (TableNotFoundException e) {
      throw new InvalidSqlException("Unknown table " + written + ": " + e.getMessage());
    }
    RowBatches rows =
        switch (relation.kind()) {
          case UNION -> scan(table, relation, name, parsed, ScanSource.UNION, connection);
          case LAKE -> scan(table, relation, name, parsed, ScanSource.LAKE, connection);
          case LOG -> scan(table, relation, name, parsed, ScanSource.LOG, connection);
          case SNAPSHOTS -> snapshots(table, relation.lake());
          case PARTITIONS -> {
            if (!table.definition().isPartitioned()) {
              throw new InvalidSqlException(
                  "Unknown table " + written + ": " + table.name() + " is not partitioned");
            }
            yield SqlPartitions.rows(tables.describe(table.name()), allocator);
          }
          case CHANGELOG -> {
            if (!table.definition().hasPrimaryKey()) {
              throw new InvalidSqlException(
                  "Unknown table "
                      + written
                      + ": only primary-key tables have a changelog, and "
                      + table.name()
                      + " has no primary key");
            }
            yield changelogs.all(table.name());
          }
        };
    return new FailureRecording(rows, failure);
  }

  private RowBatches scan(
      TableEntry table,
      SqlRelation relation,
      ParsedQuery.QualifiedName name,
      ParsedQuery parsed,
      ScanSource source,
      Connection connection) {
    TableDefinition definition = table.definition();
    List<String> columns =
        definition.columns().stream()
            .map(Column::name)
            .filter(c -> parsed.star() || parsed.columns().contains(c))
            .toList();
    if (columns.isEmpty()) {
      // COUNT(*) and the like read no column: the narrowest stream still needs one.
      columns = List.of(definition.columns().get(0).name());
    }
    // The WHERE clause of the one SELECT that reads the table, as far as a scan can take it:
    // partitions and lake files it rules out are not read.
    Optional<JsonNode> filter =
        parsed
            .onlySelection(name)
            .filter(s -> s.where().isPresent())
            .flatMap(
                s ->
                    new WherePushdown(definition, qualifiers(s), connection, allocator)
                        .filter(s.where().get()));
    try {
      return scans.scan(
          new ScanService.Request(
              table.name(), Optional.of(columns), filter, source, relation.lake(), 0));
    } catch (io.sluice.core.service.InvalidParameterException e) {
      throw new InvalidSqlException("Cannot read " + table.name() + ": " + e.getMessage());
    }
  }

  /** The names a column of the selection's table may be qualified with: alias, or name. */
  static Set<String> qualifiers(ParsedQuery.Selection selection) {
    return Set.of(
        (selection.alias().isEmpty() ? selection.table().name() : selection.alias())
            .toLowerCase(Locale.ROOT));
  }

  private RowBatches snapshots(TableEntry table, Optional<LakeFormatName> lake) {
    List<LakeSnapshot> snapshots = new ArrayList<>();
    List<LakeFormatName> formats = lake.map(List::of).orElse(table.definition().lakeFormats());
    for (LakeFormatName format : formats) {
      try {
        snapshots.addAll(scans.snapshots(table.name(), Optional.of(format)));
      } catch (RuntimeException e) {
        throw new InvalidSqlException(
            "Cannot list the snapshots of " + table.name() + ": " + e.getMessage());
      }
    }
    VectorSchemaRoot batch =
        VectorSchemaRoot.create(ArrowSchemas.schema(SNAPSHOT_COLUMNS), allocator);
    int row = 0;
    for (LakeSnapshot snapshot : snapshots) {
      ArrowValues.set(batch.getVector(0), row, snapshot.format().apiName());
      ArrowValues.set(batch.getVector(1), row, snapshot.snapshotId());
      ArrowValues.set(batch.getVector(2), row, snapshot.commitTime());
      ArrowValues.set(batch.getVector(3), row, snapshot.rows());
      ArrowValues.set(batch.getVector(4), row, LakeSnapshot.offsetsJson(snapshot.offsets()));
      row++;
    }
    io.sluice.core.arrow.ArrowCopy.finish(batch, row);
    return RowBatches.of(batch, batch);
  }

  /**
   * Exports the rows as an Arrow stream and names it as the query does: a view when the query reads
   * it once, a table (read once, kept in memory) when it reads it more often, since a stream can be
   * read only once.
   */
  private void register(
      Connection connection,
      String source,
      ParsedQuery.QualifiedName name,
      int uses,
      RowBatches rows,
      Deque<AutoCloseable> resources)
      throws SQLException {
    ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
    resources.push(
        () -> {
          stream.release();
          stream.close();
        });
    Data.exportArrayStream(allocator, new RowBatchesReader(allocator, rows), stream);
    connection.unwrap(DuckDBConnection.class).registerArrowStream(source, stream);
    String schema = name.schema().isEmpty() ? "main" : name.schema();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
      statement.execute(
          "CREATE "
              + (uses > 1 ? "TABLE " : "VIEW ")
              + quote(schema)
              + "."
              + quote(name.name())
              + " AS SELECT * FROM "
              + quote(source));
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** DuckDB's message without the query echo it appends. */
  private static String reason(SQLException e) {
    String message = e.getMessage() == null ? "the query failed" : e.getMessage().strip();
    int echo = message.indexOf("\n\nLINE ");
    return echo < 0 ? message : message.substring(0, echo).strip();
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Cannot close a SQL query: " + e.getMessage(), e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Rows that remember the first failure of a read, which DuckDB reports only as text. */
  private record FailureRecording(RowBatches rows, AtomicReference<RuntimeException> failure)
      implements RowBatches {
    @Override
    public VectorSchemaRoot batch() {
      return rows.batch();
    }

    @Override
    public boolean next() {
      try {
        return rows.next();
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
        throw e;
      }
    }

    @Override
    public void close() {
      rows.close();
    }
  }
}
