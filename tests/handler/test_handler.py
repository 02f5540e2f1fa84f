"""The Lambda handler end to end: events in, SageMaker state and SNS messages out."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from handler.deployment import PARAMETER, SECRET_VALUE, Deployment, event
from workforce_emulator import controls
from workforce_reconciler import handler
from workforce_reconciler.errors import TransientError

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def sqs_json(message: dict[str, Any]) -> dict[str, Any]:
    """The JSON form a machine subscriber reads (the 'sqs' key of the structured message)."""
    loaded: dict[str, Any] = json.loads(message["Message"])
    return loaded


def test_parameter_change_event_creates_everything_and_notifies_once(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given the desired state put in SSM (moto emits no change event: the test builds it)
    deployment.put_document(deployment.oidc_document())

    # When the Parameter Store Change event arrives
    result = invoke(event("ssm-update"))

    # Then the workforce and its teams exist
    assert result["Status"] == "Corrected"
    workforce = deployment.sagemaker.describe_workforce(WorkforceName="labeling-oidc")
    assert workforce["Workforce"]["Status"] == "Active"
    teams = deployment.sagemaker.list_workteams()["Workteams"]
    assert sorted(t["WorkteamName"] for t in teams) == ["image-labelers", "text-reviewers"]
    # and the subscriber got one "drift corrected" message, readable and filterable
    (message,) = deployment.messages()
    assert message["MessageAttributes"]["event_type"]["Value"] == "DriftCorrected"
    assert message["MessageAttributes"]["workforce"]["Value"] == "labeling-oidc"
    assert message["MessageAttributes"]["region"]["Value"] == "us-east-1"
    assert len(message["Subject"]) < 100
    body = sqs_json(message)
    assert body["EventType"] == "DriftCorrected"
    assert SECRET_VALUE not in json.dumps(message)

    # When the schedule fires and nothing changed
    result = invoke(event("schedule"))

    # Then the run is in sync and nobody hears about it
    assert result["Status"] == "InSync"
    assert deployment.messages() == []


def test_schedule_corrects_out_of_band_change_and_says_what_changed(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment
    deployment.put_document(deployment.oidc_document())
    invoke(event("ssm-create"))
    deployment.messages()
    # and a console user who edits a team
    deployment.sagemaker.update_workteam(
        WorkteamName="text-reviewers", Description="edited in the console"
    )

    # When the schedule fires
    result = invoke(event("schedule"))

    # Then the team is back and the message shows before -> after
    assert result["Status"] == "Corrected"
    team = deployment.sagemaker.describe_workteam(WorkteamName="text-reviewers")["Workteam"]
    assert team["Description"] == "Reviews sentiment labels on support tickets"
    (message,) = deployment.messages()
    text = json.dumps(sqs_json(message))
    assert "edited in the console" in text
    assert "Reviews sentiment labels on support tickets" in text


def test_detect_mode_reports_drift_once_and_writes_nothing(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack deployed in detect mode
    monkeypatch.setenv("MODE", "detect")
    handler.reset()
    deployment.put_document(deployment.oidc_document())

    # When the schedule fires twice
    first = invoke(event("schedule"))
    messages = deployment.messages()
    second = invoke(event("schedule"))

    # Then drift is reported once, nothing was created
    assert first["Status"] == second["Status"] == "DriftDetected"
    assert deployment.event_types(messages) == ["DriftDetected"]
    assert deployment.messages() == []
    assert deployment.sagemaker.list_workforces()["Workforces"] == []


def test_failed_workforce_is_notified_with_its_failure_reason_then_resolved(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment whose workforce SageMaker then marks Failed
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    controls.set_status("labeling-oidc", "Failed", "Subnet subnet-0aa11bb22cc33dd44 not found")

    # When the schedule fires (twice)
    invoke(event("schedule"))
    failed = deployment.messages()
    invoke(event("schedule"))

    # Then one CRITICAL message carried the FailureReason, and no repeat
    assert deployment.event_types(failed) == ["WorkforceFailed"]
    assert failed[0]["MessageAttributes"]["severity"]["Value"] == "CRITICAL"
    assert "Subnet subnet-0aa11bb22cc33dd44 not found" in json.dumps(sqs_json(failed[0]))
    assert deployment.messages() == []

    # When the workforce recovers
    controls.set_status("labeling-oidc", "Active")
    invoke(event("schedule"))

    # Then a resolved message says so
    assert deployment.event_types(deployment.messages()) == ["Resolved"]


def test_invalid_document_is_notified_with_every_problem_and_changes_nothing(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment, then a document with two mistakes
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    bad = deployment.oidc_document()
    bad["Workforce"]["SourceIpConfig"]["Cidrs"] = ["300.1.2.3/24"]
    bad["Workteams"][1]["Descriptoin"] = "typo"
    deployment.put_document(bad)
    controls.clear_calls()

    # When the change event arrives (twice: SSM events may repeat)
    result = invoke(event("ssm-update"))
    invoke(event("ssm-update"))

    # Then the run returns normally (no retry), SageMaker saw no call, one message
    assert result["Status"] == "InvalidDocument"
    assert result["DocumentProblems"] == 2
    assert controls.calls() == []
    (message,) = deployment.messages()
    assert message["MessageAttributes"]["event_type"]["Value"] == "InvalidDocument"
    text = json.dumps(sqs_json(message))
    assert "$.Workforce.SourceIpConfig.Cidrs[0]" in text
    assert "$.Workteams[1]" in text


def test_deleted_parameter_is_reported_and_nothing_is_deleted(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment whose parameter is deleted
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    deployment.ssm.delete_parameter(Name=PARAMETER)

    # When the Delete event arrives
    result = invoke(event("ssm-delete"))

    # Then it is reported, and the workforce and teams are untouched
    assert result["Status"] == "DocumentMissing"
    assert deployment.event_types(deployment.messages()) == ["DocumentMissing"]
    teams = deployment.sagemaker.list_workteams()["Workteams"]
    assert len(teams) == 2


def test_blocked_drift_is_notified_once_with_what_needs_a_person(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment and a team made by hand
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    deployment.sagemaker.create_workteam(
        WorkteamName="hand-made",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )

    # When the schedule fires twice
    first = invoke(event("schedule"))
    invoke(event("schedule"))

    # Then one BlockedDrift message names the team and the policy switch
    assert first["Status"] == "Blocked"
    (message,) = deployment.messages()
    assert message["MessageAttributes"]["event_type"]["Value"] == "BlockedDrift"
    text = json.dumps(sqs_json(message))
    assert "hand-made" in text
    assert "DeleteUnlistedWorkteams" in text


def test_event_for_another_parameter_or_unknown_shape_is_ignored(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given events that are not ours
    other = copy.deepcopy(event("ssm-update"))
    other["detail"]["name"] = "/some/other/parameter"
    controls.clear_calls()

    # When they arrive, then nothing is called and nothing is sent
    assert invoke(other) == {"Status": "Ignored"}
    assert invoke({"hello": "world"}) == {"Status": "Ignored"}
    assert controls.calls() == []
    assert deployment.messages() == []


def test_label_event_for_the_parameter_reconciles(deployment: Deployment, invoke: Invoke) -> None:
    deployment.put_document(deployment.oidc_document(Mode="detect"))
    assert invoke(event("ssm-label"))["Status"] == "DriftDetected"


def test_transient_failure_raises_for_lambda_to_retry_and_pages_nobody(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given SageMaker throttling the first CreateWorkteam beyond botocore's 2 attempts
    deployment.put_document(deployment.oidc_document())
    controls.add_fault("CreateWorkteam", error="ThrottlingException", count=2)

    # When the event is handled
    with pytest.raises(TransientError, match="ThrottlingException"):
        invoke(event("ssm-update"))

    # Then what was done is told, and the throttled step is not (yet) anyone's problem
    assert deployment.event_types(deployment.messages()) == ["DriftCorrected"]

    # When Lambda retries the event and SageMaker has recovered
    result = invoke(event("ssm-update"))

    # Then the missing team is created, and nothing was ever reported as failed
    assert result["Status"] == "Corrected"
    teams = deployment.sagemaker.list_workteams()["Workteams"]
    assert sorted(t["WorkteamName"] for t in teams) == ["image-labelers", "text-reviewers"]
    assert deployment.event_types(deployment.messages()) == ["DriftCorrected"]


def test_a_transient_failure_in_two_consecutive_runs_is_told_then_resolved(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given SageMaker throttling CreateWorkteam through two runs (2 teams, 2 attempts each)
    deployment.put_document(deployment.oidc_document())
    controls.add_fault("CreateWorkteam", error="ThrottlingException", count=8)
    with pytest.raises(TransientError):
        invoke(event("ssm-update"))
    assert deployment.event_types(deployment.messages()) == ["DriftCorrected"]

    # When the second run fails the same way
    with pytest.raises(TransientError):
        invoke(event("schedule"))

    # Then now a person hears about it, once
    (message,) = deployment.messages()
    assert message["MessageAttributes"]["event_type"]["Value"] == "ApplyFailed"
    assert "ThrottlingException" in sqs_json(message)["Results"][0]["ErrorCode"]

    # When SageMaker recovers, then the team is created and the failure resolved
    assert invoke(event("schedule"))["Status"] == "Corrected"
    assert sorted(deployment.event_types(deployment.messages())) == [
        "DriftCorrected",
        "Resolved",
    ]


def test_transient_error_before_planning_raises_and_tells_nobody_yet(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given SageMaker throttling DescribeWorkforce beyond botocore's 2 attempts
    deployment.put_document(deployment.oidc_document())
    controls.add_fault("DescribeWorkforce", error="ThrottlingException", count=2)

    # When the event is handled, then Lambda is asked to retry it
    with pytest.raises(TransientError, match="DescribeWorkforce failed: ThrottlingException"):
        invoke(event("schedule"))

    # and nobody is paged for a throttle (the DLQ alarm covers what outlives the retries),
    # and nothing was written
    assert deployment.messages() == []
    assert deployment.sagemaker.list_workforces()["Workforces"] == []

    # When Lambda retries and SageMaker has recovered, the run completes
    assert invoke(event("schedule"))["Status"] == "Corrected"


def test_a_failed_workforce_email_names_the_commands_and_following_them_resolves_it(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a Failed workforce, and a policy that does not allow replacing it
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    controls.set_status("labeling-oidc", "Failed", "IdP unreachable")

    # When the schedule fires
    invoke(event("schedule"))

    # Then the message says what a person does: the policy, or these exact commands
    (message,) = deployment.messages()
    text = sqs_json(message)["Advice"]
    assert "Policy.AllowDisruptiveChanges" in text
    commands = [line.strip() for line in text.splitlines() if line.strip().startswith("aws ")]
    assert commands == [
        "aws sagemaker delete-workteam --region us-east-1 --workteam-name image-labelers",
        "aws sagemaker delete-workteam --region us-east-1 --workteam-name text-reviewers",
        "aws sagemaker delete-workforce --region us-east-1 --workforce-name labeling-oidc",
    ]

    # When a person runs them (word for word, through boto3) and the schedule fires
    for command in commands:
        words = command.split()
        name = words[-1]
        if words[2] == "delete-workteam":
            deployment.sagemaker.delete_workteam(WorkteamName=name)
        else:
            deployment.sagemaker.delete_workforce(WorkforceName=name)
    result = invoke(event("schedule"))

    # Then everything is created again, and the person hears it is resolved
    assert result["Status"] == "Corrected"
    assert sorted(deployment.event_types(deployment.messages())) == [
        "DriftCorrected",
        "Resolved",
    ]


def test_invalid_function_configuration_is_a_clear_error(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODE", "sometimes")
    handler.reset()
    with pytest.raises(Exception, match="invalid function configuration: MODE"):
        invoke(event("schedule"))


def test_unreadable_secret_is_reported_once_and_resolved_when_fixed(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a document whose client-secret reference does not exist
    document = deployment.oidc_document()
    document["Workforce"]["OidcConfig"]["ClientSecretArn"] = "workforce/no-such-secret"
    deployment.put_document(document)
    controls.clear_calls()

    # When the schedule fires twice
    result = invoke(event("schedule"))
    invoke(event("schedule"))

    # Then the run stopped before any write and one ReconcileError message names the cause
    assert result["Status"] == "Error"
    assert "no-such-secret" in result["Error"]["Message"]
    writes = [c for c in controls.calls() if not c["Operation"].startswith(("Describe", "List"))]
    assert writes == []
    (message,) = deployment.messages()
    assert message["MessageAttributes"]["event_type"]["Value"] == "ReconcileError"
    assert "no-such-secret" in message["Message"]

    # When the reference is fixed
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))

    # Then the workforce is created and the error is reported resolved
    assert sorted(deployment.event_types(deployment.messages())) == ["DriftCorrected", "Resolved"]


def test_apply_failure_message_lists_the_steps_it_held_back(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given CreateWorkforce refused (the teams depend on it)
    deployment.put_document(deployment.oidc_document())
    controls.add_fault("CreateWorkforce", error="AccessDeniedException", message="not allowed")

    # When the event is handled
    result = invoke(event("ssm-create"))

    # Then one ApplyFailed message names the failure and the teams not attempted
    assert result["Status"] == "ApplyFailed"
    (message,) = deployment.messages()
    text = json.loads(message["Message"])
    assert message["MessageAttributes"]["event_type"]["Value"] == "ApplyFailed"
    assert [r["ErrorCode"] for r in text["Results"]] == ["AccessDeniedException"]
    assert sorted(r["ResourceName"] for r in text["NotAttempted"]) == [
        "image-labelers",
        "text-reviewers",
    ]


def test_no_log_line_carries_the_client_secret(deployment: Deployment, invoke: Invoke) -> None:
    # Given debug logging captured as CloudWatch would get it (the service's JSON lines),
    # a run that creates the OIDC workforce, and one whose apply fails with the service
    # echoing the secret back
    import io
    import logging

    from workforce_reconciler.observability import logger

    stream = io.StringIO()
    captured = logging.StreamHandler(stream)
    captured.setFormatter(logger.registered_formatter)
    logger.addHandler(captured)
    logger.setLevel(logging.DEBUG)
    deployment.put_document(deployment.oidc_document())
    controls.add_fault(
        "CreateWorkforce",
        error="ValidationException",
        message=f"Value '{SECRET_VALUE}' at 'oidcConfig.clientSecret' failed",
    )
    try:
        # When both runs are handled
        invoke(event("ssm-update"))
        invoke(event("schedule"))
    finally:
        # Powertools' Logger has addHandler but hands removeHandler to its logging.Logger
        # through a __getattr__ it hides from type checkers (powertools issue 1660).
        logger.removeHandler(captured)  # type: ignore[attr-defined]
        logger.setLevel(logging.INFO)

    # Then the log lines carry the runs, never the secret
    logs = stream.getvalue()
    assert '"reconcile done"' in logs
    assert "at 'oidcConfig.clientSecret' failed" in logs  # the failure was logged...
    assert SECRET_VALUE not in logs  # ...without the secret
