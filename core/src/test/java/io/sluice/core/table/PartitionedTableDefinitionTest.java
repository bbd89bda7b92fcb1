package io.sluice.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class PartitionedTableDefinitionTest {
  private static final String SUBJECT = "Cannot create table default.events";
  private static final String COLUMNS =
      """
      "columns": [
        {"name": "id",     "type": "bigint",    "nullable": false},
        {"name": "t",      "type": "timestamp", "nullable": false},
        {"name": "d",      "type": "date",      "nullable": false},
        {"name": "region", "type": "string",    "nullable": false},
        {"name": "city",   "type": "string"},
        {"name": "amount", "type": "decimal(12,2)", "nullable": false},
        {"name": "score",  "type": "double",    "nullable": false}
      ]
      """;

  @Test
  void readsAndWritesBackAPartitionedTable() {
    TableDefinition events =
        parse(
            """
            "partitionBy": ["day(t)", "region"], "partitionRetention": "30d",
            "maxPartitions": 500, "bucketKey": ["id"]
            """);

    assertThat(events.isPartitioned()).isTrue();
    assertThat(events.partitionBy())
        .containsExactly(
            new PartitionField("t", PartitionTransform.DAY), PartitionField.identity("region"));
    assertThat(events.partitionRetention()).contains(Duration.ofDays(30));
    assertThat(events.maxPartitions()).isEqualTo(500);
    assertThat(events.isPartitionColumn("region")).isTrue();
    assertThat(events.isPartitionColumn("id")).isFalse();

    ObjectNode json = TableDefinitionJson.toJson(events);
    assertThat(json.get("partitionBy").toString()).isEqualTo("[\"day(t)\",\"region\"]");
    assertThat(json.get("partitionRetention").asText()).isEqualTo("720h");
    assertThat(json.get("maxPartitions").asInt()).isEqualTo(500);
    assertThat(TableDefinitionJson.parse("again", TableDefinitionJson.toJsonString(events)))
        .isEqualTo(events);
    assertThat(events.toBuilder().build("again")).isEqualTo(events);
  }

  @Test
  void spellsOutTheDefaultLimitOfPartitionedTablesOnly() {
    TableDefinition partitioned = parse("\"partitionBy\": [\"month(d)\"]");
    assertThat(partitioned.maxPartitions()).isEqualTo(10_000);
    assertThat(partitioned.partitionRetention()).isEmpty();
    assertThat(TableDefinitionJson.toJson(partitioned).get("maxPartitions").asInt())
        .isEqualTo(10_000);
    assertThat(TableDefinitionJson.toJson(partitioned).has("partitionRetention")).isFalse();

    TableDefinition plain = parse("\"bucketKey\": [\"id\"]");
    assertThat(plain.isPartitioned()).isFalse();
    assertThat(plain.partitionBy()).isEmpty();
    assertThat(plain.maxPartitions()).isEqualTo(TableDefinition.DEFAULT_MAX_PARTITIONS);
    ObjectNode json = TableDefinitionJson.toJson(plain);
    assertThat(json.has("partitionBy")).isFalse();
    assertThat(json.has("partitionRetention")).isFalse();
    assertThat(json.has("maxPartitions")).isFalse();
  }

  @Test
  void readsDefinitionsStoredBeforePartitionsExisted() {
    String stored =
        "{\"columns\":[{\"name\":\"id\",\"type\":\"bigint\",\"nullable\":false}],"
            + "\"primaryKey\":[\"id\"],\"bucketKey\":[\"id\"],\"buckets\":4,"
            + "\"lake\":{\"formats\":[\"paimon\"],\"freshness\":\"30s\"},\"logRetention\":\"24h\","
            + "\"mergeEngine\":\"last_row\"}";
    TableDefinition old = TableDefinitionJson.parse("stored", stored);

    assertThat(old.isPartitioned()).isFalse();
    assertThat(old.partitionRetention()).isEmpty();
    assertThat(old.maxPartitions()).isEqualTo(10_000);
    assertThat(TableDefinitionJson.toJsonString(old)).isEqualTo(stored);
  }

  @Test
  void bucketsAPartitionedKeyByTheKeyLessItsPartitionColumns() {
    TableDefinition orders =
        parse(
            """
            "primaryKey": ["region", "id", "d"], "partitionBy": ["region", "year(d)"],
            "lake": {"formats": ["iceberg"]}
            """);
    assertThat(orders.bucketKey()).containsExactly("id");

    TableDefinition plain = parse("\"primaryKey\": [\"region\", \"id\"]");
    assertThat(plain.bucketKey()).containsExactly("region", "id");

    TableDefinition log = parse("\"partitionBy\": [\"region\"]");
    assertThat(log.bucketKey()).isEmpty();
  }

  @Test
  void acceptsNullableKeyColumnsAsPartitionColumnsForTheKeyMakesThemNonNull() {
    TableDefinition byCity =
        parse("\"primaryKey\": [\"id\", \"city\"], \"partitionBy\": [\"city\"]");
    assertThat(byCity.column("city").orElseThrow().nullable()).isFalse();
  }

  @Test
  void refusesPartitionEntriesSayingWhatIsWrong() {
    assertProblems(
        "\"partitionBy\": [\"day(x)\", \"week(t)\", \"day(\", \"region\", \"region\"]",
        "partitionBy entry day(x): x is not a column of the table",
        "partitionBy entry 'week(t)' has unknown transform 'week' (expected year, month, day or"
            + " hour, or a column name alone)",
        "partitionBy entry 'day(' is neither a column name nor year(c), month(c), day(c) or"
            + " hour(c)",
        "partitionBy entry region is listed twice");
    assertProblems(
        "\"partitionBy\": [\"city\"]",
        "partitionBy entry city: column city must be declared \"nullable\": false, as a partition"
            + " value may not be null");
    assertProblems(
        "\"partitionBy\": [\"day(amount)\", \"hour(d)\", \"score\", \"year(region)\"]",
        "partitionBy entry day(amount): day cannot take column amount of type decimal(12,2) (it"
            + " takes date, timestamp, timestamp_ltz)",
        "partitionBy entry hour(d): hour cannot take column d of type date, which has no hours (it"
            + " takes timestamp, timestamp_ltz)",
        "partitionBy entry score: identity cannot take column score of type double (it takes"
            + " boolean, int, bigint, string, date)",
        "partitionBy entry year(region): year cannot take column region of type string");
    assertProblems(
        "\"partitionBy\": [\"day(t)\", \"hour(t)\", \"d\", \"month(d)\"]",
        "partitionBy has two time transforms of column t, day(t) and hour(t); keep one");
    assertProblems("\"partitionBy\": \"day(t)\"", "partitionBy must be an array of strings");
  }

  @Test
  void refusesDerivedNamesThatAreColumnsOrTooLong() {
    String longName = "a_column_whose_name_is_long_enough_to_overflow_a_partition_name";
    assertThat(longName).hasSize(63);
    String json =
        """
        {"columns": [{"name": "t", "type": "timestamp", "nullable": false},
                     {"name": "t_day", "type": "string"},
                     {"name": "%s", "type": "date", "nullable": false}],
         "partitionBy": ["day(t)", "%s", "month(%s)"]}
        """
            .formatted(longName, longName, longName);
    assertThatThrownBy(() -> TableDefinitionJson.parse("Cannot create table t", json))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining(
            "partitionBy entry day(t) derives the partition name t_day, which is already a"
                + " column's name")
        .hasMessageContaining(
            "partitionBy entry month("
                + longName
                + "): partition name "
                + longName
                + "_month is longer than 63 characters")
        .satisfies(
            e ->
                assertThat(((InvalidDefinitionException) e).problems())
                    .noneMatch(p -> p.startsWith("partitionBy entry " + longName + ":")));
  }

  @Test
  void refusesKeysThatDoNotFitThePartitions() {
    assertProblems(
        "\"primaryKey\": [\"id\"], \"partitionBy\": [\"region\"]",
        "partitionBy entry region: column region is not in the primary key; a primary-key"
            + " table's partition columns belong to its key");
    assertThatThrownBy(
            () ->
                parse(
                    "\"primaryKey\": [\"region\", \"d\"], \"partitionBy\": [\"region\", \"day(d)\"]"))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            SUBJECT
                + ": primary key [region, d] is made only of partition columns; add a column that"
                + " tells the rows of one partition apart");
    assertProblems(
        "\"primaryKey\": [\"region\", \"id\"], \"bucketKey\": [\"id\", \"region\"],"
            + " \"partitionBy\": [\"region\"]",
        "bucket key column region is a partition column; a partition's rows are bucketed by other"
            + " columns");
    assertProblems(
        "\"bucketKey\": [\"d\"], \"partitionBy\": [\"month(d)\"]",
        "bucket key column d is a partition column");
  }

  @Test
  void refusesRetentionAndLimitsThatMakeNoSense() {
    assertProblems(
        "\"partitionBy\": [\"region\"], \"partitionRetention\": \"7d\"",
        "partitionRetention needs a time-transformed partitionBy entry, such as day(t)");
    assertProblems(
        "\"partitionRetention\": \"7d\"",
        "partitionRetention needs a time-transformed partitionBy entry, such as day(t)");
    assertProblems(
        "\"partitionBy\": [\"day(t)\"], \"partitionRetention\": \"0s\"",
        "partitionRetention must be positive");
    assertProblems(
        "\"partitionBy\": [\"day(t)\"], \"partitionRetention\": \"a month\"",
        "partitionRetention: 'a month' is not a duration");
    assertProblems(
        "\"partitionBy\": [\"day(t)\"], \"maxPartitions\": 0",
        "maxPartitions must be 1 to 1000000, not 0");
    assertProblems(
        "\"partitionBy\": [\"day(t)\"], \"maxPartitions\": 2000000",
        "maxPartitions must be 1 to 1000000, not 2000000");
    assertProblems(
        "\"partitionBy\": [\"day(t)\"], \"maxPartitions\": \"many\"",
        "maxPartitions must be a whole number, not \"many\"");
  }

  @Test
  void evolvesAPartitionedTableButNotOntoADerivedName() {
    TableDefinition v1 = parse("\"partitionBy\": [\"day(t)\", \"region\"]");
    TableDefinition note =
        v1.toBuilder()
            .columns(append(v1.columns(), new Column("note", DataType.of(TypeKind.STRING), true)))
            .build("v2");
    assertThat(v1.isEvolvedBy(note)).isTrue();

    assertThatThrownBy(
            () ->
                v1.toBuilder()
                    .columns(
                        append(v1.columns(), new Column("t_day", DataType.of(TypeKind.DATE), true)))
                    .build("Cannot create table default.events"))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessage(
            "Cannot create table default.events: partitionBy entry day(t) derives the partition"
                + " name t_day, which is already a column's name");
    TableDefinition unchecked =
        v1.toBuilder()
            .columns(append(v1.columns(), new Column("t_day", DataType.of(TypeKind.DATE), true)))
            .buildUnchecked();
    assertThat(v1.isEvolvedBy(unchecked)).isFalse();

    TableDefinition repartitioned =
        v1.toBuilder().partitionBy(List.of(PartitionField.parse("hour(t)"))).build("v2");
    assertThat(v1.isEvolvedBy(repartitioned)).isFalse();
    TableDefinition moreOrFewerPartitions = v1.toBuilder().maxPartitions(20).build("v2");
    assertThat(v1.isEvolvedBy(moreOrFewerPartitions)).isFalse();
  }

  private static TableDefinition parse(String fields) {
    return TableDefinitionJson.parse(SUBJECT, "{" + COLUMNS + ", " + fields + "}");
  }

  private static void assertProblems(String fields, String... problems) {
    String json = "{" + COLUMNS + ", " + fields + "}";
    AbstractThrowableAssert<?, ? extends Throwable> thrown =
        assertThatThrownBy(() -> TableDefinitionJson.parse(SUBJECT, json))
            .isInstanceOf(InvalidDefinitionException.class)
            .hasMessageStartingWith(SUBJECT + ": ");
    for (String problem : problems) {
      thrown.hasMessageContaining(problem);
    }
  }

  private static List<Column> append(List<Column> columns, Column column) {
    List<Column> result = new ArrayList<>(columns);
    result.add(column);
    return result;
  }
}
