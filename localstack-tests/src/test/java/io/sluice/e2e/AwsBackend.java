package io.sluice.e2e;

import io.sluice.metadata.dynamodb.DynaliteServer;
import io.sluice.objectstore.S3ProxyServer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The AWS APIs the functions talk to: LocalStack (S3 and DynamoDB in one container, through
 * Testcontainers) where a Docker engine answers, otherwise the local stand-ins, s3proxy and
 * dynalite, on loopback. System property {@value #PROPERTY} = {@code localstack}, {@code standins}
 * or {@code auto} (default) decides; a forced choice that cannot start fails the suite, and the
 * choice made is logged. Nothing is ever skipped.
 */
public abstract class AwsBackend implements AutoCloseable {
  public static final String PROPERTY = "sluice.e2e.backend";
  static final String LOCALSTACK_IMAGE = "localstack/localstack:4.4";
  static final String BUCKET = "sluice-e2e";
  static final String TABLE = "sluice_e2e";

  private static final Logger LOG = Logger.getLogger(AwsBackend.class.getName());

  /** The functions' configuration that points them at this backend ({@code SLUICE_*} variables). */
  public abstract Map<String, String> environment();

  /** What runs the AWS APIs, for the log and reports. */
  public abstract String description();

  /** Starts the backend that the system property or Docker's presence chooses. */
  public static AwsBackend start() {
    String wanted = System.getProperty(PROPERTY, "auto").toLowerCase(Locale.ROOT);
    AwsBackend backend;
    switch (wanted) {
      case "localstack" -> backend = new LocalStack();
      case "standins" -> backend = new StandIns();
      case "auto" -> {
        boolean docker = dockerAvailable();
        LOG.info(
            "End-to-end backend: "
                + (docker
                    ? "LocalStack (a Docker engine answers)"
                    : "s3proxy + dynalite (no Docker engine)")
                + "; -D"
                + PROPERTY
                + "=localstack|standins forces one");
        backend = docker ? new LocalStack() : new StandIns();
      }
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be localstack, standins or auto, not '" + wanted + "'");
    }
    LOG.info("End-to-end backend in use: " + backend.description());
    System.out.println("[e2e] AWS APIs served by " + backend.description());
    return backend;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static Map<String, String> stores(
      String s3Endpoint, String dynamoEndpoint, String region, String accessKey, String secretKey) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SLUICE_OBJECT_STORE_URI", "s3://" + BUCKET + "/sluice");
    env.put("SLUICE_OBJECT_STORE_ENDPOINT", s3Endpoint);
    env.put("SLUICE_OBJECT_STORE_PATH_STYLE", "true");
    env.put("SLUICE_OBJECT_STORE_REGION", region);
    env.put("SLUICE_OBJECT_STORE_ACCESS_KEY", accessKey);
    env.put("SLUICE_OBJECT_STORE_SECRET_KEY", secretKey);
    env.put("SLUICE_METADATA_URI", "dynamodb:" + TABLE);
    env.put("SLUICE_METADATA_ENDPOINT", dynamoEndpoint);
    env.put("SLUICE_METADATA_REGION", region);
    env.put("SLUICE_METADATA_ACCESS_KEY", accessKey);
    env.put("SLUICE_METADATA_SECRET_KEY", secretKey);
    env.put("SLUICE_METADATA_CREATE_TABLE", "true");
    return env;
  }

  /** s3proxy (in this JVM) and dynalite (a Node.js process), on loopback. */
  static final class StandIns extends AwsBackend {
    private final S3ProxyServer s3 = S3ProxyServer.start();
    private final DynaliteServer dynamo;

    StandIns() {
      s3.createBucket(BUCKET);
      dynamo = DynaliteServer.start();
    }

    @Override
    public Map<String, String> environment() {
      return stores(
          s3.endpoint().toString(),
          dynamo.endpoint().toString(),
          s3.region(),
          s3.accessKey(),
          s3.secretKey());
    }

    @Override
    public String description() {
      return "s3proxy " + s3.endpoint() + " + dynalite " + dynamo.endpoint();
    }

    @Override
    public void close() {
      try {
        dynamo.close();
      } finally {
        s3.stop();
      }
    }
  }

  /** LocalStack's S3 and DynamoDB in one container. */
  static final class LocalStack extends AwsBackend {
    private final LocalStackContainer container =
        new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE))
            .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.DYNAMODB);

    LocalStack() {
      container.start();
      try {
        var result = container.execInContainer("awslocal", "s3", "mb", "s3://" + BUCKET);
        if (result.getExitCode() != 0) {
          throw new IllegalStateException("Cannot create bucket in LocalStack: " + result);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Map<String, String> environment() {
      String endpoint = container.getEndpoint().toString();
      return stores(
          endpoint,
          endpoint,
          container.getRegion(),
          container.getAccessKey(),
          container.getSecretKey());
    }

    @Override
    public String description() {
      return "LocalStack " + LOCALSTACK_IMAGE + " at " + container.getEndpoint();
    }

    @Override
    public void close() {
      container.stop();
    }
  }
}
