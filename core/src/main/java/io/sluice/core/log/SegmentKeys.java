package io.sluice.core.log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of segment objects. A segment's key is {@code log/<h>/<tableId>/<planKey>.seg}: {@code h},
 * the plan key's last (random) hex digit, spreads the load over S3 partitions; the table id (never
 * the name) keeps every table in its own prefix; the plan key lets GC find the plan of an object it
 * considers deleting, and, since plan keys sort by time, lets a listing start after a point.
 */
public final class SegmentKeys {
  private static final Pattern SEGMENT =
      Pattern.compile("log/[0-9a-f]/([0-9a-f-]{36})/(p[0-9a-f]{32})\\.seg");

  private SegmentKeys() {}

  /** The object key of a plan's segment. */
  public static String segmentKey(String tableId, String planKey) {
    return prefix(tableId, planKey.charAt(planKey.length() - 1)) + planKey + ".seg";
  }

  /** The prefixes under which a table's segments lie, one per hash digit. */
  public static List<String> tablePrefixes(String tableId) {
    return "0123456789abcdef".chars().mapToObj(h -> prefix(tableId, (char) h)).toList();
  }

  /** The plan key a segment key embeds, if it is a segment key. */
  public static Optional<String> planKeyOf(String segmentKey) {
    Matcher m = SEGMENT.matcher(segmentKey);
    return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
  }

  private static String prefix(String tableId, char hash) {
    return "log/" + hash + "/" + tableId + "/";
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
