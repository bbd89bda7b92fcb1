package io.sluice.e2e;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One Lambda deployment package run as Lambda runs it: unzipped into a task root, on a JVM whose
 * class path is the task root and its {@code lib/}, driven by the AWS Lambda runtime interface
 * client (the open-source runtime of Lambda's Java images) against a {@link LambdaRuntimeApi}.
 */
public final class LambdaFunction implements AutoCloseable {
  /** The runtime's JVM options, as Terraform sets them in {@code JAVA_TOOL_OPTIONS}. */
  public static final String JAVA_TOOL_OPTIONS =
      "--add-opens=java.base/java.nio=ALL-UNNAMED -XX:+TieredCompilation -XX:TieredStopAtLevel=1";

  private final String name;
  private final LambdaRuntimeApi runtime;
  private final Process process;
  private final long startNanos;

  private LambdaFunction(String name, LambdaRuntimeApi runtime, Process process, long startNanos) {
    this.name = name;
    this.runtime = runtime;
    this.process = process;
    this.startNanos = startNanos;
  }

  /**
   * Starts a function.
   *
   * @param zip the deployment package
   * @param handler the handler, as Terraform names it ({@code class::method})
   * @param environment the function's environment variables
   * @param workDir where the package is unzipped and the function's output is logged
   */
  public static LambdaFunction start(
      String name, Path zip, String handler, Map<String, String> environment, Path workDir)
      throws IOException {
    Path task = workDir.resolve(name + "-task");
    unzip(zip, task);
    LambdaRuntimeApi runtime = new LambdaRuntimeApi(name);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(classPath(task));
    command.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
    command.add(handler);
    ProcessBuilder builder = new ProcessBuilder(command).directory(task.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("SLUICE_") || k.startsWith("AWS_"));
    env.put("AWS_LAMBDA_RUNTIME_API", runtime.address());
    env.put("LAMBDA_TASK_ROOT", task.toString());
    env.put("_HANDLER", handler);
    env.put("AWS_LAMBDA_FUNCTION_NAME", name);
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
    env.put("AWS_REGION", "us-east-1");
    env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
    env.putAll(environment);
    Path log = workDir.resolve(name + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    long start = System.nanoTime();
    return new LambdaFunction(name, runtime, builder.start(), start);
  }

  /** The task root and its jars, then the runtime interface client's jars. */
  private static String classPath(Path task) throws IOException {
    List<String> entries = new ArrayList<>();
    entries.add(task.toString());
    entries.add(task.resolve("lib") + File.separator + "*");
    String runtimeClient = System.getProperty("lambda.runtime.client.dir");
    if (runtimeClient == null) {
      throw new IllegalStateException(
          "Cannot start a Lambda function: system property lambda.runtime.client.dir is not set");
    }
    entries.add(Path.of(runtimeClient) + File.separator + "*");
    return String.join(File.pathSeparator, entries);
  }

  private static void unzip(Path zip, Path target) throws IOException {
    if (Files.exists(target)) {
      try (Stream<Path> paths = Files.walk(target)) {
        paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    Files.createDirectories(target);
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
          throw new IOException("Cannot unzip " + zip + ": entry " + entry.getName() + " escapes");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else {
          Files.createDirectories(path.getParent());
          try (InputStream data = file.getInputStream(entry)) {
            Files.copy(data, path);
          }
        }
      }
    }
  }

  /** How long the function took from its JVM's start to asking for its first event. */
  public Duration awaitInitialised(Duration timeout) throws Exception {
    long polled = runtime.awaitFirstPollNanos(timeout);
    return Duration.ofNanos(polled - startNanos);
  }

  /** Invokes the function with an event (JSON) and returns its answer (JSON). */
  public String invoke(String event, Duration timeout) throws InterruptedException {
    if (!process.isAlive()) {
      throw new LambdaRuntimeApi.FunctionErrorException(
          name + " is not running (exit " + process.exitValue() + ")");
    }
    return new String(runtime.invoke(event, timeout), StandardCharsets.UTF_8);
  }

  public String name() {
    return name;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    runtime.close();
  }
}
