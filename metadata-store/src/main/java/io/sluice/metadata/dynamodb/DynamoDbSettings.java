package io.sluice.metadata.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the DynamoDB metadata store lives: table name, region, an optional endpoint (a DynamoDB API
 * stand-in, LocalStack) and optional static credentials (else the default AWS chain).
 */
public final class DynamoDbSettings {
  private final String tableName;
  private final String region;
  private final Optional<URI> endpoint;
  private final Optional<String> accessKeyId;
  private final Optional<String> secretAccessKey;
  private final boolean createTable;
  private final Duration callTimeout;

  private DynamoDbSettings(Builder builder) {
    this.tableName = builder.tableName;
    this.region = builder.region;
    this.endpoint = Optional.ofNullable(builder.endpoint);
    this.accessKeyId = Optional.ofNullable(builder.accessKeyId);
    this.secretAccessKey = Optional.ofNullable(builder.secretAccessKey);
    this.createTable = builder.createTable;
    this.callTimeout = builder.callTimeout;
  }

  /** Settings for the DynamoDB table {@code tableName}. */
  public static Builder builder(String tableName) {
    return new Builder(tableName);
  }

  public String tableName() {
    return tableName;
  }

  public String region() {
    return region;
  }

  public Optional<URI> endpoint() {
    return endpoint;
  }

  public Optional<String> accessKeyId() {
    return accessKeyId;
  }

  public Optional<String> secretAccessKey() {
    return secretAccessKey;
  }

  /** Whether opening the store creates its DynamoDB table when it is missing. */
  public boolean createsTable() {
    return createTable;
  }

  /** The longest one call may take, retries included. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Builds {@link DynamoDbSettings}. */
  public static final class Builder {
    private final String tableName;
    private String region = "us-east-1";
    private URI endpoint;
    private String accessKeyId;
    private String secretAccessKey;
    private boolean createTable;
    private Duration callTimeout = Duration.ofSeconds(30);

    private Builder(String tableName) {
      this.tableName = Objects.requireNonNull(tableName, "tableName");
    }

    public Builder region(String value) {
      this.region = Objects.requireNonNull(value, "region");
      return this;
    }

    /** Talks to this endpoint instead of the region's DynamoDB endpoint. */
    public Builder endpoint(URI value) {
      this.endpoint = Objects.requireNonNull(value, "endpoint");
      return this;
    }

    /** Uses these static credentials instead of the default AWS credentials chain. */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
      this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      return this;
    }

    /** Creates the DynamoDB table on open when it is missing. */
    public Builder createTableIfMissing() {
      this.createTable = true;
      return this;
    }

    public Builder callTimeout(Duration value) {
      this.callTimeout = Objects.requireNonNull(value, "callTimeout");
      return this;
    }

    public DynamoDbSettings build() {
      return new DynamoDbSettings(this);
    }
  }
}
