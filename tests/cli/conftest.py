"""Fixtures for the CLI tests: run ``workforce-reconciler`` in-process, or as a program.

In-process (most tests): ``cli(...)`` calls ``cli.main([...])`` under the ``aws``
fixture (moto + the emulator) and returns the exit code and what was printed.
Programs (a few end-to-end tests): ``program(...)`` (helpers.py) runs the installed
console script against the ``emulator_server`` fixture. Tests import the helpers from
``cli.helpers``, never from this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.helpers import Cli, Ran, write
from engine.world import World, example
from handler.deployment import Deployment, deployed
from workforce_reconciler import cli as cli_module


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli("plan", "--file", path)``: exit code, stdout and stderr of one in-process run."""

    def run(*argv: str | Path) -> Ran:
        capsys.readouterr()
        code = cli_module.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def world(aws: None) -> World:
    """moto + the emulator in-process, a DynamoDB state table and an OIDC client secret."""
    return World()


@pytest.fixture
def oidc_file(world: World, tmp_path: Path) -> Path:
    """The OIDC example, its secret reference pointing at the world's secret."""
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    return write(tmp_path / "oidc.json", doc)


@pytest.fixture
def cognito_file(tmp_path: Path) -> Path:
    """The Cognito example in enforce mode (the example itself starts in detect mode)."""
    doc = example("cognito")
    doc["Policy"] = {"Mode": "enforce"}
    return write(tmp_path / "cognito.json", doc)


@pytest.fixture
def deployment(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """What the stack creates (moto + the emulator), with the function's environment set:
    ``deployment.invoke("schedule")`` runs the real handler, as the schedule would."""
    with deployed(monkeypatch) as made:
        yield made
