package io.sluice.metadata.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
        .put("planKey", slice.planKey());
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
        node.path("planKey").asText(node.path("requestId").asText("")));
  }

  static ObjectNode plan(Plan plan) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("tableId", plan.tableId())
            .put("planKey", plan.planKey())
            .put("segmentKey", plan.segmentKey())
            .put("schemaId", plan.schemaId())
            .put("commitTimestamp", plan.commitTimestamp().toString())
            .put("status", plan.status().name())
            .put("createdAt", plan.createdAt().toString());
    var parts = node.putArray("parts");
    for (PlanPart part : plan.parts()) {
      ObjectNode p = parts.addObject();
      if (!part.partition().isEmpty()) {
        p.put("partition", part.partition());
      }
      p.put("bucket", part.bucket())
          .put("rows", part.rows())
          .put("byteOffset", part.byteOffset())
          .put("byteLength", part.byteLength())
          .put("floorOffset", part.floorOffset())
          .put("baseOffset", part.baseOffset());
    }
    var members = node.putArray("members");
    for (PlanMember member : plan.members()) {
      ObjectNode m =
          members.addObject().put("claimKey", member.claimKey()).put("bodyHash", member.bodyHash());
      var ranges = m.putArray("ranges");
      for (PlanMember.Range range : member.ranges()) {
        ArrayNode r =
            JSON.createArrayNode().add(range.bucket()).add(range.start()).add(range.count());
        if (!range.partition().isEmpty()) {
          r.add(range.partition());
        }
        ranges.add(r);
      }
    }
    return node;
  }

  static Plan plan(JsonNode node) {
    List<PlanPart> parts = new ArrayList<>();
    for (JsonNode part : node.get("parts")) {
      parts.add(
          new PlanPart(
              part.path("partition").asText(TableBucket.UNPARTITIONED),
              part.get("bucket").intValue(),
              part.get("rows").longValue(),
              part.get("byteOffset").longValue(),
              part.get("byteLength").longValue(),
              part.get("floorOffset").longValue(),
              part.get("baseOffset").longValue()));
    }
    List<PlanMember> members = new ArrayList<>();
    for (JsonNode member : node.path("members")) {
      List<PlanMember.Range> ranges = new ArrayList<>();
      for (JsonNode range : member.get("ranges")) {
        ranges.add(
            new PlanMember.Range(
                range.path(3).asText(TableBucket.UNPARTITIONED),
                range.get(0).intValue(),
                range.get(1).longValue(),
                range.get(2).longValue()));
      }
      members.add(
          new PlanMember(
              member.get("claimKey").textValue(), member.get("bodyHash").textValue(), ranges));
    }
    return new Plan(
        node.get("tableId").textValue(),
        node.get("planKey").textValue(),
        node.get("segmentKey").textValue(),
        node.get("schemaId").intValue(),
        Instant.parse(node.get("commitTimestamp").textValue()),
        parts,
        members,
        PlanStatus.valueOf(node.get("status").textValue()),
        Instant.parse(node.get("createdAt").textValue()));
  }
}
