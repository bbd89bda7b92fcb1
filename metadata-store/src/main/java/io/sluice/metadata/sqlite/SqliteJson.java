package io.sluice.metadata.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The JSON shapes in which the SQLite store keeps slices and plans. */
final class SqliteJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SqliteJson() {}

  static ObjectNode slice(Slice slice) {
    return JSON.createObjectNode()
        .put("baseOffset", slice.baseOffset())
        .put("count", slice.count())
        .put("segmentKey", slice.segmentKey())
        .put("byteOffset", slice.byteOffset())
        .put("byteLength", slice.byteLength())
        .put("schemaId", slice.schemaId())
        .put("timestamp", slice.timestamp().toString())
        .put("requestId", slice.requestId());
  }

  static Slice slice(JsonNode node) {
    return new Slice(
        node.get("baseOffset").longValue(),
        node.get("count").longValue(),
        node.get("segmentKey").textValue(),
        node.get("byteOffset").longValue(),
        node.get("byteLength").longValue(),
        node.get("schemaId").intValue(),
        Instant.parse(node.get("timestamp").textValue()),
        node.get("requestId").textValue());
  }

  static ObjectNode plan(Plan plan) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("tableId", plan.tableId())
            .put("planKey", plan.planKey())
            .put("requestId", plan.requestId())
            .put("bodyHash", plan.bodyHash())
            .put("segmentKey", plan.segmentKey())
            .put("schemaId", plan.schemaId())
            .put("commitTimestamp", plan.commitTimestamp().toString())
            .put("status", plan.status().name())
            .put("createdAt", plan.createdAt().toString());
    var parts = node.putArray("parts");
    for (PlanPart part : plan.parts()) {
      parts
          .addObject()
          .put("bucket", part.bucket())
          .put("rows", part.rows())
          .put("byteOffset", part.byteOffset())
          .put("byteLength", part.byteLength())
          .put("floorOffset", part.floorOffset())
          .put("baseOffset", part.baseOffset());
    }
    var live = node.putArray("liveBuckets");
    plan.liveBuckets().stream().sorted().forEach(live::add);
    return node;
  }

  static Plan plan(JsonNode node) {
    List<PlanPart> parts = new ArrayList<>();
    for (JsonNode part : node.get("parts")) {
      parts.add(
          new PlanPart(
              part.get("bucket").intValue(),
              part.get("rows").longValue(),
              part.get("byteOffset").longValue(),
              part.get("byteLength").longValue(),
              part.get("floorOffset").longValue(),
              part.get("baseOffset").longValue()));
    }
    Set<Integer> live = new HashSet<>();
    node.get("liveBuckets").forEach(b -> live.add(b.intValue()));
    return new Plan(
        node.get("tableId").textValue(),
        node.get("planKey").textValue(),
        node.get("requestId").textValue(),
        node.get("bodyHash").textValue(),
        node.get("segmentKey").textValue(),
        node.get("schemaId").intValue(),
        Instant.parse(node.get("commitTimestamp").textValue()),
        parts,
        live,
        PlanStatus.valueOf(node.get("status").textValue()),
        Instant.parse(node.get("createdAt").textValue()));
  }
}
