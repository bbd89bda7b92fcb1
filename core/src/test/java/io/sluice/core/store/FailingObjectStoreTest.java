package io.sluice.core.store;

import static io.sluice.core.store.FailingObjectStore.Operation.PUT;
import static io.sluice.core.store.FailingObjectStore.Operation.READ;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FailingObjectStoreTest {
  private final TestingObjectStore backing = new TestingObjectStore();
  private final FailingObjectStore store = new FailingObjectStore(backing);

  @Test
  void queuedFailuresAreUsedUpOneCallAtATime() {
    store.failNext(PUT, 2, () -> new StoreUnavailableException("Cannot reach store", null));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> store.putIfAbsent("k", "v".getBytes(UTF_8)))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("Cannot reach store");
    }
    assertThat(backing.size()).isZero();
    store.putIfAbsent("k", "v".getBytes(UTF_8));
    assertThat(store.read("k")).isEqualTo("v".getBytes(UTF_8));
  }

  @Test
  void failuresOfOneOperationDoNotTouchAnother() {
    store.putIfAbsent("k", "v".getBytes(UTF_8));
    store.failNext(READ, 1, () -> new StoreUnavailableException("Cannot read", null));

    assertThat(store.list("").count()).isEqualTo(1);
    assertThatThrownBy(() -> store.readTail("k", 1)).hasMessageContaining("Cannot read");
    assertThat(store.readTail("k", 1)).isEqualTo("v".getBytes(UTF_8));
  }

  @Test
  void aLostPutAnswerReportsUnknownButTheObjectIsWritten() {
    store.loseNextPutAnswers(1);

    assertThatThrownBy(() -> store.putIfAbsent("k", "v".getBytes(UTF_8)))
        .isInstanceOf(CommitStateUnknownException.class)
        .hasMessageContaining("k");
    assertThat(backing.read("k")).isEqualTo("v".getBytes(UTF_8));
  }

  @Test
  void healDropsQueuedFailures() {
    store.failNext(PUT, 3, () -> new StoreUnavailableException("down", null)).heal();

    store.putIfAbsent("k", "v".getBytes(UTF_8));
    assertThat(backing.size()).isEqualTo(1);
  }
}
