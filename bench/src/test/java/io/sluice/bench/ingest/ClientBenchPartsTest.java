package io.sluice.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The client benchmark's parts: its rows, their JSON, the latency histogram and the write loop. */
class ClientBenchPartsTest {

  @Test
  void aRowsJsonHoldsItsValuesInAboutAHundredBytes() throws Exception {
    Map<String, Object> row = SmallRows.row(1_234_567);
    byte[] json = SmallRows.json(row);
    JsonNode parsed = new ObjectMapper().readTree(json);
    assertThat(parsed.get("id").asLong()).isEqualTo(1_234_567);
    assertThat(parsed.get("customer").asText()).isEqualTo(row.get("customer"));
    assertThat(parsed.get("amount").asDouble()).isEqualTo((Double) row.get("amount"));
    assertThat(parsed.get("event_time").asText()).isEqualTo(row.get("event_time").toString());
    assertThat(json.length).isBetween(80, 120);
  }

  @Test
  void quantilesAreWithinOnePercent() {
    Latencies latencies = new Latencies();
    for (long millis = 1; millis <= 100; millis++) {
      latencies.record(millis * 1_000_000);
    }
    assertThat(latencies.count()).isEqualTo(100);
    assertThat(latencies.millis(0.5)).isCloseTo(50, within(0.5));
    assertThat(latencies.millis(0.99)).isCloseTo(99, within(1.0));
    assertThat(new Latencies().millis(0.5)).isNaN();
  }

  @Test
  void theLoopCountsEveryRowItSentAndPacesThem() throws Exception {
    Map<Long, Boolean> seen = new ConcurrentHashMap<>();
    WriteLoop.RowSink sink =
        new WriteLoop.RowSink() {
          @Override
          public void send(Map<String, Object> row, Consumer<Throwable> done) {
            done.accept(null);
          }

          @Override
          public void flush() {}
        };
    WriteLoop.Result result =
        WriteLoop.run(sink, 2, Duration.ofMillis(500), 10, 1000, 200, (s, t) -> seen.put(s, true));
    assertThat(result.failed()).isZero();
    assertThat(result.acknowledged()).isEqualTo(seen.size()).isBetween(80L, 110L);
    assertThat(seen.keySet()).allMatch(s -> s >= 10 && s < 10 + result.acknowledged());
  }
}
