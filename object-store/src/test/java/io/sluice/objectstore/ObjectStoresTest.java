package io.sluice.objectstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.store.ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {
  @TempDir Path dir;

  @Test
  void aFileUriOpensALocalStoreAtThatDirectory() throws IOException {
    try (ObjectStore store = ObjectStores.open(dir.toUri().toString())) {
      assertThat(store).isInstanceOf(LocalObjectStore.class);
      store.putIfAbsent("k/1", "v".getBytes(UTF_8));
    }
    assertThat(Files.readString(dir.resolve("k/1"))).isEqualTo("v");
  }

  @Test
  void aPlainPathOpensALocalStoreAtThatDirectory() throws IOException {
    try (ObjectStore store = ObjectStores.open(dir.resolve("data").toString())) {
      assertThat(store).isInstanceOf(LocalObjectStore.class);
      store.putIfAbsent("k/1", "v".getBytes(UTF_8));
    }
    assertThat(Files.readString(dir.resolve("data/k/1"))).isEqualTo("v");
  }

  @Test
  void anS3UriOpensAnS3StoreOnThatBucketAndPrefix() {
    S3Settings settings =
        S3Settings.builder()
            .endpoint(URI.create("http://127.0.0.1:9"))
            .pathStyleAccess()
            .credentials("key", "secret")
            .build();

    try (ObjectStore store = ObjectStores.open("s3://my-bucket/tables/t1", settings)) {
      assertThat(store).isInstanceOf(S3ObjectStore.class);
      assertThat(store).hasToString("s3://my-bucket/tables/t1/");
    }
  }

  @Test
  void anS3UriWithoutABucketIsRefused() {
    assertThatThrownBy(() -> ObjectStores.open("s3:///prefix", S3Settings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3:///prefix")
        .hasMessageContaining("no bucket");
  }

  @Test
  void anUnknownSchemeIsRefusedNamingIt() {
    assertThatThrownBy(() -> ObjectStores.open("gs://bucket/prefix"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown scheme gs")
        .hasMessageContaining("gs://bucket/prefix");
  }

  @Test
  void anEmptyLocationIsRefused() {
    assertThatThrownBy(() -> ObjectStores.open(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("location is empty");
  }

  @Test
  void settingsDoNotShowTheSecretKey() {
    S3Settings settings = S3Settings.builder().credentials("key-id", "very-secret").build();

    assertThat(settings.toString()).contains("key-id").doesNotContain("very-secret");
  }
}
