package io.sluice.bench.ingest;

import io.sluice.bench.ingest.IngestBench.Measurement;
import io.sluice.bench.ingest.IngestBench.Side;
import io.sluice.bench.ingest.IngestBench.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The report's cost section: the store requests counted per MB ({@link IngestCost}), and a monthly
 * AWS bill modelled from them for a given shape (throughput, request size, buckets, tiering
 * interval, retention), with the prices of us-east-1.
 */
final class CostModel {
  private static final double MONTH_SECONDS = 30 * 86_400.0;
  private static final double S3_PUT = 0.005 / 1000;
  private static final double S3_GET = 0.0004 / 1000;
  private static final double S3_GB_MONTH = 0.023;
  private static final double DYNAMO_WRITE_UNIT = 0.625 / 1e6;
  private static final double DYNAMO_READ_UNIT = 0.125 / 1e6;
  private static final double LAMBDA_GB_SECOND = 0.0000166667;
  private static final double LAMBDA_REQUEST = 0.20 / 1e6;
  private static final double LAMBDA_GB = 1.769; // one full vCPU
  private static final double HTTP_API_FIRST_300M = 1.00 / 1e6;
  private static final double HTTP_API_AFTER = 0.90 / 1e6;

  /** A Lambda invocation's wait on its stores: one 4 MiB S3 PUT and a few DynamoDB calls. */
  private static final double STORE_WAIT_SECONDS = 0.1;

  /**
   * Rows per second one core tiers into Paimon, from bench/reports/tiering.md (35,105 rows/s);
   * {@code -Dingest.cost.tiering-rows-per-second} overrides it.
   */
  private static final double TIERING_ROWS_PER_CORE_SECOND =
      Double.parseDouble(System.getProperty("ingest.cost.tiering-rows-per-second", "35105"));

  /**
   * The shape of the modelled deployment; the bucket count and the tiering interval are those of
   * the measured table and of the aim (4, 10 s): the counts are per group of a 4-bucket table, and
   * the tiering reads each part once whatever its interval.
   */
  record Shape(
      double bytesPerSecond, double requestBytes, double hours, double tieringRowsPerCoreSecond) {
    double requestsPerSecond() {
      return bytesPerSecond / requestBytes;
    }
  }

  private static final int BUCKETS = 4;
  private static final double TIER_SECONDS = 10;

  static final Shape AIM =
      new Shape(1024.0 * 1024 * 1024, 4.0 * 1024 * 1024, 24, TIERING_ROWS_PER_CORE_SECOND);

  private final IngestPayload payload;
  private final List<IngestCost.Counts> counts;
  private final List<Measurement> results;

  CostModel(IngestPayload payload, List<IngestCost.Counts> counts, List<Measurement> results) {
    this.payload = payload;
    this.counts = counts;
    this.results = results;
  }

