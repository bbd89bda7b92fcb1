package io.sluice.local;

import static io.sluice.local.ServerScenarios.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure takes a write's room before its body is read: a request whose body is still on its
 * way holds its {@code Content-Length}, so another that would pass the budget is refused with 429
 * and writes nothing, and the room comes back when the first connection closes.
 */
@QuarkusTest
@TestProfile(WriteBudgetProfile.class)
class WriteBudgetITCase {
  @TestHTTPResource("/")
  URI base;

  @Test
  void aBodyOnItsWayHoldsItsRoomUntilItsConnectionCloses() throws IOException {
    SluiceHttp http = new SluiceHttp(base);
    SluiceHttp.Answer created = http.putJson("/v1/tables/budgeted", TypedRows.definition(1));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String path = "/v1/tables/budgeted/rows";
    String rows = rowsOfAbout(WriteBudgetProfile.BUDGET * 6 / 10);
    AtomicInteger written = new AtomicInteger();

    try (Socket slow = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = slow.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + WriteBudgetProfile.BUDGET * 6 / 10
                  + "\r\n\r\n[")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                SluiceHttp.Answer answer = http.postJson(path, rows);
                if (answer.status() == 200) {
                  written.addAndGet(answer.json().path("rows").asInt());
                }
                assertError(answer, 429, "OVERLOADED", "bound is " + WriteBudgetProfile.BUDGET);
                assertThat(answer.header("Retry-After")).contains("1");
              });
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SluiceHttp.Answer answer = http.postJson(path, rows);
              assertThat(answer.status()).as("%s", answer).isEqualTo(200);
              written.addAndGet(answer.json().path("rows").asInt());
            });
    assertThat(ServerScenarios.highWatermarks(http, "budgeted"))
        .as("the table holds exactly the rows of the writes answered 200")
        .containsExactly(written.get());
  }

  /** A JSON array of rows of table definition 1 that is {@code bytes} long, or a little less. */
  private static String rowsOfAbout(long bytes) {
    StringBuilder json = new StringBuilder("[");
    for (int id = 0; json.length() + 20 < bytes; id++) {
      json.append(id == 0 ? "" : ",").append("{\"id\": ").append(id).append('}');
    }
    return json.append(']').toString();
  }
}
