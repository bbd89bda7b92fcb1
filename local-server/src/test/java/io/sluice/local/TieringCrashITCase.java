package io.sluice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.tiering.CrashPoints;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 3: the packaged server halted (as by kill -9) at each named step of tiering into
 * both lakes ({@link CrashPoints}), then started again: the next run leaves every offset of the log
 * exactly once in each lake, and each lake's snapshot at the log's high watermarks.
 */
class TieringCrashITCase {
  private static final String TABLE = "crashed";
  private static final String PATH = "/v1/tables/" + TABLE;
  private static final int BUCKETS = 4;
  private static final int ROWS_PER_ROUND = 400;

  /** Where tiering is halted, in the order of a run: Paimon is tiered first, then Iceberg. */
  private static final List<String> STEPS =
      List.of(
          CrashPoints.BUCKET_WRITTEN + ":3",
          CrashPoints.LAKE_FILES_WRITTEN,
          CrashPoints.LAKE_COMMITTED,
          CrashPoints.STATE_RECORDED,
          CrashPoints.LAKE_FILES_WRITTEN + ":2",
          CrashPoints.LAKE_COMMITTED + ":2");

  @Test
  void aRunHaltedAtAnyStepLeavesEachOffsetOnceInEachLakeAfterTheNext() throws Exception {
    Path dataDir = EmbeddedProfile.dataDir("tiering-crash");
    Files.createDirectories(dataDir);
    int port = PackagedServer.freePort();
    SluiceHttp http = new SluiceHttp(URI.create("http://127.0.0.1:" + port));
    Map<String, String> settings = Map.of("sluice.scheduler.enabled", "false");
    List<Long> written = new ArrayList<>();

    Process server = PackagedServer.start(dataDir, port, settings);
    try {
      SluiceHttp.Answer created =
          http.putJson(
              PATH,
              """
              {"columns": [{"name": "id", "type": "bigint", "nullable": false},
                           {"name": "note", "type": "string"}],
               "bucketKey": ["id"], "buckets": %d,
               "lake": {"formats": ["paimon", "iceberg"], "freshness": "1h"}}
              """
                  .formatted(BUCKETS));
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      write(http, written);
      assertThat(tier(http).status()).isEqualTo(200);
    } finally {
      stop(server);
    }

    for (String step : STEPS) {
      Process crashing = PackagedServer.start(dataDir, port, with(settings, step));
      try {
        write(http, written);
        assertThatThrownBy(() -> tier(http))
            .as("the tier call while the server halts at %s", step)
            .isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("/tier");
        assertThat(crashing.waitFor(60, TimeUnit.SECONDS)).as("halted at %s", step).isTrue();
        assertThat(crashing.exitValue()).as("halted at %s", step).isEqualTo(137);
      } finally {
        crashing.destroyForcibly();
      }

      server = PackagedServer.start(dataDir, port, settings);
      try {
        SluiceHttp.Answer tiered = tier(http);
        assertThat(tiered.status()).as("after a halt at %s: %s", step, tiered).isEqualTo(200);
        Map<String, Long> marks = highWatermarks(http);
        for (String lake : List.of("paimon", "iceberg")) {
          assertThat(offsets(tiered.json().path(lake).path("offsets")))
              .as("%s's snapshot after a halt at %s", lake, step)
              .isEqualTo(marks);
          assertThat(http.scannedIds(TABLE, "&source=lake&lake=" + lake))
              .as("%s after a halt at %s: each row once", lake, step)
              .containsExactlyInAnyOrderElementsOf(written);
        }
      } finally {
        stop(server);
      }
    }
  }

  private static Map<String, String> with(Map<String, String> settings, String crashAt) {
    Map<String, String> more = new HashMap<>(settings);
    more.put("sluice.crash-at", crashAt);
    return more;
  }

  private static void write(SluiceHttp http, List<Long> written) {
    StringBuilder body = new StringBuilder("[");
    for (int r = 0; r < ROWS_PER_ROUND; r++) {
      long id = written.size();
      body.append(r == 0 ? "" : ",").append("{\"id\": %d, \"note\": \"n%d\"}".formatted(id, id));
      written.add(id);
    }
    SluiceHttp.Answer answer =
        http.post(
            PATH + "/rows",
            SluiceHttp.JSON,
            body.append(']').toString().getBytes(StandardCharsets.UTF_8));
    assertThat(answer.status()).as("%s: %s", answer, answer.text()).isEqualTo(200);
  }

  private static SluiceHttp.Answer tier(SluiceHttp http) {
    return http.post(PATH + "/tier?waitMs=60000", SluiceHttp.JSON, new byte[0]);
  }

  private static Map<String, Long> highWatermarks(SluiceHttp http) {
    Map<String, Long> marks = new HashMap<>();
    for (int b = 0; b < BUCKETS; b++) {
      SluiceHttp.Answer page = http.get(PATH + "/buckets/" + b + "/records?limit=1");
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      marks.put(Integer.toString(b), page.longHeader("Sluice-High-Watermark"));
    }
    return marks;
  }

  private static Map<String, Long> offsets(JsonNode offsets) {
    Map<String, Long> map = new HashMap<>();
    offsets.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asLong()));
    return map;
  }

  private static void stop(Process server) throws InterruptedException {
    server.destroy();
    if (!server.waitFor(20, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }
}