  void write(Consumer<String> line) {
    line.accept("## Cost");
    line.accept("");
    if (counts.isEmpty()) {
      line.accept("Not measured in this run (`ingest.only` left out `cost`).");
      line.accept("");
      return;
    }
    line.accept(
        "The write path (`AppendService`, default settings) in the harness's JVM on s3proxy and"
            + " dynalite, the object store counted by a wrapper and every DynamoDB call asked for"
            + " its consumed capacity (dynalite computes it from item sizes as DynamoDB does; a"
            + " conditional write that fails its condition is not counted, so conflicts are"
            + " missing). The table is the ingest columns hashed on `id` over 4 buckets, so each"
            + " request's rows land in all 4; the body is the Arrow one above. Per MB of Arrow"
            + " body ingested, and per group commit:");
    line.accept("");
    line.accept(
        "| clients | requests | groups | requests per group | S3 PUT / MB | S3 GET / MB | S3"
            + " DELETE / MB | S3 LIST / MB | DynamoDB WCU / MB | DynamoDB RCU / MB | WCU / group |"
            + " RCU / group | DynamoDB calls / group |");
    line.accept(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            + " ---: |");
    for (IngestCost.Counts c : counts) {
      line.accept(
          String.format(
              Locale.ROOT,
              "| %d | %d | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f |"
                  + " %.1f |",
              c.clients(),
              c.requests(),
              c.groups(),
              (double) c.requests() / c.groups(),
              c.perMegabyte(c.puts()),
              c.perMegabyte(c.gets()),
              c.perMegabyte(c.deletes()),
              c.perMegabyte(c.lists()),
              c.perMegabyte(c.writeUnits()),
              c.perMegabyte(c.readUnits()),
              c.perGroup(c.writeUnits()),
              c.perGroup(c.readUnits()),
              c.perGroup(c.dynamoCalls())));
    }
    line.accept("");
    IngestCost.Counts single = counts.get(0);
    double cpuMillis = cpuMillisPerArrowRequest();
    Map<String, Double> bill = bill(AIM, single, cpuMillis);
    double total = bill.values().stream().mapToDouble(Double::doubleValue).sum();
    line.accept(
        String.format(
            Locale.ROOT,
            "**AWS at 1 GiB/s**, a model from the counts at 1 client (on Lambda an invocation"
                + " carries one request, so every request is its own group): %s requests (as the"
                + " batching client would send them, %.0f per second), %d buckets, tiering into"
                + " one format every %.0f s, %.0f h of log retention, 30 days, us-east-1 prices."
                + " The metadata operations of a group do not depend on its size, so the counts"
                + " of one %,d-byte request stand for one 4 MiB request; the Lambda CPU is the"
                + " measured %.2f ms of server CPU per Arrow request scaled by bytes.",
            "4 MiB",
            AIM.requestsPerSecond(),
            BUCKETS,
            TIER_SECONDS,
            AIM.hours(),
            payload.arrow().length,
            cpuMillis));
    line.accept("");
    line.accept("| item | per month |");
    line.accept("| --- | ---: |");
    bill.forEach(
        (item, dollars) ->
            line.accept(String.format(Locale.ROOT, "| %s | $%,.0f |", item, dollars)));
    line.accept(String.format(Locale.ROOT, "| **total** | **$%,.0f** |", total));
    line.accept("");
    double tiering = bill.getOrDefault(TIERING_ITEM, 0.0);
    line.accept(
        String.format(
            Locale.ROOT,
            "Aim: at most $6,500 per month. Modelled: $%,.0f, %s; without the tiering compute"
                + " (a function of the lake writer's speed, not of the write path) $%,.0f.",
            total,
            total <= 6500 ? "**met**" : "**not met**",
            total - tiering));
    line.accept("");
    line.accept(
        "Of Sluice's own items, DynamoDB's write units weigh most: a group of a 4-bucket table"
            + " makes about 12 calls (4 head reads, the plan, 4 slice appends, the completion, and"
            + " every 8th append per bucket a page move), and each slice append is billed on the"
            + " whole bucket head, which keeps up to 16 recent slices (2-4 KB, so 2-4 units). A"
            + " head kept smaller, with more frequent page moves, would trade write units for"
            + " round trips; a batching client's larger requests cut every per-request item at"
            + " once.");
    line.accept("");
    line.accept("What moves it most (total per month with one parameter changed):");
    line.accept("");
    line.accept("| change | total | vs the shape above |");
    line.accept("| --- | ---: | ---: |");
    Map<String, Shape> variants = new LinkedHashMap<>();
    variants.put(
        "requests of 16 MiB",
        new Shape(
            AIM.bytesPerSecond(), 16.0 * (1 << 20), AIM.hours(), AIM.tieringRowsPerCoreSecond()));
    variants.put(
        "requests of 1 MiB",
        new Shape(
            AIM.bytesPerSecond(), 1.0 * (1 << 20), AIM.hours(), AIM.tieringRowsPerCoreSecond()));
    variants.put(
        "6 h of retention",
        new Shape(AIM.bytesPerSecond(), AIM.requestBytes(), 6, AIM.tieringRowsPerCoreSecond()));
    variants.put(
        "tiering 4x faster per core",
        new Shape(
            AIM.bytesPerSecond(),
            AIM.requestBytes(),
            AIM.hours(),
            4 * AIM.tieringRowsPerCoreSecond()));
    for (Map.Entry<String, Shape> variant : variants.entrySet()) {
      double other =
          bill(variant.getValue(), single, cpuMillis).values().stream()
              .mapToDouble(Double::doubleValue)
              .sum();
      line.accept(
          String.format(
              Locale.ROOT,
              "| %s | $%,.0f | %+.0f%% |",
              variant.getKey(),
              other,
              100 * (other - total) / total));
    }
    line.accept("");
    line.accept(
        "Assumptions: one S3 GET per bucket part per group when tiering reads it back"
            + " (`SliceReader` reads each slice with one ranged GET; a 4 MiB request of hashed"
            + " rows has a part in every bucket); segments stored at the ratio of this payload's"
            + " segment to its Arrow body; a write Lambda of 1,769 MB (one vCPU) busy for the"
            + " scaled CPU time plus 100 ms waiting on its stores; HTTP API at $1.00 per million"
            + " requests up to 300 million a month and $0.90 after; the tiering compute at "
            + String.format(Locale.ROOT, "%,.0f", TIERING_ROWS_PER_CORE_SECOND)
            + " rows per vCPU-second (bench/reports/tiering.md, Paimon); lake files, lake"
            + " storage, tiering's few metadata calls per run, data transfer and the free tiers"
            + " are left out.");
    line.accept("");
  }

