package io.sluice.function.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.core.arrow.ArrowJsonWriter;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.LogRead;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.channels.Channels;
import java.util.Locale;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/** The formats rows are returned in: a JSON array, NDJSON lines, or an Arrow IPC stream. */
public enum RowsFormat {
  JSON("application/json"),
  NDJSON("application/x-ndjson"),
  ARROW("application/vnd.apache.arrow.stream");

  private static final JsonFactory FACTORY = new JsonFactory();
  private final String mediaType;

  RowsFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /**
   * The format named by a {@code format} parameter.
   *
   * @throws InvalidParameterException naming the value and the accepted ones
   */
  public static RowsFormat parse(String name) {
    for (RowsFormat format : values()) {
      if (format.name().toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
        return format;
      }
    }
    throw new InvalidParameterException(
        "format must be json, ndjson or arrow, not '" + name + "'");
  }

  /** Streams a read's rows in this format and closes it. */
  public StreamingOutput stream(LogRead read) {
    return out -> {
      try (read) {
        VectorSchemaRoot rows = read.rows();
        if (this == ARROW) {
          try (ArrowStreamWriter writer =
              new ArrowStreamWriter(rows, null, Channels.newChannel(out))) {
            writer.start();
            writer.writeBatch();
            writer.end();
          }
          return;
        }
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
          json.setRootValueSeparator(null);
          if (this == JSON) {
            json.writeStartArray();
          }
          for (int row = 0; row < rows.getRowCount(); row++) {
            ArrowJsonWriter.writeRow(json, rows, row);
            if (this == NDJSON) {
              json.writeRaw('\n');
            }
          }
          if (this == JSON) {
            json.writeEndArray();
          }
        }
      }
    };
  }
}
