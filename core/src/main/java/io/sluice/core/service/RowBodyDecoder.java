package io.sluice.core.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.sluice.core.arrow.ArrowConcat;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.arrow.SchemaMismatchException;
import io.sluice.core.merge.Op;
import io.sluice.core.merge.PrimaryKeyColumns;
import io.sluice.core.merge.PrimaryKeyRows;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Turns a write request's body into one Arrow batch of the table's schema, checking it all. */
public final class RowBodyDecoder {
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
          .build();

  private RowBodyDecoder() {}

  /**
   * Decodes a body; the caller closes the batch.
   *
   * @throws MalformedBodyException when the body is not what its format says
   * @throws io.sluice.core.arrow.SchemaMismatchException when a row does not fit the table
   */
  public static VectorSchemaRoot decode(
      RowBody body, TableDefinition table, BufferAllocator allocator) {
    JsonRowDecoder json =
        table.hasPrimaryKey()
            ? JsonRowDecoder.forPrimaryKeyTable(table)
            : new JsonRowDecoder(table);
    VectorSchemaRoot rows =
        switch (body.format()) {
          case JSON -> jsonArray(body.bytes(), json, allocator);
          case NDJSON -> ndjsonLines(body.bytes(), json, allocator);
          case ARROW -> arrow(body.bytes(), table, allocator);
        };
    if (table.hasPrimaryKey()) {
      try {
        PrimaryKeyRows.check(rows, table);
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
    }
    return rows;
  }

  /** Rows of a JSON array body, read straight off the parser. */
  private static VectorSchemaRoot jsonArray(
      byte[] bytes, JsonRowDecoder decoder, BufferAllocator allocator) {
    try (JsonParser parser = JSON.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new MalformedBodyException(
            "Cannot read rows: a JSON body must be an array of row objects");
      }
      VectorSchemaRoot rows =
          decoder.decode(
              () -> {
                JsonToken token = parser.nextToken();
                if (token == null) {
                  throw new MalformedBodyException(
                      "Cannot parse the JSON body: it ends before the array does");
                }
                return token == JsonToken.END_ARRAY ? null : parser;
              },
              sizeHint(bytes),
              allocator);
      try {
        if (parser.nextToken() != null) {
          throw new MalformedBodyException(
              "Cannot parse the JSON body: content after the array at line "
                  + parser.currentLocation().getLineNr()
                  + ", column "
                  + parser.currentLocation().getColumnNr());
        }
      } catch (IOException | RuntimeException e) {
        // Found by RowBodyFuzzTest: bytes after the array that do not parse leaked the rows.
        rows.close();
        throw e;
      }
      return rows;
    } catch (JsonParseException e) {
      throw new MalformedBodyException(
          "Cannot parse the JSON body: "
              + e.getOriginalMessage()
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new MalformedBodyException("Cannot parse the JSON body: " + e.getMessage());
    }
  }

  /** Rows of an NDJSON body, one object per line, each line read straight off a parser. */
  private static VectorSchemaRoot ndjsonLines(
      byte[] bytes, JsonRowDecoder decoder, BufferAllocator allocator) {
    NdjsonLines lines = new NdjsonLines(bytes);
    try {
      VectorSchemaRoot rows = decoder.decode(lines, sizeHint(bytes), allocator);
      try {
        lines.finishLine();
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
      return rows;
    } catch (JsonProcessingException e) {
      throw new MalformedBodyException(
          "Cannot parse the NDJSON body: line " + lines.number + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedBodyException("Cannot parse the NDJSON body: " + e.getMessage());
    } finally {
      lines.release();
    }
  }

  /** The lines of an NDJSON body as rows: a parser per line, a blank line only at the end. */
  private static final class NdjsonLines implements JsonRowDecoder.RowSource {
    private final byte[] bytes;
    private int position;
    private int number;
    private JsonParser parser;

    NdjsonLines(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public JsonParser next() throws IOException {
      finishLine();
      while (position < bytes.length) {
        int start = position;
        int end = start;
        while (end < bytes.length && bytes[end] != '\n') {
          end++;
        }
        position = end + 1;
        number++;
        int last = end;
        while (last > start && (bytes[last - 1] == '\r' || isBlank(bytes[last - 1]))) {
          last--;
        }
        int first = start;
        while (first < last && isBlank(bytes[first])) {
          first++;
        }
        if (first == last) {
          if (end >= bytes.length - 1) {
            continue; // the newline after the last row
          }
          throw new MalformedBodyException(
              "Cannot parse the NDJSON body: line " + number + " is empty");
        }
        parser = JSON.createParser(bytes, first, last - first);
        parser.nextToken();
        return parser;
      }
      return null;
    }

    /** Checks that the current line holds nothing after its row, and lets go of its parser. */
    void finishLine() {
      if (parser == null) {
        return;
      }
      try {
        if (parser.nextToken() != null) {
          throw new MalformedBodyException(
              "Cannot parse the NDJSON body: line " + number + ": content after the row");
        }
      } catch (IOException e) {
        throw new MalformedBodyException(
            "Cannot parse the NDJSON body: line " + number + ": " + e.getMessage());
      } finally {
        release();
      }
    }

    void release() {
      if (parser != null) {
        try {
          parser.close();
        } catch (IOException e) {
          // a parser over bytes in memory holds nothing to release
        }
        parser = null;
      }
    }

    private static boolean isBlank(byte b) {
      return b == ' ' || b == '\t';
    }
  }

  /** A rough row count to size the vectors for, so that few grow while rows are read. */
  private static int sizeHint(byte[] bytes) {
    return Math.max(16, Math.min(bytes.length / 128, 1 << 20));
  }

  private static VectorSchemaRoot arrow(
      byte[] bytes, TableDefinition table, BufferAllocator allocator) {
    ArrowIpcBody body = ArrowIpcBody.parse(bytes);
    if (table.hasPrimaryKey()) {
      ArrowSchemas.checkCompatiblePartial(body.schema(), table, Set.of(PrimaryKeyColumns.OP));
    } else {
      ArrowSchemas.checkCompatible(body.schema(), table);
    }
    Schema schema = ArrowSchemas.schema(PrimaryKeyColumns.logColumns(table));
    List<VectorSchemaRoot> parts = new ArrayList<>();
    try {
      for (int index = 0; index < body.batchCount(); index++) {
        try (VectorSchemaRoot batch = body.load(index, allocator)) {
          checkOffsets(batch);
          VectorSchemaRoot part = VectorSchemaRoot.create(schema, allocator);
          parts.add(part);
          take(batch, part, table);
        }
      }
      VectorSchemaRoot rows;
      if (parts.isEmpty()) {
        rows = VectorSchemaRoot.create(schema, allocator);
      } else if (parts.size() == 1) {
        rows = parts.remove(0);
      } else {
        rows = ArrowConcat.concat(parts, allocator);
      }
      try {
        if (!table.hasPrimaryKey()) {
          ArrowSchemas.checkNoNulls(rows, table); // PrimaryKeyRows checks per row and op
        }
        return rows;
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
    } finally {
      parts.forEach(VectorSchemaRoot::close);
    }
  }

  /**
   * Moves a body batch's columns into an empty batch of the table's log columns without copying
   * them; a column the body leaves out is all null.
   */
  private static void take(VectorSchemaRoot batch, VectorSchemaRoot target, TableDefinition table) {
    int count = batch.getRowCount();
    for (Column column : table.columns()) {
      FieldVector to = target.getVector(column.name());
      FieldVector from = batch.getVector(column.name());
      if (from != null) {
        from.makeTransferPair(to).transfer();
      } else {
        to.setInitialCapacity(count);
        to.allocateNew();
        to.setValueCount(count);
      }
    }
    if (table.hasPrimaryKey()) {
      copyOps(batch, target, 0, count);
      target.getVector(PrimaryKeyColumns.OP).setValueCount(count);
      target.getVector(PrimaryKeyColumns.UNSET).setValueCount(count);
    }
    target.setRowCount(count);
  }

  /**
   * Fills {@code _op} (upsert where the body has none) and {@code _unset} (the columns the body's
   * schema leaves out) for a primary-key table.
   */
  private static void copyOps(VectorSchemaRoot batch, VectorSchemaRoot target, int at, int count) {
    FieldVector opVector = batch.getVector(PrimaryKeyColumns.OP);
    if (opVector != null && !(opVector instanceof VarCharVector)) {
      throw new SchemaMismatchException(
          0,
          PrimaryKeyColumns.OP,
          "column _op: expected string (Arrow Utf8), got " + opVector.getField().getType());
    }
    VarCharVector ops = (VarCharVector) target.getVector(PrimaryKeyColumns.OP);
    VarCharVector unsets = (VarCharVector) target.getVector(PrimaryKeyColumns.UNSET);
    Set<String> given = new HashSet<>();
    batch.getSchema().getFields().forEach(field -> given.add(field.getName()));
    String unset =
        String.join(
            ",",
            target.getSchema().getFields().stream()
                .map(Field::getName)
                .filter(n -> !n.startsWith("_") && !given.contains(n))
                .toList());
    for (int i = 0; i < count; i++) {
      String op = Op.UPSERT.apiName();
      if (opVector != null && !opVector.isNull(i)) {
        String text = new String(((VarCharVector) opVector).get(i), StandardCharsets.UTF_8);
        try {
          op = Op.parse(text).apiName();
        } catch (IllegalArgumentException e) {
          int row = at + i + 1;
          throw new SchemaMismatchException(
              row, PrimaryKeyColumns.OP, "row %d: _op: %s".formatted(row, e.getMessage()));
        }
      }
      ops.setSafe(at + i, op.getBytes(StandardCharsets.UTF_8));
      if (!unset.isEmpty()) {
        unsets.setSafe(at + i, unset.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * Checks that every variable-width column's offsets start at 0 or more, never decrease and stay
   * within its data, so that copying a value never reads (or allocates) past what the body holds.
   */
  private static void checkOffsets(VectorSchemaRoot batch) {
    for (FieldVector vector : batch.getFieldVectors()) {
      if (!(vector instanceof BaseVariableWidthVector column) || batch.getRowCount() == 0) {
        continue;
      }
      ArrowBuf offsets = column.getOffsetBuffer();
      long dataLength = column.getDataBuffer().capacity();
      int previous = 0;
      for (int row = 0; row <= batch.getRowCount(); row++) {
        int offset = offsets.getInt((long) row * BaseVariableWidthVector.OFFSET_WIDTH);
        if (offset < previous || offset > dataLength) {
          throw new MalformedBodyException(
              "Cannot read the Arrow IPC stream body: column %s: offset %d of row %d lies outside its %d bytes of data"
                  .formatted(vector.getName(), offset, row + 1, dataLength));
        }
        previous = offset;
      }
    }
  }
}
