package io.sluice.objectstore;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension running one {@link S3ProxyServer} per test class and making a fresh bucket
 * for every test.
 *
 * <p>Register it on a static field: {@code @RegisterExtension static final S3ProxyExtension S3 =
 * new S3ProxyExtension();} then use {@link #bucket()}, {@link #location(String)} and {@link
 * #s3Settings()} in tests and in {@code @BeforeEach} methods.
 */
public final class S3ProxyExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private S3ProxyServer server;
  private String bucket;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = S3ProxyServer.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (server == null) {
      throw new IllegalStateException(
          "Cannot use S3ProxyExtension: register it on a static field so it starts before all tests");
    }
    bucket = "test-bucket-" + BUCKETS.incrementAndGet();
    server.createBucket(bucket);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  public S3ProxyServer server() {
    return server;
  }

  /** The bucket made for the current test. */
  public String bucket() {
    return bucket;
  }

  /** {@code s3://<bucket of this test>/<prefix>}. */
  public String location(String prefix) {
    return "s3://" + bucket + "/" + prefix;
  }

  public S3Settings s3Settings() {
    return server.s3Settings();
  }
}