  private static final String TIERING_ITEM = "Lambda GB-seconds, tiering (lake writer compute)";

  /** The monthly bill of a shape, item by item, in dollars. */
  private Map<String, Double> bill(Shape shape, IngestCost.Counts counts, double cpuMillis) {
    double requests = shape.requestsPerSecond() * MONTH_SECONDS;
    double groups = requests; // one request per invocation on Lambda
    double segmentRatio = (double) payload.segment().length / payload.arrow().length;
    double putsPerGroup = counts.perGroup(counts.puts());
    double getsPerGroup = counts.perGroup(counts.gets()) + BUCKETS;
    double writeUnitsPerGroup = counts.perGroup(counts.writeUnits());
    double readUnitsPerGroup = counts.perGroup(counts.readUnits());
    double cpuSeconds = cpuMillis / 1000 * shape.requestBytes() / payload.arrow().length;
    double rowsPerSecond = shape.bytesPerSecond() / payload.arrow().length * payload.rows();
    Map<String, Double> bill = new LinkedHashMap<>();
    bill.put("S3 PUT (one segment per request)", groups * putsPerGroup * S3_PUT);
    bill.put("S3 GET (tiering reads each bucket part)", groups * getsPerGroup * S3_GET);
    bill.put("S3 DELETE (retention)", 0.0);
    bill.put(
        "S3 storage (the log's retention window)",
        shape.bytesPerSecond() * segmentRatio * shape.hours() * 3600 / 1e9 * S3_GB_MONTH);
    bill.put("DynamoDB write units", groups * writeUnitsPerGroup * DYNAMO_WRITE_UNIT);
    bill.put("DynamoDB read units", groups * readUnitsPerGroup * DYNAMO_READ_UNIT);
    bill.put(
        "Lambda GB-seconds, writes",
        requests * (cpuSeconds + STORE_WAIT_SECONDS) * LAMBDA_GB * LAMBDA_GB_SECOND);
    bill.put("Lambda requests, writes", requests * LAMBDA_REQUEST);
    bill.put(
        "API Gateway HTTP API requests",
        Math.min(requests, 300e6) * HTTP_API_FIRST_300M
            + Math.max(0, requests - 300e6) * HTTP_API_AFTER);
    bill.put(
        TIERING_ITEM,
        rowsPerSecond
            / shape.tieringRowsPerCoreSecond()
            * MONTH_SECONDS
            * LAMBDA_GB
            * LAMBDA_GB_SECOND);
    return bill;
  }

  private double cpuMillisPerArrowRequest() {
    for (Target target : List.of(Target.S3, Target.EMBEDDED)) {
      Optional<Measurement> m =
          results.stream()
              .filter(
                  r -> r.target() == target && r.side() == Side.SLUICE_ARROW && r.clients() == 1)
              .findFirst();
      if (m.isPresent() && !Double.isNaN(m.get().cpuMillisPerRequest())) {
        return m.get().cpuMillisPerRequest();
      }
    }
    return Double.NaN;
  }
}
