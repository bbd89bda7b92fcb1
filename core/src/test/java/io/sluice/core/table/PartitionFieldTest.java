package io.sluice.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionFieldTest {
  @Test
  void namesTransformsAfterColumnAndTransform() {
    PartitionField day = PartitionField.parse("day(t)");
    assertThat(day).isEqualTo(new PartitionField("t", PartitionTransform.DAY));
    assertThat(day.name()).isEqualTo("t_day");
    assertThat(day.apiForm()).isEqualTo("day(t)");

    PartitionField region = PartitionField.parse("region");
    assertThat(region).isEqualTo(PartitionField.identity("region"));
    assertThat(region.name()).isEqualTo("region");
    assertThat(region.apiForm()).isEqualTo("region");
  }

  @Test
  void readsEveryTransformWithSpacesAndAnyCase() {
    assertThat(PartitionField.parse("year(t)").transform()).isEqualTo(PartitionTransform.YEAR);
    assertThat(PartitionField.parse("month(t)").name()).isEqualTo("t_month");
    assertThat(PartitionField.parse(" HOUR( created_at ) ").apiForm())
        .isEqualTo("hour(created_at)");
  }

  @Test
  void refusesGarbageSayingWhatIsWrong() {
    assertThatThrownBy(() -> PartitionField.parse("week(t)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "partitionBy entry 'week(t)' has unknown transform 'week' (expected year, month, day"
                + " or hour, or a column name alone)");
    assertThatThrownBy(() -> PartitionField.parse("identity(t)"))
        .hasMessageContaining("has unknown transform 'identity'");
    for (String garbage : new String[] {"day(", "day(t", "day()", "day(a, b)", "", " ", "a b"}) {
      assertThatThrownBy(() -> PartitionField.parse(garbage))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "partitionBy entry '"
                  + garbage
                  + "' is neither a column name nor year(c), month(c), day(c) or hour(c)");
    }
  }
}
