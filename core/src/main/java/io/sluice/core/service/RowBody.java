package io.sluice.core.service;

import java.util.Locale;

/** A write request's body and the format its content type names. */
public record RowBody(Format format, byte[] bytes) {

  /** The body formats the write API accepts. */
  public enum Format {
    JSON("application/json"),
    NDJSON("application/x-ndjson"),
    ARROW("application/vnd.apache.arrow.stream");

    private final String mediaType;

    Format(String mediaType) {
      this.mediaType = mediaType;
    }

    public String mediaType() {
      return mediaType;
    }

    /**
     * The format of a {@code Content-Type} header (parameters such as {@code charset} ignored).
     *
     * @throws MalformedBodyException naming the type and the accepted ones
     */
    public static Format ofContentType(String contentType) {
      String type =
          contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
      for (Format format : values()) {
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
  }
}
