package io.sluice.bench.ingest;

import io.sluice.bench.OrderRows;
import io.sluice.core.log.AppendCommitter;
import io.sluice.core.service.AppendService;
import io.sluice.core.service.LogWaiter;
import io.sluice.core.service.RowBody;
import io.sluice.core.service.RowFormat;
import io.sluice.core.service.TableService;
import io.sluice.core.store.CountingObjectStore;
import io.sluice.core.table.TableDefinition;
import io.sluice.core.table.TableName;
import io.sluice.metadata.dynamodb.DynaliteServer;
import io.sluice.metadata.dynamodb.DynamoDbMetadataStore;
import io.sluice.objectstore.ObjectStores;
import io.sluice.objectstore.S3ProxyServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What a write costs in store requests: the write path in this JVM (the same {@link AppendService}
 * the server runs) on s3proxy and dynalite, under a counting object store and a DynamoDB client
 * that asks every call for its consumed capacity (dynalite computes it as DynamoDB does, from the
 * items' sizes). Measured at 1 and 16 clients on a table hashed over 4 buckets.
 */
final class IngestCost {
  /** The table: the ingest columns, hashed on {@code id} over 4 buckets, as a typical table is. */
  static final TableDefinition TABLE =
      OrderRows.table()
          .bucketKey(List.of("id"))
          .buckets(4)
          .lakeFormats(List.of())
          .build("Cannot define the cost benchmark table");

  /** One run's counts. */
  record Counts(
      int clients,
      long requests,
      long groups,
      long bodyBytes,
      long puts,
      long gets,
      long deletes,
      long lists,
      double readUnits,
      double writeUnits,
      long dynamoCalls) {

    double perMegabyte(double count) {
      return count / (bodyBytes / 1e6);
    }

    double perRequest(double count) {
      return count / requests;
    }

    double perGroup(double count) {
      return count / groups;
    }
  }

  private IngestCost() {}

  /** Runs the write path at each number of clients for {@code duration} and counts. */
  static List<Counts> measure(IngestPayload payload, List<Integer> clients, Duration duration)
      throws Exception {
    Capacity capacity = new Capacity();
    S3ProxyServer s3proxy = S3ProxyServer.start();
    ExecutorService executor = Executors.newCachedThreadPool();
    List<Counts> counts = new ArrayList<>();
    try (DynaliteServer dynalite = DynaliteServer.start();
        BufferAllocator allocator = new RootAllocator();
        DynamoDbClient client = client(dynalite, capacity)) {
      s3proxy.createBucket("sluice-cost");
      CountingObjectStore objects =
          new CountingObjectStore(
              ObjectStores.open("s3://sluice-cost/sluice", s3proxy.s3Settings()));
      DynamoDbMetadataStore metadata = new DynamoDbMetadataStore(client, "sluice_cost");
      DynamoDbMetadataStore.ensureTable(client, "sluice_cost");
      Clock clock = Clock.systemUTC();
      TableService tables = new TableService(metadata, clock);
      AppendService appends =
          new AppendService(
              tables,
              new AppendCommitter(objects, metadata, executor, clock),
              executor,
              allocator,
              new LogWaiter(),
              AppendService.Settings.DEFAULT);
      TableName name = TableName.parse("bench_cost");
      tables.create(name, TABLE);
      RowBody body = new RowBody(RowFormat.ARROW, payload.arrow());
      LoadLoop.Client writer = i -> () -> appends.append(name, body, Optional.empty());
      LoadLoop.run(4, 1_000_000, Duration.ofSeconds(5), writer); // warm-up, not counted
      for (int n : clients) {
        var before = objects.counts();
        Capacity.Snapshot units = capacity.snapshot();
        long groupsBefore = groups(objects);
        LoadLoop.Result result = LoadLoop.run(n, 1_000_000, duration, writer);
        var after = objects.counts();
        Capacity.Snapshot now = capacity.snapshot();
        counts.add(
            new Counts(
                n,
                result.ok(),
                groups(objects) - groupsBefore,
                result.ok() * (long) payload.arrow().length,
                delta(before, after, CountingObjectStore.Count.PUTS),
                delta(before, after, CountingObjectStore.Count.GETS),
                delta(before, after, CountingObjectStore.Count.DELETES),
                delta(before, after, CountingObjectStore.Count.LISTS),
                now.readUnits() - units.readUnits(),
                now.writeUnits() - units.writeUnits(),
                now.calls() - units.calls()));
        IngestBench.log("cost at " + n + " clients: " + counts.get(counts.size() - 1));
      }
    } finally {
      executor.shutdownNow();
      s3proxy.stop();
    }
    return counts;
  }

  /** Every group commit puts one segment. */
  private static long groups(CountingObjectStore objects) {
    return objects.count(CountingObjectStore.Count.PUTS);
  }

  private static long delta(
      Map<CountingObjectStore.Count, Long> before,
      Map<CountingObjectStore.Count, Long> after,
      CountingObjectStore.Count count) {
    return after.get(count) - before.get(count);
  }

  private static DynamoDbClient client(DynaliteServer dynalite, Capacity capacity) {
    return DynamoDbClient.builder()
        .endpointOverride(dynalite.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(capacity))
        .build();
  }

  /**
   * Asks every item call for its consumed capacity and adds it up. A conditional write whose
   * condition fails costs write units on DynamoDB too, but its error carries no capacity: those are
   * not counted (at most the conflicts of a run).
   */
  static final class Capacity implements ExecutionInterceptor {
    private final DoubleAdder readUnits = new DoubleAdder();
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final LongAdder calls = new LongAdder();

    record Snapshot(double readUnits, double writeUnits, long calls) {}

    Snapshot snapshot() {
      return new Snapshot(readUnits.sum(), writeUnits.sum(), calls.sum());
    }

    @Override
    public SdkRequest modifyRequest(
        Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
      SdkRequest request = context.request();
      ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
      if (request instanceof PutItemRequest put) {
        return put.toBuilder().returnConsumedCapacity(total).build();
      }
      if (request instanceof UpdateItemRequest update) {
        return update.toBuilder().returnConsumedCapacity(total).build();
      }
      if (request instanceof DeleteItemRequest delete) {
        return delete.toBuilder().returnConsumedCapacity(total).build();
      }
      if (request instanceof GetItemRequest get) {
        return get.toBuilder().returnConsumedCapacity(total).build();
      }
      if (request instanceof QueryRequest query) {
        return query.toBuilder().returnConsumedCapacity(total).build();
      }
      return request;
    }

    @Override
    public void afterExecution(
        Context.AfterExecution context, ExecutionAttributes executionAttributes) {
      calls.increment();
      Object response = context.response();
      if (response instanceof PutItemResponse put) {
        add(writeUnits, put.consumedCapacity());
      } else if (response instanceof UpdateItemResponse update) {
        add(writeUnits, update.consumedCapacity());
      } else if (response instanceof DeleteItemResponse delete) {
        add(writeUnits, delete.consumedCapacity());
      } else if (response instanceof GetItemResponse get) {
        add(readUnits, get.consumedCapacity());
      } else if (response instanceof QueryResponse query) {
        add(readUnits, query.consumedCapacity());
      }
    }

    private static void add(DoubleAdder units, ConsumedCapacity capacity) {
      if (capacity != null && capacity.capacityUnits() != null) {
        units.add(capacity.capacityUnits());
      }
    }
  }
}
