package io.sluice.metadata.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.metadata.BucketHead;
import io.sluice.core.metadata.IndexPage;
import io.sluice.core.metadata.Lease;
import io.sluice.core.metadata.MetadataStore;
import io.sluice.core.metadata.MetadataStoreContract;
import io.sluice.core.metadata.Plan;
import io.sluice.core.metadata.PlanMember;
import io.sluice.core.metadata.PlanPart;
import io.sluice.core.metadata.PlanStatus;
import io.sluice.core.metadata.Slice;
import io.sluice.core.metadata.TableBucket;
import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.StoreUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The metadata-store contract, and what only DynamoDB has, against dynalite on loopback. */
class DynamoDbMetadataStoreTest extends MetadataStoreContract {
  @RegisterExtension static final DynaliteExtension DYNALITE = new DynaliteExtension();

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  private String dynamoTable;
  private final LoseAnswers loseAnswers = new LoseAnswers();
  private DynamoDbClient lossyClient;

  @Override
  protected MetadataStore newStore() {
    dynamoTable = "sluice_" + UUID.randomUUID();
    DynamoDbMetadataStore created = new DynamoDbMetadataStore(DYNALITE.client(), dynamoTable);
    created.ensureTable();
    return created;
  }

  @AfterEach
  void closeLossyClient() {
    if (lossyClient != null) {
      lossyClient.close();
    }
  }

