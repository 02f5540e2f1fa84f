"""The Lambda handler on a document kept in parts under an SSM path
(DESIRED_STATE_PARAMETER_PATH): a change event for one part wakes a run on the whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.world import large_document
from handler.deployment import SECRET_VALUE, Deployment, event
from workforce_emulator import controls
from workforce_reconciler import handler
from workforce_reconciler.adapters.parameters import SsmParameters
from workforce_reconciler.handler import classify
from workforce_reconciler.publish import Target, parts_for, plan_publication, publish, read_stored

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
PATH = "/workforce-reconciler/document"


def part_event(name: str, operation: str = "Update") -> dict[str, Any]:
    """The sample part event (events/ssm-update-part.json) for another part."""
    changed = copy.deepcopy(event("ssm-update-part"))
    changed["detail"].update({"name": f"{PATH}/{name}", "operation": operation})
    changed["resources"] = [f"arn:aws:ssm:us-east-1:123456789012:parameter{PATH}/{name}"]
    return changed


@pytest.fixture
def parts(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """The deployment, with the stack's DesiredStateParameterPath set."""
    monkeypatch.setenv("DESIRED_STATE_PARAMETER_PATH", PATH)
    handler.reset()
    yield deployment
    handler.reset()


def push(deployment: Deployment, document: dict[str, Any]) -> list[str]:
    """Publish as `workforce-reconciler push --parameter-path` does; the parameters written."""
    target = Target(path=PATH)
    store = SsmParameters(deployment.ssm)
    publication = plan_publication(parts_for(document, target), read_stored(store, target), target)
    publish(store, publication)
    return [step.name for step in publication.steps]


@pytest.mark.parametrize(
    ("name", "trigger"),
    [
        (f"{PATH}/workforce", "ssm:Update"),
        (f"{PATH}/workteams/image-labelers", "ssm:Update"),
        (f"{PATH}/anything/else", "ssm:Update"),  # (the run reports it as no part)
        (PATH, None),
        (f"{PATH}-old/workforce", None),
        ("/workforce-reconciler/desired-state", None),
    ],
)
def test_a_change_of_any_parameter_under_the_path_is_ours(name: str, trigger: str | None) -> None:
    changed = copy.deepcopy(event("ssm-update-part"))
    changed["detail"]["name"] = name
    assert classify(changed, f"{PATH}/") == trigger


def test_a_part_change_event_creates_everything_then_the_schedule_finds_it_in_sync(
    parts: Deployment, invoke: Invoke
) -> None:
    # Given a 25-team, 10-group document pushed to the path (no one parameter holds it)
    document = large_document(parts.secret_arn)
    assert len(push(parts, document)) == 26

    # When the change event of one part arrives
    result = invoke(event("ssm-update-part"))

    # Then the whole document is applied, and the subscriber hears once
    assert result["Status"] == "Corrected"
    assert len(parts.sagemaker.list_workteams(MaxResults=100)["Workteams"]) == 25
    messages = parts.messages()
    assert parts.event_types(messages) == ["DriftCorrected"]
    assert SECRET_VALUE not in json.dumps(messages)

    # When the schedule fires, Then it is in sync and nobody is told
    assert invoke(event("schedule"))["Status"] == "InSync"
    assert parts.messages() == []


