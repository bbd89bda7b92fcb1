package io.sluice.metadata.dynamodb;

import static io.sluice.metadata.dynamodb.DynamoDbItems.CATALOG_PREFIX;
import static io.sluice.metadata.dynamodb.DynamoDbItems.CATALOG_SK;
import static io.sluice.metadata.dynamodb.DynamoDbItems.PENDING_INDEX;
import static io.sluice.metadata.dynamodb.DynamoDbItems.PK;
import static io.sluice.metadata.dynamodb.DynamoDbItems.SK;
import static io.sluice.metadata.dynamodb.DynamoDbItems.TIERING_PENDING;
import static io.sluice.metadata.dynamodb.DynamoDbItems.n;
import static io.sluice.metadata.dynamodb.DynamoDbItems.s;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.Claim;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.SweepState;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.metadata.TableEntry;
import io.sluice.core.metadata.TieringState;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.StoreUnavailableException;
import io.sluice.core.table.LakeFormatName;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableDefinitionJson;
import io.sluice.core.table.TableName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/** The {@link MetadataStore} on one DynamoDB table (layout: docs/metadata-schema.md). */
public final class DynamoDbMetadataStore implements MetadataStore {
  private final DynamoDbClient client;
  private final String tableName;
  private final AutoCloseable onClose;

  /** A store on {@code tableName}; the caller owns {@code client} and closes it. */
  public DynamoDbMetadataStore(DynamoDbClient client, String tableName) {
    this(client, tableName, () -> {});
  }

  DynamoDbMetadataStore(DynamoDbClient client, String tableName, AutoCloseable onClose) {
    this.client = Objects.requireNonNull(client, "client");
    this.tableName = Objects.requireNonNull(tableName, "tableName");
    this.onClose = onClose;
  }

  /** The name of the DynamoDB table this store keeps its items in. */
  public String tableName() {
    return tableName;
  }

  /** Creates this store's DynamoDB table unless it exists, and waits until it is active. */
  public void ensureTable() {
    ensureTable(client, tableName);
  }

  /**
   * Creates a DynamoDB table for the metadata store (on-demand billing, string keys {@code pk} and
   * {@code sk}) unless it exists, and waits until it is active.
   *
   * @throws StoreUnavailableException if DynamoDB cannot be reached or refuses
   */
  public static void ensureTable(DynamoDbClient client, String tableName) {
    try {
      try {
        client.describeTable(r -> r.tableName(tableName));
      } catch (ResourceNotFoundException missing) {
        try {
          client.createTable(
              r ->
                  r.tableName(tableName)
                      .billingMode(BillingMode.PAY_PER_REQUEST)
                      .attributeDefinitions(
                          AttributeDefinition.builder()
                              .attributeName(PK)
                              .attributeType(ScalarAttributeType.S)
                              .build(),
                          AttributeDefinition.builder()
                              .attributeName(SK)
                              .attributeType(ScalarAttributeType.S)
                              .build(),
                          AttributeDefinition.builder()
                              .attributeName(TIERING_PENDING)
                              .attributeType(ScalarAttributeType.S)
                              .build())
                      .keySchema(
                          KeySchemaElement.builder()
                              .attributeName(PK)
                              .keyType(KeyType.HASH)
                              .build(),
                          KeySchemaElement.builder()
                              .attributeName(SK)
                              .keyType(KeyType.RANGE)
                              .build())
                      .globalSecondaryIndexes(
                          GlobalSecondaryIndex.builder()
                              .indexName(PENDING_INDEX)
                              .keySchema(
                                  KeySchemaElement.builder()
                                      .attributeName(TIERING_PENDING)
                                      .keyType(KeyType.HASH)
                                      .build())
                              .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                              .build()));
        } catch (ResourceInUseException createdMeanwhile) {
          // someone else created it: wait for it below
        }
      }
      try (DynamoDbWaiter waiter =
          DynamoDbWaiter.builder()
              .client(client)
              .overrideConfiguration(
                  w ->
                      w.backoffStrategyV2(
                              BackoffStrategy.exponentialDelayWithoutJitter(
                                  Duration.ofMillis(50), Duration.ofSeconds(5)))
                          .maxAttempts(60))
              .build()) {
        waiter
            .waitUntilTableExists(r -> r.tableName(tableName))
            .matched()
            .exception()
            .ifPresent(
                e -> {
                  throw new StoreUnavailableException(
                      "Cannot create DynamoDB table '" + tableName + "': " + e.getMessage(), e);
                });
      }
      boolean indexed =
          client
              .describeTable(r -> r.tableName(tableName))
              .table()
              .globalSecondaryIndexes()
              .stream()
              .anyMatch(index -> index.indexName().equals(PENDING_INDEX));
      if (!indexed) {
        throw new StoreUnavailableException(
            missingIndex("Cannot use the metadata store", tableName), null);
      }
    } catch (SdkException e) {
      throw new StoreUnavailableException(
          "Cannot create DynamoDB table '" + tableName + "': " + describe(e), e);
    }
  }

