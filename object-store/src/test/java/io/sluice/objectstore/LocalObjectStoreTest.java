package io.sluice.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.store.CommitConflictException;
import io.sluice.core.store.ObjectInfo;
import io.sluice.core.store.ObjectStore;
import io.sluice.core.store.ObjectStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest extends ObjectStoreContract {
  @TempDir Path root;

  @Override
  protected ObjectStore newStore() {
    return new LocalObjectStore(root);
  }

  @Test
  void anObjectIsAFileAtItsKeyUnderTheRoot() throws IOException {
    store().putIfAbsent("segments/ab/s-1", bytes("payload"));

    assertThat(Files.readAllBytes(root.resolve("segments/ab/s-1"))).isEqualTo(bytes("payload"));
  }

  @Test
  void leftoverTempFilesAreNeverListedNorLeftByPuts() throws IOException {
    store().putIfAbsent("a/obj", bytes("1"));
    assertThatThrownBy(() -> store().putIfAbsent("a/obj", bytes("2")))
        .isInstanceOf(CommitConflictException.class)
        .hasMessageContaining("a/obj");
    try (Stream<Path> files = Files.list(root.resolve("a"))) {
      assertThat(files.map(path -> path.getFileName().toString())).containsExactly("obj");
    }

    Files.write(root.resolve("a/.tmp-crashed-writer"), bytes("half"));

    assertThat(keys("")).containsExactly("a/obj");
    assertThat(keys("a/")).containsExactly("a/obj");
  }

  @Test
  void keysThatWouldEscapeTheRootAreRefused() throws IOException {
    Path outside = Files.createDirectories(root.resolve("../outside-" + root.getFileName()));
    try (LocalObjectStore inner = new LocalObjectStore(root.resolve("inner"))) {
      for (String key : List.of("../x", "a/../../x", "../outside-" + root.getFileName() + "/x")) {
        assertThatThrownBy(() -> inner.putIfAbsent(key, bytes("escape")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(key);
      }
    }
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
    Files.delete(outside);
  }

  @Test
  void keysNamingTempFilesAreRefused() {
    assertThatThrownBy(() -> store().putIfAbsent("a/.tmp-x", bytes("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a/.tmp-x")
        .hasMessageContaining("reserved");
  }

  @Test
  void objectsSurviveReopeningTheStore() {
    store().putIfAbsent("durable/obj", bytes("kept"));

    try (LocalObjectStore reopened = new LocalObjectStore(root)) {
      assertThat(reopened.read("durable/obj")).isEqualTo(bytes("kept"));
    }
  }

  private List<String> keys(String prefix) {
    try (Stream<ObjectInfo> listed = store().list(prefix)) {
      return listed.map(ObjectInfo::key).toList();
    }
  }
}