  /**
   * A store on the same table whose client loses the next answers: DynamoDB did the write, the
   * caller sees a 500 and the SDK retries it.
   */
  private DynamoDbMetadataStore lossyStore() {
    lossyClient =
        DynamoDbClient.builder()
            .endpointOverride(DYNALITE.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("sluice", "sluice")))
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(
                c -> c.retryStrategy(RetryMode.STANDARD).addExecutionInterceptor(loseAnswers))
            .build();
    return new DynamoDbMetadataStore(lossyClient, dynamoTable);
  }

  /** Turns the next answers into internal server errors after DynamoDB has acted on them. */
  private static final class LoseAnswers implements ExecutionInterceptor {
    private final AtomicInteger toLose = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();

    void next(int answers) {
      toLose.set(answers);
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        lost.incrementAndGet();
        return context.httpResponse().toBuilder().statusCode(500).build();
      }
      return context.httpResponse();
    }
  }

  private static Slice slice(long base, long count, String planKey) {
    return new Slice(base, count, "seg/" + planKey, 10, 200, 1, T0.plusMillis(base), planKey);
  }

  private Plan plan(String planKey, String segment) {
    return new Plan(
        tableId,
        planKey,
        "seg/" + segment,
        1,
        T0,
        List.of(new PlanPart(0, 5, 0, 100, 0, -1), new PlanPart(2, 3, 100, 50, 7, -1)),
        List.of(
            new PlanMember(
                "k-" + segment,
                "hash-" + segment,
                List.of(new PlanMember.Range(0, 0, 5), new PlanMember.Range(2, 0, 3)))),
        PlanStatus.PENDING,
        T0);
  }

  // ---- lost answers ----

  @Test
  void anAppendWhoseAnswerWasLostSucceedsOnTheRetryThatFindsIt() {
    DynamoDbMetadataStore lossy = lossyStore();
    loseAnswers.next(1);
    lossy.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 5, "r1"));
    loseAnswers.next(1);
    lossy.appendSlice(TableBucket.of(tableId, 0), 5, slice(5, 2, "r2"));

    assertThat(loseAnswers.lost).hasValue(2);
    BucketHead head = store.head(TableBucket.of(tableId, 0));
    assertThat(head.nextOffset()).isEqualTo(7);
    assertThat(head.recentSlices().values()).containsExactly(slice(0, 5, "r1"), slice(5, 2, "r2"));
  }

  @Test
  void aRetriedAppendThatFindsAnotherRequestsSliceConflicts() {
    store.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 5, "other"));
    DynamoDbMetadataStore lossy = lossyStore();
    loseAnswers.next(1);

    assertThatThrownBy(() -> lossy.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 3, "mine")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("Cannot append to bucket 0 of table " + tableId)
        .hasMessageContaining("next offset is not 0");
    assertThat(store.head(TableBucket.of(tableId, 0)).recentSlices().get(0L).planKey())
        .isEqualTo("other");
  }

  @Test
  void aSecondAttemptAtTheSameAppendIsAConflictWhenNoAnswerWasLost() {
    store.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 5, "r1"));

    assertThatThrownBy(() -> store.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 5, "r1")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("next offset is not 0");
  }

  @Test
  void planAndLeaseWritesWhoseAnswersWereLostSucceedOnTheirRetries() {
    DynamoDbMetadataStore lossy = lossyStore();
    Plan pending = plan("key-1", "req-1");
    loseAnswers.next(1);
    lossy.putPlan(pending);
    assertThat(store.plan(tableId, "key-1")).contains(pending);

    loseAnswers.next(1);
    assertThatThrownBy(() -> lossy.putPlan(plan("key-1", "req-2")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("Cannot put plan key-1 of table " + tableId);

    Plan done =
        pending.with(
            PlanStatus.DONE,
            List.of(pending.parts().get(0).appliedAt(0), pending.parts().get(1).appliedAt(7)));
    loseAnswers.next(1);
    lossy.completePlan(done);
    assertThat(store.plan(tableId, "key-1")).contains(done);

    Lease lease = new Lease(tableId, "tierer", 1, T0);
    loseAnswers.next(1);
    lossy.putLease(Optional.empty(), lease);
    Lease next = new Lease(tableId, "tierer", 2, T0.plusSeconds(30));
    loseAnswers.next(1);
    lossy.putLease(Optional.of(lease), next);
    assertThat(store.lease(tableId)).contains(next);
    assertThat(loseAnswers.lost).hasValue(5);
  }

  // ---- item layout ----

  @Test
  void findsThePagesOverlappingARangeWithoutReadingEveryPage() {
    for (long base = 0; base < 40; base += 4) {
      store.appendSlice(TableBucket.of(tableId, 1), base, slice(base, 4, "r" + base));
    }
    IndexPage first = new IndexPage(1, 0, 16, slices(0, 16));
    IndexPage second = new IndexPage(1, 16, 32, slices(16, 32));
    store.putIndexPage(TableBucket.of(tableId, 1), first);
    store.trimHead(TableBucket.of(tableId, 1), 0, 16, List.of(0L, 4L, 8L, 12L));
    store.putIndexPage(TableBucket.of(tableId, 1), second);
    store.trimHead(TableBucket.of(tableId, 1), 16, 32, List.of(16L, 20L, 24L, 28L));

    assertThat(store.head(TableBucket.of(tableId, 1)).recentSlices()).containsOnlyKeys(32L, 36L);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 0, 40)).containsExactly(first, second);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 15, 16)).containsExactly(first);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 16, 17)).containsExactly(second);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 5, 20)).containsExactly(first, second);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 31, 1000)).containsExactly(second);
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 32, 40)).isEmpty();
    assertThat(store.indexPages(TableBucket.of(tableId, 1), 10, 10)).isEmpty();
  }

  private static List<Slice> slices(long from, long to) {
    return LongStream.iterate(from, b -> b < to, b -> b + 4)
        .mapToObj(b -> slice(b, 4, "r" + b))
        .toList();
  }

  @Test
  void aTrimOfABucketNeverAppendedToLetsTheFirstAppendThrough() {
    store.trimHead(TableBucket.of(tableId, 4), 0, 0, List.of());
    store.appendSlice(TableBucket.of(tableId, 4), 0, slice(0, 3, "r1"));

    assertThat(store.head(TableBucket.of(tableId, 4)).nextOffset()).isEqualTo(3);
    assertThat(store.head(TableBucket.of(tableId, 4)).recentSlices()).containsOnlyKeys(0L);
  }

  @Test
  void keepsTimestampsToTheNanosecond() {
    store.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1"));

    assertThat(store.head(TableBucket.of(tableId, 0)).lastTimestamp()).isEqualTo(T0);
    assertThat(store.head(TableBucket.of(tableId, 0)).recentSlices().get(0L).timestamp())
        .isEqualTo(T0);
  }

  // ---- wiring and failures ----

  @Test
  void aMissingDynamoDbTableIsReportedByName() {
    DynamoDbMetadataStore missing = new DynamoDbMetadataStore(DYNALITE.client(), "no_such_table");

    assertThatThrownBy(() -> missing.head(TableBucket.of(tableId, 0)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("Cannot read the head of bucket 0 of table " + tableId)
        .hasMessageContaining("DynamoDB table 'no_such_table' does not exist");
    assertThatThrownBy(() -> missing.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1")))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("DynamoDB table 'no_such_table' does not exist");
    assertThatThrownBy(missing::tables)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("Cannot list tables")
        .hasMessageContaining("no_such_table");
  }

  @Test
  void aTableMadeWithoutThePendingIndexIsRefusedWithTheWayToAddIt() {
    String name = "sluice_" + UUID.randomUUID();
    DYNALITE
        .client()
        .createTable(
            r ->
                r.tableName(name)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                        a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                    .keySchema(
                        k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("sk").keyType(KeyType.RANGE)));
    DynamoDbMetadataStore unindexed = new DynamoDbMetadataStore(DYNALITE.client(), name);

    assertThatThrownBy(unindexed::ensureTable)
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("Cannot use the metadata store")
        .hasMessageContaining("DynamoDB table '" + name + "' has no global secondary index")
        .hasMessageContaining("apply the infra Terraform");
    unindexed.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1"));
    assertThatThrownBy(() -> unindexed.pendingBuckets(tableId))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("Cannot list the buckets pending tiering of table " + tableId)
        .hasMessageContaining("has no global secondary index 'tiering-pending'");
  }

  @Test
  void marksAHeadWithoutAnExtraRequestAndIndexesOnlyTheMarkedHeads() {
    AtomicInteger requests = new AtomicInteger();
    ExecutionInterceptor counter =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            requests.incrementAndGet();
          }
        };
    try (DynamoDbClient counted =
        DynamoDbClient.builder()
            .endpointOverride(DYNALITE.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("sluice", "sluice")))
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(c -> c.addExecutionInterceptor(counter))
            .build()) {
      DynamoDbMetadataStore countedStore = new DynamoDbMetadataStore(counted, dynamoTable);
      countedStore.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1"));
      countedStore.appendSlice(TableBucket.of(tableId, 0), 1, slice(1, 2, "r2"));
      assertThat(requests).as("one write per append").hasValue(2);
    }
    store.closeBucket(TableBucket.of(tableId, 1));
    store.advanceLogStart(TableBucket.of(tableId, 2), 0, 0, List.of());

    assertThat(store.pendingBuckets(tableId)).containsExactly(TableBucket.of(tableId, 0));
  }

  @Test
  void opensFromSettingsAndCreatesItsTable() {
    String name = "sluice_" + UUID.randomUUID();
    try (DynamoDbMetadataStore opened =
        DynamoDbMetadataStores.open(
            DynamoDbSettings.builder(name)
                .endpoint(DYNALITE.endpoint())
                .credentials("any", "any")
                .createTableIfMissing()
                .build())) {
      opened.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1"));

      assertThat(opened.tableName()).isEqualTo(name);
      assertThat(
              new DynamoDbMetadataStore(DYNALITE.client(), name)
                  .head(TableBucket.of(tableId, 0))
                  .nextOffset())
          .isEqualTo(1);
    }
  }

  @Test
  void anUnreachableDynamoDbIsUnavailableForReadsAndUnknownForWrites() {
    try (DynamoDbMetadataStore unreachable =
        DynamoDbMetadataStores.open(
            DynamoDbSettings.builder("sluice")
                .endpoint(URI.create("http://127.0.0.1:1"))
                .credentials("any", "any")
                .callTimeout(Duration.ofSeconds(5))
                .build())) {
      assertThatThrownBy(() -> unreachable.head(TableBucket.of(tableId, 0)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("Cannot read the head of bucket 0 of table " + tableId);
      assertThatThrownBy(
              () -> unreachable.appendSlice(TableBucket.of(tableId, 0), 0, slice(0, 1, "r1")))
          .isInstanceOf(CommitStateUnknownException.class)
          .hasMessageContaining("Cannot append to bucket 0 of table " + tableId)
          .hasMessageContaining("may or may not have taken effect");
    }
  }
}
