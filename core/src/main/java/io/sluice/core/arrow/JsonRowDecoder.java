package io.sluice.core.arrow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.sluice.core.merge.Op;
import io.sluice.core.merge.PrimaryKeyColumns;
import io.sluice.core.table.Column;
import io.sluice.core.table.DataType;
import io.sluice.core.table.TableDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Converts JSON rows (objects keyed by column name) into an Arrow batch of a table's schema,
 * checking every value against its column's type.
 *
 * <p>Values take the forms of the HTTP API: numbers for numeric types (whole and in range for the
 * integer types), strings or numbers for decimals (exact: more fraction digits than the scale or
 * more integer digits than the precision allows are refused, never rounded), {@code "YYYY-MM-DD"}
 * for dates, ISO-8601 with at most microsecond precision for timestamps ({@code timestamp} takes a
 * local date-time, or one with {@code Z} or an offset that is converted to UTC; {@code
 * timestamp_ltz} takes an instant with {@code Z} or an offset), JSON booleans, JSON strings, and
 * base64 strings for binary. A column left out of a row, or given as {@code null}, is null.
 *
 * <p>Rows are read straight off a JSON parser ({@link #decode(RowSource, int, BufferAllocator)}),
 * never built into a tree; a decimal given as a JSON number is taken exactly as written. Trees of
 * rows ({@link JsonNode}) are read through the same path.
 */
public final class JsonRowDecoder {
  private static final int MAX_SHOWN_CHARS = 100;
  private static final ObjectMapper TREES = new ObjectMapper();

  private final List<Column> columns;
  private final Schema schema;
  private final Map<String, Integer> indexByName = new HashMap<>();
  private final String[] names;
  private final Set<String> reservedFields;
  private final boolean primaryKeyRows;

  /** A decoder for a table's rows that refuses every field that is not a column. */
  public JsonRowDecoder(TableDefinition table) {
    this(table, Set.of());
  }

  /**
   * A decoder for the rows a client writes to a primary-key table: each row's {@code _op} field and
   * the columns it leaves out go into the {@code _op} and {@code _unset} columns ({@link
   * PrimaryKeyColumns}). A column left out is not refused here; {@link
   * io.sluice.core.merge.PrimaryKeyRows} checks which rows may leave out what.
   */
  public static JsonRowDecoder forPrimaryKeyTable(TableDefinition table) {
    return new JsonRowDecoder(table, Set.of(), true);
  }

  /**
   * A decoder for a table's rows that ignores {@code reservedFields} (such as {@code _op}), which
   * the caller reads itself; each must start with {@code _}, so it can never name a column.
   */
  public JsonRowDecoder(TableDefinition table, Set<String> reservedFields) {
    this(table, reservedFields, false);
  }

  private JsonRowDecoder(
      TableDefinition table, Set<String> reservedFields, boolean primaryKeyRows) {
    for (String field : reservedFields) {
      if (!field.startsWith("_")) {
        throw new IllegalArgumentException(
            "Cannot reserve field " + field + ": reserved fields start with _");
      }
    }
    this.columns = table.columns();
    this.primaryKeyRows = primaryKeyRows;
    this.schema =
        ArrowSchemas.schema(primaryKeyRows ? PrimaryKeyColumns.logColumns(table) : columns);
    this.reservedFields = Set.copyOf(reservedFields);
    this.names = new String[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      indexByName.put(columns.get(i).name(), i);
      names[i] = columns.get(i).name();
    }
  }

  /** The Arrow schema of the batches this decoder returns. */
  public Schema schema() {
    return schema;
  }

  /**
   * Converts rows into a batch allocated from {@code allocator}; the caller closes it.
   *
   * @throws SchemaMismatchException for the first row that does not fit, with nothing left
   *     allocated
   */
  public VectorSchemaRoot decode(List<JsonNode> rows, BufferAllocator allocator) {
    return decode(rows.iterator(), rows.size(), allocator);
  }

  /**
   * Converts rows, such as the lines of an NDJSON body, into a batch allocated from {@code
   * allocator}; the caller closes it.
   *
   * @throws SchemaMismatchException for the first row that does not fit, with nothing left
   *     allocated
   */
  public VectorSchemaRoot decode(Iterator<JsonNode> rows, BufferAllocator allocator) {
    return decode(rows, 0, allocator);
  }

  private VectorSchemaRoot decode(
      Iterator<JsonNode> rows, int sizeHint, BufferAllocator allocator) {
    try {
      return decode(
          new RowSource() {
            private JsonParser parser;

            @Override
            public JsonParser next() throws IOException {
              if (!rows.hasNext()) {
                return null;
              }
              JsonNode row = rows.next();
              parser = (row == null ? NullNode.instance : row).traverse(TREES);
              parser.nextToken();
              return parser;
            }
          },
          sizeHint,
          allocator);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read JSON rows held in memory", e);
    }
  }

  /** Where a decoder finds its rows: each positioned at its first token, then null. */
  @FunctionalInterface
  public interface RowSource {
    /** The parser positioned at the next row's first token, or null when there are no more. */
    JsonParser next() throws IOException;
  }

  /**
   * Converts rows straight from a JSON parser, without building a tree, into a batch allocated from
   * {@code allocator}; the caller closes it.
   *
   * @param sizeHint how many rows to size the vectors for (0 when not known)
   * @throws SchemaMismatchException for the first row that does not fit, with nothing left
   *     allocated
   * @throws IOException (a {@link com.fasterxml.jackson.core.JsonProcessingException} for JSON that
   *     does not parse), with nothing left allocated
   */
  public VectorSchemaRoot decode(RowSource rows, int sizeHint, BufferAllocator allocator)
      throws IOException {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      for (FieldVector vector : root.getFieldVectors()) {
        if (sizeHint > 0) {
          vector.setInitialCapacity(sizeHint);
        }
        vector.allocateNew();
      }
      int[] setInRow = new int[columns.size()];
      int index = 0;
      for (JsonParser row = rows.next(); row != null; row = rows.next()) {
        int rowNumber = index + 1;
        if (row.currentToken() != JsonToken.START_OBJECT) {
          throw new SchemaMismatchException(
              rowNumber,
              null,
              "row %d: expected a JSON object, got %s".formatted(rowNumber, shown(row)));
        }
        // Rows usually name their fields in one order: the column after the last is tried first.
        int next = 0;
        for (JsonToken token = row.nextToken();
            token == JsonToken.FIELD_NAME;
            token = row.nextToken()) {
          String field = row.currentName();
          row.nextToken();
          int column =
              next < names.length && names[next].equals(field)
                  ? next
                  : indexByName.getOrDefault(field, -1);
          if (column < 0) {
            if (primaryKeyRows && field.equals(PrimaryKeyColumns.OP)) {
              writeOp(root, index, rowNumber, row);
              continue;
            }
            if (reservedFields.contains(field)) {
              row.skipChildren();
              continue;
            }
            throw new SchemaMismatchException(
                rowNumber,
                field,
                "row %d: column %s: not a column of the table".formatted(rowNumber, field));
          }
          setInRow[column] = rowNumber;
          next = column + 1;
          write(root.getVector(column), index, rowNumber, columns.get(column), row);
        }
        if (primaryKeyRows) {
          writeUnset(root, index, rowNumber, setInRow);
        } else {
          for (int c = 0; c < setInRow.length; c++) {
            if (setInRow[c] != rowNumber && !columns.get(c).nullable()) {
              throw mismatch(rowNumber, columns.get(c), "no value", "the column is not nullable");
            }
          }
        }
        index++;
      }
      for (FieldVector vector : root.getFieldVectors()) {
        vector.setValueCount(index);
      }
      root.setRowCount(index);
      return root;
    } catch (IOException | RuntimeException e) {
      root.close();
      throw e;
    }
  }

  private static void writeOp(VectorSchemaRoot root, int index, int rowNumber, JsonParser value)
      throws IOException {
    try {
      if (value.currentToken() != JsonToken.VALUE_STRING) {
        throw new IllegalArgumentException(
            "expected \"upsert\" or \"delete\", got " + shown(value));
      }
      Op op = Op.parse(value.getText());
      ((VarCharVector) root.getVector(PrimaryKeyColumns.OP))
          .setSafe(index, op.apiName().getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new SchemaMismatchException(
          rowNumber, PrimaryKeyColumns.OP, "row %d: _op: %s".formatted(rowNumber, e.getMessage()));
    }
  }

  /** Records the columns the row left out, and upsert when it named no {@code _op}. */
  private void writeUnset(VectorSchemaRoot root, int index, int rowNumber, int[] setInRow) {
    VarCharVector op = (VarCharVector) root.getVector(PrimaryKeyColumns.OP);
    if (op.isNull(index)) {
      op.setSafe(index, Op.UPSERT.apiName().getBytes(StandardCharsets.UTF_8));
    }
    StringBuilder unset = new StringBuilder();
    for (int c = 0; c < setInRow.length; c++) {
      if (setInRow[c] != rowNumber) {
        unset.append(unset.isEmpty() ? "" : ",").append(columns.get(c).name());
      }
    }
    if (!unset.isEmpty()) {
      ((VarCharVector) root.getVector(PrimaryKeyColumns.UNSET))
          .setSafe(index, unset.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void write(
      FieldVector vector, int index, int rowNumber, Column column, JsonParser value)
      throws IOException {
    JsonToken token = value.currentToken();
    if (token == JsonToken.VALUE_NULL) {
      if (!column.nullable()) {
        throw mismatch(rowNumber, column, "null", "the column is not nullable");
      }
      return; // vectors start out all null
    }
    try {
      set(vector, index, column.type(), value, token);
    } catch (BadValue e) {
      throw mismatch(rowNumber, column, shown(value), e.getMessage());
    }
  }

  private static void set(
      FieldVector vector, int index, DataType type, JsonParser value, JsonToken token)
      throws IOException {
    switch (type.kind()) {
      case BOOLEAN -> {
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
          throw new BadValue(null);
        }
        ((BitVector) vector).setSafe(index, token == JsonToken.VALUE_TRUE ? 1 : 0);
      }
      case TINYINT ->
          ((TinyIntVector) vector)
              .setSafe(index, (byte) integer(value, token, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case SMALLINT ->
          ((SmallIntVector) vector)
              .setSafe(index, (short) integer(value, token, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT ->
          ((IntVector) vector)
              .setSafe(index, (int) integer(value, token, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case BIGINT ->
          ((BigIntVector) vector)
              .setSafe(index, integer(value, token, Long.MIN_VALUE, Long.MAX_VALUE));
      case FLOAT -> {
        double number = number(value, token);
        float single = (float) number;
        if (Float.isInfinite(single) && !Double.isInfinite(number)) {
          throw new BadValue("out of range");
        }
        ((Float4Vector) vector).setSafe(index, single);
      }
      case DOUBLE -> ((Float8Vector) vector).setSafe(index, number(value, token));
      case DECIMAL -> {
        long unscaled =
            token == JsonToken.VALUE_STRING || token.isNumeric()
                ? plainUnscaled(value.getText(), type.precision(), type.scale())
                : NOT_PLAIN;
        if (unscaled != NOT_PLAIN) {
          ((DecimalVector) vector).setSafe(index, unscaled);
        } else {
          ((DecimalVector) vector).setSafe(index, decimal(value, token, type));
        }
      }
      case STRING ->
          ((VarCharVector) vector)
              .setSafe(index, text(value, token).getBytes(StandardCharsets.UTF_8));
      case BINARY -> {
        byte[] bytes;
        try {
          bytes = Base64.getDecoder().decode(text(value, token));
        } catch (IllegalArgumentException e) {
          throw new BadValue("not base64");
        }
        ((VarBinaryVector) vector).setSafe(index, bytes);
      }
      case DATE -> {
        try {
          ((DateDayVector) vector)
              .setSafe(index, Math.toIntExact(IsoTimes.epochDay(text(value, token))));
        } catch (DateTimeException | ArithmeticException e) {
          throw new BadValue(null);
        }
      }
      case TIMESTAMP ->
          ((TimeStampMicroVector) vector).setSafe(index, timestamp(text(value, token)));
      case TIMESTAMP_LTZ ->
          ((TimeStampMicroTZVector) vector).setSafe(index, instant(text(value, token)));
    }
  }

  private static long integer(JsonParser value, JsonToken token, long min, long max)
      throws IOException {
    BigInteger whole;
    if (token == JsonToken.VALUE_NUMBER_INT) {
      if (value.getNumberType() == JsonParser.NumberType.INT
          || value.getNumberType() == JsonParser.NumberType.LONG) {
        long number = value.getLongValue();
        if (number < min || number > max) {
          throw new BadValue("out of range " + min + " to " + max);
        }
        return number;
      }
      whole = value.getBigIntegerValue();
    } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
      BigDecimal decimal = value.getDecimalValue().stripTrailingZeros();
      if (decimal.scale() > 0) {
        throw new BadValue("not a whole number");
      }
      if (decimal.precision() - decimal.scale() > 19) {
        throw new BadValue("out of range " + min + " to " + max);
      }
      whole = decimal.toBigInteger();
    } else {
      throw new BadValue(null);
    }
    if (whole.compareTo(BigInteger.valueOf(min)) < 0
        || whole.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new BadValue("out of range " + min + " to " + max);
    }
    return whole.longValue();
  }

  private static double number(JsonParser value, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new BadValue(null);
    }
    return value.getDoubleValue();
  }

  private static final long NOT_PLAIN = Long.MIN_VALUE;

  /**
   * The unscaled value at {@code scale} of a decimal written plainly (an optional sign, digits, at
   * most one point, no exponent or blanks) that fits the type with at most 18 digits; {@link
   * #NOT_PLAIN} for anything else, which {@link #decimal} then reads (and refuses, if it must).
   */
  static long plainUnscaled(String text, int precision, int scale) {
    int length = text.length();
    int i = 0;
    boolean negative = false;
    if (length > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
      negative = text.charAt(0) == '-';
      i = 1;
    }
    long value = 0;
    int digits = 0;
    int wholeDigits = 0;
    int fractionDigits = 0;
    boolean point = false;
    boolean any = false;
    for (; i < length; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        any = true;
        if (point) {
          if (++fractionDigits > scale) {
            return NOT_PLAIN;
          }
        } else if (value == 0 && c == '0') {
          continue; // a leading zero
        } else {
          wholeDigits++;
        }
        value = value * 10 + (c - '0');
        if (++digits > 18) {
          return NOT_PLAIN;
        }
      } else if (c == '.' && !point) {
        point = true;
      } else {
        return NOT_PLAIN;
      }
    }
    if (!any || wholeDigits > precision - scale) {
      return NOT_PLAIN;
    }
    for (; fractionDigits < scale; fractionDigits++) {
      value *= 10;
      if (++digits > 18) {
        return NOT_PLAIN;
      }
    }
    return negative ? -value : value;
  }

  private static BigDecimal decimal(JsonParser value, JsonToken token, DataType type)
      throws IOException {
    BigDecimal decimal;
    if (token == JsonToken.VALUE_STRING) {
      try {
        decimal = new BigDecimal(value.getText().trim());
      } catch (NumberFormatException e) {
        throw new BadValue(null);
      }
    } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      // Exactly the digits the client wrote, never a double's approximation.
      decimal = value.getDecimalValue();
    } else {
      throw new BadValue(null);
    }
    if (decimal.signum() == 0) {
      return BigDecimal.ZERO.setScale(type.scale());
    }
    // Checked on the stripped form, so that an exponent like 1e999999999 costs nothing.
    BigDecimal stripped = decimal.stripTrailingZeros();
    if (stripped.scale() > type.scale()) {
      throw new BadValue("more than " + type.scale() + " digits after the point");
    }
    if (stripped.precision() - stripped.scale() > type.precision() - type.scale()) {
      throw new BadValue(
          "more than " + (type.precision() - type.scale()) + " digits before the point");
    }
    return stripped.setScale(type.scale());
  }

  private static String text(JsonParser value, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw new BadValue(null);
    }
    return value.getText();
  }

  private static long timestamp(String text) {
    try {
      IsoTimes.DateTime canonical = IsoTimes.canonical(text);
      if (canonical != null) {
        return micros(canonical.epochSecond(), canonical.nanos());
      }
    } catch (DateTimeException e) {
      throw new BadValue(null);
    }
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      try {
        local =
            OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .withOffsetSameInstant(ZoneOffset.UTC)
                .toLocalDateTime();
      } catch (DateTimeParseException again) {
        throw new BadValue(null);
      }
    }
    return micros(local.toEpochSecond(ZoneOffset.UTC), local.getNano());
  }

  private static long instant(String text) {
    try {
      IsoTimes.DateTime canonical = IsoTimes.canonical(text);
      if (canonical != null) {
        if (!canonical.hasOffset()) {
          throw new BadValue("an instant needs Z or an offset");
        }
        return micros(canonical.epochSecond(), canonical.nanos());
      }
    } catch (DateTimeException e) {
      throw new BadValue(null);
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      try {
        LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      } catch (DateTimeParseException notLocal) {
        throw new BadValue(null);
      }
      throw new BadValue("an instant needs Z or an offset");
    }
    return micros(instant.getEpochSecond(), instant.getNano());
  }

  private static long micros(long seconds, int nanos) {
    if (nanos % 1000 != 0) {
      throw new BadValue("more precise than microseconds");
    }
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000);
    } catch (ArithmeticException e) {
      throw new BadValue("out of range");
    }
  }

  private static SchemaMismatchException mismatch(
      int rowNumber, Column column, String got, String reason) {
    return new SchemaMismatchException(
        rowNumber,
        column.name(),
        "row %d: column %s: expected %s, got %s%s"
            .formatted(
                rowNumber,
                column.name(),
                column.type(),
                got,
                reason == null ? "" : " (" + reason + ")"));
  }

  /**
   * The value at the parser as the client wrote it (a string quoted, an object or array whole), cut
   * to {@value #MAX_SHOWN_CHARS} characters; reads past it, so only for a value refused.
   */
  private static String shown(JsonParser value) throws IOException {
    JsonToken token = value.currentToken();
    String text;
    if (token == null) {
      text = "nothing";
    } else if (token.isNumeric()) {
      text = value.getText();
    } else {
      TreeNode tree = TREES.readTree(value);
      text = tree == null ? "nothing" : tree.toString();
    }
    return text.length() <= MAX_SHOWN_CHARS ? text : text.substring(0, MAX_SHOWN_CHARS) + "...";
  }

  /** A value that does not fit its column; the message, if any, says why. */
  private static final class BadValue extends RuntimeException {
    BadValue(String reason) {
      super(reason, null, false, false);
    }
  }
}
