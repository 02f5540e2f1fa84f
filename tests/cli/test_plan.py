"""``workforce-reconciler plan``: exit 0 in sync, 2 changes pending, 1 error; text and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from cli.helpers import Cli, write
from engine.world import PARAMETER, TABLE, World, example
from workforce_emulator import controls

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import CreateWorkteamRequestTypeDef

EXTRA_TEAM: CreateWorkteamRequestTypeDef = {
    "WorkteamName": "console-team",
    "WorkforceName": "labeling-oidc",
    "Description": "made in the console",
    "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["someone"]}}],
}


def _converge(cli: Cli, path: Path) -> None:
    ran = cli("apply", "--file", path, "--auto-approve", "--state-table", TABLE)
    assert ran.code == 0, ran.printed
    controls.clear_calls()


def test_empty_account_has_changes_pending_and_nothing_is_written(
    cli: Cli, oidc_file: Path
) -> None:
    # Given an account without a workforce
    # When the OIDC example is planned
    ran = cli("plan", "--file", oidc_file)

    # Then exit 2, one + line per resource, the summary, and not a single write
    assert ran.code == 2, ran.printed
    lines = ran.out.splitlines()
    assert [line for line in lines if line[:2] in ("+ ", "~ ", "- ")] == [
        "+ Workforce/labeling-oidc (CreateWorkforce)",
        "+ Workteam/image-labelers (CreateWorkteam)",
        "+ Workteam/text-reviewers (CreateWorkteam)",
    ]
    assert "    WorkforceName: (none) -> 'labeling-oidc'" in lines
    assert "    OidcConfig.ClientSecretVersion: (none) -> '(from the reference)'" in lines
    assert "Plan: 3 to create, 0 to update, 0 to delete, 0 blocked." in lines
    assert lines[-1] == "Status: DriftDetected (mode enforce, trigger cli-plan)."
    assert ran.err == ""
    assert World.writes() == []


def test_in_sync_exits_0_with_one_line(cli: Cli, oidc_file: Path) -> None:
    # Given a workforce converged to the document (secret version recorded)
    _converge(cli, oidc_file)

    # When it is planned again
    ran = cli("plan", "--file", oidc_file, "--state-table", TABLE)

    # Then there is nothing to do
    assert ran.code == 0, ran.printed
    assert ran.out == (
        "No changes. Workforce labeling-oidc matches the document.\n"
        "\n"
        "Status: InSync (mode enforce, trigger cli-plan).\n"
    )
    assert World.writes() == []


def test_update_and_delete_lines_show_before_and_after(
    world: World, cli: Cli, oidc_file: Path, tmp_path: Path
) -> None:
    # Given a converged setup, a console edit of one team and a team made in the console
    _converge(cli, oidc_file)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="edited")
    world.sagemaker.create_workteam(**EXTRA_TEAM)
    doc = json.loads(oidc_file.read_text())
    doc["Policy"]["DeleteUnlistedWorkteams"] = True
    path = write(tmp_path / "delete-unlisted.json", doc)
    controls.clear_calls()

    # When it is planned
    ran = cli("plan", "--file", path, "--state-table", TABLE)

    # Then ~ shows the field before -> after, - the team to delete, and nothing is written
    assert ran.code == 2, ran.printed
    assert ran.out == (
        "- Workteam/console-team (DeleteWorkteam) [disruptive]\n"
        "    WorkteamName: 'console-team' -> (none)\n"
        "~ Workteam/text-reviewers (UpdateWorkteam)\n"
        "    Description: 'edited' -> 'Reviews sentiment labels on support tickets'\n"
        "\n"
        "Plan: 0 to create, 1 to update, 1 to delete, 0 blocked.\n"
        "\n"
        "Status: DriftDetected (mode enforce, trigger cli-plan).\n"
    )
    assert World.writes() == []


def test_blocked_change_shows_why(world: World, cli: Cli, oidc_file: Path) -> None:
    # Given a team the document does not list, and a policy that keeps unlisted teams
    _converge(cli, oidc_file)
    world.sagemaker.create_workteam(**EXTRA_TEAM)

    # When it is planned
    ran = cli("plan", "--file", oidc_file, "--state-table", TABLE)

    # Then the deletion is shown as blocked, with the reason and the way out
    assert ran.code == 2, ran.printed
    lines = ran.out.splitlines()
    assert lines[0] == "- Workteam/console-team (DeleteWorkteam)"
    assert lines[1].startswith("    ! blocked: ")
    assert "Policy.DeleteUnlistedWorkteams" in lines[1]
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 blocked." in lines
    assert lines[-1] == "Status: Blocked (mode enforce, trigger cli-plan)."


def test_json_output_has_stable_fields(world: World, cli: Cli, oidc_file: Path) -> None:
    # Given one out-of-band change
    _converge(cli, oidc_file)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="edited")

    # When it is planned with --output json
    ran = cli("plan", "--file", oidc_file, "--state-table", TABLE, "--output", "json")

    # Then stdout is one JSON document with the fields scripts rely on
    assert ran.code == 2
    report = ran.json
    assert report["Status"] == "DriftDetected"
    assert report["Mode"] == "enforce"
    assert report["Region"] == "us-east-1"
    assert report["WorkforceName"] == "labeling-oidc"
    assert report["WorkforceStatus"] == "Active"
    assert report["DocumentSource"] == str(oidc_file)
    assert report["Results"] == []
    [action] = report["Plan"]["Actions"]
    assert {k: action[k] for k in ("Operation", "ResourceType", "ResourceName")} == {
        "Operation": "UpdateWorkteam",
        "ResourceType": "Workteam",
        "ResourceName": "text-reviewers",
    }
    assert action["Classification"] == "correctable"
    assert action["Changes"] == [
        {
            "Field": "Description",
            "Before": "edited",
            "After": "Reviews sentiment labels on support tickets",
        }
    ]
    assert "\x1b[" not in ran.out


def test_no_colour_when_stdout_is_not_a_terminal(cli: Cli, oidc_file: Path) -> None:
    # Given changes to show, and stdout captured (not a terminal)
    # When they are planned
    ran = cli("plan", "--file", oidc_file)

    # Then there is no ANSI escape anywhere
    assert ran.code == 2
    assert "\x1b" not in ran.printed


def test_detect_flag_reports_detect_mode(cli: Cli, oidc_file: Path) -> None:
    # Given an enforce-mode document with changes pending
    # When it is planned with --detect, as JSON
    ran = cli("plan", "--file", oidc_file, "--detect", "--output", "json")

    # Then the mode is detect, the changes are pending, nothing is written
    assert ran.code == 2
    assert ran.json["Mode"] == "detect"
    assert ran.json["Status"] == "DriftDetected"
    assert World.writes() == []


def test_parameter_is_read_from_ssm(world: World, cli: Cli, oidc_file: Path) -> None:
    # Given the document in an SSM parameter
    world.put_document(oidc_file.read_text())

    # When it is planned from the parameter
    ran = cli("plan", "--parameter", PARAMETER, "--output", "json")

    # Then the plan is that document's, and the source names the parameter's version
    assert ran.code == 2
    assert ran.json["DocumentSource"] == f"ssm:{PARAMETER} (version 1)"
    assert [a["ResourceName"] for a in ran.json["Plan"]["Actions"]] == [
        "labeling-oidc",
        "image-labelers",
        "text-reviewers",
    ]


def test_missing_parameter_is_an_error_that_changes_nothing(world: World, cli: Cli) -> None:
    # Given no such parameter
    # When it is planned
    ran = cli("plan", "--parameter", "/nowhere")

    # Then exit 1 with one error line, and no SageMaker call at all
    assert ran.code == 1
    assert ran.out == (
        "The desired-state document ssm:/nowhere does not exist. Nothing was changed, "
        "and nothing was deleted because of it.\n"
        "\n"
        "Status: DocumentMissing (mode enforce, trigger cli-plan).\n"
    )
    assert ran.err == "error: ssm:/nowhere does not exist\n"
    assert controls.calls() == []


def _invalid_doc() -> dict[str, object]:
    doc = example("cognito")
    doc["Workforce"]["SourceIpConfig"] = {"Cidrs": ["not-a-cidr/99"]}
    doc["Workteams"][0]["Descripton"] = "typo"
    return doc


INVALID_LINES = [
    '  $.Workforce.SourceIpConfig.Cidrs[0]: "not-a-cidr/99" is not a valid IPv4 or IPv6 CIDR block',
    '  $.Workteams[0].Descripton: unknown field; did you mean "Description"?',
    "Nothing was changed.",
    "",
]


def test_invalid_file_exits_1_without_any_sagemaker_call(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    # Given an invalid document in a file
    path = write(tmp_path / "invalid.json", _invalid_doc())

    # When it is planned
    ran = cli("plan", "--file", path)

    # Then exit 1, every problem, and SageMaker was never called
    assert ran.code == 1
    assert ran.out.splitlines() == [
        f"The desired-state document {path} is invalid (2 problems):",
        *INVALID_LINES,
        "Status: InvalidDocument (mode enforce, trigger cli-plan).",
    ]
    assert controls.calls() == []


def test_invalid_parameter_exits_1_without_any_sagemaker_call(world: World, cli: Cli) -> None:
    # Given an invalid document in SSM
    world.put_document(_invalid_doc())

    # When it is planned, in text and in JSON
    text = cli("plan", "--parameter", PARAMETER)
    as_json = cli("plan", "--parameter", PARAMETER, "--output", "json")

    # Then both exit 1 with every problem, and SageMaker was never called
    assert text.code == as_json.code == 1
    assert text.out.splitlines() == [
        f"The desired-state document ssm:{PARAMETER} (version 1) is invalid (2 problems):",
        *INVALID_LINES,
        "Status: InvalidDocument (mode enforce, trigger cli-plan).",
    ]
    assert as_json.json["Status"] == "InvalidDocument"
    assert [p["Path"] for p in as_json.json["DocumentProblems"]] == [
        "$.Workforce.SourceIpConfig.Cidrs[0]",
        "$.Workteams[0].Descripton",
    ]
    assert controls.calls() == []


def test_invalid_file_as_json_is_the_same_report(world: World, cli: Cli, tmp_path: Path) -> None:
    # Given an invalid document in a file
    path = write(tmp_path / "invalid.json", _invalid_doc())

    # When it is planned with --output json
    ran = cli("plan", "--file", path, "--output", "json")

    # Then stdout is the report a script reads for an SSM document too
    assert ran.code == 1
    assert ran.json["Status"] == "InvalidDocument"
    assert ran.json["DocumentSource"] == str(path)
    assert len(ran.json["DocumentProblems"]) == 2
    assert ran.json["Plan"] is None
    assert controls.calls() == []


def test_failed_workforce_is_an_error_with_its_reason(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given a workforce that SageMaker reports as Failed
    _converge(cli, oidc_file)
    controls.set_status("labeling-oidc", "Failed", "The OIDC issuer could not be reached")

    # When it is planned, and applied
    plan = cli("plan", "--file", oidc_file, "--state-table", TABLE)
    apply = cli("apply", "--file", oidc_file, "--state-table", TABLE, "--auto-approve")

    # Then neither says "in sync": exit 1, and the reason is shown
    expected = (
        "error: workforce labeling-oidc has Status Failed: The OIDC issuer could not be reached\n"
    )
    for ran in (plan, apply):
        assert ran.code == 1, ran.printed
        assert ran.err == expected
        assert "Workforce labeling-oidc is Failed: The OIDC issuer could not be reached" in ran.out
    assert World.writes() == []
