package io.sluice.cli;

import io.sluice.client.RowOffset;
import io.sluice.client.SluiceClient;
import io.sluice.client.TableDescription;
import io.sluice.client.TableWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice write TABLE FILE...}: writes the rows of files through the batching writer. Every
 * file is read twice: first to check every row (a bad one stops the command before anything is
 * written, naming the file, line and column), then to write. Standard input ({@code -}) is kept in
 * a temporary file for the two passes.
 */
@Command(
    name = "write",
    description =
        "Writes the rows of files to a table: CSV with a header line, NDJSON, JSON (an array of"
            + " objects) or Parquet; - reads standard input. Every row is checked before any is"
            + " written.")
final class WriteCommand extends Subcommand {
  @Parameters(index = "0", paramLabel = "TABLE")
  String table;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE")
  List<String> files;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "csv, ndjson, json or parquet (default: by the file's extension; ndjson for -).")
  RowSource.Format format;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Draw a progress bar (default: when run on a terminal).")
  Boolean progress;

  /** A file to write, with its format and size. */
  private record Input(String name, Path path, RowSource.Format format, long size) {}

  @Override
  int run(SluiceClient client) throws Exception {
    TableDescription description = client.describe(table);
    List<Path> spooled = new ArrayList<>();
    try {
      List<Input> inputs = inputs(spooled);
      long bytes = inputs.stream().mapToLong(Input::size).sum();
      boolean drawing = progress != null ? progress : terminal().interactive();
      PrintWriter bar = drawing ? terminal().err() : null;
      try (TableWriter writer = client.writer(description.name())) {
        long rows = check(inputs, description, writer, new Progress(bar, "checking", bytes));
        long started = System.nanoTime();
        Outcome outcome = write(inputs, description, writer, new Progress(bar, "writing ", rows));
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long failed = outcome.failed.get();
        if (failed > 0) {
          String what =
              failed == rows
                  ? "None of the %s rows were written to %s"
                      .formatted(Describe.count(rows), description.name())
                  : "%s of %s rows were not written to %s (the others were)"
                      .formatted(Describe.count(failed), Describe.count(rows), description.name());
          throw new IllegalStateException(
              what + ": " + SluiceCli.message(outcome.firstFailure.get()));
        }
        terminal()
            .out()
            .printf(
                "Wrote %s rows to %s in %.1f s (%s rows/s, %.1f MB/s) into %s%n",
                Describe.count(rows),
                description.name(),
                seconds,
                Describe.count(Math.round(rows / seconds)),
                bytes / 1e6 / seconds,
                outcome.places(description));
      }
      return 0;
    } finally {
      for (Path file : spooled) {
        Files.deleteIfExists(file);
      }
    }
  }

  private List<Input> inputs(List<Path> spooled) throws IOException {
    List<Input> inputs = new ArrayList<>();
    for (String name : files) {
      if (name.equals("-")) {
        RowSource.Format chosen = format != null ? format : RowSource.Format.ndjson;
        Path copy = Files.createTempFile("sluice-stdin-", "." + chosen);
        spooled.add(copy);
        try (InputStream in = terminal().in()) {
          Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        inputs.add(new Input("standard input", copy, chosen, Files.size(copy)));
        continue;
      }
      Path path = terminal().file(name);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("Cannot write " + name + ": no such file");
      }
      RowSource.Format chosen =
          format != null
              ? format
              : RowSource.Format.of(name)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "Cannot tell the format of "
                                  + name
                                  + " from its name: give --format csv, ndjson, json or"
                                  + " parquet"));
      inputs.add(new Input(name, path, chosen, Files.size(path)));
    }
    return inputs;
  }

  /** Reads every row and checks it as the writer would; returns how many there are. */
  private long check(
      List<Input> inputs, TableDescription description, TableWriter writer, Progress progress)
      throws IOException {
    long rows = 0;
    long bytesBefore = 0;
    for (Input input : inputs) {
      try (RowSource source = open(input, description)) {
        Map<String, Object> row;
        while ((row = next(source, input, description)) != null) {
          try {
            writer.check(row);
          } catch (IllegalArgumentException e) {
            throw bad(input, source, description, e);
          }
          rows++;
          progress.update(bytesBefore + source.bytesRead(), rows, bytesBefore + source.bytesRead());
        }
      }
      bytesBefore += input.size();
    }
    progress.finish(bytesBefore, rows, bytesBefore);
    return rows;
  }

  private Outcome write(
      List<Input> inputs, TableDescription description, TableWriter writer, Progress progress)
      throws IOException, InterruptedException {
    Outcome outcome = new Outcome();
    long rows = 0;
    long bytesBefore = 0;
    for (Input input : inputs) {
      try (RowSource source = open(input, description)) {
        Map<String, Object> row;
        while ((row = next(source, input, description)) != null) {
          writer.write(row).whenComplete(outcome::settle);
          rows++;
          progress.update(rows, rows, bytesBefore + source.bytesRead());
        }
      }
      bytesBefore += input.size();
    }
    writer.flush();
    progress.finish(rows, rows, bytesBefore);
    return outcome;
  }

  private static RowSource open(Input input, TableDescription description) throws IOException {
    try {
      return RowSource.open(input.path(), input.format(), description);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot write %s to %s: %s; nothing was written"
              .formatted(input.name(), description.name(), e.getMessage()),
          e);
    }
  }

  private static Map<String, Object> next(
      RowSource source, Input input, TableDescription description) throws IOException {
    try {
      return source.next();
    } catch (IllegalArgumentException | IOException e) {
      throw bad(input, source, description, e);
    }
  }

  private static IllegalArgumentException bad(
      Input input, RowSource source, TableDescription description, Exception e) {
    String reason = e.getMessage().replace("Cannot write to " + description.name() + ": ", "");
    return new IllegalArgumentException(
        "Cannot write %s to %s: %s %s: %s; nothing was written"
            .formatted(input.name(), description.name(), input.name(), source.position(), reason),
        e);
  }

  /** What the writes came to: the places rows went, and the failures. */
  private static final class Outcome {
    final Set<String> buckets = ConcurrentHashMap.newKeySet();
    final Set<String> partitions = ConcurrentHashMap.newKeySet();
    final AtomicLong failed = new AtomicLong();
    final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    void settle(RowOffset offset, Throwable failure) {
      if (failure != null) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, failure);
        return;
      }
      String partition = offset.partition() == null ? "" : offset.partition();
      partitions.add(partition);
      buckets.add(partition + "/" + offset.bucket());
    }

    String places(TableDescription description) {
      String text = buckets.size() + (buckets.size() == 1 ? " bucket" : " buckets");
      if (description.isPartitioned()) {
        text +=
            " of " + partitions.size() + (partitions.size() == 1 ? " partition" : " partitions");
      }
      return text;
    }
  }
}
