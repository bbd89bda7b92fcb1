package io.sluice.bench.ingest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server's CPU went, from a JFR recording: every execution sample is put in one component
 * of the write path by its stack. Library frames that are the work itself (ZSTD, CRC32C, SQLite's
 * engine, fsync) win wherever they run; otherwise the Sluice frame nearest the leaf decides (so
 * Jackson counts where Sluice called it: the JSON decoder, the SQLite store's JSON, the answer); a
 * stack with no Sluice frame is the HTTP layer or the JVM.
 */
final class ServerProfile {

  /** A component and the share of the samples it took. */
  record Share(String component, long samples, double share) {}

  private record Rule(String component, Predicate<String> frame) {}

  /** Leaf-most frame of these wins, whatever Sluice code called it. */
  private static final List<Rule> WORK =
      List.of(
          rule("ZSTD compression", "com.github.luben.zstd", "org.apache.arrow.compression"),
          rule("checksums (CRC32C)", "java.util.zip.CRC32C"),
          rule("SQLite engine", "org.sqlite"),
          rule("fsync", "sun.nio.ch.FileDispatcherImpl.force", "sun.nio.ch.FileChannelImpl.force"));

  /** Otherwise the Sluice frame nearest the leaf decides, by the first prefix it starts with. */
  private static final List<Rule> SLUICE =
      List.of(
          rule(
              "scheduler: retention, GC, recovery",
              "io.sluice.core.tiering.",
              "io.sluice.core.log.RecoveryService",
              "io.sluice.core.log.SegmentGc",
              "io.sluice.core.log.LogSweep",
              "io.sluice.function.tiering"),
          rule(
              "JSON rows to Arrow",
              "io.sluice.core.arrow.JsonRowDecoder",
              "io.sluice.core.write.Json"),
          rule(
              "Arrow body decoding",
              "io.sluice.core.service.ArrowIpcBody",
              "io.sluice.core.arrow.RecordBatchLoader",
              "io.sluice.core.service.RowBodyDecoder",
              "io.sluice.core.write.ArrowBody"),
          rule("bucketing", "io.sluice.core.bucket", "io.sluice.lake."),
          rule(
              "rows into bucket batches",
              "io.sluice.core.service.AppendService",
              "io.sluice.core.arrow.ArrowGather",
              "io.sluice.core.arrow.ArrowConcat",
              "io.sluice.core.write.GroupSegment"),
          rule("segment encoding", "io.sluice.core.segment"),
          rule("SQLite store (its JSON, JDBC)", "io.sluice.metadata.sqlite"),
          rule("DynamoDB client", "io.sluice.metadata.dynamodb"),
          rule("object store put", "io.sluice.objectstore"),
          rule(
              "commit protocol",
              "io.sluice.core.log",
              "io.sluice.core.metadata",
              "io.sluice.core.write"),
          rule("HTTP resource and answer (JSON)", "io.sluice.function"),
          rule("other Sluice code", "io.sluice."));

  private static final Rule HTTP =
      rule(
          "HTTP layer (Vert.x, RESTEasy)",
          "io.vertx",
          "io.netty",
          "org.jboss.resteasy",
          "io.quarkus");

  private ServerProfile() {}

  /** The components of a recording's execution samples, largest first, then "JVM and other". */
  static List<Share> read(Path recording) throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    long total = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")
            || event.getStackTrace() == null) {
          continue;
        }
        counts.merge(component(event.getStackTrace().getFrames()), 1L, Long::sum);
        total++;
      }
    }
    List<Share> shares = new ArrayList<>();
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      shares.add(new Share(entry.getKey(), entry.getValue(), (double) entry.getValue() / total));
    }
    shares.sort((a, b) -> Long.compare(b.samples(), a.samples()));
    return shares;
  }

  private static String component(List<RecordedFrame> frames) {
    List<String> names = new ArrayList<>(frames.size());
    for (RecordedFrame frame : frames) {
      RecordedMethod method = frame.getMethod();
      names.add(method == null ? "" : method.getType().getName() + "." + method.getName());
    }
    for (String name : names) {
      for (Rule rule : WORK) {
        if (rule.frame().test(name)) {
          return rule.component();
        }
      }
    }
    for (String name : names) {
      if (name.startsWith("io.sluice.")) {
        for (Rule rule : SLUICE) {
          if (rule.frame().test(name)) {
            return rule.component();
          }
        }
      }
    }
    for (String name : names) {
      if (HTTP.frame().test(name)) {
        return HTTP.component();
      }
    }
    return "JVM and other (JDK, Arrow memory, logging)";
  }

  private static Rule rule(String component, String... prefixes) {
    return new Rule(
        component,
        name -> {
          for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
              return true;
            }
          }
          return false;
        });
  }
}
