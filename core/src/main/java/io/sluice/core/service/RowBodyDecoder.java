package io.sluice.core.service;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.arrow.ArrowSchemas;
import io.sluice.core.arrow.JsonRowDecoder;
import io.sluice.core.table.Column;
import io.sluice.core.table.TableDefinition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

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
    return switch (body.format()) {
      case JSON -> new JsonRowDecoder(table).decode(jsonArray(body.bytes()), allocator);
      case NDJSON -> new JsonRowDecoder(table).decode(ndjsonLines(body.bytes()), allocator);
      case ARROW -> arrow(body.bytes(), table, allocator);
    };
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
    VectorSchemaRoot target = VectorSchemaRoot.create(ArrowSchemas.schema(table), allocator);
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
      VectorSchemaRoot batch;
      try {
        batch = reader.getVectorSchemaRoot();
      } catch (IOException | RuntimeException e) {
        throw new MalformedBodyException(
            "Cannot read the Arrow IPC stream body: no valid schema message ("
                + e.getMessage()
                + ")");
      }
      ArrowSchemas.checkCompatible(batch.getSchema(), table);
      int rows = 0;
      while (loadNext(reader)) {
        int count = batch.getRowCount();
        for (Column column : table.columns()) {
          FieldVector to = target.getVector(column.name());
          FieldVector from = batch.getVector(column.name());
          if (from != null) {
            for (int i = 0; i < count; i++) {
              to.copyFromSafe(i, rows + i, from);
            }
          }
        }
        rows += count;
      }
      for (FieldVector vector : target.getFieldVectors()) {
        vector.setValueCount(rows);
      }
      target.setRowCount(rows);
      ArrowSchemas.checkNoNulls(target, table);
      return target;
    } catch (IOException e) {
      target.close();
      throw new MalformedBodyException("Cannot read the Arrow IPC stream body: " + e.getMessage());
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  private static boolean loadNext(ArrowStreamReader reader) {
    try {
      return reader.loadNextBatch();
    } catch (IOException | RuntimeException e) {
      throw new MalformedBodyException(
          "Cannot read the Arrow IPC stream body: a record batch is broken or truncated ("
              + e.getMessage()
              + ")");
    }
  }
}
