package io.sluice.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * What a scan reads: columns, a filter (API.md's JSON filter), the source (union, lake or log), the
 * lake format and a row limit. Immutable: each method returns a changed copy.
 */
public final class ScanOptions {
  /** Where a scan reads from. */
  public enum Source {
    /** The lake snapshot plus the log past its offsets, every row once (the default). */
    UNION,
    /** The lake only. */
    LAKE,
    /** Only what the log still holds. */
    LOG
  }

  private static final ScanOptions ALL = new ScanOptions(List.of(), null, Source.UNION, null, 0);

  private final List<String> columns;
  private final JsonNode filter;
  private final Source source;
  private final String lake;
  private final long limit;

  private ScanOptions(
      List<String> columns, JsonNode filter, Source source, String lake, long limit) {
    this.columns = columns;
    this.filter = filter;
    this.source = source;
    this.lake = lake;
    this.limit = limit;
  }

  /** Every column and row of the union read. */
  public static ScanOptions all() {
    return ALL;
  }

  /** Only these columns, in this order. */
  public ScanOptions columns(String... names) {
    return new ScanOptions(List.of(names), filter, source, lake, limit);
  }

  /**
   * Only rows passing this filter, as API.md writes it, e.g. {@code {"column": "amount", "op":
   * ">=", "value": "10.00"}}.
   */
  public ScanOptions filter(String filterJson) {
    try {
      return new ScanOptions(columns, HttpApi.JSON.readTree(filterJson), source, lake, limit);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the filter as JSON: " + filterJson, e);
    }
  }

  public ScanOptions source(Source source) {
    return new ScanOptions(columns, filter, source, lake, limit);
  }

  /** The lake format to read when the table has two ({@code paimon} or {@code iceberg}). */
  public ScanOptions lake(String format) {
    return new ScanOptions(columns, filter, source, format, limit);
  }

  /** At most this many rows. */
  public ScanOptions limit(long rows) {
    if (rows <= 0) {
      throw new IllegalArgumentException("Cannot limit a scan to " + rows + " rows: must be > 0");
    }
    return new ScanOptions(columns, filter, source, lake, rows);
  }

  /** The body of {@code POST /v1/tables/{table}/scan}. */
  String body() {
    ObjectNode body = HttpApi.JSON.createObjectNode();
    if (!columns.isEmpty()) {
      ArrayNode list = body.putArray("columns");
      columns.forEach(list::add);
    }
    if (filter != null) {
      body.set("filter", filter);
    }
    body.put("source", source.name().toLowerCase(Locale.ROOT));
    if (lake != null) {
      body.put("lake", lake);
    }
    if (limit > 0) {
      body.put("limit", limit);
    }
    return body.toString();
  }
}
