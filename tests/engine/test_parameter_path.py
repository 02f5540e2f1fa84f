"""The engine on a document kept in parts under an SSM path: a 25-team, 10-group document
that no single parameter holds, read with GetParametersByPath and validated whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from engine.world import PARAMETER_PATH, World, large_document
from workforce_emulator import controls
from workforce_reconciler.plan import Operation, RunStatus
from workforce_reconciler.publish import PublishError

WORKFORCE_PART = f"{PARAMETER_PATH}/workforce"


def team_part(name: str) -> str:
    return f"{PARAMETER_PATH}/workteams/{name}"


@pytest.fixture
def large(world: World) -> dict[str, Any]:
    return large_document(world.secret_arn)


def test_a_document_no_parameter_holds_is_applied_from_its_parts_then_in_sync(
    world: World, large: dict[str, Any]
) -> None:
    # Given 25 teams of 10 groups (over 10 KB) pushed in Standard parts under a path
    assert len(json.dumps(large, separators=(",", ":"))) > 10_000
    assert world.push(large) == 26
    assert {p["Tier"] for p in world.parameters().values()} == {"Standard"}

    # When the reconciler runs on the path
    report = world.run_path()

    # Then the workforce and every team exist, with every group, and the next run is in sync
    assert report.status is RunStatus.CORRECTED, report.Error
    assert report.DocumentSource == f"ssm:{PARAMETER_PATH}/ (26 parameters)"
    teams = world.teams()
    assert len(teams) == 25
    groups = teams["team-24-labeling"]["MemberDefinitions"][0]["OidcMemberDefinition"]["Groups"]
    assert len(groups) == 10
    assert world.run_path().status is RunStatus.IN_SYNC


def test_the_parts_are_read_a_page_at_a_time_without_decryption(
    world: World, large: dict[str, Any]
) -> None:
    # Given the 26 parts in SSM, and the SSM calls the engine makes counted
    world.push(large)
    calls: list[dict[str, Any]] = []
    world.ssm.meta.events.register(
        "provide-client-params.ssm.GetParametersByPath",
        lambda params, **_: calls.append(dict(params)),
    )

    # When a run reads them
    world.run_path(apply=False)

    # Then three pages of at most 10 were read, recursively, none decrypted
    assert len(calls) == 3
    assert all(c["Recursive"] is True and c["WithDecryption"] is False for c in calls)


def test_an_invalid_part_changes_nothing_and_is_named_with_its_path(
    world: World, large: dict[str, Any]
) -> None:
    # Given a converged workforce, then two team parts edited by hand: one well, one badly
    world.push(large)
    world.run_path()
    controls.clear_calls()
    changed = dict(large["Workteams"][3], Description="changed in the same edit")
    broken = dict(large["Workteams"][7], Description="", MemberDefinitions=[])
    for team in (changed, broken):
        world.ssm.put_parameter(
            Name=team_part(team["WorkteamName"]), Value=json.dumps(team), Overwrite=True
        )

    # When the reconciler runs
    report = world.run_path()

    # Then nothing is written (not even the valid part's change: the document is one), and
    # each problem names that parameter and the JSON path in it
    assert report.status is RunStatus.INVALID_DOCUMENT
    assert [(p.Part, p.Path, p.Message) for p in report.DocumentProblems] == [
        (team_part("team-07-labeling"), "$.Description", "must not be empty"),
        (
            team_part("team-07-labeling"),
            "$.MemberDefinitions",
            "must have at least 1 item (it has 0)",
        ),
    ]
    assert world.writes() == []


def test_a_team_removed_from_the_parts_is_blocked_or_deleted_as_the_policy_says(
    world: World, large: dict[str, Any]
) -> None:
    # Given a converged workforce
    world.push(large)
    world.run_path()

    # When a team is removed from the document and it is pushed again
    removed = large["Workteams"].pop(11)["WorkteamName"]
    world.push(large)

    # Then its parameter is gone, and the next run blocks deleting the team (the default)
    assert team_part(removed) not in world.parameters()
    blocked = world.run_path()
    assert blocked.status is RunStatus.BLOCKED
    assert [(a.Operation, a.ResourceName) for a in blocked.Plan.blocked_actions] == [  # type: ignore[union-attr]
        (Operation.DELETE_WORKTEAM, removed)
    ]
    assert removed in world.teams()

    # When the policy lets unlisted teams go, Then the next run deletes it
    large["Policy"]["DeleteUnlistedWorkteams"] = True
    world.push(large)
    assert world.run_path().status is RunStatus.CORRECTED
    assert removed not in world.teams()
    assert len(world.teams()) == 24


def test_a_page_that_cannot_be_read_stops_the_run_and_is_never_taken_for_missing_teams(
    world: World, large: dict[str, Any]
) -> None:
    # Given a converged workforce whose policy deletes unlisted teams
    large["Policy"]["DeleteUnlistedWorkteams"] = True
    world.push(large)
    world.run_path()
    controls.clear_calls()

    # and SSM refusing the second page of parameters
    pages: list[int] = []

    def refuse_second_page(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        pages.append(1)
        if len(pages) < 2:
            return None
        error = {"Code": "AccessDeniedException", "Message": "not authorized on this page"}
        response = AWSResponse("https://ssm.us-east-1.amazonaws.com", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # (a before-call handler may answer for the service; the stubs type it as returning None)
    world.ssm.meta.events.register(
        "before-call.ssm.GetParametersByPath",
        refuse_second_page,  # type: ignore[arg-type]
    )

    # When the reconciler runs
    report = world.run_path()

    # Then it stops with an error naming the path and how far it read, and deletes nothing
    assert report.status is RunStatus.ERROR
    assert report.Error is not None
    assert report.Error.Message == (
        f"cannot read the desired-state parameters under {PARAMETER_PATH}/ (after 10 "
        "parameters): GetParametersByPath failed: AccessDeniedException: not authorized on "
        "this page"
    )
    assert not report.Error.Retryable
    assert world.writes() == []
    assert len(world.teams()) == 25


def test_a_throttled_read_of_the_parts_is_retryable(world: World, large: dict[str, Any]) -> None:
    # Given SSM throttling GetParametersByPath past botocore's retries
    world.push(large)

    def throttle(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        response = AWSResponse("https://ssm.us-east-1.amazonaws.com", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    world.ssm.meta.events.register(
        "before-call.ssm.GetParametersByPath",
        throttle,  # type: ignore[arg-type]
    )

    # When the reconciler runs, Then the run says so, retryable, having written nothing
    report = world.run_path()
    assert report.status is RunStatus.ERROR
    assert report.retryable
    assert world.writes() == []


def test_nothing_under_the_path_is_a_missing_document(world: World) -> None:
    # Given no parameter under the path
    # When the reconciler runs, Then the document is missing and nothing is touched
    report = world.run_path()
    assert report.status is RunStatus.DOCUMENT_MISSING
    assert report.DocumentSource == f"ssm:{PARAMETER_PATH}/"
    assert world.writes() == []


def test_a_secure_string_part_is_a_problem_of_the_document(
    world: World, large: dict[str, Any]
) -> None:
    # Given one team part put by hand as a SecureString
    world.push(large)
    world.ssm.put_parameter(
        Name=team_part("team-02-labeling"),
        Value=json.dumps(large["Workteams"][2]),
        Type="SecureString",
        Overwrite=True,
    )

    # When the reconciler runs, Then that part is named, and nothing is written
    report = world.run_path()
    assert report.status is RunStatus.INVALID_DOCUMENT
    [problem] = report.DocumentProblems
    assert (problem.Part, problem.Path) == (team_part("team-02-labeling"), "$")
    assert problem.Message.startswith("is a SecureString")
    assert world.writes() == []


def test_a_push_that_fails_half_way_says_how_far_it_got_and_a_second_push_finishes(
    world: World, large: dict[str, Any]
) -> None:
    # Given SSM refusing the third PutParameter of a push
    puts: list[int] = []

    def refuse_third(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        puts.append(1)
        if len(puts) != 3:
            return None
        error = {"Code": "AccessDeniedException", "Message": "not allowed here"}
        response = AWSResponse("https://ssm.us-east-1.amazonaws.com", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    world.ssm.meta.events.register(
        "before-call.ssm.PutParameter",
        refuse_third,  # type: ignore[arg-type]
    )

    # When the document is pushed, Then it stops there, saying what was written
    with pytest.raises(PublishError) as raised:
        world.push(large)
    assert str(raised.value) == (
        f"PutParameter {team_part('team-02-labeling')} failed: AccessDeniedException: not "
        f"allowed here; 2 of 26 changes written before it ({team_part('team-02-labeling')} and "
        "the ones after it not). Push again to finish: it writes only what still differs"
    )
    assert len(world.parameters()) == 2
    assert WORKFORCE_PART not in world.parameters()  # (no run sees a document yet)

    # When it is pushed again, Then only what is missing is written
    assert world.push(large) == 24
    assert len(world.parameters()) == 26
