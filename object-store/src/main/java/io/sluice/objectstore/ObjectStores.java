package io.sluice.objectstore;

import io.sluice.core.store.ObjectStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Opens the {@link ObjectStore} a location names: {@code s3://bucket/prefix}, {@code file:///path}
 * or a plain path.
 */
public final class ObjectStores {
  /** A URI scheme; one letter is a Windows drive, so a path. */
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

  private ObjectStores() {}

  /** Opens {@code location}, reaching S3 with the SDK's default region and credentials. */
  public static ObjectStore open(String location) {
    return open(location, S3Settings.defaults());
  }

  /** Opens {@code location}; {@code s3Settings} are used only for an {@code s3://} location. */
  public static ObjectStore open(String location, S3Settings s3Settings) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("Cannot open object store: its location is empty");
    }
    Matcher matcher = SCHEME.matcher(location);
    if (!matcher.find()) {
      return new LocalObjectStore(Path.of(location));
    }
    String scheme = matcher.group(1);
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "file":
        return new LocalObjectStore(Path.of(parse(location)));
      case "s3":
        return openS3(parse(location), s3Settings);
      default:
        throw new IllegalArgumentException(
            "Cannot open object store "
                + location
                + ": unknown scheme "
                + scheme
                + " (use s3://bucket/prefix, file:///path or a path)");
    }
  }

  private static ObjectStore openS3(URI uri, S3Settings settings) {
    String bucket = uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("Cannot open object store " + uri + ": no bucket");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String prefix = path.startsWith("/") ? path.substring(1) : path;
    return S3ObjectStore.owning(s3Client(settings), bucket, prefix);
  }

  /** An S3 client over the Apache HTTP client with the SDK's standard retry strategy. */
  static S3Client s3Client(S3Settings settings) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(config -> config.retryStrategy(RetryMode.STANDARD))
            .forcePathStyle(settings.pathStyleAccess())
            .credentialsProvider(credentials(settings));
    settings.endpoint().ifPresent(builder::endpointOverride);
    settings
        .region()
        .map(Region::of)
        .or(() -> settings.endpoint().map(endpoint -> Region.US_EAST_1))
        .ifPresent(builder::region);
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKey().isPresent() && settings.secretKey().isPresent()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(settings.accessKey().get(), settings.secretKey().get()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private static URI parse(String location) {
    try {
      return URI.create(location);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot open object store " + location + ": not a valid URI", e);
    }
  }
}
