package io.sluice.lake.paimon;

import static io.sluice.lake.paimon.PaimonTestLake.ALL_TYPES;
import static io.sluice.lake.paimon.PaimonTestLake.NAME;
import static io.sluice.lake.paimon.PaimonTestLake.definition;
import static io.sluice.lake.paimon.PaimonTestLake.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.lake.LakeFormat;
import io.sluice.core.lake.LakeFormats;
import io.sluice.core.lake.LakeTableExistsException;
import io.sluice.core.table.Column;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.lake.TestWarehouse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.types.DataTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestWarehouse.Storage.class)
class PaimonLakeFormatTest {
  @Parameter TestWarehouse.Storage storage;
  @TempDir Path dir;
  private TestWarehouse warehouse;
  private PaimonTestLake lake;
  private LakeFormat format;

  @BeforeEach
  void setUp() {
    warehouse = TestWarehouse.create(storage, dir);
    lake = new PaimonTestLake(warehouse, Map.of());
    format = lake.format();
  }

  @AfterEach
  void tearDown() {
    format.close();
    warehouse.close();
  }

  @Test
  void createsABucketedParquetTableWithTheColumnsAndTheTableId() throws Exception {
    format.createOrLoad(entry("id-1", definition(ALL_TYPES, List.of("s", "k"), 3)));

    FileStoreTable table = lake.paimonTable();
    assertThat(table.rowType().getFieldNames())
        .containsExactlyElementsOf(ALL_TYPES.stream().map(Column::name).toList());
    assertThat(table.rowType().getTypeAt(0)).isEqualTo(DataTypes.BIGINT().notNull());
    assertThat(table.rowType().getTypeAt(8)).isEqualTo(DataTypes.DECIMAL(20, 4));
    assertThat(table.rowType().getTypeAt(12))
        .isEqualTo(DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6));
    assertThat(table.primaryKeys()).isEmpty();
    assertThat(table.options())
        .containsEntry("bucket", "3")
        .containsEntry("bucket-key", "s,k")
        .containsEntry("file.format", "parquet")
        .containsEntry("sluice.table-id", "id-1")
        .containsEntry("deletion-vectors.enabled", "false");
    assertThat(format.exists(NAME)).isTrue();
  }

  @Test
  void makesATableWithoutBucketKeyBucketUnaware() throws Exception {
    format.createOrLoad(entry("id-1", definition(ALL_TYPES, List.of(), 4)));

    assertThat(lake.paimonTable().options()).containsEntry("bucket", "-1");
    assertThat(lake.paimonTable().options()).doesNotContainKey("bucket-key");
  }

  @Test
  void loadsTheTableOfTheSameTableIdAgain() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), 3);
    format.createOrLoad(entry("id-1", definition));

    try (LakeFormat other = lake.format()) {
      assertThat(other.createOrLoad(entry("id-1", definition)).snapshots()).isEmpty();
    }
  }

  @Test
  void refusesATableOfAnotherTableId() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), 3);
    format.createOrLoad(entry("id-1", definition));

    assertThatThrownBy(() -> format.createOrLoad(entry("id-2", definition)))
        .isInstanceOf(LakeTableExistsException.class)
        .hasMessage(
            "Cannot create Paimon table db.events for table id id-2: a Paimon table of that name"
                + " exists with table id id-1; DELETE the Sluice table with ?purgeLake=true to drop"
                + " it, then create it again");
  }

  @Test
  void refusesAPaimonTableThatSluiceDidNotCreate() throws Exception {
    try (Catalog catalog = lake.paimonCatalog()) {
      catalog.createDatabase("db", true);
      catalog.createTable(
          Identifier.create("db", "events"),
          Schema.newBuilder().column("id", DataTypes.BIGINT()).build(),
          false);
    }

    assertThatThrownBy(
            () -> format.createOrLoad(entry("id-1", definition(ALL_TYPES, List.of("k"), 3))))
        .isInstanceOf(LakeTableExistsException.class)
        .hasMessageContaining(
            "exists with no table id; DELETE the Sluice table with ?purgeLake=true");
  }

  @Test
  void purgeDropsTheTableAndItsFilesSoThatANewIncarnationCanBeCreated() {
    TableDefinition definition = definition(ALL_TYPES, List.of("k"), 3);
    format.createOrLoad(entry("id-1", definition));
    assertThat(lake.tableFolderExists()).isTrue();

    format.purge(NAME);

    assertThat(format.exists(NAME)).isFalse();
    assertThat(lake.tableFolderExists()).as("no file of the table is left").isFalse();
    format.purge(NAME); // nothing left to purge
    assertThat(format.createOrLoad(entry("id-2", definition)).latestTiered()).isEmpty();
  }

  @Test
  void isFoundByTheServiceLoader() {
    try (LakeFormats formats = new LakeFormats(lake.settings, warehouse.locks())) {
      assertThat(formats.format(LakeFormatName.PAIMON)).isInstanceOf(PaimonLakeFormat.class);
      assertThat(formats.format(LakeFormatName.PAIMON).exists(NAME)).isFalse();
    }
  }

  @Test
  void opensAWarehouseOnAnObjectStoreOnlyWithLocks() {
    try (LakeFormats withoutLocks = new LakeFormats(lake.settings)) {
      LakeFormat paimon = withoutLocks.format(LakeFormatName.PAIMON);
      if (warehouse.onS3()) {
        assertThatThrownBy(() -> paimon.exists(NAME))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage(
                "Cannot open the Paimon catalog on "
                    + warehouse.uri("paimon")
                    + ": commits on an object store need a lock, and the lake formats were opened"
                    + " without the metadata store's locks");
      } else {
        assertThat(paimon.exists(NAME)).as("a local warehouse needs no lock").isFalse();
      }
    }
  }
}
