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
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TypeKind;
import io.sluice.lake.TestWarehouse;
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
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class IcebergLakeFormatTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private LakeFormat lake;
  private IcebergTestTables.UserCatalog user;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(storage, dir);
    lake = new IcebergLakeFormat(IcebergTestTables.settings(warehouse), Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws Exception {
    lake.close();
    if (user != null) {
      user.close();
    }
    warehouse.close();
  }

  private IcebergTestTables.UserCatalog user() {
    if (user == null) {
      user = new IcebergTestTables.UserCatalog(warehouse);
    }
    return user;
  }

  @Test
  void isFoundByTheServiceLoader() {
    try (LakeFormats formats =
        new LakeFormats(IcebergTestTables.settings(warehouse), warehouse.locks())) {
      assertThat(formats.format(LakeFormatName.ICEBERG)).isInstanceOf(IcebergLakeFormat.class);
      assertThat(formats.format(LakeFormatName.ICEBERG).exists(NAME)).isFalse();
    }
  }

  @Test
  void createsABucketPartitionedVersion2TableInTheSqliteCatalog() {
    TableEntry entry = entry(definition(LakeFormatName.ICEBERG));

    lake.createOrLoad(entry);

    assertThat(warehouse.icebergCatalogFile()).exists();
    Table table = user().table();
    assertThat(table.properties())
        .containsEntry("sluice.table-id", entry.tableId())
        .containsEntry("commit.retry.num-retries", "0")
        .containsEntry("write.format.default", "parquet");
    assertThat(((BaseTable) table).operations().current().formatVersion()).isEqualTo(2);
    assertThat(table.location()).isEqualTo(warehouse.uri("iceberg/shop/events"));
    assertThat(IcebergTestTables.files(table, table.location() + "/metadata/"))
        .as("its metadata is in the warehouse")
        .isNotEmpty();
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
        new IcebergLakeFormat(IcebergTestTables.settings(warehouse), Clock.systemUTC())) {
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
  void createsAPrimaryKeyTableWithItsKeyAsIdentifierFields() {
    TableDefinition keyed =
        TableDefinition.builder()
            .columns(
                List.of(
                    new Column("id", DataType.of(TypeKind.BIGINT), false),
                    new Column("region", DataType.of(TypeKind.STRING), false),
                    new Column("note", DataType.of(TypeKind.STRING), true)))
            .primaryKey(List.of("region", "id"))
            .bucketKey(List.of("id"))
            .buckets(BUCKETS)
            .lakeFormats(List.of(LakeFormatName.PAIMON, LakeFormatName.ICEBERG))
            .build("Cannot create table " + NAME);

    lake.createOrLoad(entry(keyed));

    assertThat(user().table().schema().identifierFieldNames())
        .containsExactlyInAnyOrder("id", "region");
    assertThat(user().table().spec().fields()).hasSize(1);
  }

  @Test
  void purgeDropsTheTableAndItsFiles() throws Exception {
    lake.createOrLoad(entry(definition(LakeFormatName.ICEBERG)));
    String folder = "iceberg/shop/events/";
    assertThat(warehouse.files(folder)).isNotEmpty();

    lake.purge(NAME);

    assertThat(lake.exists(NAME)).isFalse();
    assertThat(user().exists()).isFalse();
    assertThat(warehouse.files(folder)).as("no file of the table is left").isEmpty();
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
