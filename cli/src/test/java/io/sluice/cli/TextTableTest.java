package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {
  @Test
  void columnsAreAlignedAndNumbersRightAligned() {
    StringWriter text = new StringWriter();
    new TextTable(List.of("NAME", "ROWS"))
        .add(List.of("default.orders", 1200))
        .add(Arrays.asList("x", null))
        .print(new PrintWriter(text, true));
    assertThat(text.toString().lines())
        .containsExactly(
            "NAME            ROWS",
            "--------------  ----",
            "default.orders  1200",
            "x               null");
  }
}
