"""The direct SageMaker client (engine/direct.py, used by ``make mutation``) answers as the
emulator does over botocore: the same runs leave the same world, the same errors arrive
with the same codes and messages, throttling is retried the same number of times."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

import workforce_emulator
from engine.world import SAGEMAKER_TRANSPORT, World, example
from workforce_emulator import controls

# Differ between any two runs, whatever the transport.
VOLATILE = {"CreateDate", "LastUpdatedDate", "Time", "SubDomain"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def _scenario(world: World) -> dict[str, Any]:
    """A day in the life: create, drift, a refused write, a throttled one, errors."""
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    seen: dict[str, Any] = {}
    seen["create"] = world.run(copy.deepcopy(doc)).status
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="edited live")
    world.sagemaker.add_tags(
        ResourceArn=world.teams()["text-reviewers"]["WorkteamArn"],
        Tags=[{"Key": "stray", "Value": "x"}],
    )
    controls.add_fault("UpdateWorkteam", error="ConflictException", count=1)
    seen["conflict"] = world.run().status
    controls.add_fault("UpdateWorkteam", error="ThrottlingException", count=1)
    seen["throttled once"] = world.run().status
    seen["workforce"] = _stable(world.workforce("labeling-oidc"))
    seen["teams"] = _stable(world.teams())
    seen["tags"] = {
        name: world.tags(team["WorkteamArn"]) for name, team in sorted(world.teams().items())
    }
    seen["missing team"] = _error(lambda: world.sagemaker.describe_workteam(WorkteamName="nope"))
    oidc: Any = {
        **{k: v for k, v in doc["Workforce"]["OidcConfig"].items() if k != "ClientSecretArn"},
        "ClientSecret": "x",
    }
    seen["oidc with teams"] = _error(
        lambda: world.sagemaker.update_workforce(WorkforceName="labeling-oidc", OidcConfig=oidc)
    )
    controls.add_fault("ListWorkteams", error="ThrottlingException", count=2)
    seen["throttled twice"] = _error(lambda: world.sagemaker.list_workteams())
    controls.add_fault("ListWorkteams", error="InternalFailure", count=2)
    seen["server error"] = _error(lambda: world.sagemaker.list_workteams())
    seen["calls"] = _stable(controls.calls())
    return seen


def _run_on(transport: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    if transport == "direct":
        monkeypatch.setenv(SAGEMAKER_TRANSPORT, "direct")
    else:
        monkeypatch.delenv(SAGEMAKER_TRANSPORT, raising=False)
    workforce_emulator.install()
    controls.reset()
    with moto.mock_aws():
        try:
            return _scenario(World(boto3.session.Session()))
        finally:
            controls.reset()


def test_the_direct_client_leaves_the_world_botocore_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    over_botocore = _run_on("botocore", monkeypatch)
    direct = _run_on("direct", monkeypatch)

    # The scenario did what it says (so the comparison is of something)
    assert over_botocore["teams"]["text-reviewers"]["Description"] != "edited live"
    assert over_botocore["missing team"][0] == "ValidationException"
    assert over_botocore["throttled twice"][0] == "ThrottlingException"
    assert over_botocore["server error"][2] == 500
    assert len(over_botocore["calls"]) > 20
    # And the direct client agrees on every part of it
    for key in over_botocore:
        assert direct[key] == over_botocore[key], key
