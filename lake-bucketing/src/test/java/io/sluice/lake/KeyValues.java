package io.sluice.lake;

import io.sluice.core.table.DataType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Varied values of every column type, as plain Java values: {@link Boolean}, {@link Byte}, {@link
 * Short}, {@link Integer}, {@link Long}, {@link Float}, {@link Double}, {@link BigDecimal} (at the
 * type's scale), {@link String}, {@code byte[]}, {@link LocalDate}, {@link LocalDateTime} ({@code
 * timestamp}) and {@link Instant} ({@code timestamp_ltz}), both with microseconds.
 *
 * <p>Edge values come first (extremes, zero, minus one, empty, multi-byte characters, strings and
 * binaries on both sides of the 7-byte inline limit of Paimon's rows), then random ones.
 */
public final class KeyValues {
  private static final String[] STRINGS = {
    "", "a", "0", "ü", "日本語", "🙂", "exactly", "eight ch", "Grüße, 世界 🙂", " ", "\u0000", "null"
  };

  private KeyValues() {}

  /**
   * {@code count} values of a type from a fixed seed; every {@code nullEvery}-th one (from the
   * fifth on) is null when {@code nullEvery} is positive.
   */
  public static List<Object> of(DataType type, int count, int nullEvery, long seed) {
    Random random = new Random(seed);
    List<Object> edges = edges(type);
    List<Object> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (nullEvery > 0 && i >= 4 && i % nullEvery == 4) {
        values.add(null);
      } else if (i < edges.size()) {
        values.add(edges.get(i));
      } else {
        values.add(random(type, random));
      }
    }
    return values;
  }

  /** A random value of a type. */
  public static Object random(DataType type, Random random) {
    return switch (type.kind()) {
      case BOOLEAN -> random.nextBoolean();
      case TINYINT -> (byte) random.nextInt();
      case SMALLINT -> (short) random.nextInt();
      case INT -> random.nextInt(3) == 0 ? random.nextInt(200) - 100 : random.nextInt();
      case BIGINT -> random.nextInt(3) == 0 ? random.nextInt(200) - 100L : random.nextLong();
      case FLOAT -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 4));
      case DOUBLE -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 10);
      case DECIMAL -> {
        int digits = 1 + random.nextInt(type.precision());
        BigInteger unscaled = new BigInteger(digits * 4, random).mod(BigInteger.TEN.pow(digits));
        yield new BigDecimal(random.nextBoolean() ? unscaled : unscaled.negate(), type.scale());
      }
      case STRING -> randomString(random);
      case BINARY -> {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        yield bytes;
      }
      case DATE -> LocalDate.ofEpochDay(random.nextInt(200_000) - 100_000);
      case TIMESTAMP -> localDateTime(randomMicros(random));
      case TIMESTAMP_LTZ -> instant(randomMicros(random));
    };
  }

  private static List<Object> edges(DataType type) {
    return switch (type.kind()) {
      case BOOLEAN -> List.of(true, false);
      case TINYINT -> List.of(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0, (byte) -1, (byte) 1);
      case SMALLINT -> List.of(Short.MIN_VALUE, Short.MAX_VALUE, (short) 0, (short) -1);
      case INT -> List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1);
      case BIGINT -> List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L);
      case FLOAT ->
          List.of(
              0f,
              -0f,
              Float.NaN,
              Float.POSITIVE_INFINITY,
              Float.NEGATIVE_INFINITY,
              Float.MIN_VALUE,
              Float.MAX_VALUE,
              -1.5f);
      case DOUBLE ->
          List.of(
              0d,
              -0d,
              Double.NaN,
              Double.POSITIVE_INFINITY,
              Double.NEGATIVE_INFINITY,
              Double.MIN_VALUE,
              Double.MAX_VALUE,
              -1.5d);
      case DECIMAL -> {
        BigInteger max = BigInteger.TEN.pow(type.precision()).subtract(BigInteger.ONE);
        yield List.of(
            new BigDecimal(BigInteger.ZERO, type.scale()),
            new BigDecimal(max, type.scale()),
            new BigDecimal(max.negate(), type.scale()),
            new BigDecimal(BigInteger.ONE, type.scale()),
            new BigDecimal(BigInteger.ONE.negate(), type.scale()));
      }
      case STRING -> List.of((Object[]) STRINGS);
      case BINARY ->
          List.of(
              new byte[0],
              new byte[] {0},
              new byte[] {-1},
              new byte[] {1, 2, 3, 4, 5, 6, 7},
              new byte[] {1, 2, 3, 4, 5, 6, 7, 8},
              "text".getBytes(StandardCharsets.UTF_8));
      case DATE ->
          List.of(
              LocalDate.EPOCH,
              LocalDate.EPOCH.minusDays(1),
              LocalDate.of(1900, 1, 1),
              LocalDate.of(2038, 1, 19),
              LocalDate.of(9999, 12, 31));
      case TIMESTAMP ->
          Arrays.stream(edgeMicros())
              .mapToObj(KeyValues::localDateTime)
              .map(Object.class::cast)
              .toList();
      case TIMESTAMP_LTZ ->
          Arrays.stream(edgeMicros()).mapToObj(KeyValues::instant).map(Object.class::cast).toList();
    };
  }

  private static long[] edgeMicros() {
    return new long[] {
      0, -1, 1, 999, 1_000, -1_001, 1_700_000_000_123_456L, -2_208_988_800_000_001L
    };
  }

  private static long randomMicros(Random random) {
    long micros = random.nextLong() % 4_000_000_000_000_000L;
    return random.nextInt(4) == 0 ? micros / 1_000 * 1_000 : micros;
  }

  /** The {@code timestamp} of microseconds since 1970-01-01T00:00. */
  public static LocalDateTime localDateTime(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000,
        ZoneOffset.UTC);
  }

  /** The {@code timestamp_ltz} of microseconds since the epoch. */
  public static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }

  private static String randomString(Random random) {
    int length = random.nextInt(30);
    StringBuilder builder = new StringBuilder();
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(4)) {
        case 0 -> builder.append((char) ('a' + random.nextInt(26)));
        case 1 -> builder.append((char) (0xC0 + random.nextInt(0x100)));
        case 2 -> builder.append((char) (0x4E00 + random.nextInt(0x1000)));
        default -> builder.appendCodePoint(0x1F600 + random.nextInt(0x40));
      }
    }
    return builder.toString();
  }
}
