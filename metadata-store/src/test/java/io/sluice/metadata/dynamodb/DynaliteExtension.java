package io.sluice.metadata.dynamodb;

import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Starts one dynalite per test class and hands out a {@link DynamoDbClient} for it: register it as
 * a static {@code @RegisterExtension} field (then use {@link #client()}) or with
 * {@code @ExtendWith} (then take a {@code DynamoDbClient} parameter).
 */
public final class DynaliteExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private DynaliteServer server;
  private DynamoDbClient client;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = DynaliteServer.start();
    client = newClient(server.endpoint());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      client = null;
      if (server != null) {
        server.close();
        server = null;
      }
    }
  }

  /** A client for this class's dynalite, closed after the class's tests. */
  public DynamoDbClient client() {
    if (client == null) {
      throw new IllegalStateException(
          "dynalite is not running: register DynaliteExtension on a static field");
    }
    return client;
  }

  /** The endpoint of this class's dynalite. */
  public URI endpoint() {
    client();
    return server.endpoint();
  }

  /** A new client for a dynalite at {@code endpoint}; the caller closes it. */
  public static DynamoDbClient newClient(URI endpoint) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("sluice", "sluice")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DynamoDbClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return client();
  }
}
