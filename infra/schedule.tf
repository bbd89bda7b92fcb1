# Every minute the tiering function runs the scheduled work (recovery, tiering, lake maintenance,
# retention, garbage collection) with this input, which its handler recognises.
resource "aws_scheduler_schedule" "tiering" {
  name                = "${var.name}-tiering"
  schedule_expression = var.schedule_expression

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_alias.live["tiering"].arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ sluice = "scheduled-run" })

    retry_policy {
      # The next run comes within a minute; an invocation that failed is not worth repeating.
      maximum_retry_attempts = 0
    }
  }
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeTiering"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_alias.live["tiering"].arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.name}-scheduler"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
