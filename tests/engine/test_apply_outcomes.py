"""What each step of a run tells a person when it does not simply apply: the exact reason
a step was skipped, failed or refused, what a failure makes of the steps after it, and
how a refusal the workforce's changing status explains is waited out or sent once more."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.world import SECRET_VALUE, TABLE, World
from workforce_emulator import controls
from workforce_reconciler.plan import Operation, Outcome, Report, RunStatus
from workforce_reconciler.ports import WaitProgress


def results(report: Report) -> list[tuple[str, str, Outcome, str | None]]:
    return [
        (r.Action.Operation.value, r.Action.ResourceName, r.Outcome, r.ErrorMessage)
        for r in report.Results
    ]


@pytest.mark.parametrize(
    ("code", "verb", "outcome"),
    [
        ("AccessDeniedException", "failed", Outcome.FAILED),
        ("ValidationException", "was refused", Outcome.REFUSED),
    ],
)
def test_the_steps_after_a_workforce_that_was_not_created_say_which_step_and_why(
    world: World, oidc_doc: dict[str, Any], code: str, verb: str, outcome: Outcome
) -> None:
    # Given CreateWorkforce answered with an error that echoes the client secret
    controls.add_fault("CreateWorkforce", error=code, message=f"bad secret {SECRET_VALUE}")

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the workforce step carries the error with the secret redacted, and each team
    # step says it was skipped because of that step, in those words
    skipped = f"skipped: an earlier step (CreateWorkforce Workforce/labeling-oidc) {verb}"
    assert results(report) == [
        ("CreateWorkforce", "labeling-oidc", outcome, "bad secret (redacted)"),
        ("CreateWorkteam", "image-labelers", Outcome.SKIPPED, skipped),
        ("CreateWorkteam", "text-reviewers", Outcome.SKIPPED, skipped),
    ]
    assert world.writes() == ["CreateWorkforce"]


def test_a_blocked_step_is_reported_skipped_with_its_reason_beside_the_applied_ones(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce with teams, and a document that changes both its issuer (blocked:
    # SageMaker refuses OIDC updates while teams exist) and its CIDRs (applicable)
    world.run(oidc_doc)
    doc = copy.deepcopy(oidc_doc)
    doc["Workforce"]["OidcConfig"]["Issuer"] = "https://idp.example.com/oauth2/new"
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = ["192.0.2.0/24"]

    # When the reconciler runs
    report = world.run(doc)

    # Then the CIDRs were applied and the issuer's step is skipped with "blocked: " and
    # the plan's reason, word for word
    assert report.Plan is not None
    (blocked,) = report.Plan.blocked_actions
    skipped = [r for r in report.Results if r.Outcome is Outcome.SKIPPED]
    assert [r.ErrorMessage for r in skipped] == [f"blocked: {blocked.Reason}"]
    assert world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"] == ["192.0.2.0/24"]
    assert (
        world.workforce("labeling-oidc")["OidcConfig"]["Issuer"]
        == (oidc_doc["Workforce"]["OidcConfig"]["Issuer"])
    )


def test_a_run_whose_deadline_has_passed_starts_no_step_and_says_so(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a run that starts with no time left (the Lambda's deadline already behind it)
    world.put_document(oidc_doc)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run(deadline=world.clock - 1)

    # Then no write was sent, and every step says why, in words a person can act on
    why = (
        "not attempted: the run's deadline had passed (it waits and works at most 30 s "
        "in all); the next run does it"
    )
    assert {(r.Outcome, r.ErrorMessage) for r in report.Results} == {(Outcome.SKIPPED, why)}
    assert len(report.Results) == 3
    assert world.writes() == []


def test_a_step_that_needs_the_client_secret_fails_plainly_without_a_way_to_read_it(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a reconciler with no secret resolver (nothing can read the client secret)
    world.put_document(oidc_doc)
    reconciler = world.reconciler(secrets=False)

    # When the reconciler runs
    report = world.run(reconciler=reconciler)

    # Then the workforce step failed with that reason, the teams were held back, and
    # nothing was sent
    create = report.Results[0]
    assert (create.Outcome, create.ErrorCode, create.ErrorMessage) == (
        Outcome.FAILED,
        "ReconcilerError",
        "the plan needs the OIDC client secret but no reference",
    )
    assert {r.Outcome for r in report.Results[1:]} == {Outcome.SKIPPED}
    assert world.writes() == []


def test_a_team_gone_before_its_update_is_a_failure_the_next_run_gets_past(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a drifted team that SageMaker answers "not found" for (deleted meanwhile)
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    controls.add_fault("UpdateWorkteam", error="ResourceNotFound", message="Workteam not found")

    # When the reconciler runs
    report = world.run(oidc_doc, lambda_like=True)

    # Then it is a failure (not a refusal to remember and report as blocked drift)
    (failed,) = report.Results
    assert (failed.Outcome, failed.ErrorCode) == (Outcome.FAILED, "ResourceNotFound")
    assert report.status is RunStatus.APPLY_FAILED
    # And the next run sends the update again and corrects the team
    assert world.run(lambda_like=True).status is RunStatus.CORRECTED
    assert (
        world.teams()["text-reviewers"]["Description"] == (oidc_doc["Workteams"][1]["Description"])
    )


def _unlisted_team(world: World, oidc_doc: dict[str, Any]) -> dict[str, Any]:
    """The workforce and its teams, one more team made by hand, and a document that
    deletes teams it does not list."""
    world.run(oidc_doc)
    world.sagemaker.create_workteam(
        WorkteamName="stray",
        WorkforceName="labeling-oidc",
        Description="made by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )
    doc = copy.deepcopy(oidc_doc)
    doc["Policy"].update(DeleteUnlistedWorkteams=True, AllowDisruptiveChanges=True)
    return doc


@pytest.mark.parametrize(("settled", "reason"), [("Failed", "IdP down"), ("Active", None)])
def test_a_delete_refused_while_the_workforce_changes_goes_through_once_it_settles(
    world: World, oidc_doc: dict[str, Any], settled: str, reason: str | None
) -> None:
    # Given an unlisted team to delete, a workforce another writer is updating, and
    # SageMaker refusing the deletion with a ConflictException while it does
    doc = _unlisted_team(world, oidc_doc)
    world.put_document(doc)
    controls.set_status("labeling-oidc", "Updating")
    controls.add_fault("DeleteWorkteam", error="ConflictException", count=1)
    controls.clear_calls()

    # ...and the update ending (Active, or Failed) while the run waits
    world.while_sleeping = lambda: controls.set_status("labeling-oidc", settled, reason)

    # When the reconciler runs
    report = world.run()

    # Then a deletion does not need the workforce Active: it waited for the workforce to
    # settle (Failed counts), sent the deletion again, and the team is gone
    assert [(r.Action.Operation, r.Outcome) for r in report.Results] == [
        (Operation.DELETE_WORKTEAM, Outcome.APPLIED)
    ]
    assert "stray" not in world.teams()
    assert world.writes() == ["DeleteWorkteam", "DeleteWorkteam"]


def test_a_team_write_refused_while_another_writer_updates_the_workforce_waits_and_goes(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a drifted team, and another writer updating the workforce between this run's
    # plan and its write (SageMaker refuses team writes then, with ValidationException)
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.put_document(oidc_doc)
    controls.clear_calls()

    def another_writer(planned: Report) -> bool:
        controls.set_status("labeling-oidc", "Updating")
        return True

    world.while_sleeping = lambda: controls.set_status("labeling-oidc", "Active")

    # When the reconciler runs
    report = world.run(approve=another_writer)

    # Then it waited for the workforce to be Active and sent the write again
    assert [(r.Action.Operation, r.Outcome) for r in report.Results] == [
        (Operation.UPDATE_WORKTEAM, Outcome.APPLIED)
    ]
    assert world.writes() == ["UpdateWorkteam", "UpdateWorkteam"]
    assert (
        world.teams()["text-reviewers"]["Description"] == (oidc_doc["Workteams"][1]["Description"])
    )


def test_a_workforce_gone_during_a_conflict_leaves_a_report(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a drifted team, and someone deleting the teams and the workforce between this
    # run's plan and its write, which SageMaker refuses with a ConflictException
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.put_document(oidc_doc)

    def someone_deletes_everything(planned: Report) -> bool:
        for team in ("image-labelers", "text-reviewers"):
            world.sagemaker.delete_workteam(WorkteamName=team)
        world.sagemaker.delete_workforce(WorkforceName="labeling-oidc")
        controls.add_fault("UpdateWorkteam", error="ConflictException", message="busy")
        return True

    # When the reconciler runs
    report = world.run(approve=someone_deletes_everything)

    # Then the refusal is reported with SageMaker's words; the next run starts over
    (update,) = report.Results
    assert (update.Outcome, update.ErrorCode, update.ErrorMessage) == (
        Outcome.REFUSED,
        "ConflictException",
        "busy",
    )
    assert world.run().status is RunStatus.CORRECTED
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def _tag_drift(world: World, oidc_doc: dict[str, Any]) -> None:
    """Drift on the workforce's CIDRs and one of its tags removed by hand: the run
    updates the workforce, then tags it again (a step that does not wait for Active)."""
    world.run(oidc_doc)
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    arn = world.workforce("labeling-oidc")["WorkforceArn"]
    world.sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    controls.clear_calls()


def test_a_conflict_from_an_update_that_has_just_finished_is_sent_once_more(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the tag refused once with a ConflictException (the update was settling), and
    # the workforce Active when looked at again
    _tag_drift(world, oidc_doc)
    controls.add_fault("AddTags", error="ConflictException", count=1)

    # When the reconciler runs
    report = world.run()

    # Then the tag was sent again after one poll interval, and applied
    assert [(r.Action.Operation, r.Outcome) for r in report.Results] == [
        (Operation.UPDATE_WORKFORCE, Outcome.APPLIED),
        (Operation.ADD_TAGS, Outcome.APPLIED),
    ]
    assert world.writes() == ["UpdateWorkforce", "AddTags", "AddTags"]
    assert world.sleeps == [1]
    assert world.tags(world.workforce("labeling-oidc")["WorkforceArn"])["team"] == "ml-data"


def test_a_refusal_of_the_request_itself_is_not_sent_again(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the tag refused with a ValidationException (the request, not the status)
    _tag_drift(world, oidc_doc)
    controls.add_fault("AddTags", error="ValidationException", message="bad tag", count=5)

    # When the reconciler runs
    report = world.run()

    # Then it was sent once and the refusal stands
    assert world.writes() == ["UpdateWorkforce", "AddTags"]
    assert [r.Outcome for r in report.Results] == [Outcome.APPLIED, Outcome.REFUSED]


def test_a_second_conflict_after_the_retry_stands_as_refused(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the same, but SageMaker refusing the tag twice
    _tag_drift(world, oidc_doc)
    controls.add_fault("AddTags", error="ConflictException", message="busy", count=2)

    # When the reconciler runs
    report = world.run()

    # Then it was sent twice, not more, and the refusal is reported with SageMaker's words
    assert world.writes() == ["UpdateWorkforce", "AddTags", "AddTags"]
    tag = report.Results[1]
    assert (tag.Outcome, tag.ErrorCode, tag.ErrorMessage) == (
        Outcome.REFUSED,
        "ConflictException",
        "busy",
    )
    assert "team" not in world.tags(world.workforce("labeling-oidc")["WorkforceArn"])


def _replacement(world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]) -> None:
    """A Cognito workforce named like the OIDC document's, which is allowed to replace it."""
    cognito_doc["Workforce"]["WorkforceName"] = "labeling-oidc"
    world.run(cognito_doc)
    allowed = copy.deepcopy(oidc_doc)
    allowed["Policy"]["AllowDisruptiveChanges"] = True
    world.put_document(allowed)
    controls.clear_calls()


