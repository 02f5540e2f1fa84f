"""A run that dies at any point (Lambda timeout, crash) is finished by the next one.

The process is "killed" at every SageMaker call position of a full create-and-drift run,
then a fresh run must converge with no duplicate and nothing lost, and the one after
must have nothing to do.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest

from engine.world import World
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.plan import RunStatus

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef


class Died(BaseException):
    """The process ended (not an error the engine may catch)."""


class DyingGateway(SageMakerGateway):
    """The real gateway, but the process dies right after the n-th call reached SageMaker."""

    def __init__(self, client: Any, die_after: int) -> None:
        super().__init__(client)
        self.left = die_after

    def _tick(self) -> None:
        self.left -= 1
        if self.left == 0:
            raise Died

    def describe_workforce(self, name: str) -> WorkforceTypeDef | None:
        result = super().describe_workforce(name)
        self._tick()
        return result

    def list_workteams(self) -> list[WorkteamTypeDef]:
        result = super().list_workteams()
        self._tick()
        return result

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        result = super().call(operation, request)
        self._tick()
        return result


def run_dying(world: World, die_after: int) -> bool:
    reconciler = world.reconciler()
    reconciler.gateway = DyingGateway(world.sagemaker, die_after)
    try:
        reconciler.run(SsmDocumentSource(world.ssm, "/workforce-reconciler/desired-state"), "t")
    except Died:
        return True
    return False


def end_state(world: World) -> dict[str, Any]:
    workforce = world.workforce("labeling-oidc")
    teams = world.teams()
    return {
        "cidrs": workforce["SourceIpConfig"]["Cidrs"],
        "teams": sorted(teams),
        "descriptions": sorted(t["Description"] for t in teams.values()),
        "tags": world.tags(teams["image-labelers"]["WorkteamArn"]),
    }


# The run below makes 7 gateway calls: DescribeWorkforce, ListWorkteams, UpdateWorkforce,
# DescribeWorkforce (waiting for Active), UpdateWorkteam, CreateWorkteam, AddTags.
CALLS = 7


@pytest.mark.parametrize("die_after", range(1, CALLS + 1))
def test_a_run_killed_after_any_call_is_finished_by_the_next(
    world: World, oidc_doc: dict[str, Any], die_after: int
) -> None:
    # Given a converged workforce and a document that changes its allow-list, changes a
    # team, adds one and changes tags
    world.run(oidc_doc)
    changed = copy.deepcopy(oidc_doc)
    changed["Workteams"][1]["Description"] = "now reviews tickets and chats"
    changed["Workteams"][0]["Tags"] = [{"Key": "team", "Value": "vision"}]
    changed["Workteams"].append(
        {
            "WorkteamName": "audio-transcribers",
            "Description": "Transcribes call recordings",
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["audio"]}}],
        }
    )
    changed["Workforce"]["SourceIpConfig"]["Cidrs"] = ["192.0.2.0/24"]
    world.put_document(changed)

    # When a run dies right after its n-th SageMaker call, and a fresh run follows
    died = run_dying(world, die_after)
    follow_up = world.run()

    # Then the follow-up converged, without duplicates, and the next has nothing to do
    assert follow_up.status in {RunStatus.CORRECTED, RunStatus.IN_SYNC}, follow_up.Results
    assert end_state(world) == {
        "cidrs": ["192.0.2.0/24"],
        "teams": ["audio-transcribers", "image-labelers", "text-reviewers"],
        "descriptions": sorted(
            [
                "Transcribes call recordings",
                "Draws bounding boxes on product photos",
                "now reviews tickets and chats",
            ]
        ),
        "tags": {"team": "vision"},
    }
    assert world.run().status is RunStatus.IN_SYNC
    assert died
