package io.sluice.bench.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process), as its
 * own JVM on loopback ports: storage formatted with {@code kafka.tools.StorageTool format} (what
 * {@code kafka-storage.sh format} runs), then {@code kafka.Kafka server.properties} (what {@code
 * kafka-server-start.sh} runs), with the JVM options {@code kafka-server-start.sh} uses by default.
 * Every broker setting not written in {@link #serverProperties} is Kafka's default.
 */
final class KafkaBroker implements AutoCloseable {
  /** The JVM options of kafka-server-start.sh and kafka-run-class.sh. */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-Xmx1G",
          "-Xms1G",
          "-server",
          "-XX:+UseG1GC",
          "-XX:MaxGCPauseMillis=20",
          "-XX:InitiatingHeapOccupancyPercent=35",
          "-XX:+ExplicitGCInvokesConcurrent",
          "-Djava.awt.headless=true");

  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final Process process;
  private final int port;
  private final Path log;

  private KafkaBroker(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Formats {@code dir}/logs, starts the broker with {@code classpath} and waits until it answers.
   */
  static KafkaBroker start(Path dir, String classpath, String loggingConfig) throws Exception {
    Files.createDirectories(dir);
    int port = Processes.freePort();
    int controllerPort = Processes.freePort();
    Path properties = dir.resolve("server.properties");
    Files.writeString(properties, serverProperties(dir.resolve("logs"), port, controllerPort));
    Path log = dir.resolve("broker.log");
    List<String> java = new ArrayList<>();
    java.add(Processes.java());
    java.add("-cp");
    java.add(classpath);
    java.add("-Dlogback.configurationFile=" + loggingConfig);

    List<String> format = new ArrayList<>(java);
    format.addAll(
        List.of(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            properties.toString()));
    Process formatting = Processes.start(format, dir.resolve("format.log"));
    if (!formatting.waitFor(120, TimeUnit.SECONDS)) {
      Processes.stop(formatting);
      throw new IllegalStateException("kafka-storage format did not finish within 120 s");
    }
    if (formatting.exitValue() != 0) {
      throw new IllegalStateException(
          "kafka-storage format failed with code "
              + formatting.exitValue()
              + ":\n"
              + Processes.tail(dir.resolve("format.log"), 40));
    }

    List<String> server = new ArrayList<>(java);
    server.addAll(1, JVM_OPTIONS);
    server.add("kafka.Kafka");
    server.add(properties.toString());
    KafkaBroker broker = new KafkaBroker(Processes.start(server, log), port, log);
    broker.awaitUp();
    return broker;
  }

  /**
   * KRaft combined mode on two loopback ports; a single replica of everything (internal topics
   * too); every other setting, flushing included, left at Kafka's default.
   */
  static String serverProperties(Path logDir, int port, int controllerPort) {
    return String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + Processes.HOST + ":" + controllerPort,
            "listeners=PLAINTEXT://"
                + Processes.HOST
                + ":"
                + port
                + ",CONTROLLER://"
                + Processes.HOST
                + ":"
                + controllerPort,
            "advertised.listeners=PLAINTEXT://" + Processes.HOST + ":" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + logDir,
            "num.partitions=4",
            "offsets.topic.replication.factor=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0")
        + "\n";
  }

  long pid() {
    return process.pid();
  }

  String bootstrap() {
    return Processes.HOST + ":" + port;
  }

  /**
   * Creates a topic of {@code partitions} partitions, one replica, with the given topic settings.
   */
  void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
  }

  private Admin admin() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(properties);
  }

  private void awaitUp() throws IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Kafka broker exited with code "
                + process.exitValue()
                + ":\n"
                + Processes.tail(log, 60));
      }
      if (Processes.accepts(port)) {
        try (Admin admin = admin()) {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          // not ready yet
        }
      }
      Processes.sleep(250);
    }
    close();
    throw new IllegalStateException(
        "The Kafka broker did not come up within " + STARTUP + ":\n" + Processes.tail(log, 60));
  }

  @Override
  public void close() {
    Processes.stop(process);
  }
}
