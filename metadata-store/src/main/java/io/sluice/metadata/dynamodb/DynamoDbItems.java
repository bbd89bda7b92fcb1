package io.sluice.metadata.dynamodb;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.LogOffsets;
import io.sluice.core.metadata.PartitionBucket;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.SweepState;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The item layout of the DynamoDB metadata store: keys, attribute names and the mapping between
 * items and Sluice's metadata records (docs/metadata-schema.md describes it).
 */
final class DynamoDbItems {
  static final String PK = "pk";
  static final String SK = "sk";

  static final String CATALOG_PREFIX = "T#";
  static final String CATALOG_SK = "T";
  static final String HEAD_SK = "H";
  static final String PAGE_PREFIX = "P#";
  static final String LEASE_SK = "L";

  static final String NAME = "name";
  static final String TABLE_ID = "tableId";
  static final String DEFINITION = "definition";
  static final String SCHEMA_ID = "schemaId";
  static final String CREATED_AT = "createdAt";

  static final String BUCKET = "bucket";
  static final String NEXT_OFFSET = "nextOffset";
  static final String LOG_START_OFFSET = "logStartOffset";
  static final String INDEXED_UP_TO = "indexedUpTo";
  static final String LAST_TIMESTAMP = "lastTimestamp";
  static final String SLICES = "slices";
  static final String FIRST_OFFSET = "firstOffset";
  static final String END_OFFSET = "endOffset";

  // Slice fields: short names keep a head of ~16 slices well under 4 KB.
  static final String SLICE_BASE_OFFSET = "b";
  static final String SLICE_COUNT = "c";
  static final String SLICE_SEGMENT_KEY = "k";
  static final String SLICE_BYTE_OFFSET = "o";
  static final String SLICE_BYTE_LENGTH = "l";
  static final String SLICE_SCHEMA_ID = "s";
  static final String SLICE_TIMESTAMP = "t";
  static final String SLICE_PLAN_KEY = "r";

  static final String CLOSED = "closed";

  /**
   * The tiering-pending mark of a head: its table id, set by every append and removed once tiered;
   * the key of the sparse index {@value #PENDING_INDEX}.
   */
  static final String TIERING_PENDING = "tieringPending";

  static final String PENDING_INDEX = "tiering-pending";

  static final String PLAN_KEY = "planKey";
  static final String SEGMENT_KEY = "segmentKey";
  static final String COMMIT_TIMESTAMP = "commitTimestamp";
  static final String PARTS = "parts";
  static final String PARTITION = "partition";
  static final String DROPPED = "dropped";
  static final String MEMBERS = "members";
  static final String STATUS = "status";

  static final String CLAIM_KEY = "claimKey";

  static final String RECOVERED_UP_TO = "recoveredUpTo";
  static final String OBJECTS_COLLECTED_UP_TO = "objectsCollectedUpTo";
  static final String PLANS_COLLECTED_UP_TO = "plansCollectedUpTo";
  static final String ORPHANS_LISTED_UP_TO = "orphansListedUpTo";

  static final String OWNER = "owner";
  static final String EPOCH = "epoch";
  static final String EXPIRES_AT = "expiresAt";

  static final String FORMAT = "format";
  static final String SNAPSHOT_ID = "snapshotId";
  static final String OFFSETS = "offsets";
  static final String COMMITTED_AT = "committedAt";
  static final String LAST_FULL_PASS = "lastFullPass";

  private DynamoDbItems() {}

  // ---- keys ----

  static Map<String, AttributeValue> catalogKey(TableName name) {
    return key(CATALOG_PREFIX + name, CATALOG_SK);
  }

  static Map<String, AttributeValue> schemaKey(String tableId, int schemaId) {
    return key("S#" + tableId, "%010d".formatted(schemaId));
  }

  /**
   * {@code B#<tableId>#<bucket>}, or {@code B#<tableId>#<partition>#<bucket>} for a bucket of a
   * partitioned table (a partition name always holds a {@code =}, so the two never meet).
   */
  static String bucketPartition(TableBucket bucket) {
    return bucket.partition().isEmpty()
        ? "B#" + bucket.tableId() + "#" + bucket.bucket()
        : "B#" + bucket.tableId() + "#" + bucket.partition() + "#" + bucket.bucket();
  }

