"""What a run's report says whatever happens: the stack's ceiling over the document, the
error that stopped a run with what it is about, where an invalid document came from,
the refused request remembered with the time it will be sent again, and the log line
of a record the run could do without."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from engine.test_day_two import _fail_put
from engine.world import PARAMETER, REMINDER, World
from handler.deployment import captured_logs
from workforce_emulator import controls
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.plan import Mode, Operation, Outcome, RunStatus

T0 = datetime(2026, 11, 23, 15, 0, 30, tzinfo=UTC)


def test_the_stacks_ceiling_blocks_what_the_document_allows(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a team made by hand, a document that deletes unlisted teams, and a stack
    # that does not allow deleting them
    world.run(oidc_doc)
    world.sagemaker.create_workteam(
        WorkteamName="stray",
        WorkforceName="labeling-oidc",
        Description="made by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )
    doc = copy.deepcopy(oidc_doc)
    doc["Policy"]["DeleteUnlistedWorkteams"] = True
    world.put_document(doc)
    reconciler = world.reconciler(guardrails=Guardrails(allow_delete_unlisted_workteams=False))

    # When the reconciler runs
    report = world.run(reconciler=reconciler)

    # Then the deletion is blocked, naming the stack's parameter, and the team is kept
    assert report.status is RunStatus.BLOCKED
    assert report.Plan is not None
    (blocked,) = report.Plan.blocked_actions
    assert "the stack's" in blocked.Reason
    assert "stray" in world.teams()


def test_an_error_that_stops_the_run_says_what_it_is_about(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a document whose client secret reference names no secret
    doc = copy.deepcopy(oidc_doc)
    missing = world.secret_arn.replace("oidc-client-secret", "gone")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = missing

    # When the reconciler runs
    report = world.run(doc)

    # Then the report's error says what kind it is, names the reference it is about
    # (what a notification's fingerprint keys on) and the service's reason, and nothing
    # was written
    assert report.Error is not None
    assert (report.Error.Code, report.Error.Subject, report.Error.Retryable) == (
        "SecretUnavailableError",
        f"secretsmanager:{missing}",
        False,
    )
    assert "ResourceNotFoundException" in report.Error.Message
    assert report.DocumentSource == f"ssm:{PARAMETER}"
    assert world.writes() == []


def test_an_error_without_a_code_is_named_by_its_kind(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given a Cognito document, and a request to adopt its (non-existent) client secret
    world.put_document(cognito_doc)

    # When the reconciler runs
    report = world.run(adopt_secret=True)

    # Then the error is the engine's, with its sentence
    assert report.Error is not None
    assert (report.Error.Code, report.Error.Message, report.Error.Subject) == (
        "ReconcilerError",
        "the document has no OIDC client secret to adopt",
        None,
    )


def test_an_invalid_document_names_where_it_came_from_and_how_many_problems_are_not_shown(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a document with three unknown keys in each of 20 teams (more problems than
    # a report shows)
    doc = copy.deepcopy(oidc_doc)
    doc["Workteams"] = [
        {"WorkteamName": f"team-{i:02d}", "Descripton": "typo", "Notes": "x", "Owner": "y"}
        for i in range(20)
    ]

    # When the reconciler runs
    report = world.run(doc)

    # Then the report says which parameter (and version) it read, shows some problems
    # and counts the rest
    assert report.status is RunStatus.INVALID_DOCUMENT
    assert report.DocumentSource == f"ssm:{PARAMETER} (version 1)"
    assert len(report.DocumentProblems) == 50
    assert report.DocumentProblemsOmitted > 0


def test_a_plan_in_detect_mode_names_the_workforce(world: World, oidc_doc: dict[str, Any]) -> None:
    report = world.run(oidc_doc, mode=Mode.DETECT)
    assert (report.WorkforceName, report.status) == ("labeling-oidc", RunStatus.DRIFT_DETECTED)


def test_a_remembered_refusal_says_when_it_will_be_sent_again_and_is_sent_then(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given a request SageMaker refuses (an empty allow-list), first sent at T0
    world.run(cognito_doc)
    unrestricted = copy.deepcopy(cognito_doc)
    unrestricted["Workforce"]["SourceIpConfig"]["Cidrs"] = []
    world.frozen_at = T0
    first = world.run(unrestricted, lambda_like=True)
    assert [r.Outcome for r in first.Results] == [Outcome.REFUSED]
    message = first.Results[0].ErrorMessage

    # When the Lambda runs a second before the reminder interval has passed
    world.frozen_at = T0 + REMINDER - (T0 - T0.replace(second=29))
    controls.clear_calls()
    held = world.run(lambda_like=True)

    # Then it is blocked with SageMaker's words and the minute it will be sent again
    assert held.Plan is not None
    (blocked,) = held.Plan.blocked_actions
    assert blocked.Reason == (
        f"SageMaker refused it (ValidationException): {message} (not sent again until the "
        "document, the workforce or the secret changes, or after 2026-11-24 15:00 UTC)"
    )
    assert world.writes() == []

    # When the Lambda runs when the interval has passed to the second
    world.frozen_at = T0 + REMINDER
    world.run(lambda_like=True)

    # Then it is sent again
    assert world.writes() == ["UpdateWorkforce"]


def test_a_lost_confirmation_is_logged_and_costs_nothing(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the state table refusing every write of the secret's record
    _fail_put(world, "secret")

    # When the workforce is created, and the next run proves the secret from the intent
    with captured_logs() as logs:
        created = world.run(oidc_doc)
        proven = world.run()

    # Then both runs did their job, and each lost record is one warning
    assert (created.status, proven.status) == (RunStatus.CORRECTED, RunStatus.IN_SYNC)
    warnings = [line["message"] for line in logs if line["level"] == "WARNING"]
    assert warnings == [
        "could not record the client secret's version",
        "could not confirm the client secret's version",
    ]
    assert all("slow down" in line["error"] for line in logs if line["level"] == "WARNING")
    assert json.dumps(logs).count("ProvisionedThroughputExceededException") == 2


@pytest.mark.parametrize("recreate", [False, True])
def test_an_in_sync_run_reads_only_what_it_compares(
    world: World, oidc_doc: dict[str, Any], recreate: bool
) -> None:
    # Given an in-sync workforce (re-creating teams for OIDC changes allowed or not)
    oidc_doc["Policy"]["RecreateWorkteamsForOidcChanges"] = recreate
    world.run(oidc_doc)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then it read the workforce once, the teams once, and the tags the document manages
    # (the workforce's and image-labelers'): no labeling jobs, nothing else
    assert report.status is RunStatus.IN_SYNC
    assert [c["Operation"] for c in controls.calls()] == [
        "DescribeWorkforce",
        "ListWorkteams",
        "ListTags",
        "ListTags",
    ]


def test_a_refusal_that_does_not_carry_the_secret_outlives_a_rotation(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given an OIDC workforce with teams, and an allow-list SageMaker refuses (empty)
    world.run(oidc_doc)
    unrestricted = copy.deepcopy(oidc_doc)
    unrestricted["Workforce"]["SourceIpConfig"]["Cidrs"] = []
    first = world.run(unrestricted, lambda_like=True)
    assert [r.Outcome for r in first.Results] == [Outcome.REFUSED]

    # When the client secret is rotated and the Lambda runs again
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    controls.clear_calls()
    world.run(lambda_like=True)

    # Then the refused allow-list is not sent again (it does not depend on the secret)
    assert world.writes() == []


@pytest.mark.parametrize(
    ("store", "create_first", "message"),
    [
        (False, True, "adopting the client secret needs the state table"),
        (True, False, "cannot adopt the client secret: workforce labeling-oidc does not exist"),
    ],
)
def test_adopting_the_secret_says_what_it_needs(
    world: World, oidc_doc: dict[str, Any], store: bool, create_first: bool, message: str
) -> None:
    # Given no state table, or no workforce yet
    if create_first:
        world.run(oidc_doc)
    world.put_document(oidc_doc)

    # When the run is asked to adopt the client secret
    report = world.run(reconciler=world.reconciler(store=store), adopt_secret=True)

    # Then it says what is missing, and nothing was written
    assert report.Error is not None
    assert report.Error.Message == message


def test_a_workforce_made_by_hand_keeps_its_unknown_secret_blocked_after_other_changes(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given an OIDC workforce and teams made by hand (no secret version recorded), whose
    # allow-list differs from the document's
    spec = dict(oidc_doc["Workforce"])
    oidc: Any = {k: v for k, v in spec.pop("OidcConfig").items() if k != "ClientSecretArn"}
    oidc["ClientSecret"] = "who knows"
    spec["SourceIpConfig"] = {"Cidrs": ["10.0.0.0/8"]}
    world.sagemaker.create_workforce(**spec, OidcConfig=oidc)
    for team in oidc_doc["Workteams"]:
        world.sagemaker.create_workteam(WorkforceName="labeling-oidc", **team)

    # When the reconciler runs twice
    first = world.run(oidc_doc)
    second = world.run()

    # Then the allow-list was corrected, and the document's secret stays blocked drift (an
    # update of other fields is no proof that SageMaker holds the document's secret)
    assert first.Plan is not None
    assert second.Plan is not None
    assert [a.Operation for a in first.Plan.applicable_actions] == [Operation.UPDATE_WORKFORCE]
    assert set(world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"]) == set(
        oidc_doc["Workforce"]["SourceIpConfig"]["Cidrs"]
    )
    assert second.status is RunStatus.BLOCKED
    assert [c.Field for a in second.Plan.blocked_actions for c in a.Changes] == [
        "OidcConfig.ClientSecretVersion"
    ]


def test_a_refusal_that_cannot_be_remembered_is_logged(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given a request SageMaker refuses, and a state table refusing to record refusals
    world.run(cognito_doc)
    unrestricted = copy.deepcopy(cognito_doc)
    unrestricted["Workforce"]["SourceIpConfig"]["Cidrs"] = []
    _fail_put(world, "refused#", prefix=True)

    # When the Lambda runs
    with captured_logs() as logs:
        report = world.run(unrestricted, lambda_like=True)

    # Then the refusal is reported, and that it could not be remembered is one warning
    assert [r.Outcome for r in report.Results] == [Outcome.REFUSED]
    assert [line["message"] for line in logs if line["level"] == "WARNING"] == [
        "could not remember what SageMaker refused"
    ]
