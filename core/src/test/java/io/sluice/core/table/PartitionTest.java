package io.sluice.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartitionTest {
  private static final List<PartitionField> DAY_REGION =
      List.of(PartitionField.parse("day(t)"), PartitionField.parse("region"));

  @Test
  void namesPairsInPartitionByOrder() {
    Partition partition = Partition.of(DAY_REGION, List.of("2026-11-25", "eu"));

    assertThat(partition.name()).isEqualTo("t_day=2026-11-25/region=eu");
    assertThat(partition.values())
        .containsExactly(Map.entry("t_day", "2026-11-25"), Map.entry("region", "eu"));
    assertThat(Partition.parse(DAY_REGION, partition.name())).isEqualTo(partition);
  }

  @Test
  void escapesValuesAsHiveDoes() {
    assertThat(region("a/b=c%d")).isEqualTo("region=a%2Fb%3Dc%25d");
    assertThat(region("x:y")).isEqualTo("region=x%3Ay");
    assertThat(region("\"#'*?\\[]^{}")).isEqualTo("region=%22%23%27%2A%3F%5C%5B%5D%5E%7B}");
    assertThat(region("tab\there\nand\u007F")).isEqualTo("region=tab%09here%0Aand%7F");
    assertThat(region("São Paulo 東京 🙂")).isEqualTo("region=São Paulo 東京 🙂");
    assertThat(region("a+b&c,d;e@f!g")).isEqualTo("region=a+b&c,d;e@f!g");
  }

  @Test
  void readsEscapedNamesBackToTheValues() {
    List<PartitionField> spec = List.of(PartitionField.identity("region"));
    for (String value :
        List.of("a/b=c%d", "x:y", "%41", "100%", "São Paulo 東京 🙂", "\"#'*?\\[]^{}", "a\tb")) {
      Partition partition = Partition.of(spec, List.of(value));
      Partition read = Partition.parse(spec, partition.name());
      assertThat(read).isEqualTo(partition);
      assertThat(read.values()).containsExactly(Map.entry("region", value));
    }
  }

  @Test
  void refusesNamesThatAreNotOfTheSpecSayingWhy() {
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot read partition 't_day=2026-11-25': expected 2 fields, got 1; a name reads"
                + " t_day=<YYYY-MM-DD>/region=<value>");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, ""))
        .hasMessage(
            "Cannot read partition '': expected 2 fields, got 0; a name reads"
                + " t_day=<YYYY-MM-DD>/region=<value>");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=eu/x=1"))
        .hasMessageContaining("expected 2 fields, got 3");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "region=eu/t_day=2026-11-25"))
        .hasMessage(
            "Cannot read partition 'region=eu/t_day=2026-11-25': field 1 is region, expected"
                + " t_day; a name reads t_day=<YYYY-MM-DD>/region=<value>");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day2026-11-25/region=eu"))
        .hasMessageContaining("'t_day2026-11-25' is not name=value");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-13-01/region=eu"))
        .hasMessage(
            "Cannot read partition 't_day=2026-13-01/region=eu': t_day: '2026-13-01' is not a day"
                + " (YYYY-MM-DD, e.g. 2026-11-25)");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25-08/region=eu"))
        .hasMessageContaining("t_day: '2026-11-25-08' is not a day");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region="))
        .hasMessage(
            "Cannot read partition 't_day=2026-11-25/region=': region: a partition value may not"
                + " be an empty or blank string");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=%20"))
        .hasMessageContaining("region: '%20' has the bad escape '%20'");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=a%zz"))
        .hasMessageContaining("region: 'a%zz' has the bad escape '%zz'");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=a%2"))
        .hasMessageContaining("region: 'a%2' has the bad escape '%2'");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=a%3ab"))
        .hasMessage(
            "Cannot read partition 't_day=2026-11-25/region=a%3ab': escape it as partition names"
                + " do: t_day=2026-11-25/region=a%3Ab");
    assertThatThrownBy(() -> Partition.parse(DAY_REGION, "t_day=2026-11-25/region=a:b"))
        .hasMessageContaining("escape it as partition names do: t_day=2026-11-25/region=a%3Ab");
  }

  @Test
  void checksIdentityValuesAgainstTheColumnTypesWhenGivenTheTable() {
    TableDefinition table =
        TableDefinition.builder()
            .columns(
                List.of(
                    new Column("n", DataType.of(TypeKind.INT), false),
                    new Column("ok", DataType.of(TypeKind.BOOLEAN), false),
                    new Column("d", DataType.of(TypeKind.DATE), false)))
            .partitionBy(
                List.of(
                    PartitionField.identity("n"),
                    PartitionField.identity("ok"),
                    PartitionField.identity("d")))
            .build("Cannot create table t");

    Partition partition = Partition.parse(table, "n=-7/ok=true/d=1969-12-31");
    assertThat(partition.values())
        .containsExactly(
            Map.entry("n", "-7"), Map.entry("ok", "true"), Map.entry("d", "1969-12-31"));
    assertThat(partition.timeRangeEnd()).isEmpty();
    assertThatThrownBy(() -> Partition.parse(table, "n=abc/ok=true/d=2026-11-25"))
        .hasMessage("Cannot read partition 'n=abc/ok=true/d=2026-11-25': n: 'abc' is not an int");
    assertThatThrownBy(() -> Partition.parse(table, "n=1/ok=yes/d=2026-11-25"))
        .hasMessageContaining("ok: 'yes' is not a boolean (true or false)");
    assertThatThrownBy(() -> Partition.parse(table, "n=1/ok=false/d=2026-02-30"))
        .hasMessageContaining("d: '2026-02-30' is not a date (YYYY-MM-DD, e.g. 2026-11-25)");
    // Without the types, only the form is checked.
    assertThat(Partition.parse(table.partitionBy(), "n=abc/ok=yes/d=x").values())
        .containsEntry("n", "abc");
  }

  @Test
  void endsAtTheEndOfTheFirstTimeTransformedField() {
    assertThat(Partition.of(DAY_REGION, List.of("2026-11-25", "eu")).timeRangeEnd())
        .contains(Instant.parse("2026-11-26T00:00:00Z"));
    assertThat(
            Partition.of(
                    List.of(
                        PartitionField.identity("region"),
                        PartitionField.parse("hour(t)"),
                        PartitionField.parse("year(d)")),
                    List.of("eu", "1969-12-31-23", "2026"))
                .timeRangeEnd())
        .contains(Instant.EPOCH);
    assertThat(
            Partition.of(List.of(PartitionField.parse("month(t)")), List.of("2026-12"))
                .timeRangeEnd())
        .contains(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(
            Partition.of(List.of(PartitionField.parse("year(t)")), List.of("1969")).timeRangeEnd())
        .contains(Instant.EPOCH);
    assertThat(
            Partition.of(List.of(PartitionField.identity("region")), List.of("eu")).timeRangeEnd())
        .isEmpty();
  }

  @Test
  void refusesValuesThatAreNoneOfTheirFields() {
    assertThatThrownBy(() -> Partition.of(DAY_REGION, List.of("2026-11-25")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot make a partition of [2026-11-25]: expected 2 values, one for each of [day(t),"
                + " region]");
    assertThatThrownBy(() -> Partition.of(DAY_REGION, List.of("2026-11-25", " ")))
        .hasMessage(
            "Cannot make a partition of [2026-11-25,  ]: a partition value may not be an empty or"
                + " blank string");
    assertThatThrownBy(() -> Partition.of(DAY_REGION, List.of("2026-11", "eu")))
        .hasMessage(
            "Cannot make a partition of [2026-11, eu]: '2026-11' is not a day (YYYY-MM-DD, e.g."
                + " 2026-11-25)");
  }

  @Test
  void namesTheUnpartitionedTablesOnePartitionWithNothing() {
    assertThat(Partition.NONE.name()).isEmpty();
    assertThat(Partition.NONE.values()).isEmpty();
    assertThat(Partition.NONE.timeRangeEnd()).isEqualTo(Optional.empty());
    assertThat(Partition.parse(List.of(), "")).isSameAs(Partition.NONE);
    assertThat(Partition.of(List.of(), List.of())).isSameAs(Partition.NONE);
    assertThatThrownBy(() -> Partition.parse(List.of(), "region=eu"))
        .hasMessage("Cannot read partition 'region=eu': the table is not partitioned");
  }

  private static String region(String value) {
    return Partition.of(List.of(PartitionField.identity("region")), List.of(value)).name();
  }
}
