package io.sluice.core.arrow;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
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

/**
 * Writes rows of a batch as JSON objects, each value in the form the write API accepts: decimals as
 * strings, dates as {@code YYYY-MM-DD}, timestamps as ISO-8601 with microseconds, binary as base64,
 * non-finite floats as the strings {@code NaN}, {@code Infinity}, {@code -Infinity}.
 */
public final class ArrowJsonWriter {
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

  private ArrowJsonWriter() {}

  /** Writes row {@code row} of {@code batch} as one JSON object. */
  public static void writeRow(JsonGenerator out, VectorSchemaRoot batch, int row)
      throws IOException {
    out.writeStartObject();
    List<FieldVector> vectors = batch.getFieldVectors();
    for (FieldVector vector : vectors) {
      out.writeFieldName(vector.getName());
      writeValue(out, vector, row);
    }
    out.writeEndObject();
  }

  /** Writes one value of a vector. */
  public static void writeValue(JsonGenerator out, FieldVector vector, int row) throws IOException {
    if (vector.isNull(row)) {
      out.writeNull();
      return;
    }
    if (vector instanceof BitVector v) {
      out.writeBoolean(v.get(row) != 0);
    } else if (vector instanceof TinyIntVector v) {
      out.writeNumber(v.get(row));
    } else if (vector instanceof SmallIntVector v) {
      out.writeNumber(v.get(row));
    } else if (vector instanceof IntVector v) {
      out.writeNumber(v.get(row));
    } else if (vector instanceof BigIntVector v) {
      out.writeNumber(v.get(row));
    } else if (vector instanceof Float4Vector v) {
      writeFloating(out, v.get(row));
    } else if (vector instanceof Float8Vector v) {
      writeFloating(out, v.get(row));
    } else if (vector instanceof DecimalVector v) {
      BigDecimal value = v.getObject(row);
      out.writeString(value.toPlainString());
    } else if (vector instanceof VarCharVector v) {
      out.writeString(v.getObject(row).toString());
    } else if (vector instanceof VarBinaryVector v) {
      out.writeString(Base64.getEncoder().encodeToString(v.get(row)));
    } else if (vector instanceof DateDayVector v) {
      out.writeString(LocalDate.ofEpochDay(v.get(row)).toString());
    } else if (vector instanceof TimeStampMicroTZVector v) {
      out.writeString(ArrowValues.instant(v.get(row)).toString());
    } else if (vector instanceof TimeStampMicroVector v) {
      out.writeString(
          LOCAL.format(LocalDateTime.ofInstant(ArrowValues.instant(v.get(row)), ZoneOffset.UTC)));
    } else {
      // Types Sluice tables never have (SQL results: lists, intervals, ...): Arrow's own text.
      out.writeString(String.valueOf(vector.getObject(row)));
    }
  }

  private static void writeFloating(JsonGenerator out, double value) throws IOException {
    if (Double.isFinite(value)) {
      out.writeNumber(value);
    } else {
      out.writeString(Double.toString(value));
    }
  }

  private static void writeFloating(JsonGenerator out, float value) throws IOException {
    if (Float.isFinite(value)) {
      out.writeNumber(value);
    } else {
      out.writeString(Float.toString(value));
    }
  }
}
