"""What the CLI tests share besides fixtures: a run's result, documents on disk, programs.

``Ran``/``Cli`` are what the ``cli`` fixture (conftest.py) returns; ``program(...)``
runs the installed console script and ``aws_cli(...)`` the AWS CLI, both as subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def write(path: Path, document: dict[str, Any] | str) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2))
    return path


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
