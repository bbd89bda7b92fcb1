package io.sluice.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.client.Column;
import io.sluice.client.TableDescription;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of a JSON file: objects keyed by column name, one per line (NDJSON) or in one array
 * (JSON). A JSON file holding a single object is one row.
 */
final class JsonRows implements RowSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TableDescription table;
  private final CountingInput input;
  private final JsonParser parser;
  private final boolean array;
  private boolean atObject; // the parser stands on the start of the next row already
  private long line;
  private long row;

  JsonRows(Path file, TableDescription table, boolean inArray) throws IOException {
    this.table = table;
    this.input = new CountingInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    this.parser = JSON.getFactory().createParser(input);
    boolean array = false;
    if (inArray) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_ARRAY) {
        array = true;
      } else if (first == JsonToken.START_OBJECT) {
        atObject = true;
      } else if (first != JsonToken.START_OBJECT && first != null) {
        throw new IllegalArgumentException(
            "line %d: a JSON file holds an array of objects, not %s"
                .formatted(parser.currentTokenLocation().getLineNr(), first.asString()));
      }
    }
    this.array = array;
  }

  @Override
  public Map<String, Object> next() throws IOException {
    JsonToken token = atObject ? parser.currentToken() : parser.nextToken();
    atObject = false;
    if (token == null || (array && token == JsonToken.END_ARRAY)) {
      return null;
    }
    line = parser.currentTokenLocation().getLineNr();
    row++;
    if (token != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("expected a JSON object, not " + token.asString());
    }
    JsonNode object = JSON.readTree(parser);
    Map<String, Object> values = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      Optional<Column> column = RowSource.column(table, field.getKey());
      values.put(
          field.getKey(),
          column.isPresent()
              ? ColumnValues.fromJson(column.get(), field.getValue())
              : field.getValue().asText());
    }
    return values;
  }

  @Override
  public String position() {
    return array ? "row " + row + " (line " + line + ")" : "line " + line;
  }

  @Override
  public long bytesRead() {
    return input.count();
  }

  @Override
  public void close() throws IOException {
    parser.close();
    input.close();
  }
}
