package io.sluice.metadata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.MetadataStoreContract;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
