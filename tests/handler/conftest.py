"""Fixtures for the Lambda handler tests: the deployment (deployment.py) and ``invoke``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handler.deployment import Deployment, LambdaContext, deployed
from workforce_reconciler import handler


@pytest.fixture
def deployment(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    with deployed(monkeypatch) as deployment:
        yield deployment


@pytest.fixture
def invoke() -> Any:
    def run(evt: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = handler.lambda_handler(evt, LambdaContext())
        return result

    return run
