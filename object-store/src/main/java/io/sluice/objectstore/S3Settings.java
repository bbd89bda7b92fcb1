package io.sluice.objectstore;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an S3 API: endpoint override, region, path-style access and static credentials.
 *
 * <p>Without static credentials the AWS SDK's default credentials chain is used; without a region
 * the SDK's default region chain, or {@code us-east-1} when an endpoint override is set.
 */
public final class S3Settings {
  private static final S3Settings DEFAULTS = builder().build();

  private final URI endpoint;
  private final String region;
  private final boolean pathStyleAccess;
  private final String accessKey;
  private final String secretKey;

  private S3Settings(Builder builder) {
    this.endpoint = builder.endpoint;
    this.region = builder.region;
    this.pathStyleAccess = builder.pathStyleAccess;
    this.accessKey = builder.accessKey;
    this.secretKey = builder.secretKey;
  }

  /** Settings for AWS itself: default endpoint, region chain and credentials chain. */
  public static S3Settings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The endpoint to use instead of AWS's, e.g. {@code http://127.0.0.1:9000} for MinIO. */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** Whether buckets go into the path ({@code host/bucket/key}) instead of the host name. */
  public boolean pathStyleAccess() {
    return pathStyleAccess;
  }

  public Optional<String> accessKey() {
    return Optional.ofNullable(accessKey);
  }

  public Optional<String> secretKey() {
    return Optional.ofNullable(secretKey);
  }

  @Override
  public String toString() {
    return "S3Settings{endpoint="
        + endpoint
        + ", region="
        + region
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", accessKey="
        + accessKey
        + ", secretKey="
        + (secretKey == null ? null : "****")
        + "}";
  }

  /** Builds {@link S3Settings}; every setting is optional. */
  public static final class Builder {
    private URI endpoint;
    private String region;
    private boolean pathStyleAccess;
    private String accessKey;
    private String secretKey;

    private Builder() {}

    public Builder endpoint(URI newEndpoint) {
      this.endpoint = Objects.requireNonNull(newEndpoint, "endpoint");
      return this;
    }

    public Builder region(String newRegion) {
      this.region = Objects.requireNonNull(newRegion, "region");
      return this;
    }

    /** Puts the bucket into the path, as MinIO, s3proxy and most S3-compatible stores want. */
    public Builder pathStyleAccess() {
      this.pathStyleAccess = true;
      return this;
    }

    /** Uses these static credentials instead of the SDK's default credentials chain. */
    public Builder credentials(String newAccessKey, String newSecretKey) {
      this.accessKey = Objects.requireNonNull(newAccessKey, "accessKey");
      this.secretKey = Objects.requireNonNull(newSecretKey, "secretKey");
      return this;
    }

    public S3Settings build() {
      return new S3Settings(this);
    }
  }
}
