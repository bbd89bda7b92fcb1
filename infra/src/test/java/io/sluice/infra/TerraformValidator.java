package io.sluice.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Checks infra/ without terraform or AWS: every reference names something declared; each function
 * points at a package the build produced and a handler that package holds; each function's IAM
 * policy grants exactly the actions its code calls, on the resources it calls them on ({@link
 * #NEEDED}); the schedule sends the input the tiering handler recognises.
 */
final class TerraformValidator {
  /**
   * What each function's code calls, by resource expression: its policy must grant this, no more.
   */
  static final Map<String, Map<String, Set<String>>> NEEDED = new LinkedHashMap<>();

  static {
    String logObjects = "${local.log_objects}";
    String lakeObjects = "${local.lake_objects}";
    String scanOffsets = "${local.scan_offsets}";
    String tieredOffsets = "${local.tiered_offsets}";
    String bucket = "${aws_s3_bucket.data.arn}";
    String table = "${aws_dynamodb_table.metadata.arn}";
    String glueCatalog = "${local.glue_catalog}";
    String glueDatabases = "${local.glue_databases}";
    String glueTables = "${local.glue_tables}";
    String logs = "logs:CreateLogStream logs:PutLogEvents";

    Map<String, Set<String>> write = new LinkedHashMap<>();
    write.put(logGroup("write"), actions(logs));
    // A conditional put of each segment, and a HEAD after an ambiguous answer.
    write.put(logObjects, actions("s3:GetObject s3:PutObject"));
    // Plan, heads, index pages: get, put-if-absent, conditional updates, page queries.
    write.put(
        table, actions("dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem"));
    NEEDED.put("write", write);

    Map<String, Set<String>> read = new LinkedHashMap<>();
    read.put(logGroup("read"), actions(logs));
    read.put(logObjects, actions("s3:GetObject"));
    read.put(lakeObjects, actions("s3:GetObject"));
    // Offsets of scans too large for a header: kept, fetched by link, removed after a day.
    read.put(scanOffsets, actions("s3:DeleteObject s3:GetObject s3:PutObject"));
    // Tiered offsets too many for a lake snapshot property, read with the snapshot.
    read.put(tieredOffsets, actions("s3:GetObject"));
    read.put(bucket, actions("s3:ListBucket"));
    read.put(table, actions("dynamodb:GetItem dynamodb:Query dynamodb:Scan"));
    // GetDatabases: the Iceberg REST catalog (/iceberg) lists namespaces.
    for (String glue : List.of(glueCatalog, glueDatabases, glueTables)) {
      read.put(glue, actions("glue:GetDatabase glue:GetDatabases glue:GetTable glue:GetTables"));
    }
    NEEDED.put("read", read);

    Map<String, Set<String>> tiering = new LinkedHashMap<>();
    tiering.put(logGroup("tiering"), actions(logs));
    String objects = "s3:AbortMultipartUpload s3:DeleteObject s3:GetObject s3:PutObject";
    tiering.put(logObjects, actions(objects));
    tiering.put(lakeObjects, actions(objects));
    // Offsets files: written before a commit, read by the next run, removed by maintenance.
    tiering.put(tieredOffsets, actions("s3:DeleteObject s3:GetObject s3:PutObject"));
    tiering.put(bucket, actions("s3:ListBucket"));
    tiering.put(
        table,
        actions(
            "dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:Scan"
                + " dynamodb:UpdateItem"));
    // The buckets pending tiering, through the metadata table's index.
    tiering.put(table.replace("}", "}/index/*"), actions("dynamodb:Query"));
    for (String glue : List.of(glueCatalog, glueDatabases, glueTables)) {
      tiering.put(
          glue,
          actions(
              "glue:CreateDatabase glue:CreateTable glue:DeleteTable glue:GetDatabase"
                  + " glue:GetTable glue:GetTables glue:UpdateTable"));
    }
    NEEDED.put("tiering", tiering);
  }

  /** What the scheduler role may do: invoke the tiering function's alias, nothing else. */
  static final Map<String, Set<String>> SCHEDULER =
      Map.of("${aws_lambda_alias.live[\"tiering\"].arn}", actions("lambda:InvokeFunction"));

  /** The input the tiering handler recognises as a scheduled event. */
  static final String SCHEDULED_INPUT = "sluice = \"scheduled-run\"";

  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?<![\\w.\"$-])(data\\.[a-z0-9_]+\\.[A-Za-z0-9_-]+|var\\.[A-Za-z0-9_]+|local\\.[A-Za-z0-9_]+"
              + "|aws_[a-z0-9_]+\\.[A-Za-z0-9_-]+)");
  private static final Pattern LOCAL_ONLY = Pattern.compile("\\$\\{local\\.([A-Za-z0-9_]+)}");
  private static final String STREAM_HANDLER_DESCRIPTOR =
      "(Ljava/io/InputStream;Ljava/io/OutputStream;Lcom/amazonaws/services/lambda/runtime/Context;)V";

  private final TerraformFiles tf;
  private final Path buildRoot;
  private final List<String> problems = new ArrayList<>();

  private TerraformValidator(TerraformFiles tf, Path buildRoot) {
    this.tf = tf;
    this.buildRoot = buildRoot;
  }

  /** The problems of the Terraform in {@code infraDir}; none when it is sound. */
  static List<String> validate(Path infraDir, Path buildRoot)
      throws IOException, InterruptedException {
    TerraformValidator validator =
        new TerraformValidator(TerraformFiles.parse(infraDir), buildRoot);
    validator.checkReferences();
    validator.checkPackages();
    validator.checkPolicies();
    validator.checkSchedule();
    return validator.problems;
  }

  private void checkReferences() {
    Set<String> declared = new TreeSet<>();
    tf.blocks("resource")
        .forEach((type, named) -> named.keySet().forEach(n -> declared.add(type + "." + n)));
    tf.blocks("data")
        .forEach(
            (type, named) -> named.keySet().forEach(n -> declared.add("data." + type + "." + n)));
    tf.named("variable").keySet().forEach(n -> declared.add("var." + n));
    tf.locals().keySet().forEach(n -> declared.add("local." + n));
    tf.files.forEach(
        (file, body) ->
            strings(
                body,
                text -> {
                  if (!text.contains("${")) {
                    return;
                  }
                  Matcher m = REFERENCE.matcher(text);
                  while (m.find()) {
                    if (!declared.contains(m.group(1))) {
                      problems.add(
                          file
                              + ": "
                              + m.group(1)
                              + " is referenced but not declared (in "
                              + text
                              + ")");
                    }
                  }
                }));
  }

  private void checkPackages() throws IOException {
    JsonNode functions = tf.locals().get("functions");
    if (functions == null) {
      problems.add("main.tf: local.functions (each function's package and handler) is missing");
      return;
    }
    for (String function : NEEDED.keySet()) {
      JsonNode spec = functions.path(function);
      if (spec.isMissingNode()) {
        problems.add("main.tf: local.functions has no " + function + " function");
        continue;
      }
      String packagePath = resolve(spec.path("package").asText());
      String handler = resolve(spec.path("handler").asText());
      Path zip = Path.of(packagePath.replace("${local.packages_dir}", buildRoot.toString()));
      Path expected =
          buildRoot.resolve("lambda-" + function).resolve("target").resolve("function.zip");
      if (!zip.normalize().equals(expected.normalize())) {
        problems.add(
            "main.tf: the "
                + function
                + " package is "
                + packagePath
                + ", but the build writes "
                + buildRoot.relativize(expected));
      }
      if (!Files.exists(zip)) {
        problems.add("main.tf: the " + function + " package " + zip + " does not exist; build it");
        continue;
      }
      checkHandler(function, zip, handler);
    }
    JsonNode lambda =
        tf.blocks("resource").getOrDefault("aws_lambda_function", Map.of()).get("function");
    if (lambda == null) {
      problems.add("lambda.tf: resource aws_lambda_function.function is missing");
      return;
    }
    expect(lambda, "handler", "${each.value.handler}", "lambda.tf");
    expect(lambda, "runtime", "java21", "lambda.tf");
    expect(lambda, "publish", "true", "lambda.tf");
    if (!lambda.path("architectures").path(0).asText().equals("${local.architecture}")) {
      problems.add("lambda.tf: architectures must be [local.architecture], the packages' own");
    }
    String environment = tf.locals().getOrDefault("store_environment", lambda).toString();
    if (!environment.contains("--add-opens=java.base/java.nio=ALL-UNNAMED")) {
      problems.add("main.tf: JAVA_TOOL_OPTIONS must open java.nio for Arrow");
    }
  }

  private void expect(JsonNode block, String field, String value, String file) {
    if (!block.path(field).asText().equals(value)) {
      problems.add(file + ": " + field + " must be " + value + ", not " + block.path(field));
    }
  }

  /** Replaces {@code ${local.x}} by the local's text when the whole value is that reference. */
  private String resolve(String value) {
    Matcher m = LOCAL_ONLY.matcher(value);
    if (m.matches() && tf.locals().containsKey(m.group(1))) {
      return tf.locals().get(m.group(1)).asText();
    }
    return value;
  }

  /** The handler {@code class::method} must be a stream handler method in the package. */
  private void checkHandler(String function, Path zip, String handler) throws IOException {
    int colons = handler.indexOf("::");
    if (colons < 0) {
      problems.add("main.tf: handler " + handler + " of " + function + " is not class::method");
      return;
    }
    String className = handler.substring(0, colons);
    String method = handler.substring(colons + 2);
    byte[] classFile = findClass(zip, className.replace('.', '/') + ".class");
    if (classFile == null) {
      problems.add(
          "main.tf: handler "
              + handler
              + " of "
              + function
              + ": class "
              + className
              + " is not in "
              + buildRoot.relativize(zip));
      return;
    }
    String constants = new String(classFile, StandardCharsets.ISO_8859_1);
    if (!constants.contains(method) || !constants.contains(STREAM_HANDLER_DESCRIPTOR)) {
      problems.add(
          "main.tf: handler "
              + handler
              + " of "
              + function
              + ": "
              + className
              + " has no method "
              + method
              + "(InputStream, OutputStream, Context)");
    }
  }

  private static byte[] findClass(Path zip, String entryName) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      ZipEntry direct = file.getEntry(entryName);
      if (direct != null) {
        try (InputStream in = file.getInputStream(direct)) {
          return in.readAllBytes();
        }
      }
      // Jars whose names share most words with the class's package first: the search reads
      // each nested jar through, and a package holds some hundred of them.
      List<String> words = List.of(entryName.substring(0, entryName.lastIndexOf('/')).split("/"));
      List<ZipEntry> jars = new ArrayList<>();
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements(); ) {
        ZipEntry jar = e.nextElement();
        if (jar.getName().endsWith(".jar")) {
          jars.add(jar);
        }
      }
      jars.sort(
          java.util.Comparator.comparingLong(
                  (ZipEntry jar) -> words.stream().filter(jar.getName()::contains).count())
              .reversed());
      for (ZipEntry jar : jars) {
        try (ZipInputStream in = new ZipInputStream(file.getInputStream(jar))) {
          for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
            if (entry.getName().equals(entryName)) {
              return in.readAllBytes();
            }
          }
        }
      }
    }
    return null;
  }

  private void checkPolicies() {
    Map<String, JsonNode> documents =
        tf.blocks("data").getOrDefault("aws_iam_policy_document", Map.of());
    JsonNode policies = tf.locals().get("policies");
    for (String function : NEEDED.keySet()) {
      String reference = "${data.aws_iam_policy_document." + function + ".json}";
      if (policies == null || !policies.path(function).asText().equals(reference)) {
        problems.add(
            "iam.tf: local.policies."
                + function
                + " must be "
                + reference
                + ", the policy of the "
                + function
                + " role");
      }
      compare("the " + function + " function", documents.get(function), NEEDED.get(function));
    }
    compare("the scheduler", documents.get("scheduler"), SCHEDULER);
  }

  /** Reports every needed grant that is missing and every grant beyond what is needed. */
  private void compare(String who, JsonNode document, Map<String, Set<String>> needed) {
    if (document == null) {
      problems.add("iam.tf: no IAM policy document for " + who);
      return;
    }
    Map<String, Set<String>> granted = new LinkedHashMap<>();
    for (JsonNode statement : document.path("statement")) {
      if (statement.path("effect").asText("Allow").equals("Deny")) {
        continue;
      }
      for (JsonNode resource : statement.path("resources")) {
        for (JsonNode action : statement.path("actions")) {
          granted.computeIfAbsent(resource.asText(), r -> new TreeSet<>()).add(action.asText());
        }
      }
    }
    needed.forEach(
        (resource, actions) -> {
          for (String action : actions) {
            if (!granted.getOrDefault(resource, Set.of()).contains(action)) {
              problems.add(
                  "iam.tf: the IAM policy of "
                      + who
                      + " lacks "
                      + action
                      + " on "
                      + resource
                      + ", which its code calls");
            }
          }
        });
    granted.forEach(
        (resource, actions) -> {
          for (String action : actions) {
            if (!needed.getOrDefault(resource, Set.of()).contains(action)) {
              problems.add(
                  "iam.tf: the IAM policy of "
                      + who
                      + " grants "
                      + action
                      + " on "
                      + resource
                      + ", which its code does not need");
            }
          }
        });
  }

  private void checkSchedule() {
    JsonNode schedule =
        tf.blocks("resource").getOrDefault("aws_scheduler_schedule", Map.of()).get("tiering");
    if (schedule == null) {
      problems.add("schedule.tf: resource aws_scheduler_schedule.tiering is missing");
      return;
    }
    JsonNode target = schedule.path("target").path(0);
    if (!target.path("input").asText().contains(SCHEDULED_INPUT)) {
      problems.add(
          "schedule.tf: the schedule's input "
              + target.path("input")
              + " is not the scheduled event the tiering handler recognises ({"
              + SCHEDULED_INPUT
              + "})");
    }
    if (!target.path("arn").asText().equals("${aws_lambda_alias.live[\"tiering\"].arn}")) {
      problems.add("schedule.tf: the schedule must invoke the tiering function's live alias");
    }
  }

  private static Set<String> actions(String list) {
    return new TreeSet<>(List.of(list.split(" ")));
  }

  private static String logGroup(String function) {
    return "${local.log_group_arns[\"" + function + "\"]}";
  }

  private static void strings(JsonNode node, Consumer<String> visitor) {
    if (node.isTextual()) {
      visitor.accept(node.asText());
    } else if (node.isContainerNode()) {
      node.elements().forEachRemaining(child -> strings(child, visitor));
    }
    if (node.isObject()) {
      node.fieldNames().forEachRemaining(visitor);
    }
  }
}
