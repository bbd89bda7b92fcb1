package io.sluice.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.table.TableName;
import org.junit.jupiter.api.Test;

class AccessTokensTest {
  private static final String FILE =
      """
      {"tokens": [
        {"name": "analysts", "token": "analysts-0123456789", "grants": {"read": ["sales.*"]}},
        {"name": "loader", "token": "loader-0123456789ab",
         "grants": {"write": ["sales.orders"], "read": ["orders"]}},
        {"name": "ops", "token": "ops-0123456789abcdef", "grants": {"admin": ["*"]}}]}
      """;

  @Test
  void eachTokenMayWhatItsGrantsCover() {
    AccessTokens tokens = AccessTokens.parse(FILE, "grants.json");
    Caller analysts = tokens.caller("analysts-0123456789").orElseThrow();
    assertThat(analysts.may(Permission.READ, TableName.parse("sales.orders"))).isTrue();
    assertThat(analysts.may(Permission.READ, TableName.parse("sales.refunds"))).isTrue();
    assertThat(analysts.may(Permission.READ, TableName.parse("orders"))).isFalse();
    assertThat(analysts.may(Permission.WRITE, TableName.parse("sales.orders"))).isFalse();

    Caller loader = tokens.caller("loader-0123456789ab").orElseThrow();
    assertThat(loader.may(Permission.WRITE, TableName.parse("sales.orders"))).isTrue();
    assertThat(loader.may(Permission.READ, TableName.parse("sales.orders"))).isFalse();
    assertThat(loader.may(Permission.READ, TableName.parse("default.orders"))).isTrue();
    assertThat(loader.may(Permission.ADMIN, TableName.parse("sales.orders"))).isFalse();

    Caller ops = tokens.caller("ops-0123456789abcdef").orElseThrow();
    for (Permission permission : Permission.values()) {
      assertThat(ops.may(permission, TableName.parse("any.table"))).isTrue();
    }
    assertThat(tokens.caller("analysts-0123456789x")).isEmpty();
    assertThatThrownBy(() -> loader.check(Permission.ADMIN, TableName.parse("sales.orders")))
        .isInstanceOf(ForbiddenException.class)
        .hasMessage("loader may not admin table sales.orders: no admin grant covers it");
  }

  @Test
  void aBadFileIsRefusedNamingWhere() {
    assertThatThrownBy(() -> AccessTokens.parse("{}", "g.json"))
        .hasMessage("Cannot read the grants file g.json: it needs an array \"tokens\"");
    assertThatThrownBy(
            () ->
                AccessTokens.parse(
                    "{\"tokens\": [{\"name\": \"a\", \"token\": \"short\"}]}", "g.json"))
        .hasMessage("g.json: tokens[0]: \"token\" must be at least 16 characters");
    assertThatThrownBy(
            () ->
                AccessTokens.parse(
                    "{\"tokens\": [{\"name\": \"a\", \"token\": \"0123456789abcdef\","
                        + " \"grants\": {\"delete\": [\"*\"]}}]}",
                    "g.json"))
        .hasMessage("g.json: tokens[0]: unknown permission \"delete\" (read, write or admin)");
    assertThatThrownBy(
            () ->
                AccessTokens.parse(
                    "{\"tokens\": [{\"name\": \"a\", \"token\": \"0123456789abcdef\","
                        + " \"grants\": {\"read\": [\"Sales!\"]}}]}",
                    "g.json"))
        .hasMessageStartingWith("g.json: tokens[0]: ");
  }
}
