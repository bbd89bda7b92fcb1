package io.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SnapStart snapshots a function after its initialisation, so initialising may not reach the
 * network: with every store on a closed port, each package still initialises, and only a request
 * finds the stores unreachable (503).
 */
class SnapStartInitITCase {

  @Test
  void everyPackageInitialisesWithItsStoresUnreachable() throws Exception {
    Path root = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
    Path work = root.resolve("localstack-tests/target/snapstart");
    LakeReaders.deleteRecursively(work);
    Files.createDirectories(work);
    String closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = "http://127.0.0.1:" + socket.getLocalPort();
    }
    Map<String, String> environment =
        new HashMap<>(AwsBackend.stores(closed, closed, "us-east-1", "none", "none"));
    environment.put("SLUICE_LAKE_WAREHOUSE", work.resolve("lake").toUri().toString());
    // As on AWS, where Terraform creates the table (creating it would be the first request's job).
    environment.put("SLUICE_METADATA_CREATE_TABLE", "false");

    try (ServerlessFunctions functions = ServerlessFunctions.start(root, environment, work)) {
      assertThat(functions.initTimes()).containsOnlyKeys("write", "read", "tiering");
      var answer =
          functions.callJson(
              "POST /v1/tables/{table}/rows", "/v1/tables/orders/rows", "[{\"order_id\": 1}]");
      assertThat(answer.status()).as(answer.text()).isEqualTo(503);
      assertThat(answer.json().path("error").path("code").asText()).isEqualTo("UNAVAILABLE");
    }
  }
}
