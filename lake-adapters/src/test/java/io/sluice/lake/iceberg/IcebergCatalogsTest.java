package io.sluice.lake.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.lake.LakeSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The local JDBC catalog on SQLite, opened by several processes at once. */
class IcebergCatalogsTest {
  private static final int ROUNDS = 15;
  private static final int OPENERS = 4;

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(OPENERS);

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** The default catalog beside the warehouse, or a SQLite catalog the user names. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void processesOpeningANewCatalogAtOnceAllOpenTheSameOne(boolean namedByUser) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String warehouse = dir.resolve("lake-" + round).toUri().toString();
      LakeSettings settings =
          namedByUser
              ? new LakeSettings(
                  warehouse,
                  Map.of(
                      "iceberg.uri",
                      "jdbc:sqlite:file:"
                          + dir.resolve("catalog-" + round + ".db")
                          + "?busy_timeout=5000"))
              : new LakeSettings(warehouse, Map.of());
      CyclicBarrier start = new CyclicBarrier(OPENERS);
      List<Future<List<Namespace>>> opened = new ArrayList<>();
      for (int i = 0; i < OPENERS; i++) {
        opened.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  Catalog catalog = IcebergCatalogs.open(settings);
                  try {
                    return ((SupportsNamespaces) catalog).listNamespaces();
                  } finally {
                    ((AutoCloseable) catalog).close();
                  }
                }));
      }
      for (Future<List<Namespace>> listed : opened) {
        assertThat(listed.get(60, TimeUnit.SECONDS))
            .as("round %d: every opener's catalog answers, empty", round)
            .isEmpty();
      }
      Catalog catalog = IcebergCatalogs.open(settings);
      try {
        ((SupportsNamespaces) catalog).createNamespace(Namespace.of("db"));
        assertThat(((SupportsNamespaces) catalog).listNamespaces())
            .as("round %d: the catalog the openers made takes a namespace", round)
            .containsExactly(Namespace.of("db"));
      } finally {
        ((AutoCloseable) catalog).close();
      }
    }
  }

  @Test
  void theDatabaseFileOfASqliteUri() {
    assertThat(IcebergCatalogs.sqliteFile("jdbc:sqlite:/a/b.db")).contains(Path.of("/a/b.db"));
    assertThat(IcebergCatalogs.sqliteFile("jdbc:sqlite:file:/a/b.db?busy_timeout=5"))
        .contains(Path.of("/a/b.db"));
    assertThat(IcebergCatalogs.sqliteFile("jdbc:sqlite::memory:")).isEmpty();
    assertThat(IcebergCatalogs.sqliteFile("jdbc:postgresql://h/db")).isEmpty();
  }
}
