"""The engine end to end, in-process: SSM document -> plan -> apply -> what the emulator holds."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from botocore.awsrequest import AWSResponse, HTTPHeaders

from engine.world import SECRET_VALUE, World, example
from workforce_emulator import controls
from workforce_reconciler.plan import (
    Classification,
    Mode,
    Operation,
    Outcome,
    Plan,
    Report,
    RunStatus,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import OidcConfigTypeDef


def planned(report: Report) -> Plan:
    """The report's plan: every run that got as far as planning has one."""
    assert report.Plan is not None, report.Error
    return report.Plan


def ops(report: Report) -> list[tuple[str, str]]:
    return [(a.Operation.value, a.ResourceName) for a in planned(report).Actions]


# -- creating from nothing -------------------------------------------------------------


def test_oidc_document_creates_workforce_and_teams_then_stays_in_sync(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given an empty account and the OIDC example in SSM
    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the workforce and both teams exist as the document says
    assert report.status is RunStatus.CORRECTED
    workforce = world.workforce("labeling-oidc")
    assert workforce["OidcConfig"]["Issuer"] == "https://example-corp.okta.com/oauth2/default"
    assert workforce["OidcConfig"]["Scope"] == "openid email profile groups"
    assert "ClientSecret" not in workforce["OidcConfig"]
    assert sorted(workforce["SourceIpConfig"]["Cidrs"]) == sorted(
        ["203.0.113.0/24", "198.51.100.16/28", "2001:db8:4000::/48"]
    )
    assert workforce["IpAddressType"] == "dualstack"
    teams = world.teams()
    assert sorted(teams) == ["image-labelers", "text-reviewers"]
    assert teams["image-labelers"]["MemberDefinitions"] == [
        {"OidcMemberDefinition": {"Groups": ["labelers-images", "labelers-leads"]}}
    ]
    assert world.tags(teams["image-labelers"]["WorkteamArn"]) == {"team": "ml-data"}
    assert world.tags(workforce["WorkforceArn"]) == {"team": "ml-data", "cost-center": "CC-1234"}

    # When it runs again with nothing changed
    controls.clear_calls()
    again = world.run()

    # Then the plan is empty and nothing is written
    assert again.status is RunStatus.IN_SYNC
    assert again.Plan is not None
    assert again.Plan.Actions == ()
    assert world.writes() == []


def test_cognito_document_creates_workforce_with_vpc_and_teams(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given the Cognito example
    # When the reconciler runs
    report = world.run(cognito_doc)

    # Then the Cognito workforce, its VPC config and the teams exist
    assert report.status is RunStatus.CORRECTED, report.Results
    workforce = world.workforce("labeling-cognito")
    assert workforce["CognitoConfig"] == cognito_doc["Workforce"]["CognitoConfig"]
    assert workforce["WorkforceVpcConfig"]["VpcId"] == "vpc-0a1b2c3d4e5f67890"
    teams = world.teams()
    assert set(teams) == {t["WorkteamName"] for t in cognito_doc["Workteams"]}
    # and a second run is in sync
    assert world.run().status is RunStatus.IN_SYNC


# -- drift -----------------------------------------------------------------------------


def test_out_of_band_team_change_is_planned_with_before_and_after_then_corrected(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged setup, and a console user who edits a team
    world.run(oidc_doc)
    world.sagemaker.update_workteam(
        WorkteamName="text-reviewers",
        Description="edited in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["someone-else"]}}],
    )

    # When the reconciler only plans
    plan = world.run(apply=False)

    # Then the plan names the team and each field before -> after, and nothing changed yet
    assert ops(plan) == [("UpdateWorkteam", "text-reviewers")]
    changes = {c.Field: (c.Before, c.After) for c in planned(plan).Actions[0].Changes}
    assert changes["Description"] == (
        "edited in the console",
        "Reviews sentiment labels on support tickets",
    )
    assert changes["MemberDefinitions"][1] == [
        {"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}
    ]
    assert world.teams()["text-reviewers"]["Description"] == "edited in the console"

    # When it applies
    controls.clear_calls()
    report = world.run()

    # Then exactly one write restores the team
    assert report.status is RunStatus.CORRECTED
    assert world.writes() == ["UpdateWorkteam"]
    team = world.teams()["text-reviewers"]
    assert team["Description"] == "Reviews sentiment labels on support tickets"
    assert team["MemberDefinitions"] == [{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}]


def test_source_ip_order_and_spelling_are_not_drift_but_a_new_cidr_is(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged workforce
    world.run(oidc_doc)
    # When the document lists the same networks in another order and spelling
    doc = copy.deepcopy(oidc_doc)
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = [
        "2001:db8:4000:0::/48",
        "203.0.113.7/24",
        "198.51.100.16/28",
    ]
    # Then there is nothing to do
    assert planned(world.run(doc, apply=False)).Actions == ()

    # When the console adds a CIDR
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc",
        SourceIpConfig={"Cidrs": ["10.0.0.0/8", "203.0.113.0/24", "198.51.100.16/28"]},
    )
    report = world.run(doc)

    # Then one UpdateWorkforce puts the document's networks back
    assert ops(report) == [("UpdateWorkforce", "labeling-oidc")]
    assert sorted(world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"]) == sorted(
        ["198.51.100.16/28", "203.0.113.0/24", "2001:db8:4000::/48"]
    )


def test_team_tags_are_managed_exactly_and_unmanaged_tags_left_alone(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged setup, then tags changed out of band on both teams
    world.run(oidc_doc)
    teams = world.teams()
    labelers, reviewers = (
        teams["image-labelers"]["WorkteamArn"],
        teams["text-reviewers"]["WorkteamArn"],
    )
    world.sagemaker.add_tags(
        ResourceArn=labelers,
        Tags=[{"Key": "team", "Value": "changed"}, {"Key": "extra", "Value": "x"}],
    )
    world.sagemaker.add_tags(ResourceArn=reviewers, Tags=[{"Key": "owner", "Value": "bob"}])

    # When the reconciler runs
    report = world.run()

    # Then the managed team's tags equal the document, the unmanaged team's are untouched
    assert report.status is RunStatus.CORRECTED
    assert world.tags(labelers) == {"team": "ml-data"}
    assert world.tags(reviewers) == {"owner": "bob"}
    assert sorted(ops(report)) == [("AddTags", "image-labelers"), ("DeleteTags", "image-labelers")]


def test_workforce_tags_that_cannot_be_listed_are_a_finding_not_an_error(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a service that cannot list workforce tags (as reported of the real one)
    world.run(oidc_doc)
    controls.configure(workforce_tags_listable=False)

    # When the reconciler runs
    report = world.run()

    # Then it is in sync, and says that workforce tag drift cannot be seen
    assert report.status is RunStatus.IN_SYNC
    assert [f.Code for f in planned(report).Findings] == ["WorkforceTagsUnverifiable"]


# -- policy ----------------------------------------------------------------------------


def test_unlisted_team_is_blocked_by_default_and_deleted_when_policy_allows(
    world: World, make_doc: Callable[..., dict[str, Any]]
) -> None:
    # Given a converged setup plus a team created by hand
    world.run(make_doc())
    world.sagemaker.create_workteam(
        WorkteamName="hand-made",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )

    # When the reconciler runs with the default policy
    report = world.run()

    # Then the deletion is blocked drift and the team still exists
    assert report.status is RunStatus.BLOCKED
    (action,) = planned(report).Actions
    assert (action.Operation, action.Classification) == (
        Operation.DELETE_WORKTEAM,
        Classification.BLOCKED,
    )
    assert "Policy.DeleteUnlistedWorkteams" in action.Reason
    assert "hand-made" in world.teams()

    # When the policy allows deleting unlisted teams
    report = world.run(make_doc(DeleteUnlistedWorkteams=True))

    # Then the team is gone
    assert report.status is RunStatus.CORRECTED
    assert "hand-made" not in world.teams()


def test_switching_cognito_to_oidc_is_blocked_unless_disruptive_changes_are_allowed(
    world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]
) -> None:
    # Given a Cognito workforce named like the OIDC document's
    cognito_doc["Workforce"]["WorkforceName"] = "labeling-oidc"
    world.run(cognito_doc)
    before = world.workforce("labeling-oidc")

    # When the document switches to OIDC with the default policy
    report = world.run(oidc_doc)

    # Then everything is blocked, with the reason, and nothing changed
    assert report.status is RunStatus.BLOCKED
    assert {a.Classification for a in planned(report).Actions} == {Classification.BLOCKED}
    assert "AllowDisruptiveChanges" in planned(report).Actions[0].Reason
    assert world.workforce("labeling-oidc")["CognitoConfig"] == before["CognitoConfig"]

    # When the policy allows disruptive changes
    allowed = copy.deepcopy(oidc_doc)
    allowed["Policy"]["AllowDisruptiveChanges"] = True
    report = world.run(allowed)

    # Then the workforce was replaced by an OIDC one with the document's teams
    assert report.status is RunStatus.CORRECTED, report.Results
    assert [o for o, _ in ops(report)][:3] == [
        "DeleteWorkteam",
        "DeleteWorkteam",
        "DeleteWorkforce",
    ]
    workforce = world.workforce("labeling-oidc")
    assert "OidcConfig" in workforce
    assert "CognitoConfig" not in workforce
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_a_workforce_with_another_name_is_blocked_drift(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce named differently from the document's
    world.run(oidc_doc)
    renamed = copy.deepcopy(oidc_doc)
    renamed["Workforce"]["WorkforceName"] = "another-name"

    # When the reconciler runs
    report = world.run(renamed)

    # Then replacing it is blocked, with the reason naming both names
    assert report.status is RunStatus.BLOCKED
    assert "'labeling-oidc'" in planned(report).Actions[0].Reason
    assert world.workforce("labeling-oidc")["WorkforceName"] == "labeling-oidc"


def test_detect_mode_reports_drift_and_never_writes(
    world: World, make_doc: Callable[..., dict[str, Any]]
) -> None:
    # Given an empty account and a document in detect mode
    controls.clear_calls()
    report = world.run(make_doc(Mode="detect"))

    # Then the drift is reported and SageMaker received no write
    assert report.status is RunStatus.DRIFT_DETECTED
    assert report.Mode is Mode.DETECT
    assert len(planned(report).Actions) == 3
    assert world.writes() == []

    # And the stack-level override forces detect on an enforce document
    forced = world.run(make_doc(), mode=Mode.DETECT)
    assert forced.status is RunStatus.DRIFT_DETECTED
    assert world.writes() == []


# -- the client secret -----------------------------------------------------------------


def test_rotated_secret_needs_exactly_one_update_and_an_unchanged_one_none(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged OIDC workforce without teams (SageMaker updates OIDC only then)
    oidc_doc["Workteams"] = []
    world.run(oidc_doc)
    controls.clear_calls()
    assert planned(world.run()).Actions == ()

    # When the secret is rotated
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated-value")
    report = world.run()

    # Then exactly one UpdateWorkforce carried the new secret, and the next run is quiet
    assert world.writes() == ["UpdateWorkforce"]
    (action,) = planned(report).Actions
    assert [c.Field for c in action.Changes] == ["OidcConfig.ClientSecretVersion"]
    controls.clear_calls()
    assert planned(world.run()).Actions == ()
    assert world.writes() == []


def test_oidc_change_while_teams_exist_is_blocked_in_the_plan_and_never_sent(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged OIDC workforce with teams; even on a service that would take an
    # OIDC update with teams, the planner follows the API reference's rule
    controls.configure(oidc_update_conflicts_with_workteams=False)
    world.run(oidc_doc)
    changed = copy.deepcopy(oidc_doc)
    changed["Workforce"]["OidcConfig"]["Scope"] = "openid email"
    controls.clear_calls()

    # When the document changes the OIDC scope
    report = world.run(changed)

    # Then the change is blocked drift with the ways out, and nothing was sent
    assert report.status is RunStatus.BLOCKED
    (action,) = planned(report).Actions
    assert action.Classification is Classification.BLOCKED
    assert "Policy.RecreateWorkteamsForOidcChanges" in action.Reason
    assert report.failed == ()
    assert world.writes() == []
    assert world.workforce("labeling-oidc")["OidcConfig"]["Scope"] == "openid email profile groups"


def test_secret_in_ssm_securestring_is_tracked_by_parameter_version(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the secret in an SSM SecureString, on a workforce without teams
    oidc_doc["Workteams"] = []
    world.ssm.put_parameter(Name="/idp/client-secret", Value="first", Type="SecureString")
    oidc = oidc_doc["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"]
    oidc["ClientSecretParameter"] = "/idp/client-secret"
    world.run(oidc_doc)

    # When the parameter gets a new version
    world.ssm.put_parameter(
        Name="/idp/client-secret", Value="second", Type="SecureString", Overwrite=True
    )
    controls.clear_calls()
    world.run()

    # Then one UpdateWorkforce applied it
    assert world.writes() == ["UpdateWorkforce"]


def test_pointing_at_another_secret_applies_it_once(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a converged OIDC workforce without teams
    oidc_doc["Workteams"] = []
    world.run(oidc_doc)
    # and a second secret whose version id might even equal the first one's
    world.ssm.put_parameter(Name="/idp/new-client-secret", Value="other", Type="SecureString")
    moved = copy.deepcopy(oidc_doc)
    del moved["Workforce"]["OidcConfig"]["ClientSecretArn"]
    moved["Workforce"]["OidcConfig"]["ClientSecretParameter"] = "/idp/new-client-secret"
    controls.clear_calls()

    # When the document points at the new secret, twice
    world.run(moved)
    world.run()

    # Then exactly one UpdateWorkforce applied it
    assert world.writes() == ["UpdateWorkforce"]


def test_secret_never_appears_in_calls_log_report_or_errors(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the service echoing the request in an error, as validation errors do
    controls.add_fault(
        "CreateWorkforce",
        error="ValidationException",
        message=f"Value '{SECRET_VALUE}' at 'oidcConfig.clientSecret' failed",
    )

    # When the reconciler runs (and fails), then runs again (and succeeds)
    failed = world.run(oidc_doc)
    succeeded = world.run()

    # Then the secret is nowhere a person or a machine could read it (the refusal is
    # blocked drift, with the service's code and its message scrubbed)
    assert failed.status is RunStatus.BLOCKED
    refused = [r for r in failed.Results if r.Outcome is Outcome.REFUSED]
    assert refused[0].ErrorCode == "ValidationException"
    assert succeeded.status is RunStatus.CORRECTED
    for text in (failed.model_dump_json(), succeeded.model_dump_json()):
        assert SECRET_VALUE not in text
    assert "(redacted)" in (refused[0].ErrorMessage or "")
    # (and SageMaker, which the secret was for, holds it)
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of(SECRET_VALUE)


def test_unreadable_secret_reference_fails_before_any_write(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a reference to a secret that does not exist
    oidc_doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = "workforce/no-such-secret"
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then its report says which reference it could not read, and nothing was written
    assert report.status is RunStatus.ERROR
    assert report.Error is not None
    assert "no-such-secret" in report.Error.Message
    assert not report.Error.Retryable
    assert world.writes() == []


def test_a_throttled_secret_read_is_retryable_and_writes_nothing(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given Secrets Manager throttling GetSecretValue past botocore's retries
    def throttle(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        url = "https://secretsmanager.us-east-1.amazonaws.com"
        response = AWSResponse(url, 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # A before-call handler may answer for the service (botocore uses what it returns);
    # botocore-stubs types every handler as returning None.
    world.secretsmanager.meta.events.register(
        "before-call.secrets-manager.GetSecretValue",
        throttle,  # type: ignore[arg-type]
    )

    # When a run needs the secret to create the workforce
    report = world.run(oidc_doc)

    # Then the step failed as retryable (Lambda retries the event), nothing was written,
    # and the teams that depend on the workforce were not attempted
    create = report.Results[0]
    assert (create.Outcome, create.ErrorCode, create.Retryable) == (
        Outcome.FAILED,
        "ThrottlingException",
        True,
    )
    assert report.retryable
    assert {r.Outcome for r in report.Results[1:]} == {Outcome.SKIPPED}
    assert world.writes() == []


# -- status and failures ---------------------------------------------------------------


def test_failed_workforce_is_reported_with_its_reason_and_not_written(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce that SageMaker marked Failed
    world.run(oidc_doc)
    controls.set_status("labeling-oidc", "Failed", "VPC endpoint creation failed")
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then the report carries the status and reason, and nothing was written
    assert report.status is RunStatus.WORKFORCE_FAILED
    assert report.WorkforceStatus == "Failed"
    assert report.FailureReason == "VPC endpoint creation failed"
    assert [f.Code for f in planned(report).Findings] == ["WorkforceFailed"]
    assert world.writes() == []


def test_apply_waits_for_active_between_dependent_steps(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a service where a new or updated workforce takes 2 describes to become Active,
    # and that refuses team writes until it is (the emulator's default)
    controls.configure(activation_describes=2, workteam_writes_need_active=True)

    # When the reconciler creates the workforce and its teams
    report = world.run(oidc_doc)

    # Then every step was applied, each team write sent once: only once the workforce
    # was Active (a write sent while it was Initializing would have been refused)
    assert report.status is RunStatus.CORRECTED, report.Results
    assert [w for w in world.writes() if w != "AddTags"] == [
        "CreateWorkforce",
        "CreateWorkteam",
        "CreateWorkteam",
    ]
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_wait_for_active_is_bounded(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a workforce that never becomes Active within the bound
    controls.configure(activation_describes=10_000)

    # When the reconciler runs with a 30 s bound (fake clock: each poll sleeps 1 s)
    reconciler = world.reconciler()
    clock = iter(range(0, 10_000))
    reconciler._monotonic = lambda: float(next(clock))
    world.put_document(oidc_doc)
    from workforce_reconciler.adapters.documents import SsmDocumentSource

    report = reconciler.run(
        SsmDocumentSource(world.ssm, "/workforce-reconciler/desired-state"), "t"
    )

    # Then the teams failed with a timeout naming the status, nothing hangs
    assert report.status is RunStatus.APPLY_FAILED
    codes = {r.ErrorCode for r in report.failed}
    assert codes == {"WaitTimeout"}
    assert "Initializing" in (report.failed[0].ErrorMessage or "")


def test_a_conflict_while_known_active_is_reported_once_and_holds_nothing_else_back(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given drift on the workforce's CIDRs and on a team, and SageMaker refusing the
    # team update once with a ConflictException while the workforce is Active
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    controls.add_fault("UpdateWorkteam", error="ConflictException", count=1)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then the CIDRs are corrected, the refused step is blocked drift sent once (not
    # repeated), and the next run corrects the team
    assert report.status is RunStatus.BLOCKED
    assert "10.0.0.0/8" not in world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"]
    assert world.writes().count("UpdateWorkteam") == 1
    assert world.run().status is RunStatus.CORRECTED
    assert world.teams()["text-reviewers"]["Description"] == (
        "Reviews sentiment labels on support tickets"
    )


def test_an_aws_error_is_named_in_the_result_and_other_teams_proceed(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given CreateWorkteam refused once for the first team
    controls.add_fault("CreateWorkteam", error="ResourceLimitExceeded", message="too many", count=1)

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the failure carries AWS's code and message, the other team was created
    assert report.status is RunStatus.APPLY_FAILED
    (failure,) = report.failed
    assert (failure.ErrorCode, failure.ErrorMessage) == ("ResourceLimitExceeded", "too many")
    assert failure.Retryable is False
    assert sorted(world.teams()) == ["text-reviewers"]

    # When it runs again, the missing team is created and nothing is duplicated
    world.run()
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_a_run_that_dies_half_way_is_finished_by_the_next(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given throttling that outlasts botocore's retries on the first CreateWorkteam
    controls.add_fault("CreateWorkteam", error="ThrottlingException", count=2)

    # When the first run stops there
    first = world.run(oidc_doc)

    # Then the failure is marked retryable, the workforce exists
    assert [r.Retryable for r in first.failed] == [True]
    assert world.workforce("labeling-oidc")["Status"] == "Active"

    # When the next run comes
    second = world.run()

    # Then it creates only what is missing, and the third has nothing to do
    assert [a.Operation for a in planned(second).Actions] == [Operation.CREATE_WORKTEAM]
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]
    assert world.run().status is RunStatus.IN_SYNC


def test_workforce_failure_skips_the_steps_that_depend_on_it(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given CreateWorkforce refused
    controls.add_fault("CreateWorkforce", error="AccessDeniedException", message="not allowed")

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the teams were skipped with the reason, not attempted
    outcomes = [(r.Action.Operation, r.Outcome) for r in report.Results]
    assert outcomes == [
        (Operation.CREATE_WORKFORCE, Outcome.FAILED),
        (Operation.CREATE_WORKTEAM, Outcome.SKIPPED),
        (Operation.CREATE_WORKTEAM, Outcome.SKIPPED),
    ]
    assert "CreateWorkforce" in (report.Results[1].ErrorMessage or "")
    assert world.writes() == ["CreateWorkforce"]


# -- bad input -------------------------------------------------------------------------


def test_invalid_document_is_reported_with_every_problem_and_no_sagemaker_call(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a document with two problems
    bad = copy.deepcopy(oidc_doc)
    bad["Workforce"]["SourceIpConfig"]["Cidrs"] = ["not-a-cidr"]
    bad["Workteams"][0]["Descripton"] = "typo"
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(bad)

    # Then both problems are reported with their paths, SageMaker was not called
    assert report.status is RunStatus.INVALID_DOCUMENT
    paths = {p.Path for p in report.DocumentProblems}
    assert any("SourceIpConfig" in p for p in paths)
    assert any(p.startswith("$.Workteams[0]") for p in paths)
    assert controls.calls() == []


def test_missing_parameter_is_reported_and_nothing_is_deleted(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged setup whose parameter is then deleted
    world.run(oidc_doc)
    world.ssm.delete_parameter(Name="/workforce-reconciler/desired-state")
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then it reports the missing document and nothing was written
    assert report.status is RunStatus.DOCUMENT_MISSING
    assert world.writes() == []
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_malformed_json_is_an_invalid_document(world: World) -> None:
    report = world.run('{"Version": 1, "Workforce": ')
    assert report.status is RunStatus.INVALID_DOCUMENT
    assert report.DocumentProblems[0].Path.startswith("$")


def test_examples_are_valid_documents() -> None:
    from workforce_reconciler.document import parse_document

    for name in ("oidc", "cognito"):
        raw = example(name)
        parsed = parse_document(json.dumps(raw))
        assert parsed.Workforce.WorkforceName == raw["Workforce"]["WorkforceName"]
        assert [t.WorkteamName for t in parsed.Workteams] == [
            t["WorkteamName"] for t in raw["Workteams"]
        ]


# -- review scenarios: renames, refusals, conflicts, bounds -----------------------------


def test_allowed_rename_replaces_the_workforce_and_recreates_the_teams(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged workforce, then a document that renames it, replacement allowed
    world.run(oidc_doc)
    renamed = copy.deepcopy(oidc_doc)
    renamed["Workforce"]["WorkforceName"] = "labeling-oidc-2"
    renamed["Policy"]["AllowDisruptiveChanges"] = True

    # When the reconciler runs
    report = world.run(renamed)

    # Then the old workforce is gone, the new one holds the document's teams
    assert report.status is RunStatus.CORRECTED, report.Results
    workforces = world.sagemaker.list_workforces()["Workforces"]
    assert [w["WorkforceName"] for w in workforces] == ["labeling-oidc-2"]
    teams = world.teams()
    assert sorted(teams) == ["image-labelers", "text-reviewers"]
    assert {t["WorkforceArn"].rsplit("/", 1)[1] for t in teams.values()} == {"labeling-oidc-2"}
    assert world.run().status is RunStatus.IN_SYNC


def test_a_refused_oidc_change_holds_back_neither_the_allow_list_nor_the_teams(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given teams (so the emulator refuses OIDC changes), then out-of-band drift on the
    # allow-list and a team, and a rotated secret
    world.run(oidc_doc)
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["0.0.0.0/0"]}
    )
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="hijacked")
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")

    # When the reconciler runs
    report = world.run()

    # Then the allow-list and the team are corrected, and only the OIDC step is blocked
    assert report.status is RunStatus.BLOCKED
    assert "0.0.0.0/0" not in world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"]
    assert world.teams()["text-reviewers"]["Description"] != "hijacked"
    (blocked,) = planned(report).blocked_actions
    assert [c.Field for c in blocked.Changes] == ["OidcConfig.ClientSecretVersion"]


def test_a_conflict_while_the_workforce_changes_is_waited_out_with_sleeps_not_a_busy_loop(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged workforce that stays Updating for 5 describes, and a tag drift
    world.run(oidc_doc)
    arn = world.workforce("labeling-oidc")["WorkforceArn"]
    world.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "changed"}])
    controls.configure(activation_describes=5)
    world.sagemaker.update_workforce(  # another writer: Updating for the next 5 describes
        WorkforceName="labeling-oidc", SourceIpConfig=oidc_doc["Workforce"]["SourceIpConfig"]
    )
    controls.add_fault("AddTags", error="ConflictException", count=1)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then it slept between polls and retried once the workforce was Active
    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.tags(arn)["team"] == "ml-data"
    describes = [c for c in controls.calls() if c["Operation"] == "DescribeWorkforce"]
    # (observe, the conflict, one poll per sleep until Active, and the final status for
    # the report: a handful, not a spin)
    assert len(world.sleeps) >= 3
    assert len(describes) <= len(world.sleeps) + 4


def test_the_wait_bound_is_for_the_whole_run(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a workforce that never settles and two team drifts that each need it Active
    world.run(oidc_doc)
    for team in ("image-labelers", "text-reviewers"):
        world.sagemaker.update_workteam(WorkteamName=team, Description="drifted")
    controls.set_status("labeling-oidc", "Updating")
    controls.configure(activation_describes=10_000)

    # When the reconciler runs with a 30 s bound on a fake clock (1 s per poll)
    reconciler = world.reconciler()
    now = [0.0]
    reconciler._monotonic = lambda: now[0]
    reconciler._sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
    from workforce_reconciler.adapters.documents import SsmDocumentSource

    report = reconciler.run(
        SsmDocumentSource(world.ssm, "/workforce-reconciler/desired-state"), "t"
    )

    # Then both steps failed within the one 30 s bound, not 30 s each
    assert [r.ErrorCode for r in report.failed] == ["WaitTimeout", "WaitTimeout"]
    assert now[0] <= 31


def test_a_json_secret_is_refused_rather_than_sent_whole(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a key/value secret (a JSON object) where the client secret should be
    world.secretsmanager.put_secret_value(
        SecretId=world.secret_arn, SecretString='{"client_secret": "json-secret-value-xyz"}'
    )

    # When the reconciler would create the workforce
    report = world.run(oidc_doc)

    # Then nothing was sent, and the failure says what to store instead
    (failure, *_) = report.failed
    assert failure.ErrorCode == "SecretUnavailableError"
    assert "is a JSON document: store the OIDC client secret itself" in (failure.ErrorMessage or "")
    assert "json-secret-value-xyz" not in report.model_dump_json()
    assert world.writes() == []


# -- second review: replacements must not cut workers off for nothing ------------------


def test_a_replacement_reads_the_secret_before_deleting_anything(
    world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]
) -> None:
    # Given a Cognito workforce with teams, and an allowed switch to OIDC whose secret
    # cannot be used (a JSON key/value secret)
    cognito_doc["Workforce"]["WorkforceName"] = "labeling-oidc"
    world.run(cognito_doc)
    world.secretsmanager.put_secret_value(
        SecretId=world.secret_arn, SecretString='{"client_secret": "x"}'
    )
    switch = copy.deepcopy(oidc_doc)
    switch["Policy"]["AllowDisruptiveChanges"] = True
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(switch)

    # Then nothing was deleted: the failure names the secret, the rest was not attempted
    assert world.writes() == []
    assert "CognitoConfig" in world.workforce("labeling-oidc")
    assert len(world.teams()) == 2
    assert [r.ErrorCode for r in report.failed] == ["SecretUnavailableError"]
    deletions = [r for r in report.Results if r.Action.Operation.value.startswith("Delete")]
    assert len(deletions) == 3
    assert all(
        (r.ErrorMessage or "").startswith("not attempted: the client secret cannot be used")
        for r in deletions
    )


def test_a_momentary_not_found_is_never_a_replacement(world: World, make_doc: Any) -> None:
    # Given an in-sync workforce, replacement allowed, and one DescribeWorkforce that
    # answers "not found" (eventual consistency)
    world.run(make_doc(AllowDisruptiveChanges=True))
    controls.add_fault(
        "DescribeWorkforce",
        error="ValidationException",
        message="No workforce found with name 'labeling-oidc'.",
    )
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then it is in sync: nothing deleted, nothing written
    assert report.status is RunStatus.IN_SYNC
    assert world.writes() == []


def test_a_replacement_waits_for_the_old_workforce_before_deleting_its_teams(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce held in Updating, and an allowed rename
    world.run(oidc_doc)
    controls.set_status("labeling-oidc", "Updating")
    renamed = copy.deepcopy(oidc_doc)
    renamed["Workforce"]["WorkforceName"] = "labeling-oidc-2"
    renamed["Policy"]["AllowDisruptiveChanges"] = True
    controls.clear_calls()

    # When the reconciler runs (the wait bound runs out)
    report = world.run(renamed)

    # Then no team was deleted while it was Updating
    assert world.writes() == []
    assert len(world.teams()) == 2
    assert {r.ErrorCode for r in report.failed} == {"WaitTimeout"}


def test_a_failed_workforce_is_replaced_when_the_policy_allows_it(
    world: World, oidc_doc: dict[str, Any], cognito_doc: dict[str, Any]
) -> None:
    # Given an OIDC workforce marked Failed, and an allowed switch to Cognito
    world.run(oidc_doc)
    controls.set_status("labeling-oidc", "Failed", "IdP down")
    cognito_doc["Workforce"]["WorkforceName"] = "labeling-oidc"
    cognito_doc["Policy"] = {"Mode": "enforce", "AllowDisruptiveChanges": True}
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(cognito_doc)

    # Then the Failed workforce was deleted (its teams first) and created from the document
    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.writes()[:3] == ["DeleteWorkteam", "DeleteWorkteam", "DeleteWorkforce"]
    workforce = world.workforce("labeling-oidc")
    assert workforce["Status"] == "Active"
    assert "CognitoConfig" in workforce
    assert sorted(world.teams()) == ["medical-annotators", "quality-auditors"]


def test_a_workforce_being_deleted_is_a_finding_not_in_sync(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    world.run(oidc_doc)
    controls.set_status("labeling-oidc", "Deleting")
    controls.clear_calls()
    report = world.run()
    assert [f.Code for f in planned(report).Findings] == ["WorkforceDeleting"]
    assert world.writes() == []


def test_the_report_carries_the_status_the_run_led_to(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a service where a created workforce stays Initializing for a while
    controls.configure(activation_describes=50)

    # When the reconciler creates only the workforce (no teams to wait for)
    oidc_doc["Workteams"] = []
    report = world.run(oidc_doc)

    # Then the report says Initializing (after the writes), not "no workforce"
    assert report.status is RunStatus.CORRECTED
    assert report.WorkforceStatus == "Initializing"


def test_a_workforce_recreated_by_hand_gets_the_documents_secret_once(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged OIDC workforce without teams, then deleted and re-created by hand
    # with the same configuration but another client secret
    oidc_doc["Workteams"] = []
    world.run(oidc_doc)
    live = world.workforce("labeling-oidc")
    world.sagemaker.delete_workforce(WorkforceName="labeling-oidc")
    world.sagemaker.create_workforce(
        WorkforceName="labeling-oidc",
        # DescribeWorkforce's OidcConfig (every field but the secret) plus a secret
        OidcConfig=cast(
            "OidcConfigTypeDef", {**live["OidcConfig"], "ClientSecret": "someone-elses-secret"}
        ),
        SourceIpConfig=live["SourceIpConfig"],
        IpAddressType=live["IpAddressType"],
        Tags=oidc_doc["Workforce"]["Tags"],
    )
    controls.clear_calls()

    # When the reconciler runs twice
    first = world.run()
    world.run()

    # Then the document's secret was applied exactly once
    assert [c.Field for a in planned(first).Actions for c in a.Changes] == [
        "OidcConfig.ClientSecretVersion"
    ]
    assert world.writes() == ["UpdateWorkforce"]
