"""The README's examples are the files in examples/, so the docs cannot drift from them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["oidc", "cognito"])
def test_readme_example_is_the_example_file(name: str) -> None:
    # Given the README section that shows examples/<name>.json
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"([examples/{name}.json](examples/{name}.json))", 1)[1]
    block = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert block is not None

    # Then it is the same document
    assert json.loads(block.group(1)) == json.loads(
        (ROOT / "examples" / f"{name}.json").read_text()
    )


def test_readme_first_screen_gives_the_two_commands_and_ci_runs_make_test() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:20])
    assert "make run" in first_screen
    assert "make test" in first_screen
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
