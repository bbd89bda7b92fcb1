package io.sluice.core.log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of plans and segment objects. A segment's key is {@code log/<h>/<tableId>/<planKey>.<
 * requestId>.seg}: {@code h}, one hex digit of the request id, spreads the load over S3 partitions;
 * the table id (never the name) keeps every table in its own prefix; the plan key lets GC find the
 * plan of an object it considers deleting.
 */
public final class SegmentKeys {
  private static final Pattern SEGMENT =
      Pattern.compile("log/[0-9a-f]/([0-9a-f-]{36})/([kr][0-9a-f]{32})\\.([0-9a-f]{32})\\.seg");

  private SegmentKeys() {}

  /** A fresh request id: 32 hex digits. */
  public static String newRequestId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * The plan key of a request: {@code k} and a hash of its idempotency key when it has one (so no
   * user text reaches a key), else {@code r} and its request id.
   */
  public static String planKey(Optional<String> idempotencyKey, String requestId) {
    return idempotencyKey.map(key -> "k" + sha256(key).substring(0, 32)).orElse("r" + requestId);
  }

  /** The object key of a request's segment. */
  public static String segmentKey(String tableId, String planKey, String requestId) {
    return "log/" + requestId.charAt(0) + "/" + tableId + "/" + planKey + "." + requestId + ".seg";
  }

  /** The prefixes under which a table's segments lie, one per hash digit. */
  public static java.util.List<String> tablePrefixes(String tableId) {
    return "0123456789abcdef"
        .chars()
        .mapToObj(h -> "log/" + (char) h + "/" + tableId + "/")
        .toList();
  }

  /** The plan key a segment key embeds, if it is a segment key. */
  public static Optional<String> planKeyOf(String segmentKey) {
    Matcher m = SEGMENT.matcher(segmentKey);
    return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
  }

  /** Hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256(String value) {
    return sha256(value.getBytes(StandardCharsets.UTF_8));
  }

  /** Hex SHA-256 of some bytes. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
