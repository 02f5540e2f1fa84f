"""What each invocation leaves for the people who operate it: the summary it returns, its
log lines (JSON in CloudWatch Logs, queried by their fields), its metrics (Embedded Metric
Format: the dashboard and the alarms), and the exception that makes Lambda retry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from handler.deployment import PARAMETER, TABLE, Deployment, captured_logs, event
from workforce_emulator import controls
from workforce_reconciler.errors import TransientError

Invoke = Callable[[Any], dict[str, Any]]
OUTCOMES = ("RunsInSync", "RunsCorrected", "RunsDriftDetected", "RunsBlocked", "RunsFailed")


def metrics_of(printed: str) -> dict[str, tuple[float, str]]:
    """Each metric the invocation emitted: its value and unit, by name (the one namespace
    and dimension are checked by tests/handler/test_metrics.py)."""
    found: dict[str, tuple[float, str]] = {}
    for line in printed.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    values = blob[metric["Name"]]
                    value = sum(values) if isinstance(values, list) else values
                    found[metric["Name"]] = (value, metric["Unit"])
    return found


def counts(outcome: str, **values: int) -> dict[str, tuple[float, str]]:
    """What a run counts: 1 for its outcome, 0 for the others, and what it found and did."""
    every = dict.fromkeys(OUTCOMES, 0) | {outcome: 1}
    every |= {"DriftFound": 0, "BlockedDrift": 0, "ChangesApplied": 0, "ApplyFailures": 0}
    every |= {"WorkforceFailed": 0, "InvalidDocument": 0} | values
    return {name: (value, "Count") for name, value in every.items()}


def lines(logs: list[dict[str, Any]], message: str) -> list[dict[str, Any]]:
    return [line for line in logs if line["message"] == message]


def summary_of(logs: list[dict[str, Any]]) -> dict[str, Any]:
    (done,) = lines(logs, "reconcile done")
    assert done["level"] == "INFO"
    summary: dict[str, Any] = done["summary"]
    return summary


def test_a_run_with_failed_and_refused_steps_logs_each_counts_all_and_returns_the_summary(
    deployment: Deployment, invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a converged deployment whose teams someone deleted by hand, a team made by hand
    # (blocked: the document does not allow deleting it), a changed allow-list, and
    # SageMaker answering the two CreateWorkteam calls with a denial and a refusal (a
    # refusal is blocked drift: no retry fixes it)
    deployment.put_document(deployment.oidc_document())
    with captured_logs() as first_logs:
        invoke(event("ssm-update"))
    for team in ("image-labelers", "text-reviewers"):
        deployment.sagemaker.delete_workteam(WorkteamName=team)
    deployment.sagemaker.create_workteam(
        WorkteamName="weekend-temps",
        WorkforceName="labeling-oidc",
        Description="made by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
    )
    deployment.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    controls.add_fault("CreateWorkteam", error="AccessDeniedException", message="not allowed")
    controls.add_fault("CreateWorkteam", error="ValidationException", message="bad group")
    deployment.messages()
    capsys.readouterr()

    # When the schedule fires
    with captured_logs() as logs:
        result = invoke(event("schedule"))

    # Then it returns what it found and did, and the subjects of the messages it sent
    sent = [m["Subject"] for m in deployment.messages()]
    assert len(sent) == 3
    assert result == {
        "Status": "ApplyFailed",
        "Trigger": "schedule",
        "Mode": "enforce",
        "WorkforceName": "labeling-oidc",
        "WorkforceStatus": "Active",
        "PlannedActions": 4,
        "BlockedActions": 2,  # the team made by hand, and the refused one
        "Applied": 1,
        "Failed": 1,
        "DocumentProblems": 0,
        "Error": None,
        "Notifications": sent,
    }
    # and logs it, with one warning for each step SageMaker did not take
    assert summary_of(logs) == result
    steps = [line for line in logs if line["level"] == "WARNING"]
    assert [
        (s["message"], s["operation"], s["target"], s["error_code"], s["error_message"])
        for s in steps
    ] == [
        ("step failed", "CreateWorkteam", "Workteam/image-labelers", "AccessDeniedException",
         "not allowed"),
        ("step refused", "CreateWorkteam", "Workteam/text-reviewers", "ValidationException",
         "bad group"),
    ]  # fmt: skip
    assert lines(logs, "reconcile stopped") == []
    # and says why it ran: the schedule (no parameter changed); the first run, the change
    (starts,) = lines(logs, "reconcile starts")
    assert (starts["trigger"], starts.get("changed")) == ("schedule", None)
    (starts,) = lines(first_logs, "reconcile starts")
    assert (starts["trigger"], starts["changed"]) == ("ssm:Update", PARAMETER)
    # and counts it
    assert metrics_of(capsys.readouterr().out) == counts(
        "RunsFailed", DriftFound=4, BlockedDrift=2, ChangesApplied=1, ApplyFailures=1
    )


def test_a_run_stopped_by_an_unreadable_secret_logs_why_and_returns_the_error(
    deployment: Deployment, invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document whose client-secret reference does not exist
    document = deployment.oidc_document()
    document["Workforce"]["OidcConfig"]["ClientSecretArn"] = "workforce/no-such-secret"
    deployment.put_document(document)

    # When the schedule fires
    with captured_logs() as logs:
        result = invoke(event("schedule"))

    # Then the run returns and logs the error (no retry can fix it), and counts a failure
    error = result["Error"]
    assert (error["Code"], error["Retryable"]) == ("SecretUnavailableError", False)
    assert "workforce/no-such-secret" in error["Message"]
    assert (result["Status"], result["PlannedActions"], result["BlockedActions"]) == (
        "Error",
        0,
        0,
    )
    assert summary_of(logs) == result
    (stopped,) = lines(logs, "reconcile stopped")
    assert (stopped["level"], stopped["error"]) == ("ERROR", error["Message"])
    assert metrics_of(capsys.readouterr().out) == counts("RunsFailed")


def test_an_invalid_document_counts_its_problems_and_plans_nothing(
    deployment: Deployment, invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.put_document('{"Version": 1, "Workforce": {"WorkforceName": "x"}, "Extra": 1}')

    result = invoke(event("ssm-update"))

    assert (result["Status"], result["PlannedActions"], result["BlockedActions"]) == (
        "InvalidDocument",
        0,
        0,
    )
    assert result["DocumentProblems"] >= 2
    assert metrics_of(capsys.readouterr().out) == counts("RunsFailed", InvalidDocument=1)


def test_a_failed_workforce_is_counted(
    deployment: Deployment, invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    controls.set_status("labeling-oidc", "Failed", "IdP unreachable")
    capsys.readouterr()

    result = invoke(event("schedule"))

    assert (result["Status"], result["WorkforceStatus"]) == ("WorkforceFailed", "Failed")
    assert metrics_of(capsys.readouterr().out) == counts("RunsFailed", WorkforceFailed=1)


def test_a_throttled_read_raises_the_runs_error_for_lambda_to_retry(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given SageMaker throttling DescribeWorkforce beyond botocore's 2 attempts
    deployment.put_document(deployment.oidc_document())
    controls.add_fault(
        "DescribeWorkforce", error="ThrottlingException", message="slow down", count=2
    )

    # When the schedule fires, then the invocation fails with the run's error (Lambda
    # retries the event), after logging it
    with captured_logs() as logs, pytest.raises(TransientError) as raised:
        invoke(event("schedule"))

    assert str(raised.value) == "DescribeWorkforce failed: ThrottlingException: slow down"
    assert summary_of(logs)["Error"]["Message"] == str(raised.value)


def test_throttled_steps_raise_naming_how_many_and_the_first(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given the first CreateWorkteam denied (no retry fixes that), and the second throttled
    # beyond botocore's 2 attempts
    deployment.put_document(deployment.oidc_document())
    controls.add_fault("CreateWorkteam", error="AccessDeniedException", message="not allowed")
    controls.add_fault("CreateWorkteam", error="ThrottlingException", count=2)

    # When the event is handled, then Lambda is asked to retry it, for the throttled step
    with pytest.raises(TransientError) as raised:
        invoke(event("ssm-update"))

    assert str(raised.value) == (
        "1 step(s) failed transiently, first CreateWorkteam Workteam/text-reviewers: "
        "ThrottlingException; Lambda will retry the event"
    )


def test_a_run_that_cannot_be_recorded_for_status_says_so_and_still_reports(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a deployment whose state table is gone
    deployment.put_document(deployment.oidc_document())
    boto3.client("dynamodb").delete_table(TableName=TABLE)

    # When the schedule fires
    with captured_logs() as logs:
        result = invoke(event("schedule"))

    # Then the run is reported, and one warning says `status` will not show it, and why
    assert result["Status"] == "Error"
    (warning,) = lines(logs, "could not record the run for `status`")
    assert warning["level"] == "WARNING"
    assert f"the state table '{TABLE}' does not exist" in warning["error"]
