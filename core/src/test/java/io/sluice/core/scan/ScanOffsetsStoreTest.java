package io.sluice.core.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.TestingClock;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.service.InvalidParameterException;
import io.sluice.core.service.ScanOffsetsNotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.TestingObjectStore;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Offsets too large for a header are kept in the object store for a day, found by their id. */
class ScanOffsetsStoreTest {
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-25T08:30:00Z"));
  private final TestingObjectStore objects = new TestingObjectStore();
  private final ScanOffsetsStore store = new ScanOffsetsStore(objects, clock);

  private static TableEntry table(String id) {
    return new TableEntry(
        TableName.parse("events"),
        id,
        TableDefinitionJson.parse(
            "create", "{\"columns\": [{\"name\": \"id\", \"type\": \"int\"}]}"),
        1,
        Instant.EPOCH);
  }

  private List<String> keys() {
    try (Stream<ObjectInfo> listed = objects.list("")) {
      return listed.map(ObjectInfo::key).toList();
    }
  }

  @Test
  void keptOffsetsAreFoundByTheirIdForTheirTableOnly() {
    String json = "{\"t_day=2026-11-25\": {\"0\": 120}}";
    String id = store.keep(table("table-1"), json);
    assertThat(id).matches("2026112508-[0-9a-f-]{36}");
    assertThat(store.find(table("table-1"), id)).isEqualTo(json);
    assertThat(keys())
        .containsExactly("scan-offsets/2026112508/table-1/" + id.substring(11) + ".json");
    assertThatThrownBy(() -> store.find(table("table-2"), id))
        .isInstanceOf(ScanOffsetsNotFoundException.class)
        .hasMessage(
            "Scan offsets "
                + id
                + " of table default.events do not exist: they are kept 24 h after the scan,"
                + " for the table the scan read");
    assertThatThrownBy(() -> store.find(table("table-1"), "../../log/x"))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "Cannot read scan offsets '../../log/x': not an id a scan's Sluice-Scan-Offsets-Link"
                + " gives (yyyyMMddHH-<uuid>)");
  }

  @Test
  void offsetsOlderThanADayAreRemovedWhenNewOnesAreKept() {
    String old = store.keep(table("table-1"), "{\"0\": 1}");
    clock.advance(Duration.ofHours(24));
    String day = store.keep(table("table-1"), "{\"0\": 2}");
    assertThat(store.find(table("table-1"), old))
        .as("a day is at least a day")
        .isEqualTo("{\"0\": 1}");
    clock.advance(Duration.ofHours(2));
    String fresh = store.keep(table("table-1"), "{\"0\": 3}");
    assertThatThrownBy(() -> store.find(table("table-1"), old))
        .isInstanceOf(ScanOffsetsNotFoundException.class);
    assertThat(store.find(table("table-1"), day)).isEqualTo("{\"0\": 2}");
    assertThat(store.find(table("table-1"), fresh)).isEqualTo("{\"0\": 3}");
    assertThat(keys()).hasSize(2);
  }

  @Test
  void offsetsUpTo8KbGoInTheHeader() {
    assertThat(ScanOffsetsStore.fitsHeader("x".repeat(8192))).isTrue();
    assertThat(ScanOffsetsStore.fitsHeader("x".repeat(8193))).isFalse();
  }
}
