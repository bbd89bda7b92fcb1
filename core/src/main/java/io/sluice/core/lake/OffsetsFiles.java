package io.sluice.core.lake;

import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.table.LakeFormatName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Keeps the end offsets a tiering commit records small in the lake snapshot at any number of
 * partitions: inline in the snapshot's properties while their JSON is short, else in an immutable
 * object of Sluice's object store, written before the commit, that the snapshot names.
 *
 * <p>The objects live outside the lake warehouse, under {@code
 * tiered-offsets/<tableId>/<format>/<millis>-<uuid>.json}: a lake's orphan-file cleaning would
 * delete a file in the table's folder that no manifest lists. The tiering state in the metadata
 * store names the same object, so that neither record grows with the partitions. {@link
 * #removeUnreferenced} deletes the objects no live snapshot names any more.
 */
public final class OffsetsFiles {
  /** The longest offsets JSON kept inline in a snapshot property. */
  public static final int MAX_INLINE_CHARS = 2048;

  /** Snapshot property with the key of the object holding the offsets, when not inline. */
  public static final String FILE_PROPERTY = "sluice.offsets-file";

  /**
   * How old an unreferenced offsets object must be before it is deleted: far longer than a tiering
   * run's lease, so that the object of a commit still under way is never taken.
   */
  public static final Duration GRACE = Duration.ofHours(1);

  /** Offsets always inline: for tools and tests that have no object store. */
  public static final OffsetsFiles INLINE = new OffsetsFiles(Optional.empty(), Clock.systemUTC());

  static final String PREFIX = "tiered-offsets/";
  private static final int CACHED = 16;

  private final Optional<ObjectStore> objects;
  private final Clock clock;
  private final Map<String, SortedMap<PartitionBucket, Long>> cache =
      new LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SortedMap<PartitionBucket, Long>> e) {
          return size() > CACHED;
        }
      };

  public OffsetsFiles(ObjectStore objects, Clock clock) {
    this(Optional.of(objects), clock);
  }

  private OffsetsFiles(Optional<ObjectStore> objects, Clock clock) {
    this.objects = objects;
    this.clock = clock;
  }

  /**
   * The snapshot properties that record {@code offsets} for a commit of table {@code tableId} into
   * {@code format}: {@value LakeSnapshot#OFFSETS_PROPERTY} with the JSON, or, when that is longer
   * than {@value #MAX_INLINE_CHARS} characters, {@value #FILE_PROPERTY} with the key of an object
   * written now.
   *
   * @throws io.sluice.core.store.StoreUnavailableException when the object cannot be written
   */
  public Map<String, String> properties(
      String tableId, LakeFormatName format, Map<PartitionBucket, Long> offsets) {
    String json = LogOffsets.json(offsets);
    if (objects.isEmpty() || json.length() <= MAX_INLINE_CHARS) {
      return Map.of(LakeSnapshot.OFFSETS_PROPERTY, json);
    }
    String key =
        PREFIX
            + tableId
            + "/"
            + format.apiName()
            + "/"
            + String.format("%013d", clock.millis())
            + "-"
            + UUID.randomUUID()
            + ".json";
    try {
      objects.get().putIfAbsent(key, json.getBytes(StandardCharsets.US_ASCII));
    } catch (CommitConflictException e) {
      throw new IllegalStateException("Cannot write offsets file " + key + ": it exists", e);
    }
    synchronized (cache) {
      cache.put(key, Collections.unmodifiableSortedMap(LogOffsets.parse(json)));
    }
    return Map.of(FILE_PROPERTY, key);
  }

  /** Whether snapshot properties record tiered offsets, inline or in a file. */
  public static boolean recordsOffsets(Map<String, String> properties) {
    return properties.containsKey(LakeSnapshot.OFFSETS_PROPERTY)
        || properties.containsKey(FILE_PROPERTY);
  }

  /** The offsets file that snapshot properties name, if they name one. */
  public static Optional<String> file(Map<String, String> properties) {
    return Optional.ofNullable(properties.get(FILE_PROPERTY));
  }

  /**
   * The offsets that snapshot properties record, empty when they record none.
   *
   * @throws IllegalArgumentException naming the value when the inline JSON is not offsets
   * @throws IllegalStateException when the named file is missing or not offsets JSON
   */
  public SortedMap<PartitionBucket, Long> offsets(Map<String, String> properties) {
    Optional<String> file = file(properties);
    if (file.isPresent()) {
      return read(file.get());
    }
    String json = properties.get(LakeSnapshot.OFFSETS_PROPERTY);
    return json == null ? new TreeMap<>() : LakeSnapshot.parseOffsets(json);
  }

  /** The tiered offsets a tiering state records, read from its offsets file if it names one. */
  public Map<PartitionBucket, Long> offsets(TieringState state) {
    return state.offsetsFile().<Map<PartitionBucket, Long>>map(this::read).orElse(state.inline());
  }

  /**
   * The tiered end offsets of each lake format of a table, as its tiering state records them (empty
   * for a format never tiered).
   */
  public Map<LakeFormatName, Map<PartitionBucket, Long>> tiered(
      MetadataStore metadata, TableEntry table) {
    Map<LakeFormatName, Map<PartitionBucket, Long>> tiered = new EnumMap<>(LakeFormatName.class);
    for (LakeFormatName format : table.definition().lakeFormats()) {
      tiered.put(
          format,
          metadata.tieringState(table.tableId(), format).map(this::offsets).orElse(Map.of()));
    }
    return tiered;
  }

  /** The tiering state that records a snapshot's offsets (by its file's key, if it has one). */
  public static TieringState state(
      String tableId, LakeSnapshot snapshot, Optional<Instant> lastFullPass) {
    return new TieringState(
        tableId,
        snapshot.format(),
        snapshot.snapshotId(),
        snapshot.offsetsFile().isPresent() ? Map.of() : snapshot.offsets(),
        snapshot.offsetsFile(),
        snapshot.commitTime(),
        lastFullPass);
  }

  /**
   * The offsets an offsets file holds; files never change, so the last few read are kept.
   *
   * @throws IllegalStateException when the file is missing or not offsets JSON
   */
  public SortedMap<PartitionBucket, Long> read(String key) {
    synchronized (cache) {
      SortedMap<PartitionBucket, Long> cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    if (objects.isEmpty()) {
      throw new IllegalStateException(
          "Cannot read offsets file " + key + ": no object store is configured");
    }
    SortedMap<PartitionBucket, Long> offsets;
    try {
      offsets = LogOffsets.parse(new String(objects.get().read(key), StandardCharsets.US_ASCII));
    } catch (NotFoundException | IllegalArgumentException e) {
      throw new IllegalStateException("Cannot read offsets file " + key + ": " + e.getMessage(), e);
    }
    synchronized (cache) {
      cache.put(key, offsets);
    }
    return offsets;
  }

  /**
   * Deletes the offsets files of a table's lake format that {@code referenced} does not name and
   * that were written more than {@link #GRACE} ago; returns how many it deleted.
   */
  public int removeUnreferenced(
      String tableId, LakeFormatName format, Collection<String> referenced) {
    if (objects.isEmpty()) {
      return 0;
    }
    String prefix = PREFIX + tableId + "/" + format.apiName() + "/";
    String cutoff = prefix + String.format("%013d", clock.instant().minus(GRACE).toEpochMilli());
    List<String> unreferenced = new ArrayList<>();
    try (Stream<ObjectInfo> listed = objects.get().list(prefix)) {
      listed
          .map(ObjectInfo::key)
          .takeWhile(key -> key.compareTo(cutoff) < 0)
          .filter(key -> !referenced.contains(key))
          .forEach(unreferenced::add);
    }
    unreferenced.forEach(objects.get()::delete);
    return unreferenced.size();
  }
}
