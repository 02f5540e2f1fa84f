"""Which messages say where to look, and that the links follow the report's Region."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workforce_reconciler.notifications import messages_for
from workforce_reconciler.notifications.links import plan_command
from workforce_reconciler.plan import DocumentProblem, Mode, Plan, Report

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
COMMAND = plan_command("/workforce reconciler/desired state", "the-table", "eu-west-1")


def texts(report: Report) -> list[str]:
    messages, _ = messages_for(
        report, {}, now=NOW, reminder_interval=timedelta(days=1), plan_command=COMMAND
    )
    return [m.text for m in messages]


def report(**fields: object) -> Report:
    return Report.model_validate(
        {"Trigger": "schedule", "Mode": Mode.ENFORCE, "Region": "eu-west-1", **fields}
    )


def test_a_failed_workforce_links_the_console_of_its_region_and_the_plan() -> None:
    (text,) = texts(
        report(Plan=Plan(WorkforceName="default"), WorkforceStatus="Failed", FailureReason="x")
    )

    assert (
        "Where to look:\n"
        "  Workforce in the SageMaker console: https://eu-west-1.console.aws.amazon.com/"
        "sagemaker/groundtruth?region=eu-west-1#/labeling-workforces/private\n"
        "  The plan, from a terminal with AWS credentials: workforce-reconciler plan "
        "--parameter '/workforce reconciler/desired state' --state-table the-table "
        "--region eu-west-1\n"
    ) in text


def test_an_invalid_document_names_the_plan_command_only() -> None:
    (text,) = texts(report(DocumentProblems=(DocumentProblem(Path="$", Message="not JSON"),)))

    assert f"Where to look:\n  The plan, from a terminal with AWS credentials: {COMMAND}\n" in text
    assert "console.aws.amazon.com" not in text


def test_a_missing_document_has_nowhere_to_look() -> None:
    (text,) = texts(report())

    assert "Where to look" not in text
