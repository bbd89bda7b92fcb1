package io.sluice.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.metadata.dynamodb.DynaliteServer;
import io.sluice.objectstore.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The AWS shape on local stand-ins: S3 through s3proxy and DynamoDB through dynalite, both on
 * loopback, reached with endpoint overrides as MinIO or LocalStack would be. The lake warehouse is
 * on the same S3 bucket; its Iceberg catalog is JDBC on a SQLite file (Glue has no stand-in here).
 */
public class AwsStandInsProfile implements QuarkusTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return EmbeddedProfile.withCommon(
        Map.of(
            "sluice.data-dir",
            EmbeddedProfile.dataDir("aws").toString(),
            "sluice.max-body-bytes",
            Integer.toString(ServerScenarios.MAX_BODY_BYTES)));
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(StandIns.class));
  }

  /** Starts s3proxy and dynalite and points the server at them. */
  public static class StandIns implements QuarkusTestResourceLifecycleManager {
    private static final String BUCKET = "sluice-it";
    private static final String TABLE = "sluice_it";

    private final Path dynamoDir;
    private S3ProxyServer s3;
    private DynaliteServer dynamo;

    /** dynalite in memory, as the test profiles run it. */
    public StandIns() {
      this(null);
    }

    /** dynalite keeping its tables in {@code dynamoDir}, or in memory when it is null. */
    StandIns(Path dynamoDir) {
      this.dynamoDir = dynamoDir;
    }

    @Override
    public Map<String, String> start() {
      Path catalog = EmbeddedProfile.dataDir("aws-iceberg-catalog");
      try {
        Files.createDirectories(catalog);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      s3 = S3ProxyServer.start();
      s3.createBucket(BUCKET);
      dynamo = dynamoDir == null ? DynaliteServer.start() : DynaliteServer.persistingTo(dynamoDir);
      URI s3Endpoint = s3Endpoint(s3.endpoint());
      URI dynamoEndpoint = dynamoEndpoint(dynamo.endpoint());
      return Map.ofEntries(
          Map.entry("sluice.object-store.uri", "s3://" + BUCKET + "/sluice"),
          Map.entry("sluice.object-store.endpoint", s3Endpoint.toString()),
          Map.entry("sluice.object-store.path-style", "true"),
          Map.entry("sluice.object-store.region", s3.region()),
          Map.entry("sluice.object-store.access-key", s3.accessKey()),
          Map.entry("sluice.object-store.secret-key", s3.secretKey()),
          Map.entry("sluice.metadata.uri", "dynamodb:" + TABLE),
          Map.entry("sluice.metadata.endpoint", dynamoEndpoint.toString()),
          Map.entry("sluice.metadata.region", "us-east-1"),
          Map.entry("sluice.metadata.access-key", "sluice"),
          Map.entry("sluice.metadata.secret-key", "sluice"),
          Map.entry("sluice.metadata.create-table", "true"),
          Map.entry("sluice.lake.warehouse", "s3://" + BUCKET + "/sluice/lake"),
          Map.entry(
              "sluice.lake.iceberg-uri",
              "jdbc:sqlite:" + catalog.resolve("iceberg-catalog.db").toAbsolutePath()));
    }

    /** Where the server reaches S3, given where s3proxy listens. */
    protected URI s3Endpoint(URI s3proxy) {
      return s3proxy;
    }

    /** Where the server reaches DynamoDB, given where dynalite listens. */
    protected URI dynamoEndpoint(URI dynalite) {
      return dynalite;
    }

    @Override
    public void stop() {
      try {
        if (dynamo != null) {
          dynamo.close();
        }
      } finally {
        if (s3 != null) {
          s3.stop();
        }
      }
    }
  }
}
