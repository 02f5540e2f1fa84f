"""``workforce-reconciler export``: adopt a live workforce; plan on the export shows no changes."""

from __future__ import annotations

import json
from pathlib import Path

from cli.helpers import Cli, write
from engine.world import TABLE, World, example
from workforce_emulator import controls

FILL_IN = (
    "Fill in Workforce.OidcConfig.ClientSecretArn (or replace it with ClientSecretParameter) "
    "before you plan: the client secret cannot be read back from SageMaker.\n"
)
PLACEHOLDER_PROBLEM = (
    "  $.Workforce.OidcConfig.ClientSecretArn: is an ARN but not a Secrets Manager secret ARN "
    "(arn:aws:secretsmanager:<region>:<account>:secret:<name>); for an SSM parameter use "
    "ClientSecretParameter"
)


def test_oidc_export_round_trips_once_the_secret_reference_is_filled_in(
    world: World, cli: Cli, oidc_file: Path, tmp_path: Path
) -> None:
    # Given an OIDC workforce and teams created by apply (no state table: nothing recorded)
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0

    # When it is exported to stdout
    ran = cli("export")

    # Then stdout is the document, stderr says what to fill in
    assert ran.code == 0, ran.printed
    assert ran.err == FILL_IN
    exported = ran.json
    assert exported["Policy"] == {
        "Mode": "detect",
        "DeleteUnlistedWorkteams": False,
        "AllowDisruptiveChanges": False,
    }
    original = json.loads(oidc_file.read_text())
    oidc = dict(exported["Workforce"]["OidcConfig"])
    assert oidc.pop("ClientSecretArn").endswith(":secret:REPLACE-ME")
    assert oidc == {
        k: v for k, v in original["Workforce"]["OidcConfig"].items() if k != "ClientSecretArn"
    }
    assert [t["WorkteamName"] for t in exported["Workteams"]] == [
        "image-labelers",
        "text-reviewers",
    ]
    assert "ClientSecret" not in json.dumps(exported).replace("ClientSecretArn", "")

    # When the export is validated (and planned) as it is
    raw = write(tmp_path / "exported.json", ran.out)
    unfilled = cli("validate", raw)
    unfilled_plan = cli("plan", "--file", raw)

    # Then the placeholder is the one problem, and plan refuses before any call
    assert unfilled.code == 1
    assert unfilled.err.splitlines()[1:] == [PLACEHOLDER_PROBLEM]
    assert unfilled_plan.code == 1
    assert PLACEHOLDER_PROBLEM in unfilled_plan.out.splitlines()

    # When the reference is filled in
    exported["Workforce"]["OidcConfig"]["ClientSecretArn"] = world.secret_arn
    filled = write(tmp_path / "adopted.json", exported)

    # Then validate accepts it and plan, without a state table, has nothing to do
    assert cli("validate", filled).code == 0
    controls.clear_calls()
    plain = cli("plan", "--file", filled)
    assert plain.code == 0, plain.printed
    assert plain.out.startswith("No changes. Workforce labeling-oidc matches the document.\n")

    # and with the state table, the only change is the secret's baseline: one UpdateWorkforce
    tracked = cli("plan", "--file", filled, "--state-table", TABLE, "--output", "json")
    assert tracked.code == 2
    [action] = tracked.json["Plan"]["Actions"]
    assert action["Operation"] == "UpdateWorkforce"
    assert [c["Field"] for c in action["Changes"]] == ["OidcConfig.ClientSecretVersion"]
    assert action["Changes"][0]["Before"] == "version not recorded"
    assert World.writes() == []


def test_cognito_export_plans_no_changes(
    world: World, cli: Cli, cognito_file: Path, tmp_path: Path
) -> None:
    # Given a Cognito workforce with a VPC configuration and teams, created by apply
    assert cli("apply", "--file", cognito_file, "--auto-approve").code == 0
    out = tmp_path / "adopted.json"

    # When it is exported to a file
    ran = cli("export", "--out", out)

    # Then the file holds the document, stdout is empty, stderr names the file only
    assert ran.code == 0, ran.printed
    assert ran.out == ""
    assert ran.err == f"wrote {out}\n"
    exported = json.loads(out.read_text())
    original = example("cognito")
    assert exported["Workforce"]["CognitoConfig"] == original["Workforce"]["CognitoConfig"]
    assert (
        exported["Workforce"]["WorkforceVpcConfig"] == original["Workforce"]["WorkforceVpcConfig"]
    )
    assert [t["MemberDefinitions"] for t in exported["Workteams"]] == [
        t["MemberDefinitions"] for t in original["Workteams"]
    ]

    # When it is validated and planned, with and without the state table
    valid = cli("validate", out)
    plain = cli("plan", "--file", out)
    tracked = cli("plan", "--file", out, "--state-table", TABLE)

    # Then it is valid and there is nothing to change (Cognito has no secret)
    assert valid.code == 0
    assert plain.code == 0, plain.printed
    assert tracked.code == 0, tracked.printed
    assert plain.out == (
        "No changes. Workforce labeling-cognito matches the document.\n"
        "\n"
        "Status: InSync (mode detect, trigger cli-plan).\n"
    )


def test_export_of_drifted_teams_captures_the_live_state(
    world: World, cli: Cli, cognito_file: Path
) -> None:
    # Given a console edit after apply
    assert cli("apply", "--file", cognito_file, "--auto-approve").code == 0
    world.sagemaker.update_workteam(WorkteamName="quality-auditors", Description="edited live")

    # When it is exported
    ran = cli("export", "--workforce-name", "labeling-cognito")

    # Then the export says what is live, not what the old document said
    assert ran.code == 0
    teams = {t["WorkteamName"]: t for t in ran.json["Workteams"]}
    assert teams["quality-auditors"]["Description"] == "edited live"


def test_export_without_a_workforce_is_one_line(world: World, cli: Cli) -> None:
    # Given an empty account
    # When it is exported, with and without a name
    unnamed = cli("export")
    named = cli("export", "--workforce-name", "nope")

    # Then one error line each, exit 1
    assert (unnamed.code, unnamed.out, unnamed.err) == (
        1,
        "",
        "error: there is no workforce in us-east-1\n",
    )
    assert (named.code, named.out, named.err) == (
        1,
        "",
        "error: workforce nope does not exist in us-east-1\n",
    )


def test_export_to_an_unwritable_place_is_one_line(
    world: World, cli: Cli, cognito_file: Path, tmp_path: Path
) -> None:
    # Given a workforce, and a directory that does not exist
    assert cli("apply", "--file", cognito_file, "--auto-approve").code == 0
    out = tmp_path / "missing" / "adopted.json"

    # When it is exported there
    ran = cli("export", "--out", out)

    # Then one line says why, exit 1
    assert ran.code == 1
    assert ran.err == f"error: cannot write {out}: No such file or directory\n"


def test_unlistable_workforce_tags_are_left_out_and_still_plan_no_changes(
    world: World, cli: Cli, cognito_file: Path, tmp_path: Path
) -> None:
    # Given a service that cannot list a workforce's tags (as reported for the real one)
    assert cli("apply", "--file", cognito_file, "--auto-approve").code == 0
    controls.configure(workforce_tags_listable=False)
    out = tmp_path / "adopted.json"

    # When it is exported
    ran = cli("export", "--out", out)

    # Then the workforce's tags are left unmanaged, and the export plans no changes
    assert ran.code == 0, ran.printed
    assert "Tags" not in json.loads(out.read_text())["Workforce"]
    plan = cli("plan", "--file", out)
    assert plan.code == 0, plan.printed