  // ---- catalog ----

  @Override
  public Optional<TableEntry> table(TableName name) {
    return read("Cannot read table " + name, () -> item(DynamoDbItems.catalogKey(name)))
        .map(DynamoDbItems::tableEntry);
  }

  @Override
  public List<TableEntry> tables() {
    List<Map<String, AttributeValue>> items =
        read(
            "Cannot list tables",
            () -> {
              List<Map<String, AttributeValue>> all = new ArrayList<>();
              client
                  .scanPaginator(
                      ScanRequest.builder()
                          .tableName(tableName)
                          .consistentRead(true)
                          .filterExpression("begins_with(pk, :prefix) AND sk = :sk")
                          .expressionAttributeValues(
                              Map.of(":prefix", s(CATALOG_PREFIX), ":sk", s(CATALOG_SK)))
                          .build())
                  .items()
                  .forEach(all::add);
              return all;
            });
    return items.stream()
        .map(DynamoDbItems::tableEntry)
        .sorted(
            Comparator.comparing((TableEntry e) -> e.name().database())
                .thenComparing(e -> e.name().table()))
        .toList();
  }

  @Override
  public void createTable(TableEntry entry) {
    String what = "Cannot create table " + entry.name();
    putSchemaVersion(what, entry.tableId(), entry.schemaId(), entry.definition());
    conditionalWrite(
        what,
        "a table with this name exists",
        () ->
            client.putItem(
                put(DynamoDbItems.catalogItem(entry))
                    .conditionExpression("attribute_not_exists(pk)")
                    .build()),
        DynamoDbItems.catalogKey(entry.name()),
        stored -> sameEntry(stored, entry));
  }

  @Override
  public void evolveTable(TableEntry current, TableEntry next) {
    String what = "Cannot evolve table " + current.name() + " to schema " + next.schemaId();
    if (!current.name().equals(next.name()) || !current.tableId().equals(next.tableId())) {
      throw new IllegalArgumentException(
          what + ": the next entry must have the same name and table id as the current one");
    }
    putSchemaVersion(what, next.tableId(), next.schemaId(), next.definition());
    conditionalWrite(
        what,
        "the stored table is not table id "
            + current.tableId()
            + " at schema "
            + current.schemaId(),
        () ->
            client.putItem(
                put(DynamoDbItems.catalogItem(next))
                    .conditionExpression("tableId = :id AND schemaId = :old")
                    .expressionAttributeValues(
                        Map.of(":id", s(current.tableId()), ":old", n(current.schemaId())))
                    .build()),
        DynamoDbItems.catalogKey(next.name()),
        stored -> sameEntry(stored, next));
  }

  private static boolean sameEntry(Map<String, AttributeValue> stored, TableEntry entry) {
    TableEntry found = DynamoDbItems.tableEntry(stored);
    return found.tableId().equals(entry.tableId())
        && found.schemaId() == entry.schemaId()
        && found.definition().equals(entry.definition());
  }

  /** Writes a schema version unless it exists with the same definition. */
  private void putSchemaVersion(
      String what, String tableId, int schemaId, TableDefinition definition) {
    Map<String, AttributeValue> item = DynamoDbItems.schemaItem(tableId, schemaId, definition);
    conditionalWrite(
        what,
        "schema version " + schemaId + " of table " + tableId + " exists with another definition",
        () ->
            client.putItem(
                put(item)
                    .conditionExpression("attribute_not_exists(pk) OR #definition = :definition")
                    .expressionAttributeNames(Map.of("#definition", DynamoDbItems.DEFINITION))
                    .expressionAttributeValues(
                        Map.of(":definition", s(TableDefinitionJson.toJsonString(definition))))
                    .build()),
        DynamoDbItems.schemaKey(tableId, schemaId),
        stored -> DynamoDbItems.schemaDefinition(stored).equals(definition));
  }

