package io.sluice.core.table;

import static io.sluice.core.table.PartitionTransform.DAY;
import static io.sluice.core.table.PartitionTransform.HOUR;
import static io.sluice.core.table.PartitionTransform.IDENTITY;
import static io.sluice.core.table.PartitionTransform.MONTH;
import static io.sluice.core.table.PartitionTransform.YEAR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PartitionTransformTest {
  private static final long MORNING = micros("2026-11-25T08:15:30.123456Z");
  private static final long BEFORE_EPOCH = micros("1969-12-31T23:30:00Z");

  @Test
  void printsIcebergsHumanStringsOfTimestamps() {
    for (TypeKind type : new TypeKind[] {TypeKind.TIMESTAMP, TypeKind.TIMESTAMP_LTZ}) {
      assertThat(human(YEAR, type, MORNING)).isEqualTo("2026");
      assertThat(human(MONTH, type, MORNING)).isEqualTo("2026-11");
      assertThat(human(DAY, type, MORNING)).isEqualTo("2026-11-25");
      assertThat(human(HOUR, type, MORNING)).isEqualTo("2026-11-25-08");

      assertThat(human(YEAR, type, BEFORE_EPOCH)).isEqualTo("1969");
      assertThat(human(MONTH, type, BEFORE_EPOCH)).isEqualTo("1969-12");
      assertThat(human(DAY, type, BEFORE_EPOCH)).isEqualTo("1969-12-31");
      assertThat(human(HOUR, type, BEFORE_EPOCH)).isEqualTo("1969-12-31-23");
    }
  }

  @Test
  void computesIcebergsResultsCountedFrom1970() {
    assertThat(YEAR.apply(TypeKind.TIMESTAMP, MORNING)).isEqualTo(56);
    assertThat(MONTH.apply(TypeKind.TIMESTAMP, MORNING)).isEqualTo(56 * 12 + 10);
    assertThat(DAY.apply(TypeKind.TIMESTAMP, MORNING))
        .isEqualTo(LocalDate.of(2026, 11, 25).toEpochDay());
    assertThat(HOUR.apply(TypeKind.TIMESTAMP_LTZ, BEFORE_EPOCH)).isEqualTo(-1);
    assertThat(DAY.apply(TypeKind.TIMESTAMP_LTZ, BEFORE_EPOCH)).isEqualTo(-1);
    assertThat(MONTH.apply(TypeKind.TIMESTAMP_LTZ, BEFORE_EPOCH)).isEqualTo(-1);
    assertThat(YEAR.apply(TypeKind.TIMESTAMP_LTZ, BEFORE_EPOCH)).isEqualTo(-1);
  }

  @Test
  void printsIcebergsHumanStringsOfDates() {
    long day = LocalDate.of(2026, 11, 25).toEpochDay();
    assertThat(human(YEAR, TypeKind.DATE, day)).isEqualTo("2026");
    assertThat(human(MONTH, TypeKind.DATE, day)).isEqualTo("2026-11");
    assertThat(human(DAY, TypeKind.DATE, day)).isEqualTo("2026-11-25");
    long newYearsEve = LocalDate.of(1969, 12, 31).toEpochDay();
    assertThat(human(YEAR, TypeKind.DATE, newYearsEve)).isEqualTo("1969");
    assertThat(human(MONTH, TypeKind.DATE, newYearsEve)).isEqualTo("1969-12");
    assertThat(human(DAY, TypeKind.DATE, newYearsEve)).isEqualTo("1969-12-31");
    assertThat(human(DAY, TypeKind.DATE, LocalDate.of(2, 3, 4).toEpochDay()))
        .isEqualTo("0002-03-04");
  }

  @Test
  void printsIdentityValuesByType() {
    assertThat(IDENTITY.humanString(TypeKind.INT, -42)).isEqualTo("-42");
    assertThat(IDENTITY.humanString(TypeKind.BIGINT, Long.MAX_VALUE))
        .isEqualTo("9223372036854775807");
    assertThat(IDENTITY.humanString(TypeKind.BOOLEAN, 1)).isEqualTo("true");
    assertThat(IDENTITY.humanString(TypeKind.BOOLEAN, 0)).isEqualTo("false");
    assertThat(IDENTITY.humanString(TypeKind.DATE, -1)).isEqualTo("1969-12-31");
  }

  @Test
  void readsHumanStringsBackInCanonicalFormOnly() {
    for (PartitionTransform transform : new PartitionTransform[] {YEAR, MONTH, DAY, HOUR}) {
      for (long value : new long[] {MORNING, BEFORE_EPOCH, 0}) {
        long result = transform.apply(TypeKind.TIMESTAMP, value);
        String human = transform.humanString(TypeKind.TIMESTAMP, result);
        assertThat(transform.parseHumanString(TypeKind.TIMESTAMP, human)).isEqualTo(result);
      }
    }
    assertThat(IDENTITY.parseHumanString(TypeKind.INT, "-42")).isEqualTo(-42);
    assertThat(IDENTITY.parseHumanString(TypeKind.DATE, "1969-12-31")).isEqualTo(-1);
    assertThat(IDENTITY.parseHumanString(TypeKind.BOOLEAN, "true")).isEqualTo(1);

    assertThatThrownBy(() -> DAY.parseHumanString(TypeKind.DATE, "2026-13-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'2026-13-01' is not a day (YYYY-MM-DD, e.g. 2026-11-25)");
    assertThatThrownBy(() -> DAY.parseHumanString(TypeKind.DATE, "2026-11-5"))
        .hasMessage("'2026-11-5' is not a day (YYYY-MM-DD, e.g. 2026-11-25)");
    assertThatThrownBy(() -> DAY.parseHumanString(TypeKind.DATE, "2026-11"))
        .hasMessage("'2026-11' is not a day (YYYY-MM-DD, e.g. 2026-11-25)");
    assertThatThrownBy(() -> HOUR.parseHumanString(TypeKind.TIMESTAMP, "2026-11-25-24"))
        .hasMessage("'2026-11-25-24' is not an hour (YYYY-MM-DD-HH, e.g. 2026-11-25-08)");
    assertThatThrownBy(() -> MONTH.parseHumanString(TypeKind.TIMESTAMP, "2026-11-25"))
        .hasMessage("'2026-11-25' is not a month (YYYY-MM, e.g. 2026-11)");
    assertThatThrownBy(() -> YEAR.parseHumanString(TypeKind.TIMESTAMP, "26"))
        .hasMessage("'26' is not a year (YYYY, e.g. 2026)");
    assertThatThrownBy(() -> IDENTITY.parseHumanString(TypeKind.INT, "007"))
        .hasMessage("'007' is not an int");
    assertThatThrownBy(() -> IDENTITY.parseHumanString(TypeKind.INT, "3000000000"))
        .hasMessage("'3000000000' is not an int");
    assertThatThrownBy(() -> IDENTITY.parseHumanString(TypeKind.BOOLEAN, "yes"))
        .hasMessage("'yes' is not a boolean (true or false)");
    assertThatThrownBy(() -> IDENTITY.parseHumanString(TypeKind.DATE, "2026-02-30"))
        .hasMessage("'2026-02-30' is not a date (YYYY-MM-DD, e.g. 2026-11-25)");
  }

  @Test
  void endsEachPeriodWhereTheNextBegins() {
    assertThat(DAY.end(DAY.apply(TypeKind.TIMESTAMP, MORNING)))
        .isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
    assertThat(HOUR.end(HOUR.apply(TypeKind.TIMESTAMP, MORNING)))
        .isEqualTo(Instant.parse("2026-11-25T09:00:00Z"));
    assertThat(MONTH.end(MONTH.apply(TypeKind.TIMESTAMP, MORNING)))
        .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(MONTH.end(MONTH.apply(TypeKind.TIMESTAMP, micros("2026-12-31T23:59:59Z"))))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(YEAR.end(YEAR.apply(TypeKind.TIMESTAMP, MORNING)))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(HOUR.start(HOUR.apply(TypeKind.TIMESTAMP, BEFORE_EPOCH)))
        .isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
    assertThat(DAY.end(-1)).isEqualTo(Instant.EPOCH);
    assertThatThrownBy(() -> IDENTITY.end(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot take the time range of identity value 3: it is no time");
  }

  @Test
  void takesOnlyTheTypesTheApiNames() {
    assertThat(IDENTITY.accepts(DataType.of(TypeKind.STRING))).isTrue();
    assertThat(IDENTITY.accepts(DataType.of(TypeKind.BOOLEAN))).isTrue();
    assertThat(IDENTITY.accepts(DataType.of(TypeKind.TIMESTAMP))).isFalse();
    assertThat(IDENTITY.accepts(DataType.of(TypeKind.DOUBLE))).isFalse();
    assertThat(DAY.accepts(DataType.of(TypeKind.DATE))).isTrue();
    assertThat(DAY.accepts(DataType.of(TypeKind.TIMESTAMP_LTZ))).isTrue();
    assertThat(DAY.accepts(DataType.of(TypeKind.STRING))).isFalse();
    assertThat(HOUR.accepts(DataType.of(TypeKind.DATE))).isFalse();
    assertThat(HOUR.accepts(DataType.of(TypeKind.TIMESTAMP))).isTrue();
    assertThatThrownBy(() -> HOUR.apply(TypeKind.DATE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot apply hour to a value of type date in a long");
    assertThatThrownBy(() -> IDENTITY.apply(TypeKind.STRING, 1))
        .hasMessage("Cannot apply identity to a value of type string in a long");
  }

  private static String human(PartitionTransform transform, TypeKind type, long value) {
    return transform.humanString(type, transform.apply(type, value));
  }

  private static long micros(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }
}
