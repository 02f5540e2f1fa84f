"""Adopting an OIDC workforce that has teams, on a service that refuses OIDC updates then."""

from __future__ import annotations

import json
from pathlib import Path

from cli.helpers import Cli, write
from engine.world import TABLE, World
from workforce_emulator import controls


def test_secret_already_applied_records_the_version_without_sending_it(
    world: World, cli: Cli, oidc_file: Path, tmp_path: Path
) -> None:
    # Given a workforce with teams made outside the reconciler (no version recorded), on
    # the emulator's default that refuses OIDC updates while teams exist
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    exported = cli("export").json
    exported["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    exported["Policy"]["Mode"] = "enforce"
    adopted = write(tmp_path / "adopted.json", json.dumps(exported))
    plan = cli("plan", "--file", adopted, "--state-table", TABLE, "--output", "json")
    assert [a["Operation"] for a in plan.json["Plan"]["Actions"]] == ["UpdateWorkforce"]
    controls.clear_calls()

    # When apply is told the workforce already uses the referenced secret
    ran = cli(
        "apply", "--file", adopted, "--state-table", TABLE, "--auto-approve",
        "--secret-already-applied",
    )  # fmt: skip

    # Then the version is recorded, nothing is sent, and the next plan is empty
    assert ran.code == 0, ran.printed
    assert "as already applied" in ran.err
    assert World.writes() == []
    assert cli("plan", "--file", adopted, "--state-table", TABLE).code == 0


def test_secret_already_applied_needs_a_state_table(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    ran = cli("apply", "--file", oidc_file, "--auto-approve", "--secret-already-applied")
    assert (ran.code, ran.err) == (1, "error: --secret-already-applied needs --state-table\n")
