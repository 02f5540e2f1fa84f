"""Day two under SageMaker's rules, on the emulator: each way out a message names is taken,
and the condition is seen to clear."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

from engine.world import REMINDER, SECRET_VALUE, World
from workforce_emulator import controls
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.plan import Classification, Operation, Outcome, RunStatus

PARAMETER = "/workforce-reconciler/desired-state"


def _fail_put(world: World, sort_key: str, *, prefix: bool = False) -> Callable[[], None]:
    """DynamoDB refuses to write the item with this sort key (or any starting with it,
    with ``prefix``); returns what stops it."""

    def refuse(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        # (before-call sees the serialized request: its body is the JSON DynamoDB gets)
        written = json.loads(params["body"])["Item"]["sk"]["S"]
        if not (written.startswith(sort_key) if prefix else written == sort_key):
            return None
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
        response = AWSResponse("https://dynamodb.us-east-1.amazonaws.com", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # A before-call handler may answer for the service (botocore uses what it returns);
    # botocore-stubs types every handler as returning None.
    event = "before-call.dynamodb.PutItem"
    world.dynamodb.meta.events.register(event, refuse)  # type: ignore[arg-type]
    return lambda: world.dynamodb.meta.events.unregister(event, refuse)  # type: ignore[arg-type]


# -- the client secret's version survives a lost confirmation ---------------------------


def test_a_lost_confirmation_of_the_secret_version_costs_nothing(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the state table refusing to record the version after CreateWorkforce took it
    recover = _fail_put(world, "secret")

    # When the workforce and its teams are created
    first = world.run(oidc_doc)

    # Then the run succeeded, though its confirmation was lost
    assert first.status is RunStatus.CORRECTED
    recover()
    controls.clear_calls()

    # When the next run comes, with the teams in place (where an OIDC change would be
    # blocked for ever if the version were unknown)
    second = world.run()

    # Then the intent written before the call, and the workforce's CreateDate after it,
    # prove SageMaker holds the version: nothing to do, nothing sent, and it is recorded
    assert second.status is RunStatus.IN_SYNC, second.Plan
    assert world.writes() == []
    items = world.dynamodb.scan(TableName="workforce-reconciler-state")["Items"]
    assert {i["sk"]["S"] for i in items} == {"secret"}


def test_an_intent_the_workforce_does_not_prove_is_not_taken_for_applied(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce without teams whose rotation is refused by SageMaker
    oidc_doc["Workteams"] = []
    world.run(oidc_doc)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    controls.add_fault("UpdateWorkforce", error="AccessDeniedException", message="no")

    # When the update fails, then the next run still sends the new version once
    assert world.run().status is RunStatus.APPLY_FAILED
    controls.clear_calls()
    assert world.run().status is RunStatus.CORRECTED
    assert world.writes() == ["UpdateWorkforce"]


# -- OIDC changes with teams: the ways out -------------------------------------------


def test_way_out_c_delete_the_teams_then_the_oidc_change_is_applied(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a rotation blocked because the workforce has teams
    world.run(oidc_doc)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    assert world.run().status is RunStatus.BLOCKED

    # When a person deletes the teams and removes them from the document
    for team in world.teams():
        world.sagemaker.delete_workteam(WorkteamName=team)
    no_teams = copy.deepcopy(oidc_doc)
    no_teams["Workteams"] = []
    controls.clear_calls()

    # Then the next run applies the new secret, and the one after is quiet
    assert world.run(no_teams).status is RunStatus.CORRECTED
    assert world.writes() == ["UpdateWorkforce"]
    assert world.run().status is RunStatus.IN_SYNC


def test_way_out_b_adopt_a_secret_sagemaker_already_holds(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a rotation blocked because the workforce has teams
    world.run(oidc_doc)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    assert world.run().status is RunStatus.BLOCKED

    # When the person made the change themselves and adopts it
    reconciler = world.reconciler()
    adopted = reconciler.run(SsmDocumentSource(world.ssm, PARAMETER), "cli", adopt_secret=True)

    # Then the version is recorded without a call, and nothing is blocked any more
    assert adopted.SecretAdopted is not None
    assert adopted.status is RunStatus.IN_SYNC
    assert world.run().status is RunStatus.IN_SYNC


# -- a Failed workforce: the ways out --------------------------------------------------


def test_a_failed_workforce_names_the_commands_and_following_them_clears_it(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a Failed workforce and a policy that does not allow replacing it
    world.run(oidc_doc)
    controls.set_status("labeling-oidc", "Failed", "VPC endpoint creation failed")
    report = world.run()
    assert report.Plan is not None
    (finding,) = report.Plan.Findings
    assert report.status is RunStatus.WORKFORCE_FAILED
    assert finding.Advice is not None

    # When a person runs the commands the advice names (here through boto3, word for word)
    for line in finding.Advice.splitlines()[1:]:
        words = line.split()
        assert words[:2] == ["aws", "sagemaker"]
        options = dict(zip(words[3::2], words[4::2], strict=True))
        name = options.get("--workteam-name") or options["--workforce-name"]
        assert options["--region"] == "us-east-1"
        if words[2] == "delete-workteam":
            world.sagemaker.delete_workteam(WorkteamName=name)
        else:
            assert words[2] == "delete-workforce"
            world.sagemaker.delete_workforce(WorkforceName=name)

    # Then the next run creates everything again from the document
    assert world.run().status is RunStatus.CORRECTED
    assert world.workforce("labeling-oidc")["Status"] == "Active"
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_a_failed_workforce_is_recreated_with_its_teams_once_the_policy_allows_it(
    world: World, make_doc: Any
) -> None:
    world.run(make_doc())
    controls.set_status("labeling-oidc", "Failed", "IdP down")
    assert world.run().status is RunStatus.WORKFORCE_FAILED

    report = world.run(make_doc(AllowDisruptiveChanges=True))

    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.workforce("labeling-oidc")["Status"] == "Active"
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]
    assert world.run().status is RunStatus.IN_SYNC


# -- refusals never loop -----------------------------------------------------------------


def test_a_refused_request_is_reported_once_and_not_sent_again_until_something_changes(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given a workforce and a document that asks for an empty allow-list, which
    # SageMaker refuses (1-10 CIDRs)
    world.run(cognito_doc)
    unrestricted = copy.deepcopy(cognito_doc)
    unrestricted["Workforce"]["SourceIpConfig"]["Cidrs"] = []

    # When the Lambda runs it
    first = world.run(unrestricted, lambda_like=True)

    # Then it is blocked by SageMaker, with the equivalent SageMaker accepts
    assert first.status is RunStatus.BLOCKED
    assert first.Plan is not None
    (action,) = first.Plan.blocked_actions
    assert action.Reason.startswith("SageMaker refused it (ValidationException)")
    assert '["0.0.0.0/0"]' in action.Reason
    assert [r.Outcome for r in first.Results] == [Outcome.REFUSED]

    # When the schedule runs again, then the identical request is not sent
    controls.clear_calls()
    again = world.run(lambda_like=True)
    assert again.status is RunStatus.BLOCKED
    assert world.writes() == []

    # When a person asks through the CLI, it is tried
    world.run()
    assert world.writes() == ["UpdateWorkforce"]

    # When the reminder interval has passed, the Lambda tries once more
    controls.clear_calls()
    world.later = REMINDER + timedelta(minutes=1)
    world.run(lambda_like=True)
    assert world.writes() == ["UpdateWorkforce"]

    # When the document takes the advice, the change is applied and nothing is blocked
    controls.clear_calls()
    unrestricted["Workforce"]["SourceIpConfig"]["Cidrs"] = ["0.0.0.0/0"]
    assert world.run(unrestricted, lambda_like=True).status is RunStatus.CORRECTED
    assert world.workforce("labeling-cognito")["SourceIpConfig"]["Cidrs"] == ["0.0.0.0/0"]
    items = world.dynamodb.scan(TableName="workforce-reconciler-state")["Items"]
    assert not [i for i in items if i["sk"]["S"].startswith("refused#")]


# -- a lost race is not a failure ------------------------------------------------------


def test_a_team_another_run_created_first_is_done_when_it_is_as_asked(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce, and a run planned while a team does not exist yet
    world.run(oidc_doc)
    world.sagemaker.delete_workteam(WorkteamName="text-reviewers")
    reconciler = world.reconciler()
    source = SsmDocumentSource(world.ssm, PARAMETER)

    def other_run_first(report: Any) -> bool:
        # (between this run's plan and its apply, another run creates the team as asked)
        team = next(t for t in oidc_doc["Workteams"] if t["WorkteamName"] == "text-reviewers")
        world.sagemaker.create_workteam(WorkforceName="labeling-oidc", **team)
        return True

    # When this run applies its CreateWorkteam
    report = reconciler.run(source, "test", approve=other_run_first)

    # Then the ResourceInUse is re-observed and the step reported done
    assert report.status is RunStatus.CORRECTED, report.Results
    (create,) = report.Results
    assert (create.Action.Operation, create.Outcome) == (Operation.CREATE_WORKTEAM, Outcome.APPLIED)


def test_a_workforce_another_run_created_first_is_done(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given an empty account, and a run whose plan creates the workforce
    cognito_doc["Workteams"] = []
    world.put_document(cognito_doc)
    spec = cognito_doc["Workforce"]

    def other_run_first(report: Any) -> bool:
        world.sagemaker.create_workforce(**{k: v for k, v in spec.items() if k != "Tags"})
        return True

    # When it applies after another run created the same workforce
    report = world.run(approve=other_run_first)

    # Then "Cannot create more than one workforce" is re-observed and reported done
    assert report.Results[0].Outcome is Outcome.APPLIED, report.Results
    assert report.failed == ()


# -- an unusable secret is found before anything is deleted --------------------------------


def test_an_unusable_secret_stops_a_replacement_before_any_deletion(
    world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]
) -> None:
    # Given a Cognito workforce with teams, an allowed switch to OIDC, and a secret with a
    # trailing newline (what `--secret-string file://...` often stores)
    cognito_doc["Workforce"]["WorkforceName"] = "labeling-oidc"
    world.run(cognito_doc)
    world.secretsmanager.put_secret_value(
        SecretId=world.secret_arn, SecretString=SECRET_VALUE + "\n"
    )
    oidc_doc["Policy"]["AllowDisruptiveChanges"] = True
    controls.clear_calls()

    # When the replacement runs
    report = world.run(oidc_doc)

    # Then nothing was deleted, and the report names the reference and the rule
    assert world.writes() == []
    assert sorted(world.teams()) == ["medical-annotators", "quality-auditors"]
    failed = [r for r in report.Results if r.Outcome is Outcome.FAILED]
    assert failed
    message = failed[0].ErrorMessage or ""
    assert "workforce/oidc-client-secret" in message
    assert "printable ASCII" in message
    assert SECRET_VALUE not in report.model_dump_json()
    assert {r.Action.Classification for r in report.Results} == {Classification.DISRUPTIVE}


# -- re-creating the teams for an OIDC change (Policy.RecreateWorkteamsForOidcChanges) ----


def _teams_as_they_are(world: World) -> dict[str, dict[str, Any]]:
    """Each team as a person would check it was re-created as it was."""
    return {
        name: {
            "Arn": team["WorkteamArn"],
            "Description": team["Description"],
            "Members": team["MemberDefinitions"],
            "Notification": team.get("NotificationConfiguration"),
            "WorkerAccess": team.get("WorkerAccessConfiguration"),
            "Tags": world.tags(team["WorkteamArn"]),
        }
        for name, team in world.teams().items()
    }


def _with_unmanaged_parts(world: World, oidc_doc: dict[str, Any]) -> dict[str, Any]:
    """A converged workforce whose teams have what the document does not manage: a tag
    added by hand on a team whose tags are not managed, and a team it does not list."""
    world.run(oidc_doc)
    teams = world.teams()
    world.sagemaker.add_tags(
        ResourceArn=teams["text-reviewers"]["WorkteamArn"],
        Tags=[{"Key": "owner", "Value": "support"}],
    )
    world.sagemaker.create_workteam(
        WorkteamName="console-team",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["someone"]}}],
        Tags=[{"Key": "made-by", "Value": "hand"}],
    )
    doc = copy.deepcopy(oidc_doc)
    doc["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    return doc


def _only_the_unlisted_team_is_left(world: World) -> bool:
    """The next run has nothing to do but the unlisted team (blocked drift, as before)."""
    plan = world.run().Plan
    assert plan is not None
    return [(a.Operation, a.ResourceName, a.Classification) for a in plan.Actions] == [
        (Operation.DELETE_WORKTEAM, "console-team", Classification.BLOCKED)
    ]


def test_way_out_a_the_opt_in_rotates_the_secret_and_every_team_comes_back_as_it_was(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a rotated secret on a workforce with teams (one unlisted, one with a tag added
    # by hand), and the opt-in
    doc = _with_unmanaged_parts(world, oidc_doc)
    before = _teams_as_they_are(world)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(doc)

    # Then the teams were deleted, the workforce updated with the new secret, and every
    # team re-created exactly as it was: same ARN, members, settings and tags
    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.writes() == [
        "DeleteWorkteam",
        "DeleteWorkteam",
        "DeleteWorkteam",
        "UpdateWorkforce",
        "CreateWorkteam",
        "CreateWorkteam",
        "CreateWorkteam",
    ]
    assert _teams_as_they_are(world) == before
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of("rotated")
    # and nothing is left to do (the unlisted team stays blocked drift, as before), nor
    # left in the state table
    assert _only_the_unlisted_team_is_left(world)
    items = world.dynamodb.scan(TableName="workforce-reconciler-state")["Items"]
    assert {i["sk"]["S"] for i in items} == {"secret"}


def test_a_labeling_job_in_progress_holds_the_recreation_back_and_names_the_job(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the opt-in and a rotation, and a job in progress on one team
    doc = _with_unmanaged_parts(world, oidc_doc)
    controls.add_labeling_job("text-reviewers", "sentiment-batch-7")
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(doc)

    # Then nothing was deleted or sent, and the blocked change names the job
    assert report.status is RunStatus.BLOCKED
    assert world.writes() == []
    assert report.Plan is not None
    (blocked,) = [
        a for a in report.Plan.blocked_actions if a.Operation is Operation.UPDATE_WORKFORCE
    ]
    assert "sentiment-batch-7" in blocked.Reason

    # When the job has finished, the next run rotates
    controls.set_labeling_job_status("sentiment-batch-7", "Completed")
    assert world.run().status is RunStatus.CORRECTED
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of("rotated")


class _DiesAfterUpdateWorkforce(SageMakerGateway):
    """The process ends right after SageMaker took the OIDC update."""

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        result = super().call(operation, request)
        if operation == "UpdateWorkforce":
            raise _Died
        return result


class _Died(BaseException):
    pass


def test_a_run_that_dies_between_the_deletions_and_the_recreations_loses_nothing(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the opt-in, a rotation, and teams with parts the document does not manage
    doc = _with_unmanaged_parts(world, oidc_doc)
    before = _teams_as_they_are(world)
    world.put_document(doc)

    # When a run dies after deleting the teams and updating the workforce
    dying = world.reconciler()
    dying.gateway = _DiesAfterUpdateWorkforce(world.sagemaker)
    with contextlib.suppress(_Died):
        dying.run(SsmDocumentSource(world.ssm, PARAMETER), "test")
    assert world.teams() == {}

    # Then the next run re-creates every team as it was, from the state table
    report = world.run()
    assert report.status is RunStatus.CORRECTED, report.Results
    after = _teams_as_they_are(world)
    assert {n: {k: v for k, v in t.items() if k != "Arn"} for n, t in after.items()} == {
        n: {k: v for k, v in t.items() if k != "Arn"} for n, t in before.items()
    }
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of("rotated")
    assert _only_the_unlisted_team_is_left(world)


# -- what SageMaker fills in is not drift ---------------------------------------------


def test_defaults_sagemaker_fills_in_are_not_drift(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a service that returns defaults the request did not carry, and a team whose
    # document states only SourceIp
    controls.configure(server_fills_defaults=True)
    constraints = oidc_doc["Workteams"][0]["WorkerAccessConfiguration"]["S3Presign"]
    constraints["IamPolicyConstraints"] = {"SourceIp": "Enabled"}
    world.run(oidc_doc)
    live = world.teams()["image-labelers"]["WorkerAccessConfiguration"]
    assert live["S3Presign"]["IamPolicyConstraints"]["VpcSourceIp"] == "Disabled"

    # When the next run compares, then nothing differs
    controls.clear_calls()
    assert world.run().status is RunStatus.IN_SYNC
    assert world.writes() == []


# -- the secret SageMaker holds ---------------------------------------------------------


def test_sagemaker_holds_the_decrypted_securestring_secret(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    world.ssm.put_parameter(Name="/idp/secret", Value="plain-Secret-1", Type="SecureString")
    oidc = oidc_doc["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"]
    oidc["ClientSecretParameter"] = "/idp/secret"

    world.run(oidc_doc)

    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of("plain-Secret-1")
