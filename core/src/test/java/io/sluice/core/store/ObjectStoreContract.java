package io.sluice.core.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ObjectStore} promises its users; extend it and implement {@link #newStore()}.
 *
 * <p>A second put of identical bytes to an existing key is left out on purpose: a store that cannot
 * tell its own retried write from another writer's (S3 after a timeout) may report it as success.
 */
public abstract class ObjectStoreContract {
  private static final String BAD_KEY_MESSAGE = "Cannot use object key";

  private ObjectStore store;

  /** Creates an empty store for one test; it is closed after the test. */
  protected abstract ObjectStore newStore() throws Exception;

  /** The store under test. */
  protected ObjectStore store() {
    return store;
  }

  @BeforeEach
  void createStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void putThenReadReturnsTheSameBytes() {
    store.putIfAbsent("segments/s-1.arrow", bytes("hello sluice"));

    assertThat(store.read("segments/s-1.arrow")).isEqualTo(bytes("hello sluice"));
  }

  @Test
  void secondPutOfExistingKeyConflictsAndKeepsTheFirstContent() {
    store.putIfAbsent("plans/p-1", bytes("first"));

    assertThatThrownBy(() -> store.putIfAbsent("plans/p-1", bytes("second writer")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("plans/p-1");
    assertThat(store.read("plans/p-1")).isEqualTo(bytes("first"));
  }

  @Test
  void concurrentPutsOfOneKeyHaveExactlyOneWinner() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        byte[] content = bytes("writer-" + i);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    store.putIfAbsent("race/key", content);
                    return true;
                  } catch (CommitConflictException e) {
                    return false;
                  }
                }));
      }
      start.countDown();

      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        if (results.get(i).get(30, TimeUnit.SECONDS)) {
          winners.add(i);
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(store.read("race/key")).isEqualTo(bytes("writer-" + winners.get(0)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readRangeReturnsTheMiddleOfAnObject() {
    store.putIfAbsent("r/obj", bytes("0123456789"));

    assertThat(store.readRange("r/obj", 3, 4)).isEqualTo(bytes("3456"));
    assertThat(store.readRange("r/obj", 0, 10)).isEqualTo(bytes("0123456789"));
  }

  @Test
  void readRangePastTheEndReturnsWhatIsThere() {
    store.putIfAbsent("r/obj", bytes("0123456789"));

    assertThat(store.readRange("r/obj", 7, 100)).isEqualTo(bytes("789"));
    assertThat(store.readRange("r/obj", 10, 5)).isEmpty();
    assertThat(store.readRange("r/obj", 50, 5)).isEmpty();
  }

  @Test
  void readTailReturnsTheLastBytesOrAllOfAShorterObject() {
    store.putIfAbsent("r/obj", bytes("0123456789"));

    assertThat(store.readTail("r/obj", 3)).isEqualTo(bytes("789"));
    assertThat(store.readTail("r/obj", 10)).isEqualTo(bytes("0123456789"));
    assertThat(store.readTail("r/obj", 64)).isEqualTo(bytes("0123456789"));
  }

  @Test
  void readsOfAMissingKeyAreNotFoundNamingTheKey() {
    store.putIfAbsent("present/obj", bytes("x"));

    assertThatThrownBy(() -> store.read("missing/obj"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("missing/obj");
    assertThatThrownBy(() -> store.readRange("missing/obj", 0, 10))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("missing/obj");
    assertThatThrownBy(() -> store.readTail("missing/obj", 10))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("missing/obj");
  }

  @Test
  void listReturnsOnlyKeysUnderThePrefixInKeyOrderWithSizes() {
    store.putIfAbsent("t1/b/2", bytes("22"));
    store.putIfAbsent("t1/a", bytes("1"));
    store.putIfAbsent("t1/b/10", bytes("101010"));
    store.putIfAbsent("t1-other/x", bytes("x"));
    store.putIfAbsent("t2/a", bytes("a"));

    List<ObjectInfo> listed = list("t1/");

    assertThat(listed).extracting(ObjectInfo::key).containsExactly("t1/a", "t1/b/10", "t1/b/2");
    assertThat(listed).extracting(ObjectInfo::size).containsExactly(1L, 6L, 2L);
    assertThat(listed).allSatisfy(info -> assertThat(info.lastModified()).isNotNull());
    assertThat(list("t1/b/1")).extracting(ObjectInfo::key).containsExactly("t1/b/10");
    assertThat(list("t1"))
        .extracting(ObjectInfo::key)
        .containsExactly("t1-other/x", "t1/a", "t1/b/10", "t1/b/2");
  }

  @Test
  void listWithAnEmptyPrefixReturnsEverythingAndAnUnknownPrefixNothing() {
    assertThat(list("")).isEmpty();

    store.putIfAbsent("b/2", bytes("2"));
    store.putIfAbsent("a/1", bytes("1"));

    assertThat(list("")).extracting(ObjectInfo::key).containsExactly("a/1", "b/2");
    assertThat(list("c/")).isEmpty();
  }

  @Test
  void deletedObjectIsGoneAndItsKeyCanBeWrittenAgain() {
    store.putIfAbsent("d/obj", bytes("old"));
    store.putIfAbsent("d/keep", bytes("keep"));

    store.delete("d/obj");

    assertThatThrownBy(() -> store.read("d/obj"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("d/obj");
    assertThat(list("d/")).extracting(ObjectInfo::key).containsExactly("d/keep");
    store.putIfAbsent("d/obj", bytes("new"));
    assertThat(store.read("d/obj")).isEqualTo(bytes("new"));
  }

  @Test
  void deletingAMissingKeyIsNoError() {
    assertThatCode(() -> store.delete("never/written")).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../b", "/abs", "a//b", "a/./b", "trailing/", "back\\slash"})
  void badKeysAreRefusedNamingTheKey(String key) {
    for (Consumer<String> operation : operations()) {
      assertThatThrownBy(() -> operation.accept(key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(BAD_KEY_MESSAGE)
          .hasMessageContaining(key);
    }
  }

  @Test
  void emptyKeyIsRefused() {
    for (Consumer<String> operation : operations()) {
      assertThatThrownBy(() -> operation.accept(""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(BAD_KEY_MESSAGE)
          .hasMessageContaining("empty");
    }
  }

  @Test
  void badListPrefixIsRefusedNamingIt() {
    assertThatThrownBy(() -> store.list("../up/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../up");
  }

  @Test
  void emptyObjectRoundTrips() {
    store.putIfAbsent("e/empty", new byte[0]);

    assertThat(store.read("e/empty")).isEmpty();
    assertThat(store.readRange("e/empty", 0, 10)).isEmpty();
    assertThat(store.readTail("e/empty", 10)).isEmpty();
    assertThat(list("e/"))
        .extracting(ObjectInfo::key, ObjectInfo::size)
        .containsExactly(tuple("e/empty", 0L));
  }

  @Test
  void largeObjectRoundTrips() {
    byte[] content = new byte[5 * 1024 * 1024];
    new Random(42).nextBytes(content);

    store.putIfAbsent("big/object", content);

    assertThat(store.read("big/object")).isEqualTo(content);
    assertThat(store.readRange("big/object", 1_000_000, 4096))
        .isEqualTo(Arrays.copyOfRange(content, 1_000_000, 1_004_096));
    assertThat(store.readTail("big/object", 100))
        .isEqualTo(Arrays.copyOfRange(content, content.length - 100, content.length));
    assertThat(list("big/")).extracting(ObjectInfo::size).containsExactly((long) content.length);
  }

  @Test
  void changingTheCallersArrayAfterAPutDoesNotChangeTheObject() {
    byte[] content = bytes("original");
    store.putIfAbsent("c/obj", content);
    content[0] = 'X';

    byte[] read = store.read("c/obj");
    read[1] = 'Y';

    assertThat(store.read("c/obj")).isEqualTo(bytes("original"));
  }

  private List<Consumer<String>> operations() {
    return List.of(
        key -> store.putIfAbsent(key, bytes("x")),
        key -> store.read(key),
        key -> store.readRange(key, 0, 1),
        key -> store.readTail(key, 1),
        key -> store.delete(key));
  }

  private List<ObjectInfo> list(String prefix) {
    try (Stream<ObjectInfo> stream = store.list(prefix)) {
      return stream.collect(Collectors.toList());
    }
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
