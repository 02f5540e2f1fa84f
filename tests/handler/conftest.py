"""Fixtures for the Lambda handler tests: the deployment (deployment.py) and ``invoke``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handler.deployment import Deployment, LambdaContext
from workforce_reconciler import handler


@pytest.fixture
def deployment(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore's retries, without long backoff
    deployment = Deployment()
    for name, value in deployment.environment().items():
        monkeypatch.setenv(name, value)
    handler.reset()
    yield deployment
    handler.reset()


@pytest.fixture
def invoke() -> Any:
    def run(evt: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = handler.lambda_handler(evt, LambdaContext())
        return result

    return run
