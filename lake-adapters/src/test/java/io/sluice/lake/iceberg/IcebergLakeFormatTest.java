package io.sluice.lake.iceberg;

import static io.sluice.lake.iceberg.IcebergTestTables.BUCKETS;
import static io.sluice.lake.iceberg.IcebergTestTables.NAME;
import static io.sluice.lake.iceberg.IcebergTestTables.definition;
import static io.sluice.lake.iceberg.IcebergTestTables.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeSettings;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.NotSupportedException;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergLakeFormatTest {
  @TempDir Path dir;
  private LakeFormat lake;
  private IcebergTestTables.UserCatalog user;

  @BeforeEach
  void setUp() {
    lake = new IcebergLakeFormat(IcebergTestTables.settings(dir), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    lake.close();
    if (user != null) {
      user.close();
    }
  }

  private IcebergTestTables.UserCatalog user() {
    if (user == null) {
      user = new IcebergTestTables.UserCatalog(dir);
    }
    return user;
  }

  @Test
  void isFoundByTheServiceLoader() {
    try (LakeFormats formats = new LakeFormats(IcebergTestTables.settings(dir))) {
      assertThat(formats.format(LakeFormatName.ICEBERG)).isInstanceOf(IcebergLakeFormat.class);
    }
  }

  @Test
  void createsABucketPartitionedVersion2TableInTheSqliteCatalog() {
    TableEntry entry = entry(definition(LakeFormatName.ICEBERG));

    lake.createOrLoad(entry);

    assertThat(dir.resolve("lake").resolve("iceberg-catalog.db")).exists();
    Table table = user().table();
    assertThat(table.properties())
        .containsEntry("sluice.table-id", entry.tableId())
        .containsEntry("commit.retry.num-retries", "0")
        .containsEntry("write.format.default", "parquet");
    assertThat(((BaseTable) table).operations().current().formatVersion()).isEqualTo(2);
    assertThat(table.location()).contains("/lake/iceberg/shop/events");
    assertThat(table.spec().fields()).hasSize(1);
    assertThat(table.spec().fields().get(0).transform().toString()).isEqualTo("bucket[3]");
    assertThat(table.schema().findField(table.spec().fields().get(0).sourceId()).name())
        .isEqualTo("id");
    assertThat(table.schema().columns().stream().map(Types.NestedField::name))
        .containsExactly(
            "id", "b", "ti", "si", "i", "f", "d", "dec", "s", "bin", "dt", "ts", "tsl");
    assertThat(table.schema().findField("id").isRequired()).isTrue();
    assertThat(table.schema().findField("tsl").type()).isEqualTo(Types.TimestampType.withZone());
    assertThat(lake.exists(NAME)).isTrue();
  }

  @Test
  void loadsTheTableOfTheSameIdAgain() {
    TableEntry entry = entry(definition(LakeFormatName.ICEBERG));
    lake.createOrLoad(entry);

    try (LakeFormat reopened =
        new IcebergLakeFormat(IcebergTestTables.settings(dir), Clock.systemUTC())) {
      assertThat(reopened.createOrLoad(entry).latestTiered()).isEmpty();
    }
  }

  @Test
  void refusesATableLeftByAnotherIncarnation() {
    TableEntry old = entry(definition(LakeFormatName.ICEBERG));
    lake.createOrLoad(old);
    TableEntry next = entry(definition(LakeFormatName.ICEBERG));

    assertThatThrownBy(() -> lake.createOrLoad(next))
        .isInstanceOf(LakeTableExistsException.class)
        .hasMessage(
            "Cannot use Iceberg table shop.events for table shop.events (id "
                + next.tableId()
                + "): it holds table id "
                + old.tableId()
                + "; DELETE the Sluice table with ?purgeLake=true to drop it first");
  }

  @Test
  void partitionsByItsOwnBucketWhenPaimonPlacesTheRows() {
    lake.createOrLoad(entry(definition(LakeFormatName.PAIMON, LakeFormatName.ICEBERG)));

    assertThat(user().table().spec().fields().get(0).transform().toString()).isEqualTo("bucket[3]");
  }

  @Test
  void isUnpartitionedWhenPaimonsKeyIsNoIcebergBucketKey() {
    TableDefinition twoColumnKey =
        definition(LakeFormatName.PAIMON, LakeFormatName.ICEBERG).toBuilder()
            .bucketKey(List.of("id", "s"))
            .build("Cannot create table " + NAME);
    lake.createOrLoad(entry(twoColumnKey));

    assertThat(user().table().spec()).isEqualTo(PartitionSpec.unpartitioned());
  }

  @Test
  void isUnpartitionedWithoutABucketKey() {
    TableDefinition noKey =
        definition(LakeFormatName.ICEBERG).toBuilder()
            .bucketKey(List.of())
            .build("Cannot create table " + NAME);
    lake.createOrLoad(entry(noKey));

    assertThat(user().table().spec().isUnpartitioned()).isTrue();
  }

  @Test
  void refusesPrimaryKeyTables() {
    TableDefinition keyed =
        TableDefinition.builder()
            .columns(List.of(new Column("id", DataType.of(TypeKind.BIGINT), false)))
            .primaryKey(List.of("id"))
            .buckets(BUCKETS)
            .lakeFormats(List.of(LakeFormatName.PAIMON, LakeFormatName.ICEBERG))
            .build("Cannot create table " + NAME);

    assertThatThrownBy(() -> lake.createOrLoad(entry(keyed)))
        .isInstanceOf(NotSupportedException.class)
        .hasMessage(
            "Cannot create Iceberg table shop.events: primary-key tables are not supported in"
                + " Iceberg yet (list paimon only)");
    assertThat(lake.exists(NAME)).isFalse();
  }

  @Test
  void purgeDropsTheTableAndItsFiles() throws Exception {
    lake.createOrLoad(entry(definition(LakeFormatName.ICEBERG)));
    Path location = Path.of(java.net.URI.create(user().table().location()));
    assertThat(location).exists();

    lake.purge(NAME);

    assertThat(lake.exists(NAME)).isFalse();
    assertThat(user().exists()).isFalse();
    assertThat(Files.exists(location)).isFalse();
    lake.purge(NAME);
    TableEntry next = entry(definition(LakeFormatName.ICEBERG));
    assertThat(lake.createOrLoad(next).latestTiered()).isEmpty();
    assertThat(user().table().properties()).containsEntry("sluice.table-id", next.tableId());
  }

  @Test
  void refusesAnObjectStoreWarehouseWithoutACatalog() {
    try (LakeFormat s3 =
        new IcebergLakeFormat(new LakeSettings("s3://bucket/lake", Map.of()), Clock.systemUTC())) {
      assertThatThrownBy(() -> s3.exists(NAME))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot open Iceberg catalog for warehouse s3://bucket/lake: a warehouse that is not"
                  + " a local file: URI needs option iceberg.catalog (glue or rest) or iceberg.uri"
                  + " (a JDBC URI)");
    }
  }
}
