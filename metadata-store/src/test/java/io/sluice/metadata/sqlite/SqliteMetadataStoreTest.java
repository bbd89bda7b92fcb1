package io.sluice.metadata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.MetadataStoreContract;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.JDBC;

/** The metadata-store contract against the embedded SQLite store in a temporary directory. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
  @TempDir Path dir;

  @Override
  protected MetadataStore newStore() {
    return SqliteMetadataStore.open(dir.resolve("metadata.db"));
  }

  @Test
  void keepsEverythingAcrossReopening() {
    Slice slice =
        new Slice(
            0, 3, "log/0/t/a.seg", 8, 100, 1, Instant.parse("2026-11-25T08:00:00.000001Z"), "r1");
    store.appendSlice(TableBucket.of(tableId, 1), 0, slice);
    store.close();

    store = SqliteMetadataStore.open(dir.resolve("metadata.db"));
    assertThat(store.head(TableBucket.of(tableId, 1)).recentSlices()).containsValue(slice);
    assertThat(store.head(TableBucket.of(tableId, 1)).nextOffset()).isEqualTo(3);
  }

  @Test
  void opensAFileWrittenBeforeTheTieringMarkWithItsHeadsUnmarked() throws SQLException {
    Path old = dir.resolve("version-2.db");
    try (Connection c = new JDBC().connect("jdbc:sqlite:" + old, new Properties());
        Statement statement = c.createStatement()) {
      statement.execute(
          "CREATE TABLE heads (table_id TEXT NOT NULL, bucket INTEGER NOT NULL,"
              + " next_offset INTEGER NOT NULL, log_start_offset INTEGER NOT NULL,"
              + " indexed_up_to INTEGER NOT NULL, last_timestamp TEXT NOT NULL,"
              + " closed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (table_id, bucket))");
      statement.execute(
          "INSERT INTO heads VALUES ('" + tableId + "', 0, 5, 0, 0, '2026-11-25T08:00:00Z', 0)");
      statement.execute("PRAGMA user_version = 2");
    }

    try (SqliteMetadataStore migrated = SqliteMetadataStore.open(old)) {
      assertThat(migrated.head(TableBucket.of(tableId, 0)).nextOffset()).isEqualTo(5);
      assertThat(migrated.pendingBuckets(tableId)).as("tiering's full pass finds it").isEmpty();
      migrated.appendSlice(
          TableBucket.of(tableId, 0),
          5,
          new Slice(5, 1, "log/0/t/b.seg", 8, 10, 1, Instant.parse("2026-11-25T09:00:00Z"), "r"));
      assertThat(migrated.pendingBuckets(tableId)).containsExactly(TableBucket.of(tableId, 0));
    }
  }

  @Test
  void listsThePendingBucketsThroughTheirIndexWithoutScanningTheHeads() throws SQLException {
    store.close();
    try (Connection c =
            new JDBC().connect("jdbc:sqlite:" + dir.resolve("metadata.db"), new Properties());
        Statement statement = c.createStatement();
        ResultSet plan =
            statement.executeQuery(
                "EXPLAIN QUERY PLAN SELECT table_id, bucket FROM heads WHERE tiering_pending = 'x'")) {
      List<String> steps = new ArrayList<>();
      while (plan.next()) {
        steps.add(plan.getString("detail"));
      }
      assertThat(steps)
          .containsExactly("SEARCH heads USING INDEX heads_tiering_pending (tiering_pending=?)");
    }
    store = SqliteMetadataStore.open(dir.resolve("metadata.db"));
  }
}
