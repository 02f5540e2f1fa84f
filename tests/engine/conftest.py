"""Fixtures for the engine tests (see world.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from engine.world import World, example


@pytest.fixture
def world(aws: None, boto_session: boto3.session.Session) -> World:
    return World(boto_session)


@pytest.fixture
def oidc_doc(world: World) -> dict[str, Any]:
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    return doc


@pytest.fixture
def cognito_doc() -> dict[str, Any]:
    doc = example("cognito")
    doc["Policy"] = {"Mode": "enforce"}  # the example starts in detect mode, as adopters should
    return doc


@pytest.fixture
def make_doc(oidc_doc: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    def make(**policy: Any) -> dict[str, Any]:
        doc = copy.deepcopy(oidc_doc)
        doc["Policy"].update(policy)
        return doc

    return make
