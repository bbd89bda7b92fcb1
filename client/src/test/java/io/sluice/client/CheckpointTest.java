package io.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A checkpoint survives its JSON whole, and text that is not one is refused naming what lacks. */
class CheckpointTest {
  @Test
  void aCheckpointReadsBackFromItsJson() {
    Checkpoint following =
        new Checkpoint(
            "default.orders",
            "5f0c",
            Map.of(new BucketId("region=eu", 1), 7L, new BucketId("region=eu", 0), 12L),
            Optional.empty());
    Checkpoint backfilling =
        new Checkpoint(
            "default.orders",
            "5f0c",
            Map.of(BucketId.of(0), 300L, BucketId.of(1), 298L),
            Optional.of(new Checkpoint.Backfill("paimon", 7, 1200)));

    assertThat(Checkpoint.parse(following.toJson())).as("%s", following).isEqualTo(following);
    assertThat(Checkpoint.parse(backfilling.toJson())).as("%s", backfilling).isEqualTo(backfilling);
    assertThat(backfilling.toJson())
        .as("the JSON a caller stores")
        .isEqualTo(
            "{\"table\":\"default.orders\",\"tableId\":\"5f0c\",\"offsets\":[{\"bucket\":0,"
                + "\"offset\":300},{\"bucket\":1,\"offset\":298}],\"backfill\":{\"lake\":"
                + "\"paimon\",\"snapshotId\":7,\"rowsDelivered\":1200}}");
  }

  @Test
  void textThatIsNotACheckpointIsRefused() {
    assertThatThrownBy(() -> Checkpoint.parse("{\"table\": \"default.orders\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot read the checkpoint: expected table, tableId and offsets, got"
                + " {\"table\": \"default.orders\"}");
    assertThatThrownBy(
            () ->
                Checkpoint.parse(
                    "{\"table\": \"t\", \"tableId\": \"x\", \"offsets\": [{\"bucket\": 0}]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot read the checkpoint: an offset needs bucket and offset, got {\"bucket\":0}");
    assertThatThrownBy(() -> Checkpoint.parse("offsets"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read the checkpoint: not JSON");
  }
}
