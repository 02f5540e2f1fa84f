"""scripts/coldstart.py (make bench): its environment and its child, against the source tree.

The benchmark builds the artifact layout and takes many samples; this only checks that what
it runs still works with the handler as it is (``handler._app`` included), so a
change that would break `make bench` fails `make test` first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import coldstart
import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]


def test_the_child_has_every_variable_the_template_gives_the_function(tmp_path: Path) -> None:
    # Given the function's variables in template.yaml
    template: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
    variables = template["Resources"]["ReconcileFunction"]["Properties"]["Environment"]
    names = set(variables["Variables"])

    # When the benchmark makes the child's environment
    env = coldstart.function_environment(tmp_path / "layout", tmp_path)

    # Then each is there, with what the Lambda runtime adds (Tracer on, as in Lambda)
    assert names <= set(env)
    assert env["LAMBDA_TASK_ROOT"] == str(tmp_path / "layout")
    assert env["DESIRED_STATE_PARAMETER"] == "/workforce-reconciler/desired-state"


@pytest.mark.parametrize("mode", ["baseline", "handler"])
def test_the_child_measures_without_reaching_the_network(mode: str, tmp_path: Path) -> None:
    # Given the benchmark's child run on the source tree (the venv's dependencies) with
    # the function's environment
    env = coldstart.function_environment(ROOT / "src", tmp_path)

    # When it measures
    result = subprocess.run(
        [sys.executable, "-B", "-c", coldstart.CHILD, str(ROOT / "src"), mode, coldstart.REGION],
        env={**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    # Then it reports a time and a peak, and no socket was touched
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.splitlines()[-1])
    assert measured["seconds"] > 0
    assert measured["cpu_seconds"] > 0
    assert measured["peak_kib"] > 10_000
    assert measured["network"] == []
