package io.sluice.core.service;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
  private static final ObjectMapper JSON = new ObjectMapper();

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
          case JSON -> json.decode(jsonArray(body.bytes()), allocator);
          case NDJSON -> json.decode(ndjsonLines(body.bytes()), allocator);
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

  private static List<JsonNode> jsonArray(byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
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
    if (root == null || !root.isArray()) {
      throw new MalformedBodyException(
          "Cannot read rows: a JSON body must be an array of row objects");
    }
    List<JsonNode> rows = new ArrayList<>(root.size());
    root.forEach(rows::add);
    return rows;
  }

  private static List<JsonNode> ndjsonLines(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<JsonNode> rows = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        if (i == lines.length - 1) {
          continue; // the newline after the last row
        }
        throw new MalformedBodyException(
            "Cannot parse the NDJSON body: line " + (i + 1) + " is empty");
      }
      try {
        rows.add(JSON.readTree(line));
      } catch (JsonProcessingException e) {
        throw new MalformedBodyException(
            "Cannot parse the NDJSON body: line " + (i + 1) + ": " + e.getOriginalMessage());
      }
    }
    return rows;
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