def test_a_replacement_creates_the_new_workforce_only_once_the_old_one_is_gone(
    world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]
) -> None:
    # Given a replacement, and a service where a deleted workforce shows Deleting for
    # three looks (CreateWorkforce is refused meanwhile: one workforce per region)
    _replacement(world, cognito_doc, oidc_doc)
    controls.configure(deletion_describes=3)
    seen: list[WaitProgress] = []
    reconciler = world.reconciler(progress=seen.append)

    # When the reconciler runs
    report = world.run(reconciler=reconciler)

    # Then it polled until the old workforce was gone, then created the new one and teams
    assert report.status is RunStatus.CORRECTED, report.Results
    gone = [(p.status, p.first, p.done) for p in seen if p.step.startswith("DeleteWorkforce")]
    assert gone == [
        ("Deleting", True, False),
        ("Deleting", False, False),
        ("Deleting", False, False),
        (None, False, True),
    ]
    assert {(p.workforce, p.wanted) for p in seen if p.step.startswith("DeleteWorkforce")} == {
        ("labeling-oidc", ())
    }
    assert world.sleeps == [1, 1, 1]
    assert "OidcConfig" in world.workforce("labeling-oidc")
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_a_replacement_whose_old_workforce_outlasts_the_bound_stops_before_creating(
    world: World, cognito_doc: dict[str, Any], oidc_doc: dict[str, Any]
) -> None:
    # Given a replacement, and an old workforce that stays Deleting past the 30 s bound
    _replacement(world, cognito_doc, oidc_doc)
    controls.configure(deletion_describes=10_000)

    # When the reconciler runs
    report = world.run()

    # Then the deletion failed with the time it waited, and nothing was created after it
    by_step = {(r.Action.Operation, r.Action.ResourceName): r for r in report.Results}
    deletion = by_step[(Operation.DELETE_WORKFORCE, "labeling-oidc")]
    assert (deletion.Outcome, deletion.ErrorCode, deletion.ErrorMessage) == (
        Outcome.FAILED,
        "WaitTimeout",
        "workforce labeling-oidc still exists 30 s after DeleteWorkforce",
    )
    create = by_step[(Operation.CREATE_WORKFORCE, "labeling-oidc")]
    assert (create.Outcome, create.ErrorMessage) == (
        Outcome.SKIPPED,
        "skipped: an earlier step (DeleteWorkforce Workforce/labeling-oidc) failed",
    )
    assert "CreateWorkforce" not in world.writes()