  static Map<String, AttributeValue> headKey(TableBucket bucket) {
    return key(bucketPartition(bucket), HEAD_SK);
  }

  /**
   * The bucket a head's {@code pk} names, {@code B#<tableId>#<bucket>} or {@code
   * B#<tableId>#<partition>#<bucket>}: the bucket follows the last {@code #}, as a partition name
   * may hold one.
   */
  static TableBucket headBucket(String tableId, String pk) {
    String prefix = "B#" + tableId + "#";
    if (!pk.startsWith(prefix)) {
      throw new IllegalStateException(
          "Cannot read the head key " + pk + ": not of table " + tableId);
    }
    String rest = pk.substring(prefix.length());
    int last = rest.lastIndexOf('#');
    return new TableBucket(
        tableId,
        last < 0 ? TableBucket.UNPARTITIONED : rest.substring(0, last),
        Integer.parseInt(rest.substring(last + 1)));
  }

  static String partitionListKey(String tableId) {
    return "PT#" + tableId;
  }

  static Map<String, AttributeValue> partitionItem(String tableId, String partition) {
    Map<String, AttributeValue> item = item(key(partitionListKey(tableId), partition));
    item.put(TABLE_ID, s(tableId));
    return item;
  }

  /**
   * The list item of a dropped partition: marked {@value #DROPPED}, so it is never listed again.
   */
  static Map<String, AttributeValue> droppedPartitionItem(String tableId, String partition) {
    Map<String, AttributeValue> item = partitionItem(tableId, partition);
    item.put(DROPPED, AttributeValue.fromBool(true));
    return item;
  }

  static String pageSortKey(long firstOffset) {
    return PAGE_PREFIX + "%020d".formatted(firstOffset);
  }

  static Map<String, AttributeValue> pageKey(TableBucket bucket, long firstOffset) {
    return key(bucketPartition(bucket), pageSortKey(firstOffset));
  }

  static String planPartition(String tableId) {
    return "P#" + tableId;
  }

  static Map<String, AttributeValue> planKey(String tableId, String planKey) {
    return key(planPartition(tableId), planKey);
  }

  static String claimPartition(String tableId) {
    return "C#" + tableId;
  }

  static Map<String, AttributeValue> claimKey(String tableId, String claimKey) {
    return key(claimPartition(tableId), claimKey);
  }

  static Map<String, AttributeValue> sweepKey(String tableId) {
    return key("G#" + tableId, "G");
  }

  static Map<String, AttributeValue> leaseKey(String tableId) {
    return key("L#" + tableId, LEASE_SK);
  }

  static Map<String, AttributeValue> tieringKey(String tableId, LakeFormatName format) {
    return key("TS#" + tableId, format.apiName());
  }

