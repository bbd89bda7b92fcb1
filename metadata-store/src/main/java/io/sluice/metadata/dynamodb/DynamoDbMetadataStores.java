package io.sluice.metadata.dynamodb;

import io.sluice.core.store.StoreUnavailableException;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/** Opens a {@link DynamoDbMetadataStore} from {@link DynamoDbSettings}, wiring its client. */
public final class DynamoDbMetadataStores {
  private DynamoDbMetadataStores() {}

  /**
   * A store on the settings' table that closes its client when closed; creates the table first when
   * the settings ask for it.
   *
   * @throws StoreUnavailableException if the table cannot be created
   */
  public static DynamoDbMetadataStore open(DynamoDbSettings settings) {
    DynamoDbClient client;
    try {
      client = client(settings);
    } catch (SdkException e) {
      throw new StoreUnavailableException(
          "Cannot open the DynamoDB metadata store on table '"
              + settings.tableName()
              + "': "
              + e.getMessage(),
          e);
    }
    DynamoDbMetadataStore store =
        new DynamoDbMetadataStore(client, settings.tableName(), client::close);
    if (settings.createsTable()) {
      try {
        store.ensureTable();
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  private static DynamoDbClient client(DynamoDbSettings settings) {
    AwsCredentialsProvider credentials =
        settings.accessKeyId().isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    settings.accessKeyId().get(), settings.secretAccessKey().orElseThrow()))
            : DefaultCredentialsProvider.builder().build();
    DynamoDbClientBuilder builder =
        DynamoDbClient.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2))
                    .socketTimeout(Duration.ofSeconds(10)))
            .overrideConfiguration(
                c ->
                    c.retryStrategy(RetryMode.STANDARD)
                        .apiCallAttemptTimeout(Duration.ofSeconds(10))
                        .apiCallTimeout(settings.callTimeout()));
    settings.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }
}