  @Override
  public void dropTable(TableName name, String tableId) {
    conditionalWrite(
        "Cannot drop table " + name,
        "it does not exist with table id " + tableId,
        () ->
            client.deleteItem(
                DeleteItemRequest.builder()
                    .tableName(tableName)
                    .key(DynamoDbItems.catalogKey(name))
                    .conditionExpression("tableId = :id")
                    .expressionAttributeValues(Map.of(":id", s(tableId)))
                    .returnValuesOnConditionCheckFailure(
                        ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build()),
        DynamoDbItems.catalogKey(name),
        stored -> false);
  }

  @Override
  public Optional<TableDefinition> schema(String tableId, int schemaId) {
    return read(
            "Cannot read schema " + schemaId + " of table " + tableId,
            () -> item(DynamoDbItems.schemaKey(tableId, schemaId)))
        .map(DynamoDbItems::schemaDefinition);
  }

  // ---- bucket logs ----

  @Override
  public BucketHead head(TableBucket at) {
    String tableId = at.tableId();
    int bucket = at.bucket();
    return read(
            "Cannot read the head of bucket " + bucket + " of table " + tableId,
            () -> item(DynamoDbItems.headKey(at)))
        .map(item -> DynamoDbItems.bucketHead(bucket, item))
        .orElseGet(() -> BucketHead.empty(bucket));
  }

  @Override
  public void appendSlice(TableBucket at, long expectedNextOffset, Slice slice) {
    String tableId = at.tableId();
    int bucket = at.bucket();
    String what = "Cannot append to " + at + " of table " + tableId;
    if (slice.baseOffset() != expectedNextOffset) {
      throw new IllegalArgumentException(
          what
              + ": the slice's base offset "
              + slice.baseOffset()
              + " is not the expected next offset "
              + expectedNextOffset);
    }
    Map<String, AttributeValue> key = DynamoDbItems.headKey(at);
    String conflict = "its next offset is not " + expectedNextOffset + ", or it is closed";
    Predicate<Map<String, AttributeValue>> applied = stored -> holdsSlice(stored, slice);
    if (expectedNextOffset == 0) {
      // The first append creates the head. A head without slices can exist (see trimHead):
      // then the update below applies, conditioned on nextOffset = 0 like every other append.
      Optional<Refusal> refused =
          tryConditionalWrite(
              what,
              () ->
                  client.putItem(
                      put(DynamoDbItems.pendingHeadItem(at, slice))
                          .conditionExpression("attribute_not_exists(pk)")
                          .build()),
              key);
      if (refused.isEmpty() || refused.get().showsApplied(applied)) {
        return;
      }
      Map<String, AttributeValue> stored = refused.get().stored();
      if (!stored.containsKey(PK) || DynamoDbItems.bucketHead(bucket, stored).nextOffset() != 0) {
        throw new CommitConflictException(what + ": " + conflict);
      }
    }
    conditionalWrite(
        what,
        conflict,
        () ->
            client.updateItem(
                update(key)
                    .updateExpression(
                        "SET nextOffset = :next, lastTimestamp = :timestamp, slices.#base = :slice,"
                            + " #pending = :tableId")
                    .conditionExpression("nextOffset = :expected AND attribute_not_exists(closed)")
                    .expressionAttributeNames(
                        Map.of(
                            "#base",
                            Long.toString(slice.baseOffset()),
                            "#pending",
                            TIERING_PENDING))
                    .expressionAttributeValues(
                        Map.of(
                            ":next", n(slice.endOffset()),
                            ":timestamp", DynamoDbItems.instant(slice.timestamp()),
                            ":slice", DynamoDbItems.headSlice(slice),
                            ":tableId", s(at.tableId()),
                            ":expected", n(expectedNextOffset)))
                    .build()),
        key,
        applied);
  }

  private static boolean holdsSlice(Map<String, AttributeValue> stored, Slice slice) {
    if (!stored.containsKey(PK)) {
      return false;
    }
    Slice found = DynamoDbItems.bucketHead(0, stored).recentSlices().get(slice.baseOffset());
    return found != null && found.planKey().equals(slice.planKey());
  }

  @Override
  public void closeBucket(TableBucket at) {
    String tableId = at.tableId();
    String what = "Cannot close " + at + " of table " + tableId;
    try {
      client.updateItem(
          UpdateItemRequest.builder()
              .tableName(tableName)
              .key(DynamoDbItems.headKey(at))
              .updateExpression("SET closed = :true")
              .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true)))
              .build());
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  /**
   * A paginated Query of the sparse index {@value DynamoDbItems#PENDING_INDEX}, which holds the
   * keys of the marked heads only; eventually consistent, as every index is.
   */
  @Override
  public List<TableBucket> pendingBuckets(String tableId) {
    String what = "Cannot list the buckets pending tiering of table " + tableId;
    QueryRequest request =
        QueryRequest.builder()
            .tableName(tableName)
            .indexName(PENDING_INDEX)
            .keyConditionExpression("#pending = :tableId")
            .expressionAttributeNames(Map.of("#pending", TIERING_PENDING))
            .expressionAttributeValues(Map.of(":tableId", s(tableId)))
            .build();
    try {
      return client.queryPaginator(request).items().stream()
          .map(item -> DynamoDbItems.headBucket(tableId, item.get(PK).s()))
          .toList();
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (AwsServiceException e) {
      throw new StoreUnavailableException(
          isMissingIndex(e) ? missingIndex(what, tableName) : what + ": " + describe(e), e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  /**
   * An UpdateItem {@code REMOVE tieringPending} on {@code nextOffset = :upTo}; a refusal is fine.
   */
  @Override
  public void clearPending(TableBucket at, long tieredUpTo) {
    String what = "Cannot clear the tiering mark of " + at + " of table " + at.tableId();
    try {
      client.updateItem(
          UpdateItemRequest.builder()
              .tableName(tableName)
              .key(DynamoDbItems.headKey(at))
              .updateExpression("REMOVE #pending")
              .conditionExpression("nextOffset = :upTo")
              .expressionAttributeNames(Map.of("#pending", TIERING_PENDING))
              .expressionAttributeValues(Map.of(":upTo", n(tieredUpTo)))
              .build());
    } catch (ConditionalCheckFailedException e) {
      // Appended to since (its new rows keep the mark), or no head: nothing to clear.
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  private static boolean isMissingIndex(AwsServiceException e) {
    return e.awsErrorDetails() != null
        && "ValidationException".equals(e.awsErrorDetails().errorCode())
        && String.valueOf(e.awsErrorDetails().errorMessage()).contains(PENDING_INDEX);
  }

  private static String missingIndex(String what, String tableName) {
    return what
        + ": DynamoDB table '"
        + tableName
        + "' has no global secondary index '"
        + PENDING_INDEX
        + "' (or it is still being built). A table made before Sluice marked heads pending"
        + " tiering lacks it: apply the infra Terraform, which adds it (keys only, partition key"
        + " "
        + TIERING_PENDING
        + " of type S), or add it with aws dynamodb update-table; see docs/metadata-schema.md";
  }

  @Override
  public IndexPage putIndexPage(TableBucket at, IndexPage page) {
    String tableId = at.tableId();
    int bucket = at.bucket();
    String what =
        "Cannot put the index page at offset "
            + page.firstOffset()
            + " of "
            + at
            + " of table "
            + tableId;
    // A refused put found a page already stored at this offset: it is the page.
    Optional<Refusal> refused =
        tryConditionalWrite(
            what,
            () ->
                client.putItem(
                    put(DynamoDbItems.pageItem(at, page))
                        .conditionExpression("attribute_not_exists(pk)")
                        .build()),
            DynamoDbItems.pageKey(at, page.firstOffset()));
    if (refused.isEmpty() || !refused.get().stored().containsKey(PK)) {
      return page;
    }
    return DynamoDbItems.indexPage(bucket, refused.get().stored());
  }

  @Override
  public void trimHead(
      TableBucket at, long expectedIndexedUpTo, long newIndexedUpTo, Collection<Long> baseOffsets) {
    moveHeadBound(
        "Cannot trim the head of " + at + " of table " + at.tableId(),
        at,
        DynamoDbItems.INDEXED_UP_TO,
        BucketHead::indexedUpTo,
        expectedIndexedUpTo,
        newIndexedUpTo,
        baseOffsets,
        DynamoDbItems.headItem(at, 0, 0, newIndexedUpTo, List.of()));
  }

  @Override
  public void advanceLogStart(
      TableBucket at,
      long expectedLogStartOffset,
      long newLogStartOffset,
      Collection<Long> baseOffsets) {
    moveHeadBound(
        "Cannot advance the log start of " + at + " of table " + at.tableId(),
        at,
        DynamoDbItems.LOG_START_OFFSET,
        BucketHead::logStartOffset,
        expectedLogStartOffset,
        newLogStartOffset,
        baseOffsets,
        DynamoDbItems.headItem(at, 0, newLogStartOffset, 0, List.of()));
  }

  /**
   * Moves one offset bound of a head ({@code indexedUpTo} or {@code logStartOffset}) from {@code
   * expected} to {@code next} and removes the slices with these base offsets, in one UpdateItem
   * conditioned on that bound alone (never on {@code nextOffset}, so it never blocks an append). A
   * missing attribute, like a missing head, counts as 0; a missing head with {@code expected = 0}
   * is created without slices ({@code emptyHead}).
   */
  private void moveHeadBound(
      String what,
      TableBucket at,
      String attribute,
      ToLongFunction<BucketHead> bound,
      long expected,
      long next,
      Collection<Long> baseOffsets,
      Map<String, AttributeValue> emptyHead) {
    Map<String, AttributeValue> key = DynamoDbItems.headKey(at);
    Map<String, String> names = new HashMap<>();
    names.put("#bound", attribute);
    StringBuilder remove = new StringBuilder();
    int i = 0;
    for (Long base : baseOffsets) {
      String name = "#b" + i++;
      names.put(name, Long.toString(base));
      remove.append(remove.isEmpty() ? "REMOVE " : ", ").append("slices.").append(name);
    }
    String expression = "SET #bound = :new" + (remove.isEmpty() ? "" : " " + remove);
    String condition =
        expected == 0
            ? "attribute_exists(pk) AND (#bound = :expected OR attribute_not_exists(#bound))"
            : "attribute_exists(pk) AND #bound = :expected";
    Predicate<Map<String, AttributeValue>> applied =
        stored -> {
          if (!stored.containsKey(PK)) {
            return false;
          }
          BucketHead head = DynamoDbItems.bucketHead(at.bucket(), stored);
          return bound.applyAsLong(head) == next
              && baseOffsets.stream().noneMatch(head.recentSlices()::containsKey);
        };
    String conflict = "its " + attribute + " is not " + expected;
    Optional<Refusal> refused =
        tryConditionalWrite(
            what,
            () ->
                client.updateItem(
                    update(key)
                        .updateExpression(expression)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(
                            Map.of(":new", n(next), ":expected", n(expected)))
                        .build()),
            key);
    if (refused.isEmpty() || refused.get().showsApplied(applied)) {
      return;
    }
    if (refused.get().stored().containsKey(PK) || expected != 0) {
      throw new CommitConflictException(what + ": " + conflict);
    }
    // No head yet: its bound is 0, as expected. Create it without slices.
    conditionalWrite(
        what,
        conflict,
        () ->
            client.putItem(put(emptyHead).conditionExpression("attribute_not_exists(pk)").build()),
        key,
        applied);
  }

  @Override
  public void deleteIndexPage(TableBucket at, long firstOffset) {
    String tableId = at.tableId();
    delete(
        "Cannot delete the index page at offset "
            + firstOffset
            + " of "
            + at
            + " of table "
            + tableId,
        DynamoDbItems.pageKey(at, firstOffset));
  }

  @Override
  public List<IndexPage> indexPages(TableBucket at, long fromOffset, long toOffset, int limit) {
    String tableId = at.tableId();
    int bucket = at.bucket();
    long from = Math.max(0, fromOffset);
    if (toOffset <= from || limit <= 0) {
      return List.of();
    }
    String partition = DynamoDbItems.bucketPartition(at);
    return read(
        "Cannot read the index pages of bucket " + bucket + " of table " + tableId,
        () -> {
          List<IndexPage> pages = new ArrayList<>();
          // The page holding fromOffset is the last one starting at or below it.
          client
              .query(
                  pageQuery(
                          partition, DynamoDbItems.pageSortKey(0), DynamoDbItems.pageSortKey(from))
                      .scanIndexForward(false)
                      .limit(1)
                      .build())
              .items()
              .forEach(item -> pages.add(DynamoDbItems.indexPage(bucket, item)));
          pages.removeIf(page -> page.endOffset() <= from);
          if (from + 1 <= toOffset - 1 && pages.size() < limit) {
            for (Map<String, AttributeValue> item :
                client
                    .queryPaginator(
                        pageQuery(
                                partition,
                                DynamoDbItems.pageSortKey(from + 1),
                                DynamoDbItems.pageSortKey(toOffset - 1))
                            .limit(Math.min(limit - pages.size(), 100))
                            .build())
                    .items()) {
              pages.add(DynamoDbItems.indexPage(bucket, item));
              if (pages.size() >= limit) {
                break;
              }
            }
          }
          return List.copyOf(pages);
        });
  }

  private QueryRequest.Builder pageQuery(String partition, String low, String high) {
    return QueryRequest.builder()
        .tableName(tableName)
        .consistentRead(true)
        .keyConditionExpression("pk = :pk AND sk BETWEEN :low AND :high")
        .expressionAttributeValues(Map.of(":pk", s(partition), ":low", s(low), ":high", s(high)));
  }

  // ---- write plans ----

  @Override
  public Optional<Plan> plan(String tableId, String planKey) {
    return read(
            "Cannot read plan " + planKey + " of table " + tableId,
            () -> item(DynamoDbItems.planKey(tableId, planKey)))
        .map(DynamoDbItems::plan);
  }

  @Override
  public void putPlan(Plan plan) {
    conditionalWrite(
        "Cannot put plan " + plan.planKey() + " of table " + plan.tableId(),
        "an item exists at this plan key",
        () ->
            client.putItem(
                put(DynamoDbItems.planItem(plan))
                    .conditionExpression("attribute_not_exists(pk)")
                    .build()),
        DynamoDbItems.planKey(plan.tableId(), plan.planKey()),
        stored -> {
          Plan found = DynamoDbItems.plan(stored);
          return found.segmentKey().equals(plan.segmentKey())
              && found.status() == plan.status()
              && found.parts().equals(plan.parts());
        });
  }

  @Override
  public void startApplying(String tableId, String planKey) {
    decide(tableId, planKey, PlanStatus.APPLYING, "apply", "it is not pending");
  }

  @Override
  public void completePlan(Plan done) {
    conditionalWrite(
        "Cannot complete plan " + done.planKey() + " of table " + done.tableId(),
        "it is not pending",
        () ->
            client.updateItem(
                update(DynamoDbItems.planKey(done.tableId(), done.planKey()))
                    .updateExpression("SET #status = :done, #parts = :parts")
                    .conditionExpression("#status IN (:pending, :applying)")
                    .expressionAttributeNames(
                        Map.of("#status", DynamoDbItems.STATUS, "#parts", DynamoDbItems.PARTS))
                    .expressionAttributeValues(
                        Map.of(
                            ":done", s(PlanStatus.DONE.name()),
                            ":pending", s(PlanStatus.PENDING.name()),
                            ":applying", s(PlanStatus.APPLYING.name()),
                            ":parts", DynamoDbItems.parts(done.parts())))
                    .build()),
        DynamoDbItems.planKey(done.tableId(), done.planKey()),
        stored -> {
          Plan found = DynamoDbItems.plan(stored);
          return found.status() == PlanStatus.DONE && found.parts().equals(done.parts());
        });
  }

  @Override
  public void abortPlan(String tableId, String planKey) {
    decide(tableId, planKey, PlanStatus.ABORTED, "abort", "it is applying, done or missing");
  }

  /**
   * Moves a pending plan to its verdict, {@code APPLYING} or {@code ABORTED}, with one conditional
   * update; aborting an aborted plan again is a no-op.
   */
  private void decide(
      String tableId, String planKey, PlanStatus verdict, String verb, String conflict) {
    boolean repeatable = verdict == PlanStatus.ABORTED;
    conditionalWrite(
        "Cannot " + verb + " plan " + planKey + " of table " + tableId,
        conflict,
        () ->
            client.updateItem(
                update(DynamoDbItems.planKey(tableId, planKey))
                    .updateExpression("SET #status = :verdict")
                    .conditionExpression(
                        repeatable
                            ? "#status = :pending OR #status = :verdict"
                            : "#status = :pending")
                    .expressionAttributeNames(Map.of("#status", DynamoDbItems.STATUS))
                    .expressionAttributeValues(
                        Map.of(
                            ":verdict", s(verdict.name()),
                            ":pending", s(PlanStatus.PENDING.name())))
                    .build()),
        DynamoDbItems.planKey(tableId, planKey),
        stored -> {
          // An applied plan may have been completed since; it took effect all the same.
          PlanStatus status = DynamoDbItems.plan(stored).status();
          return status == verdict || (verdict == PlanStatus.APPLYING && status == PlanStatus.DONE);
        });
  }

  // ---- partitions ----

  /** The live items of the partition list {@code PT#<tableId>}: not the dropped ones. */
  @Override
  public List<String> partitions(String tableId) {
    QueryRequest request =
        QueryRequest.builder()
            .tableName(tableName)
            .consistentRead(true)
            .keyConditionExpression("pk = :pk")
            .filterExpression("attribute_not_exists(#dropped)")
            .expressionAttributeNames(Map.of("#dropped", DynamoDbItems.DROPPED))
            .expressionAttributeValues(Map.of(":pk", s(DynamoDbItems.partitionListKey(tableId))))
            .build();
    return read(
        "Cannot list the partitions of table " + tableId,
        () -> client.queryPaginator(request).items().stream().map(i -> i.get(SK).s()).toList());
  }

  /** A put of the list item, unless a dropped one is there: then nothing (a late writer). */
  @Override
  public void addPartition(String tableId, String partition) {
    String what = "Cannot record partition " + partition + " of table " + tableId;
    try {
      client.putItem(
          PutItemRequest.builder()
              .tableName(tableName)
              .item(DynamoDbItems.partitionItem(tableId, partition))
              .conditionExpression("attribute_not_exists(#dropped)")
              .expressionAttributeNames(Map.of("#dropped", DynamoDbItems.DROPPED))
              .build());
    } catch (ConditionalCheckFailedException e) {
      // The partition was dropped: it stays out of the list.
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  /** An unconditional put of the list item marked {@code dropped}, which stays for good. */
  @Override
  public void dropPartition(String tableId, String partition) {
    putUnconditionally(
        "Cannot drop partition " + partition + " of table " + tableId,
        DynamoDbItems.droppedPartitionItem(tableId, partition));
  }

  /**
   * A consistent Query of the plan partition for keys in {@code [fromKey, toKey)}, reading pages
   * only until it has {@code limit} plans.
   */
  @Override
  public List<Plan> plans(String tableId, String fromKey, String toKey, int limit) {
    if (fromKey.compareTo(toKey) >= 0 || limit <= 0) {
      return List.of();
    }
    QueryRequest request =
        QueryRequest.builder()
            .tableName(tableName)
            .consistentRead(true)
            .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
            .expressionAttributeValues(
                Map.of(
                    ":pk", s(DynamoDbItems.planPartition(tableId)),
                    // BETWEEN takes no empty string; "0" sorts below every plan key.
                    ":from", s(fromKey.isEmpty() ? "0" : fromKey),
                    ":to", s(toKey)))
            .limit(Math.min(limit + 1, 1000))
            .build();
    return read(
        "Cannot list the plans of table " + tableId,
        () -> {
          List<Plan> plans = new ArrayList<>();
          for (Map<String, AttributeValue> item : client.queryPaginator(request).items()) {
            if (plans.size() >= limit) {
              break;
            }
            Plan plan = DynamoDbItems.plan(item);
            if (plan.planKey().compareTo(toKey) < 0) {
              plans.add(plan);
            }
          }
          return List.copyOf(plans);
        });
  }

  @Override
  public Optional<Claim> claim(String tableId, String claimKey) {
    return read(
            "Cannot read claim " + claimKey + " of table " + tableId,
            () -> item(DynamoDbItems.claimKey(tableId, claimKey)))
        .map(DynamoDbItems::claim);
  }

  @Override
  public void putClaim(Claim claim) {
    conditionalWrite(
        "Cannot claim " + claim.claimKey() + " of table " + claim.tableId(),
        "another plan holds it",
        () ->
            client.putItem(
                put(DynamoDbItems.claimItem(claim))
                    .conditionExpression("attribute_not_exists(pk)")
                    .build()),
        DynamoDbItems.claimKey(claim.tableId(), claim.claimKey()),
        stored -> DynamoDbItems.claim(stored).planKey().equals(claim.planKey()));
  }

  @Override
  public void replaceClaim(Claim expected, Claim next) {
    conditionalWrite(
        "Cannot take over claim " + expected.claimKey() + " of table " + expected.tableId(),
        "it no longer names plan " + expected.planKey(),
        () ->
            client.putItem(
                put(DynamoDbItems.claimItem(next))
                    .conditionExpression("planKey = :expected")
                    .expressionAttributeValues(Map.of(":expected", s(expected.planKey())))
                    .build()),
        DynamoDbItems.claimKey(expected.tableId(), expected.claimKey()),
        stored ->
            stored.containsKey(PK) && DynamoDbItems.claim(stored).planKey().equals(next.planKey()));
  }

  @Override
  public void deleteClaim(Claim claim) {
    String what = "Cannot delete claim " + claim.claimKey() + " of table " + claim.tableId();
    try {
      client.deleteItem(
          DeleteItemRequest.builder()
              .tableName(tableName)
              .key(DynamoDbItems.claimKey(claim.tableId(), claim.claimKey()))
              .conditionExpression("planKey = :plan")
              .expressionAttributeValues(Map.of(":plan", s(claim.planKey())))
              .build());
    } catch (ConditionalCheckFailedException e) {
      // Missing, or taken over by another plan: not ours to delete.
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  @Override
  public SweepState sweepState(String tableId) {
    return read(
            "Cannot read the sweep state of table " + tableId,
            () -> item(DynamoDbItems.sweepKey(tableId)))
        .map(item -> DynamoDbItems.sweepState(tableId, item))
        .orElseGet(() -> SweepState.initial(tableId));
  }

  @Override
  public void putSweepState(SweepState state) {
    putUnconditionally(
        "Cannot record the sweep state of table " + state.tableId(),
        DynamoDbItems.sweepItem(state));
  }

  private void putUnconditionally(String what, Map<String, AttributeValue> item) {
    try {
      client.putItem(PutItemRequest.builder().tableName(tableName).item(item).build());
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  @Override
  public void deletePlan(String tableId, String planKey) {
    delete(
        "Cannot delete plan " + planKey + " of table " + tableId,
        DynamoDbItems.planKey(tableId, planKey));
  }

  // ---- leases and tiering ----

  @Override
  public Optional<Lease> lease(String tableId) {
    return read(
            "Cannot read the lease of table " + tableId,
            () -> item(DynamoDbItems.leaseKey(tableId)))
        .map(DynamoDbItems::lease);
  }

  @Override
  public void putLease(Optional<Lease> expected, Lease granted) {
    PutItemRequest.Builder request = put(DynamoDbItems.leaseItem(granted));
    String conflict;
    if (expected.isEmpty()) {
      request.conditionExpression("attribute_not_exists(pk)");
      conflict = "a lease exists";
    } else {
      request
          .conditionExpression("#epoch = :expected")
          .expressionAttributeNames(Map.of("#epoch", DynamoDbItems.EPOCH))
          .expressionAttributeValues(Map.of(":expected", n(expected.get().epoch())));
      conflict = "the stored lease is not at epoch " + expected.get().epoch();
    }
    conditionalWrite(
        "Cannot grant the lease of table " + granted.tableId() + " at epoch " + granted.epoch(),
        conflict,
        () -> client.putItem(request.build()),
        DynamoDbItems.leaseKey(granted.tableId()),
        stored -> DynamoDbItems.lease(stored).equals(granted));
  }

  @Override
  public Optional<TieringState> tieringState(String tableId, LakeFormatName format) {
    return read(
            "Cannot read the " + format.apiName() + " tiering state of table " + tableId,
            () -> item(DynamoDbItems.tieringKey(tableId, format)))
        .map(DynamoDbItems::tieringState);
  }

  @Override
  public void putTieringState(TieringState state) {
    String what =
        "Cannot record the "
            + state.format().apiName()
            + " tiering state of table "
            + state.tableId();
    try {
      client.putItem(put(DynamoDbItems.tieringItem(state)).build());
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  @Override
  public void close() {
    try {
      onClose.close();
    } catch (Exception e) {
      throw new StoreUnavailableException("Cannot close the DynamoDB client: " + e.getMessage(), e);
    }
  }

  // ---- requests and error translation ----

  private PutItemRequest.Builder put(Map<String, AttributeValue> item) {
    return PutItemRequest.builder()
        .tableName(tableName)
        .item(item)
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
  }

  private UpdateItemRequest.Builder update(Map<String, AttributeValue> key) {
    return UpdateItemRequest.builder()
        .tableName(tableName)
        .key(key)
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
  }

  /** An unconditional DeleteItem: deleting a missing item is not an error. */
  private void delete(String what, Map<String, AttributeValue> key) {
    try {
      client.deleteItem(DeleteItemRequest.builder().tableName(tableName).key(key).build());
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  private Optional<Map<String, AttributeValue>> item(Map<String, AttributeValue> key) {
    GetItemResponse response =
        client.getItem(r -> r.tableName(tableName).key(key).consistentRead(true));
    return response.hasItem() && !response.item().isEmpty()
        ? Optional.of(response.item())
        : Optional.empty();
  }

  private <T> T read(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new StoreUnavailableException(what + ": " + describe(e), e);
    }
  }

  /**
   * A conditional write that returns when it took effect, also when DynamoDB refused a retry of it
   * but the stored item shows that an earlier attempt took effect ({@code applied}).
   */
  private void conditionalWrite(
      String what,
      String conflict,
      Runnable call,
      Map<String, AttributeValue> key,
      Predicate<Map<String, AttributeValue>> applied) {
    Optional<Refusal> refused = tryConditionalWrite(what, call, key);
    if (refused.isPresent() && !refused.get().showsApplied(applied)) {
      throw new CommitConflictException(what + ": " + conflict);
    }
  }

  /**
   * A failed condition: the item as stored (empty when there is none), and whether the SDK had sent
   * the request more than once, so that an earlier attempt may have been written and its answer
   * lost.
   */
  private record Refusal(Map<String, AttributeValue> stored, boolean retried) {
    boolean showsApplied(Predicate<Map<String, AttributeValue>> applied) {
      return retried && applied.test(stored);
    }
  }

  /** Runs a conditional write: empty when it was written, else what refused it. */
  private Optional<Refusal> tryConditionalWrite(
      String what, Runnable call, Map<String, AttributeValue> key) {
    try {
      call.run();
      return Optional.empty();
    } catch (ConditionalCheckFailedException e) {
      boolean retried = e.numAttempts() == null || e.numAttempts() > 1;
      if (e.hasItem() && !e.item().isEmpty()) {
        return Optional.of(new Refusal(e.item(), retried));
      }
      // DynamoDB returns the old item (ReturnValuesOnConditionCheckFailure), not every stand-in.
      try {
        return Optional.of(new Refusal(item(key).orElse(Map.of()), retried));
      } catch (SdkException readBack) {
        readBack.addSuppressed(e);
        throw new CommitStateUnknownException(
            what
                + ": the condition failed and the item could not be read back to tell whether an"
                + " earlier attempt was written: "
                + describe(readBack),
            readBack);
      }
    } catch (ResourceNotFoundException e) {
      throw missingTable(what, e);
    } catch (SdkException e) {
      throw new CommitStateUnknownException(
          what + ": the write may or may not have taken effect: " + describe(e), e);
    }
  }

  private StoreUnavailableException missingTable(String what, ResourceNotFoundException e) {
    return new StoreUnavailableException(
        what
            + ": DynamoDB table '"
            + tableName
            + "' does not exist (create it with DynamoDbMetadataStore.ensureTable or the infra "
            + "Terraform)",
        e);
  }

  private static String describe(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      return service.awsErrorDetails().errorCode()
          + ": "
          + service.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }
}