  private static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(PK, s(pk), SK, s(sk));
  }

  private static Map<String, AttributeValue> item(Map<String, AttributeValue> key) {
    return new HashMap<>(key);
  }

  // ---- catalog and schema versions ----

  static Map<String, AttributeValue> catalogItem(TableEntry entry) {
    Map<String, AttributeValue> item = item(catalogKey(entry.name()));
    item.put(NAME, s(entry.name().toString()));
    item.put(TABLE_ID, s(entry.tableId()));
    item.put(DEFINITION, s(TableDefinitionJson.toJsonString(entry.definition())));
    item.put(SCHEMA_ID, n(entry.schemaId()));
    item.put(CREATED_AT, instant(entry.createdAt()));
    return item;
  }

  static TableEntry tableEntry(Map<String, AttributeValue> item) {
    TableName name = TableName.parse(string(item, NAME));
    return new TableEntry(
        name,
        string(item, TABLE_ID),
        TableDefinitionJson.parse("Cannot read table " + name, string(item, DEFINITION)),
        (int) number(item, SCHEMA_ID),
        instant(item, CREATED_AT));
  }

  static Map<String, AttributeValue> schemaItem(
      String tableId, int schemaId, TableDefinition definition) {
    Map<String, AttributeValue> item = item(schemaKey(tableId, schemaId));
    item.put(TABLE_ID, s(tableId));
    item.put(SCHEMA_ID, n(schemaId));
    item.put(DEFINITION, s(TableDefinitionJson.toJsonString(definition)));
    return item;
  }

  static TableDefinition schemaDefinition(Map<String, AttributeValue> item) {
    return TableDefinitionJson.parse(
        "Cannot read schema " + number(item, SCHEMA_ID) + " of table " + string(item, TABLE_ID),
        string(item, DEFINITION));
  }

  // ---- bucket heads and index pages ----

  /** A head item holding its first slice (or none), every attribute present. */
  static Map<String, AttributeValue> headItem(
      TableBucket bucket, long nextOffset, long indexedUpTo, List<Slice> slices) {
    return headItem(bucket, nextOffset, 0, indexedUpTo, slices);
  }

  /** A head item with every attribute present, its log starting at {@code logStartOffset}. */
  static Map<String, AttributeValue> headItem(
      TableBucket bucket,
      long nextOffset,
      long logStartOffset,
      long indexedUpTo,
      List<Slice> slices) {
    Map<String, AttributeValue> item = item(headKey(bucket));
    item.put(BUCKET, n(bucket.bucket()));
    item.put(NEXT_OFFSET, n(nextOffset));
    item.put(LOG_START_OFFSET, n(logStartOffset));
    item.put(INDEXED_UP_TO, n(indexedUpTo));
    Instant last = Instant.EPOCH;
    Map<String, AttributeValue> sliceMap = new HashMap<>();
    for (Slice slice : slices) {
      sliceMap.put(Long.toString(slice.baseOffset()), headSlice(slice));
      last = slice.timestamp();
    }
    item.put(LAST_TIMESTAMP, instant(last));
    item.put(SLICES, AttributeValue.fromM(sliceMap));
    return item;
  }

  /** A head made by its first append: holding that slice, and marked pending tiering. */
  static Map<String, AttributeValue> pendingHeadItem(TableBucket bucket, Slice first) {
    Map<String, AttributeValue> item = headItem(bucket, first.endOffset(), 0, List.of(first));
    item.put(TIERING_PENDING, s(bucket.tableId()));
    return item;
  }

  static BucketHead bucketHead(int bucket, Map<String, AttributeValue> item) {
    TreeMap<Long, Slice> slices = new TreeMap<>();
    AttributeValue sliceMap = item.get(SLICES);
    if (sliceMap != null && sliceMap.hasM()) {
      sliceMap
          .m()
          .forEach(
              (base, value) -> {
                long baseOffset = Long.parseLong(base);
                slices.put(baseOffset, slice(baseOffset, value.m()));
              });
    }
    AttributeValue closed = item.get(CLOSED);
    return new BucketHead(
        bucket,
        numberOr(item, NEXT_OFFSET, 0),
        numberOr(item, LOG_START_OFFSET, 0),
        numberOr(item, INDEXED_UP_TO, 0),
        item.containsKey(LAST_TIMESTAMP) ? instant(item, LAST_TIMESTAMP) : Instant.EPOCH,
        slices,
        closed != null && Boolean.TRUE.equals(closed.bool()));
  }

  /** A slice as a value of the head's {@code slices} map, keyed there by its base offset. */
  static AttributeValue headSlice(Slice slice) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put(SLICE_COUNT, n(slice.count()));
    m.put(SLICE_SEGMENT_KEY, s(slice.segmentKey()));
    m.put(SLICE_BYTE_OFFSET, n(slice.byteOffset()));
    m.put(SLICE_BYTE_LENGTH, n(slice.byteLength()));
    m.put(SLICE_SCHEMA_ID, n(slice.schemaId()));
    m.put(SLICE_TIMESTAMP, instant(slice.timestamp()));
    m.put(SLICE_PLAN_KEY, s(slice.planKey()));
    return AttributeValue.fromM(m);
  }

  private static Slice slice(long baseOffset, Map<String, AttributeValue> m) {
    return new Slice(
        baseOffset,
        number(m, SLICE_COUNT),
        string(m, SLICE_SEGMENT_KEY),
        number(m, SLICE_BYTE_OFFSET),
        number(m, SLICE_BYTE_LENGTH),
        (int) number(m, SLICE_SCHEMA_ID),
        instant(m, SLICE_TIMESTAMP),
        string(m, SLICE_PLAN_KEY));
  }

  static Map<String, AttributeValue> pageItem(TableBucket bucket, IndexPage page) {
    Map<String, AttributeValue> item = item(pageKey(bucket, page.firstOffset()));
    item.put(BUCKET, n(bucket.bucket()));
    item.put(FIRST_OFFSET, n(page.firstOffset()));
    item.put(END_OFFSET, n(page.endOffset()));
    List<AttributeValue> slices = new ArrayList<>();
    for (Slice slice : page.slices()) {
      Map<String, AttributeValue> m = new HashMap<>(headSlice(slice).m());
      m.put(SLICE_BASE_OFFSET, n(slice.baseOffset()));
      slices.add(AttributeValue.fromM(m));
    }
    item.put(SLICES, AttributeValue.fromL(slices));
    return item;
  }

  static IndexPage indexPage(int bucket, Map<String, AttributeValue> item) {
    List<Slice> slices = new ArrayList<>();
    for (AttributeValue value : item.get(SLICES).l()) {
      slices.add(slice(number(value.m(), SLICE_BASE_OFFSET), value.m()));
    }
    return new IndexPage(bucket, number(item, FIRST_OFFSET), number(item, END_OFFSET), slices);
  }

  // ---- plans ----

  static Map<String, AttributeValue> planItem(Plan plan) {
    Map<String, AttributeValue> item = item(planKey(plan.tableId(), plan.planKey()));
    item.put(TABLE_ID, s(plan.tableId()));
    item.put(PLAN_KEY, s(plan.planKey()));
    item.put(SEGMENT_KEY, s(plan.segmentKey()));
    item.put(SCHEMA_ID, n(plan.schemaId()));
    item.put(COMMIT_TIMESTAMP, instant(plan.commitTimestamp()));
    item.put(PARTS, parts(plan.parts()));
    if (!plan.members().isEmpty()) {
      item.put(MEMBERS, members(plan.members()));
    }
    item.put(STATUS, s(plan.status().name()));
    item.put(CREATED_AT, instant(plan.createdAt()));
    return item;
  }

  /**
   * A plan's members, compactly: per member its claim key, body hash and one list of {@code bucket,
   * start, count} triples (a group of many keyed requests must stay far below DynamoDB's 400 KB),
   * and on a partitioned table {@code p}, the partition of each triple.
   */
  static AttributeValue members(List<PlanMember> members) {
    List<AttributeValue> values = new ArrayList<>();
    for (PlanMember member : members) {
      List<AttributeValue> ranges = new ArrayList<>();
      List<AttributeValue> partitions = new ArrayList<>();
      for (PlanMember.Range range : member.ranges()) {
        ranges.add(n(range.bucket()));
        ranges.add(n(range.start()));
        ranges.add(n(range.count()));
        partitions.add(s(range.partition()));
      }
      Map<String, AttributeValue> m = new HashMap<>();
      m.put("k", s(member.claimKey()));
      m.put("h", s(member.bodyHash()));
      m.put("r", AttributeValue.fromL(ranges));
      if (member.ranges().stream().anyMatch(r -> !r.partition().isEmpty())) {
        m.put("p", AttributeValue.fromL(partitions));
      }
      values.add(AttributeValue.fromM(m));
    }
    return AttributeValue.fromL(values);
  }

  private static List<PlanMember> members(AttributeValue value) {
    List<PlanMember> members = new ArrayList<>();
    if (value == null || !value.hasL()) {
      return members;
    }
    for (AttributeValue member : value.l()) {
      List<AttributeValue> triples = member.m().get("r").l();
      List<AttributeValue> partitions =
          member.m().containsKey("p") ? member.m().get("p").l() : List.of();
      List<PlanMember.Range> ranges = new ArrayList<>();
      for (int i = 0; i + 2 < triples.size(); i += 3) {
        ranges.add(
            new PlanMember.Range(
                partitions.isEmpty() ? TableBucket.UNPARTITIONED : partitions.get(i / 3).s(),
                Integer.parseInt(triples.get(i).n()),
                Long.parseLong(triples.get(i + 1).n()),
                Long.parseLong(triples.get(i + 2).n())));
      }
      members.add(new PlanMember(string(member.m(), "k"), string(member.m(), "h"), ranges));
    }
    return members;
  }

  static AttributeValue parts(List<PlanPart> parts) {
    List<AttributeValue> values = new ArrayList<>();
    for (PlanPart part : parts) {
      Map<String, AttributeValue> m = new HashMap<>();
      m.put(BUCKET, n(part.bucket()));
      m.put("rows", n(part.rows()));
      m.put("byteOffset", n(part.byteOffset()));
      m.put("byteLength", n(part.byteLength()));
      m.put("floorOffset", n(part.floorOffset()));
      m.put("baseOffset", n(part.baseOffset()));
      if (!part.partition().isEmpty()) {
        m.put(PARTITION, s(part.partition()));
      }
      values.add(AttributeValue.fromM(m));
    }
    return AttributeValue.fromL(values);
  }

  static Plan plan(Map<String, AttributeValue> item) {
    List<PlanPart> parts = new ArrayList<>();
    for (AttributeValue value : item.get(PARTS).l()) {
      Map<String, AttributeValue> m = value.m();
      parts.add(
          new PlanPart(
              m.containsKey(PARTITION) ? m.get(PARTITION).s() : TableBucket.UNPARTITIONED,
              (int) number(m, BUCKET),
              number(m, "rows"),
              number(m, "byteOffset"),
              number(m, "byteLength"),
              number(m, "floorOffset"),
              number(m, "baseOffset")));
    }
    return new Plan(
        string(item, TABLE_ID),
        string(item, PLAN_KEY),
        string(item, SEGMENT_KEY),
        (int) number(item, SCHEMA_ID),
        instant(item, COMMIT_TIMESTAMP),
        parts,
        members(item.get(MEMBERS)),
        PlanStatus.valueOf(string(item, STATUS)),
        instant(item, CREATED_AT));
  }

  // ---- claims and sweeps ----

  static Map<String, AttributeValue> claimItem(Claim claim) {
    Map<String, AttributeValue> item = item(claimKey(claim.tableId(), claim.claimKey()));
    item.put(TABLE_ID, s(claim.tableId()));
    item.put(CLAIM_KEY, s(claim.claimKey()));
    item.put(PLAN_KEY, s(claim.planKey()));
    item.put(CREATED_AT, instant(claim.createdAt()));
    return item;
  }

  static Claim claim(Map<String, AttributeValue> item) {
    return new Claim(
        string(item, TABLE_ID),
        string(item, CLAIM_KEY),
        string(item, PLAN_KEY),
        instant(item, CREATED_AT));
  }

  static Map<String, AttributeValue> sweepItem(SweepState state) {
    Map<String, AttributeValue> item = item(sweepKey(state.tableId()));
    item.put(TABLE_ID, s(state.tableId()));
    // DynamoDB strings may not be empty: an absent attribute is the start.
    putIfNotEmpty(item, RECOVERED_UP_TO, state.recoveredUpTo());
    putIfNotEmpty(item, OBJECTS_COLLECTED_UP_TO, state.objectsCollectedUpTo());
    putIfNotEmpty(item, PLANS_COLLECTED_UP_TO, state.plansCollectedUpTo());
    putIfNotEmpty(item, ORPHANS_LISTED_UP_TO, state.orphansListedUpTo());
    return item;
  }

  static SweepState sweepState(String tableId, Map<String, AttributeValue> item) {
    return new SweepState(
        tableId,
        stringOr(item, RECOVERED_UP_TO, ""),
        stringOr(item, OBJECTS_COLLECTED_UP_TO, ""),
        stringOr(item, PLANS_COLLECTED_UP_TO, ""),
        stringOr(item, ORPHANS_LISTED_UP_TO, ""));
  }

  private static void putIfNotEmpty(Map<String, AttributeValue> item, String name, String value) {
    if (!value.isEmpty()) {
      item.put(name, s(value));
    }
  }

  private static String stringOr(Map<String, AttributeValue> item, String name, String fallback) {
    AttributeValue value = item.get(name);
    return value == null ? fallback : value.s();
  }

  // ---- leases and tiering state ----

  static Map<String, AttributeValue> leaseItem(Lease lease) {
    Map<String, AttributeValue> item = item(leaseKey(lease.tableId()));
    item.put(TABLE_ID, s(lease.tableId()));
    item.put(OWNER, s(lease.owner()));
    item.put(EPOCH, n(lease.epoch()));
    item.put(EXPIRES_AT, instant(lease.expiresAt()));
    return item;
  }

  static Lease lease(Map<String, AttributeValue> item) {
    return new Lease(
        string(item, TABLE_ID),
        string(item, OWNER),
        number(item, EPOCH),
        instant(item, EXPIRES_AT));
  }

  static Map<String, AttributeValue> tieringItem(TieringState state) {
    Map<String, AttributeValue> item = item(tieringKey(state.tableId(), state.format()));
    item.put(TABLE_ID, s(state.tableId()));
    item.put(FORMAT, s(state.format().apiName()));
    item.put(SNAPSHOT_ID, n(state.snapshotId()));
    item.put(OFFSETS, s(state.storedOffsets()));
    item.put(COMMITTED_AT, instant(state.committedAt()));
    state.lastFullPass().ifPresent(at -> item.put(LAST_FULL_PASS, instant(at)));
    return item;
  }

  static TieringState tieringState(Map<String, AttributeValue> item) {
    // Written as a map of bucket to offset before partitioned tables, as offsets JSON or the key of
    // an offsets file since.
    AttributeValue stored = item.get(OFFSETS);
    String offsets;
    if (stored.s() != null) {
      offsets = stored.s();
    } else {
      Map<PartitionBucket, Long> byBucket = new HashMap<>();
      stored
          .m()
          .forEach(
              (bucket, offset) ->
                  byBucket.put(
                      new PartitionBucket("", Integer.parseInt(bucket)),
                      Long.parseLong(offset.n())));
      offsets = LogOffsets.json(byBucket);
    }
    return TieringState.stored(
        string(item, TABLE_ID),
        LakeFormatName.parse(string(item, FORMAT)),
        number(item, SNAPSHOT_ID),
        offsets,
        instant(item, COMMITTED_AT),
        item.containsKey(LAST_FULL_PASS)
            ? Optional.of(instant(item, LAST_FULL_PASS))
            : Optional.empty());
  }

  // ---- values ----

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  /**
   * An instant as a DynamoDB number of epoch seconds with up to nine decimals: exact to the
   * nanosecond and still ordered and readable.
   */
  static AttributeValue instant(Instant value) {
    BigDecimal seconds =
        BigDecimal.valueOf(value.getEpochSecond()).add(BigDecimal.valueOf(value.getNano(), 9));
    return AttributeValue.fromN(seconds.stripTrailingZeros().toPlainString());
  }

  private static Instant instant(Map<String, AttributeValue> item, String name) {
    BigDecimal value = new BigDecimal(attribute(item, name).n());
    BigDecimal seconds = value.setScale(0, RoundingMode.FLOOR);
    int nanos = value.subtract(seconds).movePointRight(9).intValueExact();
    return Instant.ofEpochSecond(seconds.longValueExact(), nanos);
  }

  private static String string(Map<String, AttributeValue> item, String name) {
    return attribute(item, name).s();
  }

  private static long number(Map<String, AttributeValue> item, String name) {
    return Long.parseLong(attribute(item, name).n());
  }

  private static long numberOr(Map<String, AttributeValue> item, String name, long fallback) {
    AttributeValue value = item.get(name);
    return value == null ? fallback : Long.parseLong(value.n());
  }

  private static AttributeValue attribute(Map<String, AttributeValue> item, String name) {
    AttributeValue value = item.get(name);
    if (value == null) {
      throw new IllegalStateException(
          "Cannot read item "
              + item.get(PK)
              + "/"
              + item.get(SK)
              + ": attribute '"
              + name
              + "' is missing");
    }
    return value;
  }
}
