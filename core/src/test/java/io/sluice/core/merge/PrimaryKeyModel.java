package io.sluice.core.merge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A model of primary-key tables for model-based tests: random single-row writes to a table of
 * columns {@code id bigint} (the key), {@code a bigint}, {@code s string}, {@code v bigint}, and
 * the rows a replay of acknowledged writes in offset order gives, by this model's own reading of
 * the merge engines (aggregation: {@code a} sum, {@code s} last_non_null_value, {@code v} max).
 */
public final class PrimaryKeyModel {
  private PrimaryKeyModel() {}

  /** One acknowledged write of one row: where it landed and what it asked. */
  public record Write(int bucket, long offset, Map<String, Object> fields) {}

  /** The table's API definition under {@code engine}, tiered into {@code formats}. */
  public static String definition(String engine, List<String> formats, int buckets) {
    String extra =
        switch (engine) {
          case "versioned" -> ", \"versionColumn\": \"v\"";
          case "aggregation" ->
              ", \"aggregations\": {\"a\": \"sum\", \"s\": \"last_non_null_value\","
                  + " \"v\": \"max\"}";
          default -> "";
        };
    return """
        {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                     {"name": "a", "type": "bigint"},
                     {"name": "s", "type": "string"},
                     {"name": "v", "type": "bigint"}],
         "primaryKey": ["id"], "buckets": %d, "lake": {"formats": [%s]},
         "mergeEngine": "%s"%s}
        """
        .formatted(
            buckets,
            String.join(", ", formats.stream().map(f -> "\"" + f + "\"").toList()),
            engine,
            extra);
  }

  /**
   * A random row over {@code keys} keys: upserts, and where the engine allows, deletes and partial
   * updates of {@code a} or {@code s}; nulls now and then.
   */
  public static Map<String, Object> randomRow(String engine, Random random, int keys) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", (long) random.nextInt(keys));
    int kind = random.nextInt(10);
    boolean keepsFirst = engine.equals("first_row") || engine.equals("versioned");
    if (!keepsFirst && kind == 0) {
      fields.put("_op", "delete");
    } else if (!keepsFirst && kind < 4) {
      if (random.nextBoolean()) {
        fields.put("a", random.nextInt(5) == 0 ? null : (long) random.nextInt(100));
      } else {
        fields.put("s", random.nextInt(5) == 0 ? null : "s" + random.nextInt(100));
      }
    } else {
      fields.put("a", random.nextInt(5) == 0 ? null : (long) random.nextInt(100));
      fields.put("s", random.nextInt(5) == 0 ? null : "s" + random.nextInt(100));
      fields.put("v", (long) random.nextInt(5));
    }
    return fields;
  }

  /** A row as a JSON object. */
  public static String json(Map<String, Object> fields) {
    List<String> parts = new ArrayList<>();
    fields.forEach(
        (name, value) ->
            parts.add(
                "\"%s\": %s"
                    .formatted(name, value instanceof String text ? "\"" + text + "\"" : value)));
    return "{" + String.join(", ", parts) + "}";
  }

  /**
   * The rows a replay of the writes in offset order gives, by this test's own reading of the
   * engines.
   */
  public static Map<Long, Map<String, Object>> replay(String engine, List<Write> written) {
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    List<Write> ordered = new ArrayList<>(written);
    ordered.sort(Comparator.comparingInt(Write::bucket).thenComparingLong(Write::offset));
    for (Write write : ordered) {
      Map<String, Object> fields = write.fields();
      long id = (Long) fields.get("id");
      Map<String, Object> current = rows.get(id);
      if ("delete".equals(fields.get("_op"))) {
        rows.remove(id);
        continue;
      }
      Map<String, Object> next =
          current == null ? row(id, null, null, null) : new HashMap<>(current);
      switch (engine) {
        case "first_row" -> {
          if (current == null) {
            next.putAll(fields);
            rows.put(id, next);
          }
        }
        case "versioned" -> {
          if (current == null || (Long) fields.get("v") >= (Long) current.get("v")) {
            next.putAll(fields);
            rows.put(id, next);
          }
        }
        case "aggregation" -> {
          if (current == null) {
            next.putAll(fields);
          } else {
            if (fields.containsKey("a") && fields.get("a") != null) {
              Long a = (Long) current.get("a");
              next.put("a", a == null ? fields.get("a") : a + (Long) fields.get("a"));
            }
            if (fields.containsKey("s") && fields.get("s") != null) {
              next.put("s", fields.get("s"));
            }
            if (fields.containsKey("v")) {
              Long v = (Long) current.get("v");
              Long given = (Long) fields.get("v");
              next.put("v", v == null ? given : given == null ? v : Math.max(v, given));
            }
          }
          rows.put(id, next);
        }
        default -> {
          next.putAll(fields);
          rows.put(id, next);
        }
      }
    }
    return rows;
  }

  /** A row of the table. */
  public static Map<String, Object> row(long id, Long a, String s, Long v) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("a", a);
    row.put("s", s);
    row.put("v", v);
    return row;
  }
}
