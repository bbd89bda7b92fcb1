package io.sluice.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The .tf files of a folder as JSON, parsed by HashiCorp's HCL parser through the npm package
 * {@code @cdktf/hcl2json} (installed by the build into {@code .build/tools/hcl2json}); no terraform
 * binary needed. Expressions come back as {@code ${...}} strings.
 */
final class TerraformFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** File name to its parsed blocks ({@code resource}, {@code data}, {@code locals}, ...). */
  final Map<String, JsonNode> files;

  private TerraformFiles(Map<String, JsonNode> files) {
    this.files = files;
  }

  static TerraformFiles parse(Path folder) throws IOException, InterruptedException {
    Path tools = Path.of(System.getProperty("standins.tools.dir", ".build/tools"));
    Path script = tools.resolve("hcl2json").resolve("hcl2json.js");
    if (!Files.exists(script)) {
      throw new IllegalStateException(
          "Cannot parse Terraform: " + script + " is missing; the infra build installs it");
    }
    Process process =
        new ProcessBuilder("node", script.toString(), folder.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "Cannot parse the Terraform in "
              + folder
              + ": "
              + new String(out, StandardCharsets.UTF_8));
    }
    JsonNode root = JSON.readTree(out);
    Map<String, JsonNode> files = new java.util.TreeMap<>();
    root.fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue()));
    return new TerraformFiles(files);
  }

  /** Every block of a kind (e.g. {@code resource}) as type to name to body, over all files. */
  Map<String, Map<String, JsonNode>> blocks(String kind) {
    Map<String, Map<String, JsonNode>> blocks = new java.util.TreeMap<>();
    for (JsonNode file : files.values()) {
      for (Iterator<Map.Entry<String, JsonNode>> types = file.path(kind).fields();
          types.hasNext(); ) {
        Map.Entry<String, JsonNode> type = types.next();
        type.getValue()
            .fields()
            .forEachRemaining(
                named ->
                    blocks
                        .computeIfAbsent(type.getKey(), k -> new java.util.TreeMap<>())
                        .put(named.getKey(), first(named.getValue())));
      }
    }
    return blocks;
  }

  /** Every {@code variable} (or {@code output}) block by name. */
  Map<String, JsonNode> named(String kind) {
    Map<String, JsonNode> named = new java.util.TreeMap<>();
    for (JsonNode file : files.values()) {
      file.path(kind).fields().forEachRemaining(e -> named.put(e.getKey(), first(e.getValue())));
    }
    return named;
  }

  /** Every local value by name, over all {@code locals} blocks. */
  Map<String, JsonNode> locals() {
    Map<String, JsonNode> locals = new java.util.TreeMap<>();
    for (JsonNode file : files.values()) {
      for (JsonNode block : file.path("locals")) {
        block.fields().forEachRemaining(e -> locals.put(e.getKey(), e.getValue()));
      }
    }
    return locals;
  }

  /** The file a block of this kind, type and name is declared in, for messages. */
  String fileOf(String kind, String type, String name) {
    for (Map.Entry<String, JsonNode> file : files.entrySet()) {
      if (!file.getValue().path(kind).path(type).path(name).isMissingNode()) {
        return file.getKey();
      }
    }
    return "?";
  }

  private static JsonNode first(JsonNode node) {
    return node.isArray() ? node.path(0) : node;
  }
}
