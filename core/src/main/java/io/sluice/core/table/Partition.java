package io.sluice.core.table;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A partition of a table: its name, e.g. {@code t_day=2026-11-25/region=eu}, and its values by
 * field name. The unpartitioned table's one partition is {@link #NONE}.
 *
 * <p>A name is the {@code name=value} pairs in {@code partitionBy} order joined by {@code /}.
 * Values are the transforms' human strings ({@link PartitionTransform#humanString}) or the string
 * itself, escaped as Hive escapes path names: control characters, DEL, the left brace and {@code "
 * # % ' * / : = ? \ [ ] ^} become {@code %XX} (upper-case hex); other characters, non-ASCII ones
 * too, stay as they are.
 *
 * @param name the partition's name, empty for {@link #NONE}
 * @param values each field's value, unescaped, by field name in {@code partitionBy} order
 * @param timeRangeEnd where the time range of the first time-transformed field ends (exclusive),
 *     when there is such a field
 */
public record Partition(String name, Map<String, String> values, Optional<Instant> timeRangeEnd) {
  /** The one partition of an unpartitioned table. */
  public static final Partition NONE = new Partition("", Map.of(), Optional.empty());

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final BitSet ESCAPED = new BitSet(128);

  static {
    ESCAPED.set(0, ' '); // control characters
    ESCAPED.set(0x7F); // DEL
    for (char c : "\"#%'*/:=?\\{[]^".toCharArray()) {
      ESCAPED.set(c);
    }
  }

  public Partition {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * The partition holding these values, one per field of {@code spec}, as the transforms print them
   * (see {@link PartitionTransform#humanString}).
   *
   * @throws IllegalArgumentException when the number of values is not the number of fields, a time
   *     value is not its transform's human string, or an identity value is empty or blank
   */
  public static Partition of(List<PartitionField> spec, List<String> values) {
    if (values.size() != spec.size()) {
      throw new IllegalArgumentException(
          "Cannot make a partition of "
              + values
              + ": expected "
              + spec.size()
              + " values, one for each of "
              + spec);
    }
    List<String> checked = new ArrayList<>(values.size());
    for (int i = 0; i < spec.size(); i++) {
      try {
        checked.add(checkValue(spec.get(i), null, values.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot make a partition of " + values + ": " + e.getMessage(), e);
      }
    }
    return ofCanonical(spec, checked);
  }

  /**
   * Reads a partition name back, e.g. a {@code partition=} query parameter. Only the name {@link
   * #name()} writes is accepted, so that a partition has one name. Identity values are only checked
   * not to be blank; {@link #parse(TableDefinition, String)} checks them against the column types
   * too.
   *
   * @throws IllegalArgumentException naming the name and what is wrong: field names or order, a
   *     missing or extra field, a bad escape or one written otherwise than names write it, or a
   *     value that is no value of its field
   */
  public static Partition parse(List<PartitionField> spec, String name) {
    return parse(spec, name, null);
  }

  /**
   * Reads a partition name of this table back, checking identity values against their column's type
   * as well (an {@code int} column's value must be a canonical int, and so on).
   *
   * @throws IllegalArgumentException as {@link #parse(List, String)}
   */
  public static Partition parse(TableDefinition table, String name) {
    return parse(table.partitionBy(), name, table);
  }

  private static Partition parse(List<PartitionField> spec, String name, TableDefinition table) {
    if (spec.isEmpty()) {
      if (!name.isEmpty()) {
        throw cannotRead(name, "the table is not partitioned");
      }
      return NONE;
    }
    String[] pairs = name.split("/", -1);
    if (name.isEmpty() || pairs.length != spec.size()) {
      throw cannotRead(
          name,
          "expected "
              + spec.size()
              + (spec.size() == 1 ? " field" : " fields")
              + ", got "
              + (name.isEmpty() ? 0 : pairs.length)
              + "; a name reads "
              + form(spec));
    }
    List<String> values = new ArrayList<>(spec.size());
    for (int i = 0; i < spec.size(); i++) {
      PartitionField field = spec.get(i);
      String pair = pairs[i];
      int equals = pair.indexOf('=');
      if (equals < 0) {
        throw cannotRead(name, "'" + pair + "' is not name=value; a name reads " + form(spec));
      }
      String fieldName = pair.substring(0, equals);
      if (!fieldName.equals(field.name())) {
        throw cannotRead(
            name,
            "field "
                + (i + 1)
                + " is "
                + fieldName
                + ", expected "
                + field.name()
                + "; a name reads "
                + form(spec));
      }
      try {
        TypeKind type =
            table == null
                ? null
                : table.column(field.column()).map(c -> c.type().kind()).orElse(null);
        values.add(checkValue(field, type, unescape(pair.substring(equals + 1))));
      } catch (IllegalArgumentException e) {
        throw cannotRead(name, field.name() + ": " + e.getMessage());
      }
    }
    Partition partition = ofCanonical(spec, values);
    if (!partition.name.equals(name)) {
      // One partition, one name: lower-case hex or an unescaped ':' would be a second.
      throw cannotRead(name, "escape it as partition names do: " + partition.name);
    }
    return partition;
  }

  /**
   * Checks a value of a field and returns it in canonical form.
   *
   * @param type the source column's type, or null when unknown (identity values are then only
   *     checked not to be blank)
   */
  private static String checkValue(PartitionField field, TypeKind type, String value) {
    if (field.transform().isTimeTransform()) {
      field.transform().parseHumanString(type, value);
      return value;
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException("a partition value may not be an empty or blank string");
    }
    if (type != null && type != TypeKind.STRING) {
      field.transform().parseHumanString(type, value);
    }
    return value;
  }

  /**
   * A partition of values already in canonical form (as {@link PartitionTransform#humanString}
   * prints them, identity values non-blank): not checked again.
   */
  public static Partition ofCanonical(List<PartitionField> spec, List<String> values) {
    if (spec.isEmpty()) {
      return NONE;
    }
    StringBuilder name = new StringBuilder();
    Map<String, String> named = new LinkedHashMap<>();
    Instant end = null;
    for (int i = 0; i < spec.size(); i++) {
      PartitionField field = spec.get(i);
      String value = values.get(i);
      if (i > 0) {
        name.append('/');
      }
      name.append(field.name()).append('=');
      escape(value, name);
      named.put(field.name(), value);
      if (end == null && field.transform().isTimeTransform()) {
        PartitionTransform transform = field.transform();
        end = transform.end(transform.parseHumanString(null, value));
      }
    }
    return new Partition(name.toString(), named, Optional.ofNullable(end));
  }

  /** Appends a value escaped as Hive escapes path names. */
  static void escape(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 128 && ESCAPED.get(c)) {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        out.append(c);
      }
    }
  }

  /** A value escaped as Hive escapes path names. */
  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    escape(value, out);
    return out.toString();
  }

  /**
   * Undoes {@link #escape}: {@code %XX} (hex, either case) becomes the character XX.
   *
   * @throws IllegalArgumentException for a {@code %} not followed by two hex digits of a character
   *     that names escape
   */
  static String unescape(String value) {
    int percent = value.indexOf('%');
    if (percent < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    out.append(value, 0, percent);
    for (int i = percent; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      int high = i + 2 < value.length() ? hexDigit(value.charAt(i + 1)) : -1;
      int low = i + 2 < value.length() ? hexDigit(value.charAt(i + 2)) : -1;
      if (high < 0 || low < 0 || !ESCAPED.get(high << 4 | low)) {
        String escape = value.substring(i, Math.min(i + 3, value.length()));
        throw new IllegalArgumentException(
            "'"
                + value
                + "' has the bad escape '"
                + escape
                + "' (a name writes % as %25 and escapes only control characters, DEL and "
                + "\" # % ' * / : = ? \\ { [ ] ^)");
      }
      char code = (char) (high << 4 | low);
      out.append(code);
      i += 2;
    }
    return out.toString();
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  private static String form(List<PartitionField> spec) {
    return spec.stream()
        .map(
            f ->
                f.name()
                    + "=<"
                    + switch (f.transform()) {
                      case IDENTITY -> "value";
                      case YEAR -> "YYYY";
                      case MONTH -> "YYYY-MM";
                      case DAY -> "YYYY-MM-DD";
                      case HOUR -> "YYYY-MM-DD-HH";
                    }
                    + ">")
        .collect(Collectors.joining("/"));
  }

  private static IllegalArgumentException cannotRead(String name, String reason) {
    return new IllegalArgumentException("Cannot read partition '" + name + "': " + reason);
  }
}
