package io.sluice.core.scan;

import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.ScanOffsetsNotFoundException;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the offsets of a scan too large for a response header, for the client to fetch by link.
 *
 * <p>A scan's offsets are the high watermarks it read at its start, which no later request can
 * compute again: the log moves on. So they are kept where every instance of a stateless, scaled-out
 * read function finds them, in the object store: one object {@code
 * scan-offsets/<yyyyMMddHH>/<tableId>/<uuid>.json} per such scan, holding exactly the JSON the
 * header would have held, written before the scan answers. The link's id is {@code
 * <yyyyMMddHH>-<uuid>}: random, so that nobody guesses another scan's, and dated, so that objects
 * older than {@link #LIFETIME} are found by listing and removed (by whichever instance keeps new
 * offsets, at most once an hour each). An id of a table dropped and created again finds nothing:
 * the key holds the table id.
 */
public final class ScanOffsetsStore {
  /** The largest offsets JSON given in the {@code Sluice-Scan-Offsets} header itself. */
  public static final int MAX_HEADER_BYTES = 8 * 1024;

  /** How long kept offsets can be fetched, at least. */
  public static final Duration LIFETIME = Duration.ofDays(1);

  static final String PREFIX = "scan-offsets/";
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMddHH", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final Pattern ID =
      Pattern.compile("(\\d{10})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

  private final ObjectStore objects;
  private final Clock clock;
  private volatile String lastCleanedHour = "";

  public ScanOffsetsStore(ObjectStore objects, Clock clock) {
    this.objects = objects;
    this.clock = clock;
  }

  /** Whether offsets JSON this long goes in the header itself. */
  public static boolean fitsHeader(String json) {
    return json.length() <= MAX_HEADER_BYTES;
  }

  /**
   * Keeps the offsets JSON of a scan of {@code table} and returns the id to fetch it by.
   *
   * @throws io.sluice.core.store.StoreUnavailableException when the object store fails
   */
  public String keep(TableEntry table, String json) {
    Instant now = clock.instant();
    String hour = HOUR.format(now);
    String id = hour + "-" + UUID.randomUUID();
    objects.putIfAbsent(key(table, hour, id), json.getBytes(StandardCharsets.US_ASCII));
    removeExpired(now, hour);
    return id;
  }

  /**
   * The offsets JSON kept under {@code id} for {@code table}.
   *
   * @throws InvalidParameterException when {@code id} is no id {@link #keep} gives
   * @throws ScanOffsetsNotFoundException when none are kept under it (any more)
   */
  public String find(TableEntry table, String id) {
    var m = ID.matcher(id);
    if (!m.matches()) {
      throw new InvalidParameterException(
          "Cannot read scan offsets '"
              + id
              + "': not an id a scan's Sluice-Scan-Offsets-Link gives (yyyyMMddHH-<uuid>)");
    }
    try {
      return new String(objects.read(key(table, m.group(1), id)), StandardCharsets.US_ASCII);
    } catch (NotFoundException e) {
      throw new ScanOffsetsNotFoundException(
          "Scan offsets "
              + id
              + " of table "
              + table.name()
              + " do not exist: they are kept "
              + LIFETIME.toHours()
              + " h after the scan, for the table the scan read");
    }
  }

  private static String key(TableEntry table, String hour, String id) {
    return PREFIX + hour + "/" + table.tableId() + "/" + id.substring(hour.length() + 1) + ".json";
  }

  /** Removes kept offsets older than the lifetime; at most once an hour in each instance. */
  private void removeExpired(Instant now, String hour) {
    if (hour.equals(lastCleanedHour)) {
      return;
    }
    lastCleanedHour = hour;
    // Keys sort by their hour: stop at the first one still alive.
    String cutoff = PREFIX + HOUR.format(now.minus(LIFETIME).minus(Duration.ofHours(1))) + "/";
    List<String> expired;
    try (Stream<ObjectInfo> listed = objects.list(PREFIX)) {
      expired = listed.map(ObjectInfo::key).takeWhile(key -> key.compareTo(cutoff) < 0).toList();
    }
    expired.forEach(objects::delete);
  }
}