def test_an_oidc_workforce_another_run_created_first_leaves_nothing_to_do(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given an empty account, and another run creating the same OIDC workforce (with the
    # same client secret) between this run's plan and its apply
    world.put_document(oidc_doc)
    spec = dict(oidc_doc["Workforce"])
    oidc: Any = {k: v for k, v in spec.pop("OidcConfig").items() if k != "ClientSecretArn"}
    oidc["ClientSecret"] = SECRET_VALUE

    def other_run_first(planned: Report) -> bool:
        world.sagemaker.create_workforce(**spec, OidcConfig=oidc)
        return True

    # When this run applies
    report = world.run(approve=other_run_first)

    # Then its CreateWorkforce counts as done, its teams were created, and the next run
    # has nothing to do (the secret's version was recorded as applied)
    assert report.status is RunStatus.CORRECTED, report.Results
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]
    assert world.run().status is RunStatus.IN_SYNC


def test_a_team_another_run_created_differently_fails_and_is_corrected_next(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce whose team another run creates, with another description, between
    # this run's plan and its CreateWorkteam
    world.run(oidc_doc)
    world.sagemaker.delete_workteam(WorkteamName="text-reviewers")
    world.put_document(oidc_doc)
    team = dict(oidc_doc["Workteams"][1], Description="someone else's")

    def other_run_first(planned: Report) -> bool:
        world.sagemaker.create_workteam(WorkforceName="labeling-oidc", **team)
        return True

    # When this run applies
    report = world.run(approve=other_run_first)

    # Then the step failed (the team exists, but not as asked), and the next run updates it
    (create,) = report.Results
    assert (create.Outcome, create.ErrorCode) == (Outcome.FAILED, "ResourceInUse")
    assert world.run().status is RunStatus.CORRECTED
    assert (
        world.teams()["text-reviewers"]["Description"] == (oidc_doc["Workteams"][1]["Description"])
    )


def test_a_failure_reason_that_echoes_the_secret_is_redacted_in_the_step_it_stops(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a new workforce that turns Failed while the first team waits, with a reason
    # that repeats the client secret
    controls.configure(activation_describes=2)
    world.while_sleeping = lambda: controls.set_status(
        "labeling-oidc", "Failed", f"IdP rejected client secret {SECRET_VALUE}"
    )

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the team's failure names the reason without the secret
    failed = report.Results[1]
    assert (failed.Outcome, failed.ErrorCode, failed.ErrorMessage) == (
        Outcome.FAILED,
        "WorkforceFailed",
        "the workforce became Failed: IdP rejected client secret (redacted)",
    )


def test_a_renaming_replacement_waits_for_the_new_workforce_by_its_new_name(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce, a document naming another one that may replace it, and a service
    # where a new workforce shows Initializing for two looks
    world.run(oidc_doc)
    renamed = copy.deepcopy(oidc_doc)
    renamed["Workforce"]["WorkforceName"] = "labeling-renamed"
    renamed["Policy"]["AllowDisruptiveChanges"] = True
    controls.configure(activation_describes=2)

    # When the reconciler runs
    report = world.run(renamed)

    # Then the old one was replaced and the teams were created once the new one was Active
    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.workforce("labeling-renamed")["Status"] == "Active"
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]
    assert {t["WorkforceArn"] for t in world.teams().values()} == {
        world.workforce("labeling-renamed")["WorkforceArn"]
    }
    # And the client secret's record belongs to the new workforce (by its CreateDate), so
    # the next run has nothing to do
    created = world.workforce("labeling-renamed")["CreateDate"].isoformat()
    items = world.dynamodb.scan(TableName=TABLE)["Items"]
    records = {i["pk"]["S"]: i["reference"]["S"] for i in items if i["sk"]["S"] == "secret"}
    assert records["us-east-1/labeling-renamed"].endswith(f"@{created}")
    assert world.run().status is RunStatus.IN_SYNC


@pytest.mark.parametrize(
    ("what_happens", "code", "message"),
    [
        ("failed", "WorkforceFailed", "the workforce became Failed: no FailureReason given"),
        ("deleted", "WorkforceNotFound", "the workforce no longer exists"),
    ],
)
def test_a_wait_that_cannot_end_well_says_why(
    world: World, oidc_doc: dict[str, Any], what_happens: str, code: str, message: str
) -> None:
    # Given a new workforce Initializing for two looks, and while the first team waits, it
    # turns Failed with no reason, or someone deletes it
    controls.configure(activation_describes=2)
    world.while_sleeping = {
        "failed": lambda: controls.set_status("labeling-oidc", "Failed"),
        "deleted": lambda: _delete_workforce(world),
    }[what_happens]

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the waiting team's step failed, saying why in words
    failed = report.Results[1]
    assert (failed.Outcome, failed.ErrorCode, failed.ErrorMessage) == (
        Outcome.FAILED,
        code,
        message,
    )


def test_a_wait_never_sleeps_past_its_bound(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a workforce that stays Initializing, and polls every 7 s within a 30 s bound
    controls.configure(activation_describes=10_000)
    world.put_document(oidc_doc)

    # When the reconciler runs
    world.run(reconciler=world.reconciler(poll_seconds=7))

    # Then the last sleep is what was left of the bound, and the waits end on time
    assert world.sleeps == [7, 7, 7, 7, 2]


def test_a_conflict_at_the_deadline_stands(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given the tag refused once with a ConflictException, and a run whose deadline is now
    _tag_drift(world, oidc_doc)
    world.put_document(oidc_doc)
    controls.add_fault("AddTags", error="ConflictException", message="busy", count=1)

    # When the reconciler runs
    report = world.run(deadline=world.clock)

    # Then no time is left to wait or retry: the refusal stands
    tag = report.Results[1]
    assert (tag.Outcome, tag.ErrorCode) == (Outcome.REFUSED, "ConflictException")
    assert world.writes() == ["UpdateWorkforce", "AddTags"]


def test_a_tag_refused_while_the_workforce_changes_waits_for_active_not_just_settled(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce tag removed by hand, another writer updating the workforce when
    # this run tags it (ConflictException), and the update ending in Failed
    world.run(oidc_doc)
    arn = world.workforce("labeling-oidc")["WorkforceArn"]
    world.sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    world.put_document(oidc_doc)
    controls.add_fault("AddTags", error="ConflictException", count=1)

    def another_writer(planned: Report) -> bool:
        controls.set_status("labeling-oidc", "Updating")
        return True

    world.while_sleeping = lambda: controls.set_status("labeling-oidc", "Failed", "IdP down")

    # When the reconciler runs
    report = world.run(approve=another_writer)

    # Then a tag (unlike a deletion) is not sent to a Failed workforce
    (tag,) = report.Results
    assert (tag.Outcome, tag.ErrorCode) == (Outcome.FAILED, "WorkforceFailed")
    assert "team" not in world.tags(arn)


def _delete_workforce(world: World) -> None:
    world.sagemaker.delete_workforce(WorkforceName="labeling-oidc")
