package io.sluice.lambda.tiering;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.Quarkus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The tiering function's Lambda entry point ({@code
 * io.sluice.lambda.tiering.TieringHandler::handleRequest}): an EventBridge Scheduler event runs the
 * scheduled work ({@link ScheduledWindow}); anything else is an API Gateway HTTP API event (payload
 * 2.0) and goes to Quarkus's HTTP handler, which serves {@code POST .../tier} and the table calls
 * routed here.
 *
 * <p>It extends {@link QuarkusStreamHandler} rather than being a Quarkus handler bean, since the
 * HTTP extension already provides the one handler bean an application may have; constructing it
 * initialises the application (all of it that SnapStart snapshots), touching no network.
 */
public class TieringHandler extends QuarkusStreamHandler {
  /** The input the Terraform schedule sends; EventBridge rules' scheduled events work as well. */
  public static final String SCHEDULED_INPUT = "{\"sluice\":\"scheduled-run\"}";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] event = input.readAllBytes();
    if (!isScheduled(event)) {
      super.handleRequest(new ByteArrayInputStream(event), output, context);
      return;
    }
    Quarkus.manualStart();
    ScheduledWindow window = Arc.container().instance(ScheduledWindow.class).get();
    long remaining = context == null ? 60_000 : context.getRemainingTimeInMillis();
    ScheduledWindow.Summary summary;
    try {
      summary = window.run(remaining);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Cannot finish the scheduled run: interrupted", e);
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("passes", summary.passes());
    answer.put("tables", summary.tablesVisited());
    answer.put("millis", summary.millis());
    JSON.writeValue(output, answer);
  }

  /**
   * Whether an event is a scheduled one: the schedule's own input, or an EventBridge scheduled
   * event ({@code "detail-type": "Scheduled Event"}); an HTTP API event has a {@code
   * requestContext}.
   */
  static boolean isScheduled(byte[] event) {
    JsonNode node;
    try {
      node = JSON.readTree(event);
    } catch (IOException e) {
      return false;
    }
    if (node == null || !node.isObject() || node.has("requestContext")) {
      return false;
    }
    return "scheduled-run".equals(node.path("sluice").asText())
        || "Scheduled Event".equals(node.path("detail-type").asText());
  }
}
