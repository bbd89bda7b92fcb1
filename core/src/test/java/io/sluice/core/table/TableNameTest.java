package io.sluice.core.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableNameTest {

  @ParameterizedTest
  @ValueSource(strings = {"orders", "default.orders", "shop_1.orders_2026"})
  void acceptsApiNames(String name) {
    TableName parsed = TableName.parse(name);
    assertThat(parsed.toString()).isEqualTo(name.contains(".") ? name : "default." + name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../orders",
        "shop/../../etc",
        "Orders",
        "shop.Orders",
        "1orders",
        "shop.orders.x",
        "orders\u0000",
        "",
        "shop.",
        ".orders"
      })
  void refusesAnythingElseNamingTheInput(String name) {
    assertThatThrownBy(() -> TableName.parse(name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("Invalid table name")
        .hasMessageContaining(name.isEmpty() ? "empty" : name.replace("\u0000", "\\u0000"));
  }

  @org.junit.jupiter.api.Test
  void refusesAPartLongerThan63Characters() {
    String longName = "a".repeat(64);
    assertThatThrownBy(() -> TableName.parse(longName))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("[a-z][a-z0-9_]{0,62}");
    assertThat(TableName.parse("a".repeat(63)).table()).hasSize(63);
  }
}
