"""``workforce-reconciler push``: publish a document to SSM the way a CI pipeline would, and
``plan``/``apply --parameter-path``, ``export --split``, ``validate``'s sizes around it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.helpers import Cli, write
from engine.world import World, example, large_document
from workforce_emulator import controls

PATH = "/ci/workforce"
WORKFORCE_PART = f"{PATH}/workforce"


def team_part(name: str) -> str:
    return f"{PATH}/workteams/{name}"


@pytest.fixture
def large(world: World) -> dict[str, Any]:
    return large_document(world.secret_arn)


@pytest.fixture
def large_file(large: dict[str, Any], tmp_path: Path) -> Path:
    return write(tmp_path / "workforce.json", large)


def test_a_document_too_large_for_one_parameter_is_pushed_applied_and_in_sync(
    world: World, cli: Cli, large_file: Path
) -> None:
    # Given a 25-team, 10-group document that validate says needs a path
    validated = cli("validate", large_file)
    assert validated.code == 0
    assert (
        "too large (Advanced holds 8,192 bytes): keep it in parts under a path"
        in (validated.out.splitlines()[1])
    )

    # When it is pushed to a path
    pushed = cli("push", "--file", large_file, "--parameter-path", PATH)

    # Then 26 Standard parameters exist, created teams first and the workforce part last
    assert pushed.code == 2, pushed.printed
    lines = pushed.out.splitlines()
    assert lines[0].startswith(f"+ {team_part('team-00-labeling')}  (Standard, ")
    assert lines[25].startswith(f"+ {WORKFORCE_PART}  (Standard, ")
    assert lines[26] == f"Published to ssm:{PATH}/: 26 created, 0 updated, 0 deleted, 0 unchanged."
    held = world.parameters(PATH)
    assert len(held) == 26
    assert {(p["Type"], p["Tier"]) for p in held.values()} == {("String", "Standard")}

    # When it is applied from the path, Then the workforce is created and plan is in sync
    applied = cli("apply", "--parameter-path", PATH, "--auto-approve")
    assert applied.code == 0, applied.printed
    assert len(world.teams()) == 25
    planned = cli("plan", "--parameter-path", PATH)
    assert planned.code == 0, planned.printed
    assert planned.out.startswith("No changes.")


def test_pushing_an_unchanged_document_writes_nothing(
    world: World, cli: Cli, large_file: Path
) -> None:
    # Given the document pushed once
    cli("push", "--file", large_file, "--parameter-path", PATH)
    versions = {name: p["Version"] for name, p in world.parameters(PATH).items()}

    # When it is pushed again
    again = cli("push", "--file", large_file, "--parameter-path", PATH)

    # Then exit 0, it says so, and no parameter has a new version
    assert again.code == 0, again.printed
    assert again.out == (
        f"Nothing to publish: ssm:{PATH}/ already holds this document (26 parameters unchanged).\n"
    )
    assert {name: p["Version"] for name, p in world.parameters(PATH).items()} == versions


def test_a_changed_team_is_the_only_parameter_written(
    world: World, cli: Cli, large: dict[str, Any], large_file: Path
) -> None:
    # Given the document pushed once, then one team's description changed in the file
    cli("push", "--file", large_file, "--parameter-path", PATH)
    large["Workteams"][4]["Description"] = "Now draws polygons too"
    write(large_file, large)

    # When it is pushed
    pushed = cli("push", "--file", large_file, "--parameter-path", PATH)

    # Then that one parameter gets version 2, nothing else changes
    assert pushed.code == 2
    assert pushed.out.splitlines()[-1] == (
        f"Published to ssm:{PATH}/: 0 created, 1 updated, 0 deleted, 25 unchanged."
    )
    versions = {name: p["Version"] for name, p in world.parameters(PATH).items()}
    assert versions.pop(team_part("team-04-labeling")) == 2
    assert set(versions.values()) == {1}


def test_a_team_removed_from_the_file_loses_its_parameter_and_only_that_one(
    world: World, cli: Cli, large: dict[str, Any], large_file: Path
) -> None:
    # Given the document pushed, and parameters outside the path that look like parts
    cli("push", "--file", large_file, "--parameter-path", PATH)
    for name in (f"{PATH}-old/workteams/team-03-labeling", "/other/workteams/team-03-labeling"):
        world.ssm.put_parameter(Name=name, Value="{}", Type="String")

    # When a team is removed from the file and it is pushed
    large["Workteams"].pop(3)
    write(large_file, large)
    pushed = cli("push", "--file", large_file, "--parameter-path", PATH)

    # Then that team's parameter is deleted and nothing else is touched
    assert pushed.code == 2
    assert pushed.out.splitlines() == [
        f"- {team_part('team-03-labeling')}  (no longer in the document)",
        f"Published to ssm:{PATH}/: 0 created, 0 updated, 1 deleted, 25 unchanged.",
    ]
    assert team_part("team-03-labeling") not in world.parameters(PATH)
    assert len(world.parameters(PATH)) == 25
    assert world.ssm.get_parameter(Name="/other/workteams/team-03-labeling")["Parameter"]
    assert world.ssm.get_parameter(Name=f"{PATH}-old/workteams/team-03-labeling")["Parameter"]


def test_dry_run_prints_what_would_be_written_and_writes_nothing(
    world: World, cli: Cli, large_file: Path
) -> None:
    ran = cli("push", "--file", large_file, "--parameter-path", PATH, "--dry-run")

    assert ran.code == 2
    assert ran.out.splitlines()[-1] == (
        f"Would publish to ssm:{PATH}/: 26 created, 0 updated, 0 deleted, 0 unchanged. "
        "Nothing written (--dry-run)."
    )
    assert world.parameters(PATH) == {}


def test_an_invalid_document_is_not_pushed(world: World, cli: Cli, tmp_path: Path) -> None:
    # Given a document with a team that has no members
    document = example("oidc")
    document["Workteams"][1]["MemberDefinitions"] = []
    path = write(tmp_path / "bad.json", document)

    # When it is pushed
    ran = cli("push", "--file", path, "--parameter-path", PATH)

    # Then exit 1, the problem with its path, and nothing in SSM
    assert ran.code == 1
    assert ran.err == (
        f"{path}: desired-state document is invalid (1 problem):\n"
        "  $.Workteams[1].MemberDefinitions: must have at least 1 item (it has 0)\n"
        "Nothing was published.\n"
    )
    assert ran.out == ""
    assert world.parameters(PATH) == {}


def test_one_parameter_over_8_kb_is_refused_with_the_advice_to_use_a_path(
    world: World, cli: Cli, large_file: Path
) -> None:
    ran = cli("push", "--file", large_file, "--parameter", "/ci/one")

    assert ran.code == 1
    assert ran.err.startswith(
        "error: too large for an SSM parameter (Advanced holds 8,192 bytes): /ci/one ("
    )
    assert ran.err.endswith(
        "keep it in parts under a path instead: push --parameter-path PREFIX; nothing was written\n"
    )
    assert world.parameters("/ci") == {}


def test_one_parameter_between_4_and_8_kb_is_put_in_the_advanced_tier(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    # Given 12 teams of 10 groups: more than 4 KB, less than 8 KB
    document = large_document(world.secret_arn, teams=12)
    path = write(tmp_path / "medium.json", document)

    # When it is pushed as one parameter, Then it is Advanced, and the reconciler reads it
    ran = cli("push", "--file", path, "--parameter", "/ci/one")
    assert ran.code == 2, ran.printed
    assert ran.out.startswith("+ /ci/one  (Advanced, ")
    [held] = world.parameters("/ci").values()
    assert held["Tier"] == "Advanced"
    assert 4096 < len(held["Value"]) <= 8192
    assert cli("plan", "--parameter", "/ci/one").code == 2


def test_a_stray_parameter_under_the_path_stops_the_push(
    world: World, cli: Cli, large_file: Path
) -> None:
    # Given a parameter under the path that is no part of a document
    world.ssm.put_parameter(Name=f"{PATH}/notes", Value="hello", Type="String")

    # When the document is pushed, Then it is named, and nothing is written
    ran = cli("push", "--file", large_file, "--parameter-path", PATH)
    assert ran.code == 1
    assert ran.err == (
        "error: nothing was written:\n"
        f"  {PATH}/notes is under {PATH}/ but is not part of a document (its parts are "
        f"{PATH}/workforce and {PATH}/workteams/<WorkteamName>): delete it or publish to "
        "another path\n"
    )
    assert list(world.parameters(PATH)) == [f"{PATH}/notes"]


def test_export_split_and_push_from_the_directory_round_trip(
    world: World, cli: Cli, large_file: Path, tmp_path: Path
) -> None:
    # Given a workforce applied from a file
    assert cli("apply", "--file", large_file, "--auto-approve").code == 0

    # When it is exported in parts and the secret placeholder filled in
    out = tmp_path / "desired"
    exported = cli("export", "--split", out)
    assert exported.code == 0, exported.printed
    assert exported.err.splitlines()[0] == (
        f"wrote {out}: 26 files ({out}/workforce.json and {out}/workteams/<WorkteamName>.json)"
    )
    workforce = json.loads((out / "workforce.json").read_text())
    assert "Workteams" not in workforce
    workforce["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    write(out / "workforce.json", workforce)
    assert len(list((out / "workteams").glob("*.json"))) == 25

    # Then the directory validates, plans with no change, and pushes to a path in sync
    assert cli("validate", out).code == 0
    assert cli("plan", "--file", out).code == 0
    assert cli("push", "--file", out, "--parameter-path", PATH).code == 2
    assert cli("plan", "--parameter-path", PATH).code == 0
    assert cli("push", "--file", out, "--parameter-path", PATH).code == 0


def test_export_split_refuses_a_directory_that_holds_files(
    world: World, cli: Cli, large_file: Path, tmp_path: Path
) -> None:
    # Given a workforce, and a directory with a team file from an earlier export
    cli("apply", "--file", large_file, "--auto-approve")
    (tmp_path / "old" / "workteams").mkdir(parents=True)
    write(tmp_path / "old" / "workteams" / "gone.json", "{}")

    # When exported there, Then it refuses, and the old file would not be read as a team
    ran = cli("export", "--split", tmp_path / "old")
    assert ran.code == 1
    assert ran.err == (
        f"error: cannot write {tmp_path / 'old'}: export --split writes a new or empty directory\n"
    )


def test_a_problem_in_a_directory_part_names_the_file_and_the_path_in_it(
    cli: Cli, tmp_path: Path
) -> None:
    # Given a document in parts on disk, one team file with a typo
    document = example("oidc")
    write(tmp_path / "workforce.json", {k: v for k, v in document.items() if k != "Workteams"})
    (tmp_path / "workteams").mkdir()
    for team in document["Workteams"]:
        write(tmp_path / "workteams" / f"{team['WorkteamName']}.json", team)
    team = dict(document["Workteams"][0], Descripton="typo")
    write(tmp_path / "workteams" / "image-labelers.json", team)
    write(tmp_path / "README.md", "not a part: only .json files are read")

    # When validated, Then the file and the JSON path in it are named
    ran = cli("validate", tmp_path)
    assert ran.code == 1
    assert ran.err == (
        f"{tmp_path}: desired-state document is invalid (1 problem):\n"
        f"  {tmp_path}/workteams/image-labelers.json $.Descripton: unknown field; did you "
        'mean "Description"?\n'
    )


def test_plan_on_a_path_with_an_invalid_part_names_it_and_exits_1(
    world: World, cli: Cli, large: dict[str, Any], large_file: Path
) -> None:
    # Given the document pushed, then one team part broken by hand
    cli("push", "--file", large_file, "--parameter-path", PATH)
    broken = dict(large["Workteams"][9], WorkteamName="another-name")
    world.ssm.put_parameter(
        Name=team_part("team-09-labeling"), Value=json.dumps(broken), Overwrite=True
    )
    controls.clear_calls()

    # When planned, Then the parameter and the path in it are named, and nothing is called
    ran = cli("plan", "--parameter-path", PATH)
    assert ran.code == 1
    assert (
        f'  {team_part("team-09-labeling")} $.WorkteamName: "another-name" is not the name '
        'this part is stored under ("team-09-labeling")'
    ) in ran.out
    assert controls.calls() == []


@pytest.mark.parametrize("prefix", ["relative/path", "/", "//double"])
def test_a_parameter_path_must_be_an_ssm_path(cli: Cli, prefix: str) -> None:
    ran = cli("plan", "--parameter-path", prefix)
    assert ran.code == 1
    assert (
        f"argument --parameter-path: {prefix!r} is not an SSM parameter path like "
        "/workforce-reconciler/desired-state"
    ) in ran.err


def test_the_current_directory_in_parts_is_a_document(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a document in parts in the current directory
    document = example("oidc")
    write(tmp_path / "workforce.json", {k: v for k, v in document.items() if k != "Workteams"})
    (tmp_path / "workteams").mkdir()
    for team in document["Workteams"]:
        write(tmp_path / "workteams" / f"{team['WorkteamName']}.json", team)
    monkeypatch.chdir(tmp_path)

    # When "." is validated, Then it is the document
    ran = cli("validate", ".")
    assert ran.code == 0, ran.printed
    assert ran.out.startswith(".: valid: workforce labeling-oidc (OIDC), 2 work team(s)")
