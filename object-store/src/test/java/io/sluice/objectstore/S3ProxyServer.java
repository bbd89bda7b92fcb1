package io.sluice.objectstore;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An s3proxy server in this JVM on a free loopback port, keeping objects in memory.
 *
 * <p>Its in-memory ("transient") store serves conditional puts ({@code If-None-Match: *})
 * atomically. Use {@link #s3Settings()} to reach it; {@link #createBucket} makes a bucket.
 */
public final class S3ProxyServer implements AutoCloseable {
  private static final String ACCESS_KEY = "sluice-access-key";
  private static final String SECRET_KEY = "sluice-secret-key";
  private static final String STARTED = "STARTED";

  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client admin;

  private S3ProxyServer(S3Proxy proxy, URI endpoint) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.admin = ObjectStores.s3Client(s3Settings());
  }

  /** Starts a server; {@link #stop()} it when done. */
  public static S3ProxyServer start() {
    Properties properties = new Properties();
    properties.setProperty("jclouds.identity", ACCESS_KEY);
    properties.setProperty("jclouds.credential", SECRET_KEY);
    BlobStore blobStore = BlobStores.create("transient", properties);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    try {
      proxy.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> STARTED.equals(proxy.getState()));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start s3proxy: " + e, e);
    }
    return new S3ProxyServer(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  /** Where the S3 API answers, e.g. {@code http://127.0.0.1:41234}. */
  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  public String region() {
    return "us-east-1";
  }

  /** Settings that reach this server: endpoint override, path-style access, its credentials. */
  public S3Settings s3Settings() {
    return S3Settings.builder()
        .endpoint(endpoint)
        .region(region())
        .pathStyleAccess()
        .credentials(ACCESS_KEY, SECRET_KEY)
        .build();
  }

  /** Creates a bucket; the name must follow S3's bucket naming rules. */
  public void createBucket(String name) {
    admin.createBucket(builder -> builder.bucket(name));
  }

  public void stop() {
    admin.close();
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop s3proxy at " + endpoint + ": " + e, e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
