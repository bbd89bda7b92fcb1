package io.sluice.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Rows of a table holding every type of the API: a non-null {@code id} and one nullable column per
 * type. Generates reproducible random rows, encodes them as the three write bodies, and turns
 * values sent and read back (JSON or Arrow) into one comparable text form per column.
 */
final class TypedRows {
  /** Column name to API type, in table order. */
  static final Map<String, String> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("id", "bigint");
    COLUMNS.put("c_boolean", "boolean");
    COLUMNS.put("c_tinyint", "tinyint");
    COLUMNS.put("c_smallint", "smallint");
    COLUMNS.put("c_int", "int");
    COLUMNS.put("c_bigint", "bigint");
    COLUMNS.put("c_float", "float");
    COLUMNS.put("c_double", "double");
    COLUMNS.put("c_dec12", "decimal(12,2)");
    COLUMNS.put("c_dec38", "decimal(38,10)");
    COLUMNS.put("c_string", "string");
    COLUMNS.put("c_binary", "binary");
    COLUMNS.put("c_date", "date");
    COLUMNS.put("c_ts", "timestamp");
    COLUMNS.put("c_ts_ltz", "timestamp_ltz");
  }

  private static final String[] TEXTS = {
    "plain ascii",
    "héllo wörld",
    "日本語のテキスト",
    "emoji 😀🚀 and 𝄞",
    "quote \" backslash \\ slash /",
    "tab\tnew\nline",
    "",
    "العربية",
    "zero\u0000byte",
  };

  private TypedRows() {}

  /** The table definition: every type, {@code id} non-null, no bucket key. */
  static String definition(int buckets) {
    ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
    ArrayNode columns = node.putArray("columns");
    COLUMNS.forEach(
        (name, type) ->
            columns.addObject().put("name", name).put("type", type).put("nullable", !isId(name)));
    node.putArray("bucketKey");
    node.put("buckets", buckets);
    return node.toString();
  }

  static TableDefinition tableDefinition(int buckets) {
    return TableDefinitionJson.parse("test table", definition(buckets));
  }

  private static boolean isId(String name) {
    return name.equals("id");
  }

  /** One row: column name to a Java value (null for SQL null; a missing key is null too). */
  record Row(Map<String, Object> values) {
    long id() {
      return (Long) values.get("id");
    }
  }

  /** A reproducible random row with this id; about one value in six is null. */
  static Row random(Random random, long id) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("id", id);
    for (String column : COLUMNS.keySet()) {
      if (isId(column)) {
        continue;
      }
      if (random.nextInt(6) == 0) {
        values.put(column, null);
        continue;
      }
      values.put(column, randomValue(random, COLUMNS.get(column)));
    }
    return new Row(values);
  }

  private static Object randomValue(Random random, String type) {
    return switch (type) {
      case "boolean" -> random.nextBoolean();
      case "tinyint" -> (byte) (random.nextInt(256) - 128);
      case "smallint" -> (short) (random.nextInt(65536) - 32768);
      case "int" -> random.nextInt();
      case "bigint" ->
          switch (random.nextInt(10)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            default -> random.nextLong();
          };
      // Multiples of 1/64 within 24 bits are exact in a float and in its decimal text.
      case "float" -> (random.nextInt(1 << 24) - (1 << 23)) / 64f;
      case "double" ->
          random.nextBoolean() ? (random.nextDouble() - 0.5) * 1e9 : random.nextGaussian() * 1e-200;
      case "decimal(12,2)" -> BigDecimal.valueOf(random.nextLong() % 1_000_000_000_000L, 2);
      case "decimal(38,10)" -> {
        BigInteger unscaled = new BigInteger(126, random).mod(BigInteger.TEN.pow(38));
        yield new BigDecimal(random.nextBoolean() ? unscaled.negate() : unscaled, 10);
      }
      case "string" ->
          TEXTS[random.nextInt(TEXTS.length)] + " #" + Integer.toHexString(random.nextInt());
      case "binary" -> {
        byte[] bytes = new byte[random.nextInt(25)];
        random.nextBytes(bytes);
        yield bytes;
      }
      case "date" -> LocalDate.ofEpochDay(random.nextInt(-25_000, 50_000));
      case "timestamp" ->
          LocalDateTime.ofEpochSecond(
              random.nextLong(-2_000_000_000L, 4_000_000_000L),
              random.nextInt(1_000_000) * 1000,
              ZoneOffset.UTC);
      case "timestamp_ltz" ->
          Instant.ofEpochSecond(
              random.nextLong(-2_000_000_000L, 4_000_000_000L), random.nextInt(1_000_000) * 1000L);
      default -> throw new IllegalArgumentException("No generator for type " + type);
    };
  }

  // ---- write bodies ----

  /** A row as a JSON object: nulls alternately left out and given as {@code null}. */
  static ObjectNode jsonObject(Row row) {
    ObjectNode node = SluiceHttp.MAPPER.createObjectNode();
    row.values()
        .forEach(
            (column, value) -> {
              if (value == null) {
                if (row.id() % 2 == 0) {
                  node.putNull(column);
                }
                return;
              }
              if (value instanceof Boolean b) {
                node.put(column, b);
              } else if (value instanceof Byte b) {
                node.put(column, b);
              } else if (value instanceof Short s) {
                node.put(column, s);
              } else if (value instanceof Integer i) {
                node.put(column, i);
              } else if (value instanceof Long l) {
                node.put(column, l);
              } else if (value instanceof Float f) {
                node.put(column, f);
              } else if (value instanceof Double d) {
                node.put(column, d);
              } else {
                node.put(column, sentText(value));
              }
            });
    return node;
  }

  private static String sentText(Object value) {
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    if (value instanceof Instant i && i.getNano() % 2000 != 0) {
      // Some instants with an offset, to check offsets are honoured.
      return i.atOffset(ZoneOffset.ofHoursMinutes(-5, -30)).toString();
    }
    return value.toString();
  }

  static byte[] jsonBody(List<Row> rows) {
    ArrayNode array = SluiceHttp.MAPPER.createArrayNode();
    rows.forEach(row -> array.add(jsonObject(row)));
    return array.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ndjsonBody(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    rows.forEach(row -> out.append(jsonObject(row)).append('\n'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An Arrow IPC stream of the table's exact schema, in two record batches when it can. */
  static byte[] arrowBody(List<Row> rows, TableDefinition table, BufferAllocator allocator) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.schema(table), allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      int half = rows.size() / 2;
      for (List<Row> batch :
          half == 0
              ? List.of(rows)
              : List.of(rows.subList(0, half), rows.subList(half, rows.size()))) {
        root.allocateNew();
        for (int i = 0; i < batch.size(); i++) {
          for (String column : COLUMNS.keySet()) {
            Object value = batch.get(i).values().get(column);
            if (value != null) {
              setArrow(root.getVector(column), i, value);
            }
          }
        }
        root.setRowCount(batch.size());
        writer.writeBatch();
      }
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void setArrow(FieldVector vector, int i, Object value) {
    if (vector instanceof BitVector v) {
      v.setSafe(i, (Boolean) value ? 1 : 0);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(i, (Byte) value);
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(i, (Short) value);
    } else if (vector instanceof IntVector v) {
      v.setSafe(i, (Integer) value);
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(i, (Long) value);
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(i, (Float) value);
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(i, (Double) value);
    } else if (vector instanceof DecimalVector v) {
      v.setSafe(i, (BigDecimal) value);
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(i, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(i, (byte[]) value);
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(i, (int) ((LocalDate) value).toEpochDay());
    } else if (vector instanceof TimeStampMicroTZVector v) {
      v.setSafe(i, micros((Instant) value));
    } else if (vector instanceof TimeStampMicroVector v) {
      v.setSafe(i, micros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
    } else {
      throw new IllegalArgumentException("No setter for " + vector.getMinorType());
    }
  }

  private static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  // ---- comparable forms ----

  /** The comparable form of a row sent: column to text, null for null. */
  static Map<String, String> expected(Row row, List<String> columns) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String column : columns) {
      Object value = row.values().get(column);
      out.put(column, value == null ? null : canonical(value));
    }
    return out;
  }

  private static String canonical(Object value) {
    if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return Long.toString(((Number) value).longValue());
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    return value.toString();
  }

  /**
   * The comparable form of a row read back as JSON, checking the API's read-back forms on the way:
   * decimals as strings, timestamps ISO-8601, binary base64.
   */
  static Map<String, String> fromJson(JsonNode row, List<String> columns) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String column : columns) {
      JsonNode value = row.get(column);
      if (value == null) {
        throw new AssertionError("Row read back has no field " + column + ": " + row);
      }
      out.put(column, value.isNull() ? null : fromJsonValue(COLUMNS.get(column), value, row));
    }
    return out;
  }

  private static String fromJsonValue(String type, JsonNode value, JsonNode row) {
    String problem = null;
    String result;
    switch (type) {
      case "boolean" -> {
        problem = value.isBoolean() ? null : "a JSON boolean";
        result = value.asText();
      }
      case "tinyint", "smallint", "int", "bigint" -> {
        problem = value.isIntegralNumber() ? null : "a JSON whole number";
        result = value.bigIntegerValue().toString();
      }
      case "float" -> {
        problem = value.isNumber() ? null : "a JSON number";
        result = Float.toString(Float.parseFloat(value.asText()));
      }
      case "double" -> {
        problem = value.isNumber() ? null : "a JSON number";
        result = Double.toString(Double.parseDouble(value.asText()));
      }
      case "decimal(12,2)", "decimal(38,10)" -> {
        problem = value.isTextual() ? null : "a decimal string";
        result = value.asText();
      }
      case "binary" -> {
        problem = value.isTextual() ? null : "a base64 string";
        result = Base64.getEncoder().encodeToString(Base64.getDecoder().decode(value.asText()));
      }
      case "date" -> result = LocalDate.parse(value.asText()).toString();
      case "timestamp" -> result = LocalDateTime.parse(value.asText()).toString();
      case "timestamp_ltz" -> result = Instant.parse(value.asText()).toString();
      default -> result = value.asText();
    }
    if (problem != null) {
      throw new AssertionError(
          "Expected " + problem + " for a " + type + ", got " + value + " in " + row);
    }
    return result;
  }

  /** The comparable form of row {@code i} of a batch read back as Arrow. */
  static Map<String, String> fromArrow(VectorSchemaRoot batch, int i, List<String> columns) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String column : columns) {
      FieldVector vector = batch.getVector(column);
      if (vector == null) {
        throw new AssertionError("Arrow batch read back has no field " + column);
      }
      out.put(column, vector.isNull(i) ? null : canonical(arrowValue(vector, i)));
    }
    return out;
  }

  private static Object arrowValue(FieldVector vector, int i) {
    if (vector instanceof TimeStampMicroTZVector v) {
      return instant(v.get(i));
    }
    if (vector instanceof TimeStampMicroVector v) {
      return LocalDateTime.ofInstant(instant(v.get(i)), ZoneOffset.UTC);
    }
    if (vector instanceof DateDayVector v) {
      return LocalDate.ofEpochDay(v.get(i));
    }
    if (vector instanceof VarCharVector v) {
      return v.getObject(i).toString();
    }
    // Bool, ints, floats, decimal and binary: their Java objects compare as the JSON forms do.
    return vector.getObject(i);
  }

  /** Every column name, in table order. */
  static List<String> columnNames() {
    return new ArrayList<>(COLUMNS.keySet());
  }
}