def test_several_parts_changed_at_once_wake_runs_after_the_first_find_nothing(
    parts: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment, then three teams changed in one push
    document = large_document(parts.secret_arn)
    push(parts, document)
    invoke(event("schedule"))
    parts.messages()
    for index in (2, 5, 8):
        document["Workteams"][index]["Description"] = f"Changed in one push ({index})"
    changed = push(parts, document)
    assert len(changed) == 3

    # When the three change events arrive, one after the other (reserved concurrency 1)
    results = [invoke(part_event(name.removeprefix(f"{PATH}/"))) for name in changed]

    # Then the first run applies all three, the others find nothing to do, one message
    assert [r["Status"] for r in results] == ["Corrected", "InSync", "InSync"]
    assert results[0]["Applied"] == 3
    assert parts.event_types(parts.messages()) == ["DriftCorrected"]


def test_an_invalid_part_is_notified_by_name_and_changes_nothing(
    parts: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment, then one team part edited badly by hand
    document = large_document(parts.secret_arn)
    push(parts, document)
    invoke(event("schedule"))
    parts.messages()
    team = dict(document["Workteams"][0], MemberDefinitions=[])
    parts.ssm.put_parameter(
        Name=f"{PATH}/workteams/{team['WorkteamName']}", Value=json.dumps(team), Overwrite=True
    )
    controls.clear_calls()

    # When its change event arrives
    result = invoke(part_event(f"workteams/{team['WorkteamName']}"))

    # Then no SageMaker call, and one message naming the parameter and the path in it
    assert result["Status"] == "InvalidDocument"
    assert controls.calls() == []
    (message,) = parts.messages()
    body = json.loads(message["Message"])  # the JSON form a machine subscriber reads
    assert body["DocumentProblems"] == [
        {
            "Part": f"{PATH}/workteams/team-00-labeling",
            "Path": "$.MemberDefinitions",
            "Message": "must have at least 1 item (it has 0)",
        }
    ]


def test_a_team_pushed_away_is_deleted_when_the_policy_says_so(
    parts: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment whose policy deletes unlisted teams
    document = large_document(parts.secret_arn)
    document["Policy"]["DeleteUnlistedWorkteams"] = True
    push(parts, document)
    invoke(event("schedule"))
    parts.messages()

    # When a team is removed from the document and pushed, and its Delete event arrives
    gone = document["Workteams"].pop(20)["WorkteamName"]
    assert push(parts, document) == [f"{PATH}/workteams/{gone}"]
    result = invoke(part_event(f"workteams/{gone}", "Delete"))

    # Then the team is deleted
    assert result["Status"] == "Corrected"
    teams = parts.sagemaker.list_workteams(MaxResults=100)["Workteams"]
    assert gone not in {t["WorkteamName"] for t in teams}
    assert len(teams) == 24


def test_an_empty_path_is_a_missing_document(parts: Deployment, invoke: Invoke) -> None:
    # Given nothing under the path, When the schedule fires
    result = invoke(event("schedule"))

    # Then it is reported missing (once), and nothing is touched
    assert result["Status"] == "DocumentMissing"
    assert parts.event_types(parts.messages()) == ["DocumentMissing"]
    assert parts.sagemaker.list_workforces()["Workforces"] == []


def test_detect_mode_pushed_with_an_edit_holds_every_part_of_the_edit_back(
    parts: Deployment, invoke: Invoke
) -> None:
    # Given a converged deployment whose policy deletes unlisted teams
    document = large_document(parts.secret_arn)
    document["Policy"]["DeleteUnlistedWorkteams"] = True
    push(parts, document)
    invoke(event("schedule"))
    parts.messages()

    # When one push switches to detect mode, removes a team and changes another, and the
    # change events arrive in the order push wrote the parts
    document["Policy"]["Mode"] = "detect"
    removed = document["Workteams"].pop(1)["WorkteamName"]
    document["Workteams"][5]["Description"] = "Changed while in detect mode"
    written = push(parts, document)
    results = [
        invoke(part_event(name.removeprefix(f"{PATH}/"), "Delete" if removed in name else "Update"))
        for name in written
    ]

    # Then the workforce part went first, and no run changed anything: each reported drift
    assert written[0] == f"{PATH}/workforce"
    assert {r["Status"] for r in results} == {"DriftDetected"}
    teams = {
        t["WorkteamName"]: t for t in parts.sagemaker.list_workteams(MaxResults=100)["Workteams"]
    }
    assert removed in teams
    assert teams["team-06-labeling"]["Description"] != "Changed while in detect mode"

    # When enforce mode is pushed back, Then the next run applies the whole edit
    document["Policy"]["Mode"] = "enforce"
    assert push(parts, document) == [f"{PATH}/workforce"]
    assert invoke(part_event("workforce"))["Status"] == "Corrected"
    teams = {
        t["WorkteamName"]: t for t in parts.sagemaker.list_workteams(MaxResults=100)["Workteams"]
    }
    assert removed not in teams
    assert teams["team-06-labeling"]["Description"] == "Changed while in detect mode"
