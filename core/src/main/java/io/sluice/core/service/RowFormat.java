package io.sluice.core.service;

import java.util.Locale;

/** The formats rows travel in, both ways: a JSON array, NDJSON lines, or an Arrow IPC stream. */
public enum RowFormat {
  JSON("application/json"),
  NDJSON("application/x-ndjson"),
  ARROW("application/vnd.apache.arrow.stream");

  private final String mediaType;

  RowFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /**
   * The format of a request's {@code Content-Type} (parameters such as {@code charset} ignored).
   *
   * @throws MalformedBodyException naming the type and the accepted ones
   */
  public static RowFormat ofContentType(String contentType) {
    String type =
        contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    for (RowFormat format : values()) {
      if (format.mediaType.equals(type)) {
        return format;
      }
    }
    throw new MalformedBodyException(
        "Cannot read rows of content type '"
            + (contentType == null ? "" : contentType)
            + "': send application/json, application/x-ndjson or"
            + " application/vnd.apache.arrow.stream");
  }

  /**
   * The format a {@code format} query parameter names: {@code json}, {@code ndjson} or {@code
   * arrow}.
   *
   * @throws InvalidParameterException naming the value and the accepted ones
   */
  public static RowFormat ofName(String name) {
    for (RowFormat format : values()) {
      if (format.name().equalsIgnoreCase(name.trim())) {
        return format;
      }
    }
    throw new InvalidParameterException("format must be json, ndjson or arrow, not '" + name + "'");
  }
}
