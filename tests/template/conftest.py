"""Fixtures for the SAM application: the template as written, as CloudFormation sees it
after the SAM transform, and as a stack created on moto's CloudFormation.

``deployed_stack`` is the one other tests use: it yields a :class:`sam_app.DeployedStack`
while ``moto.mock_aws()`` is active, so a test can run the real handler against the
function's environment, the topic, the table and the queue that the stack created.
Override ``stack_parameters`` (a fixture of the same name in the test module) to deploy
the template with other parameter values. Requesting the root ``aws`` fixture first (the
workforce emulator) nests the two mocks: moto resets state only at the outermost one.
test_template_handler.py shows the whole pattern: the real handler on the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from stackset import load_sam_template

from template.sam_app import (
    FAKE_ENVIRONMENT,
    DeployedStack,
    deploy_stack,
    transform_template,
)

DEFAULT_PARAMETERS = {"NotificationEmail": "workforce-ops@example.com"}


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed Region: nothing here may ever reach AWS."""
    for name, value in FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_credentials(monkeypatch)


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    return load_sam_template()


@pytest.fixture(scope="session")
def transformed_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    return transform_template(sam_template)


@pytest.fixture
def stack_parameters() -> dict[str, str]:
    """Template parameters for ``deployed_stack``; override this fixture to deploy others."""
    return dict(DEFAULT_PARAMETERS)


@pytest.fixture
def deployed_stack(
    aws_credentials: None,
    transformed_template: dict[str, Any],
    stack_parameters: dict[str, str],
) -> Iterator[DeployedStack]:
    """The application's stack created on moto's CloudFormation, the mock active meanwhile.

    One stack per test: a test may change what the stack created (run the handler on it).
    """
    with deploy_stack(transformed_template, stack_parameters) as stack:
        yield stack


@pytest.fixture(scope="module")
def shared_stack(transformed_template: dict[str, Any]) -> Iterator[DeployedStack]:
    """One stack for a whole module of read-only checks, deployed with DEFAULT_PARAMETERS.

    Only for checks that change nothing: every test of the module sees the same stack.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_fake_credentials(monkeypatch)
        with deploy_stack(transformed_template, DEFAULT_PARAMETERS) as stack:
            yield stack
