package io.sluice.core.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.LakeFormatName;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OffsetsFilesTest {
  private static final String TABLE_ID = "5f0c0000-0000-0000-0000-000000000001";

  private final TestingObjectStore objects = new TestingObjectStore();
  private final TestingClock clock = new TestingClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final OffsetsFiles files = new OffsetsFiles(objects, clock);

  @Test
  void keepsAFewBucketsInlineAsToday() {
    Map<PartitionBucket, Long> offsets = LogOffsets.ofBuckets(Map.of(0, 300L, 1, 298L));

    Map<String, String> properties = files.properties(TABLE_ID, LakeFormatName.PAIMON, offsets);

    assertThat(properties).containsExactly(Map.entry("sluice.offsets", "{\"0\":300,\"1\":298}"));
    assertThat(objects.size()).isZero();
    assertThat(files.offsets(properties)).isEqualTo(offsets);
  }

  @Test
  void tenThousandPartitionsGoToOneFileTheSnapshotNames() {
    SortedMap<PartitionBucket, Long> offsets = partitions(10_000, 4);

    Map<String, String> properties = files.properties(TABLE_ID, LakeFormatName.ICEBERG, offsets);

    assertThat(properties).containsOnlyKeys("sluice.offsets-file");
    String key = properties.get("sluice.offsets-file");
    assertThat(key).startsWith("tiered-offsets/" + TABLE_ID + "/iceberg/").endsWith(".json");
    assertThat(key.length()).isLessThan(120);
    assertThat(new String(objects.read(key))).isEqualTo(LogOffsets.json(offsets));
    // Another process (no cache) reads the same offsets from the file.
    assertThat(new OffsetsFiles(objects, clock).offsets(properties)).isEqualTo(offsets);

    LakeSnapshot snapshot =
        LakeSnapshot.of(LakeFormatName.ICEBERG, 7, clock.instant(), 40_000, properties, files);
    assertThat(snapshot.offsetsFile()).contains(key);
    assertThat(snapshot.offset("t_day=2026-01-05/region=r7", 3))
        .isEqualTo(offsets.get(new PartitionBucket("t_day=2026-01-05/region=r7", 3)));

    TieringState state = OffsetsFiles.state(TABLE_ID, snapshot, Optional.empty());
    assertThat(state.inline()).isEmpty();
    assertThat(state.storedOffsets()).isEqualTo(key);
    assertThat(files.offsets(state)).isEqualTo(offsets);
  }

  @Test
  void aMissingFileIsAnErrorNamingIt() {
    Map<String, String> properties =
        Map.of("sluice.offsets-file", "tiered-offsets/" + TABLE_ID + "/paimon/0-gone.json");

    assertThatThrownBy(() -> files.offsets(properties))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Cannot read offsets file tiered-offsets/" + TABLE_ID + "/paimon/0-gone.json");
  }

  @Test
  void removesOnlyFilesNoSnapshotNamesOnceTheGraceIsOver() {
    String old = file(LakeFormatName.PAIMON);
    String kept = file(LakeFormatName.PAIMON);
    String iceberg = file(LakeFormatName.ICEBERG);
    clock.advance(OffsetsFiles.GRACE.plus(Duration.ofMinutes(1)));
    String recent = file(LakeFormatName.PAIMON);

    int removed = files.removeUnreferenced(TABLE_ID, LakeFormatName.PAIMON, List.of(kept));

    assertThat(removed).isEqualTo(1);
    assertThat(keys()).containsExactlyInAnyOrder(kept, iceberg, recent).doesNotContain(old);
  }

  @Test
  void storedFormOfATieringStateTellsJsonFromAFileKey() {
    TieringState inline =
        TieringState.stored(
            TABLE_ID, LakeFormatName.PAIMON, 3, "{\"0\":5}", clock.instant(), Optional.empty());
    TieringState inFile =
        TieringState.stored(
            TABLE_ID,
            LakeFormatName.PAIMON,
            4,
            "tiered-offsets/x/paimon/1-a.json",
            clock.instant(),
            Optional.empty());

    assertThat(inline.inline()).isEqualTo(LogOffsets.ofBuckets(Map.of(0, 5L)));
    assertThat(inline.offsetsFile()).isEmpty();
    assertThat(inFile.inline()).isEmpty();
    assertThat(inFile.offsetsFile()).contains("tiered-offsets/x/paimon/1-a.json");
    assertThatThrownBy(
            () ->
                new TieringState(
                    TABLE_ID,
                    LakeFormatName.PAIMON,
                    5,
                    Map.of(new PartitionBucket("", 0), 1L),
                    Optional.of("tiered-offsets/x/paimon/1-a.json"),
                    clock.instant(),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both inline and in tiered-offsets/x/paimon/1-a.json");
  }

  private String file(LakeFormatName format) {
    clock.advance(Duration.ofMillis(1));
    return files.properties(TABLE_ID, format, partitions(200, 4)).get("sluice.offsets-file");
  }

  private List<String> keys() {
    return objects.list("tiered-offsets/").map(ObjectInfo::key).toList();
  }

  /** Offsets of {@code count} partitions by day and region, with distinct values. */
  private static SortedMap<PartitionBucket, Long> partitions(int count, int buckets) {
    SortedMap<PartitionBucket, Long> offsets = new TreeMap<>();
    LocalDate first = LocalDate.parse("2026-01-01");
    for (int p = 0; p < count; p++) {
      String name = "t_day=" + first.plusDays(p / 10) + "/region=r" + (p % 10);
      for (int b = 0; b < buckets; b++) {
        offsets.put(new PartitionBucket(name, b), 1_000_000L + p * 7L + b);
      }
    }
    return offsets;
  }
}
