package io.sluice.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.store.CommitStateUnknownException;
import io.sluice.core.store.NotFoundException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.ObjectStoreContract;
import io.sluice.core.store.StoreUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class S3ObjectStoreTest extends ObjectStoreContract {
  @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();

  @Override
  protected ObjectStore newStore() {
    return ObjectStores.open(S3.location("some/prefix"), S3.s3Settings());
  }

  @Test
  void storesWithDifferentPrefixesInOneBucketDoNotSeeEachOther() {
    try (ObjectStore tenantA = ObjectStores.open(S3.location("tenants/a"), S3.s3Settings());
        ObjectStore tenantAb = ObjectStores.open(S3.location("tenants/ab/"), S3.s3Settings())) {
      tenantA.putIfAbsent("x/1", bytes("from a"));
      tenantAb.putIfAbsent("x/1", bytes("from ab"));
      tenantAb.putIfAbsent("x/2", bytes("only ab"));

      assertThat(tenantA.read("x/1")).isEqualTo(bytes("from a"));
      assertThat(tenantAb.read("x/1")).isEqualTo(bytes("from ab"));
      assertThat(keys(tenantA, "")).containsExactly("x/1");
      assertThat(keys(tenantAb, "x/")).containsExactly("x/1", "x/2");
      assertThatThrownBy(() -> tenantA.read("x/2"))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("x/2");
    }
  }

  @Test
  void keysAreStoredUnderThePrefixInTheBucket() {
    store().putIfAbsent("segments/s-1", bytes("payload"));

    try (ObjectStore wholeBucket = ObjectStores.open(S3.location(""), S3.s3Settings())) {
      assertThat(keys(wholeBucket, "")).containsExactly("some/prefix/segments/s-1");
      assertThat(wholeBucket.read("some/prefix/segments/s-1")).isEqualTo(bytes("payload"));
    }
  }

  @Test
  void aRepeatedPutOfIdenticalBytesIsTakenAsOurOwnRetriedWrite() {
    store().putIfAbsent("plans/p-1", bytes("same"));

    store().putIfAbsent("plans/p-1", bytes("same"));

    assertThat(store().read("plans/p-1")).isEqualTo(bytes("same"));
  }

  @Test
  void anUnreachableEndpointMakesReadsUnavailableAndPutsUnknown() throws IOException {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    S3Settings unreachable =
        S3Settings.builder()
            .endpoint(closedPort)
            .pathStyleAccess()
            .credentials(S3.server().accessKey(), S3.server().secretKey())
            .build();

    try (ObjectStore store = ObjectStores.open("s3://bucket/p", unreachable)) {
      assertThatThrownBy(() -> store.read("k"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("Cannot read object s3://bucket/p/k");
      assertThatThrownBy(() -> store.putIfAbsent("k", bytes("v")))
          .isInstanceOf(CommitStateUnknownException.class)
          .hasMessageContaining("Cannot tell whether object s3://bucket/p/k was written");
      assertThatThrownBy(() -> store.list("").count())
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("Cannot list objects under s3://bucket/p/");
    }
  }

  @Test
  void aMissingBucketIsUnavailableNotAMissingObject() {
    try (ObjectStore store = ObjectStores.open("s3://no-such-bucket/p", S3.s3Settings())) {
      assertThatThrownBy(() -> store.read("k"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("s3://no-such-bucket/p/k");
    }
  }

  private static java.util.List<String> keys(ObjectStore store, String prefix) {
    try (Stream<ObjectInfo> listed = store.list(prefix)) {
      return listed.map(ObjectInfo::key).toList();
    }
  }
}
