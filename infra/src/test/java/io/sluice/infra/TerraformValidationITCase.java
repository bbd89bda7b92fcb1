package io.sluice.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * infra/ validated offline against the packages this build produced (an ITCase so that it runs
 * after they are packaged), and a broken copy shown to fail with messages that name the fault.
 */
class TerraformValidationITCase {
  private static final Path ROOT =
      Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath().normalize();
  private static final Path INFRA = ROOT.resolve("infra");

  @Test
  void theTerraformMatchesTheBuildAndGrantsEachFunctionOnlyWhatItNeeds() throws Exception {
    assertThat(TerraformValidator.validate(INFRA, ROOT)).isEmpty();
  }

  @Test
  void aWrongHandlerAMissingActionAndADanglingReferenceAreEachNamed(@TempDir Path copy)
      throws Exception {
    copyTerraform(copy);
    replace(
        copy.resolve("main.tf"),
        "io.sluice.lambda.tiering.TieringHandler::handleRequest",
        "io.sluice.lambda.tiering.TieringHandlr::handleRequest");
    replace(
        copy.resolve("iam.tf"),
        "[\"dynamodb:GetItem\", \"dynamodb:PutItem\", \"dynamodb:Query\", \"dynamodb:UpdateItem\"]",
        "[\"dynamodb:GetItem\", \"dynamodb:Query\", \"dynamodb:UpdateItem\"]");
    replace(
        copy.resolve("schedule.tf"), "aws_iam_role.scheduler.arn", "aws_iam_role.schedular.arn");

    List<String> problems = TerraformValidator.validate(copy, ROOT);

    assertThat(problems)
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("io.sluice.lambda.tiering.TieringHandlr::handleRequest")
                    .contains("tiering"))
        .anySatisfy(p -> assertThat(p).contains("the write function lacks dynamodb:PutItem"))
        .anySatisfy(p -> assertThat(p).contains("schedule.tf: aws_iam_role.schedular"))
        .hasSize(3);
  }

  @Test
  void aGrantBeyondWhatTheCodeCallsIsNamed(@TempDir Path copy) throws Exception {
    copyTerraform(copy);
    replace(
        copy.resolve("iam.tf"),
        "actions   = [\"s3:GetObject\"]\n    resources = [local.log_objects, local.lake_objects]",
        "actions   = [\"s3:GetObject\", \"s3:PutObject\"]\n"
            + "    resources = [local.log_objects, local.lake_objects]");

    assertThat(TerraformValidator.validate(copy, ROOT))
        .containsExactlyInAnyOrder(
            "iam.tf: the IAM policy of the read function grants s3:PutObject on"
                + " ${local.log_objects}, which its code does not need",
            "iam.tf: the IAM policy of the read function grants s3:PutObject on"
                + " ${local.lake_objects}, which its code does not need");
  }

  private static void copyTerraform(Path target) throws IOException {
    try (Stream<Path> files = Files.list(INFRA)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".tf")).toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }

  private static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).as("%s holds %s", file.getFileName(), from).contains(from);
    Files.writeString(file, text.replace(from, to));
  }
}
