"""Fixtures for the CLI tests: run ``workforce-reconciler`` in-process, or as a program.

In-process (most tests): ``cli(...)`` calls ``cli.main([...])`` under the ``aws``
fixture (moto + the emulator) and returns the exit code and what was printed.
Programs (a few end-to-end tests): ``program(...)`` runs the installed console
script against the ``emulator_server`` fixture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.world import World, example
from workforce_reconciler import cli as cli_module

BIN = Path(sys.executable).parent
PROGRAM = str(BIN / "workforce-reconciler")
AWS_CLI = str(BIN / "aws")


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def printed(self) -> str:
        return self.out + self.err


Cli = Callable[..., Ran]


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
def world(aws: None) -> Iterator[World]:
    """moto + the emulator in-process, a DynamoDB state table and an OIDC client secret."""
    return World()


def write(path: Path, document: dict[str, Any] | str) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2))
    return path


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


def environment(**changes: str | None) -> dict[str, str]:
    """This test's environment (fake credentials) with ``changes`` (None removes)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def program(
    *argv: str | Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``workforce-reconciler`` (stdin a pipe, never a terminal)."""
    return subprocess.run(
        [PROGRAM, *map(str, argv)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env or environment(),
        timeout=120,
        check=False,
    )


def aws_cli(*argv: str, endpoint_url: str) -> Any:
    """Run the AWS CLI against ``endpoint_url``; its JSON answer (None when empty)."""
    done = subprocess.run(
        [AWS_CLI, *argv, "--endpoint-url", endpoint_url, "--output", "json"],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None
