"""``workforce-reconciler apply``: exit 0 converged, 1 not; confirmation; the secret never shown."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from cli.helpers import Cli, write
from engine.world import SECRET_VALUE, TABLE, World, example
from workforce_emulator import controls

REFUSAL = (
    "error: refusing to apply without confirmation: stdin is not a terminal; "
    "pass --auto-approve to apply non-interactively\n"
)


def test_auto_approve_converges_and_shows_the_plan_once(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given an empty account
    # When the OIDC example is applied with --auto-approve
    ran = cli("apply", "--file", oidc_file, "--auto-approve")

    # Then exit 0, the workforce and teams exist as the document says
    assert ran.code == 0, ran.printed
    workforce = world.workforce("labeling-oidc")
    assert workforce["OidcConfig"]["ClientId"] == "0oa8x2kq1bTz7wHnS5d7"
    assert workforce["IpAddressType"] == "dualstack"
    teams = world.teams()
    assert sorted(teams) == ["image-labelers", "text-reviewers"]
    assert teams["text-reviewers"]["Description"] == "Reviews sentiment labels on support tickets"
    assert world.tags(teams["image-labelers"]["WorkteamArn"]) == {"team": "ml-data"}
    # and the output shows the plan once, then what was applied, then the status
    assert ran.out.count("Plan: 3 to create, 0 to update, 0 to delete, 0 blocked.") == 1
    assert ran.out.endswith(
        "Results:\n"
        "  applied + Workforce/labeling-oidc (CreateWorkforce)\n"
        "  applied + Workteam/image-labelers (CreateWorkteam)\n"
        "  applied + Workteam/text-reviewers (CreateWorkteam)\n"
        "\n"
        "Status: Corrected (mode enforce, trigger cli-apply).\n"
    )
    assert ran.err == ""
    assert SECRET_VALUE not in ran.printed

    # When it is applied again
    again = cli("apply", "--file", oidc_file, "--auto-approve", "--output", "json")

    # Then there is nothing to do: exit 0, status InSync
    assert again.code == 0
    assert again.json["Status"] == "InSync"
    assert again.json["Plan"]["Actions"] == []


def test_json_result_lists_each_action_as_applied(
    world: World, cli: Cli, cognito_file: Path
) -> None:
    # Given an empty account
    # When the Cognito example is applied with --output json
    ran = cli("apply", "--file", cognito_file, "--auto-approve", "--output", "json")

    # Then stdout is the final report, each action applied
    assert ran.code == 0, ran.printed
    assert ran.json["Status"] == "Corrected"
    assert [(r["Outcome"], r["Action"]["Operation"]) for r in ran.json["Results"]] == [
        ("applied", "CreateWorkforce"),
        ("applied", "CreateWorkteam"),
        ("applied", "CreateWorkteam"),
    ]
    assert world.workforce("labeling-cognito")["CognitoConfig"] == {
        "UserPool": "us-east-1_AbCdEfGhI",
        "ClientId": "4d5e6f7g8h9i0j1k2l3m4n5o6p",
    }


@pytest.mark.parametrize("output", ["text", "json"])
def test_without_auto_approve_and_no_terminal_it_refuses_and_writes_nothing(
    world: World, cli: Cli, oidc_file: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    # Given changes pending, and "yes" piped into stdin (which is not a terminal)
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))

    # When apply runs without --auto-approve
    ran = cli("apply", "--file", oidc_file, "--output", output)

    # Then it refuses with one clear line, exit 1, and nothing is written
    assert ran.code == 1
    assert ran.err == REFUSAL
    assert World.writes() == []
    assert world.teams() == {}


def test_without_auto_approve_nothing_to_do_is_still_success(
    cli: Cli, oidc_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a converged workforce, and no terminal
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    # When apply runs without --auto-approve
    ran = cli("apply", "--file", oidc_file)

    # Then there is nothing to confirm: exit 0
    assert ran.code == 0, ran.printed
    assert ran.out.startswith("No changes. Workforce labeling-oidc matches the document.\n")


def test_only_blocked_changes_exit_1_with_the_reason(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given a converged workforce and a team the document does not list
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    world.sagemaker.create_workteam(
        WorkteamName="console-team",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["someone"]}}],
    )
    controls.clear_calls()

    # When apply runs (the policy keeps unlisted teams)
    ran = cli("apply", "--file", oidc_file, "--auto-approve")

    # Then exit 1, stderr names the blocked change and why, nothing is written
    assert ran.code == 1
    err = ran.err.splitlines()
    assert err[0] == "error: nothing can be applied: every change is blocked:"
    assert err[1].startswith("  Workteam/console-team (DeleteWorkteam): ")
    assert "Policy.DeleteUnlistedWorkteams" in err[1]
    assert len(err) == 2
    assert World.writes() == []
    assert "console-team" in world.teams()


def test_switching_identity_provider_is_blocked_without_disruptive_changes(
    cli: Cli, cognito_file: Path, oidc_file: Path, tmp_path: Path
) -> None:
    # Given a Cognito workforce, and an OIDC document of the same name
    assert cli("apply", "--file", cognito_file, "--auto-approve").code == 0
    doc = json.loads(oidc_file.read_text())
    doc["Workforce"]["WorkforceName"] = "labeling-cognito"
    doc["Workteams"] = []
    path = write(tmp_path / "switch.json", doc)
    controls.clear_calls()

    # When it is applied
    ran = cli("apply", "--file", path, "--auto-approve", "--output", "json")

    # Then exit 1, the report says Blocked, and nothing is written
    assert ran.code == 1
    assert ran.json["Status"] == "Blocked"
    assert {a["Classification"] for a in ran.json["Plan"]["Actions"]} == {"blocked"}
    assert ran.err.startswith("error: nothing can be applied: every change is blocked:\n")
    assert World.writes() == []


def test_injected_failure_exits_1_and_names_the_code(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given SageMaker will fail the first CreateWorkteam (a quota, not the request)
    controls.add_fault(
        "CreateWorkteam", error="ResourceLimitExceeded", message="The work team limit is 25"
    )

    # When the example is applied
    ran = cli("apply", "--file", oidc_file, "--auto-approve")

    # Then exit 1; the result and stderr name the error code and message
    assert ran.code == 1
    failed = (
        "failed  + Workteam/image-labelers (CreateWorkteam): "
        "ResourceLimitExceeded: The work team limit is 25"
    )
    assert f"  {failed}\n" in ran.out
    assert "  applied + Workteam/text-reviewers (CreateWorkteam)\n" in ran.out
    assert ran.out.endswith("Status: ApplyFailed (mode enforce, trigger cli-apply).\n")
    assert ran.err == "error: 1 of 3 change(s) not applied (status ApplyFailed)\n"
    # and what did not fail was applied
    assert sorted(world.teams()) == ["text-reviewers"]


def test_injected_failure_in_json(world: World, cli: Cli, oidc_file: Path) -> None:
    # Given SageMaker will fail the first CreateWorkteam (a quota, not the request)
    controls.add_fault("CreateWorkteam", error="ResourceLimitExceeded", message="nope")

    # When the example is applied with --output json
    ran = cli("apply", "--file", oidc_file, "--auto-approve", "--output", "json")

    # Then the failed result carries the code and message, and stderr names it for people
    assert ran.code == 1
    assert ran.err == (
        "error: 1 of 3 change(s) not applied (status ApplyFailed)\n"
        "  failed  + Workteam/image-labelers (CreateWorkteam): ResourceLimitExceeded: nope\n"
    )
    assert ran.json["Status"] == "ApplyFailed"
    failed = [r for r in ran.json["Results"] if r["Outcome"] == "failed"]
    assert [(r["ErrorCode"], r["ErrorMessage"]) for r in failed] == [
        ("ResourceLimitExceeded", "nope")
    ]


def test_detect_mode_exits_2_and_writes_nothing(
    world: World, cli: Cli, tmp_path: Path, oidc_file: Path
) -> None:
    # Given the Cognito example as shipped (Policy.Mode detect)
    path = write(tmp_path / "cognito.json", example("cognito"))

    # When apply runs
    ran = cli("apply", "--file", path, "--auto-approve")

    # Then the plan is shown, nothing is applied, exit 2
    assert ran.code == 2
    assert "Plan: 3 to create, 0 to update, 0 to delete, 0 blocked." in ran.out
    assert ran.err == "Mode is detect (the document's Policy.Mode or --detect): nothing applied.\n"
    assert World.writes() == []

    # When an enforce document is applied with --detect
    flagged = cli("apply", "--file", oidc_file, "--auto-approve", "--detect", "--output", "json")

    # Then the same: exit 2, DriftDetected, nothing written
    assert flagged.code == 2
    assert flagged.json["Status"] == "DriftDetected"
    assert World.writes() == []
    assert world.teams() == {}


LEAKS = [
    f"The client secret {SECRET_VALUE} was rejected by the identity provider",
    f"1 validation error: OidcConfig.ClientSecret={SECRET_VALUE}",
]


@pytest.mark.parametrize("message", LEAKS)
@pytest.mark.parametrize("output", ["text", "json"])
def test_client_secret_never_printed_even_when_the_service_echoes_it(
    world: World, cli: Cli, oidc_file: Path, message: str, output: str
) -> None:
    # Given SageMaker answers CreateWorkforce with an error that quotes the secret
    controls.add_fault("CreateWorkforce", error="ValidationException", message=message)

    # When the OIDC example is applied
    ran = cli("apply", "--file", oidc_file, "--auto-approve", "--output", output)

    # Then the failure is reported with its code, but the secret appears nowhere
    assert ran.code == 1
    assert "ValidationException" in ran.printed
    assert SECRET_VALUE not in ran.printed
    # and the teams that depend on the workforce were skipped, not attempted
    assert World.writes() == ["CreateWorkforce"]


def test_secret_rotation_is_tracked_with_the_state_table(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given a workforce without teams (SageMaker updates OIDC only then), applied with the
    # state table
    doc = json.loads(oidc_file.read_text())
    doc["Workteams"] = []
    write(oidc_file, doc)
    assert cli("apply", "--file", oidc_file, "--auto-approve", "--state-table", TABLE).code == 0
    in_sync = cli("plan", "--file", oidc_file, "--state-table", TABLE)
    assert in_sync.code == 0, in_sync.printed

    # When the secret is rotated in Secrets Manager
    before = world.secretsmanager.describe_secret(SecretId=world.secret_arn)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated-Value-2")
    after = world.secretsmanager.describe_secret(SecretId=world.secret_arn)
    old, new = (
        next(v for v, stages in d["VersionIdsToStages"].items() if "AWSCURRENT" in stages)
        for d in (before, after)
    )
    controls.clear_calls()
    plan = cli("plan", "--file", oidc_file, "--state-table", TABLE, "--output", "json")

    # Then the plan is exactly one UpdateWorkforce for the secret, by version
    assert plan.code == 2
    [action] = plan.json["Plan"]["Actions"]
    assert action["Operation"] == "UpdateWorkforce"
    assert action["Changes"] == [
        {
            "Field": "OidcConfig.ClientSecretVersion",
            "Before": f"version {old}",
            "After": f"version {new}",
        }
    ]
    assert "rotated-Value-2" not in plan.printed

    # When it is applied
    applied = cli("apply", "--file", oidc_file, "--auto-approve", "--state-table", TABLE)

    # Then one UpdateWorkforce sent the secret, and the next plan is in sync
    assert applied.code == 0, applied.printed
    assert World.writes() == ["UpdateWorkforce"]
    [update] = [c for c in controls.calls() if c["Operation"] == "UpdateWorkforce"]
    assert update["Parameters"]["OidcConfig"]["ClientSecret"] == "***"  # sent (and logged masked)
    assert "rotated-Value-2" not in applied.printed
    assert cli("plan", "--file", oidc_file, "--state-table", TABLE).code == 0


def test_secret_in_an_ssm_parameter_and_document_in_ssm(world: World, cli: Cli) -> None:
    # Given the secret in an SSM SecureString and the document in an SSM parameter
    world.ssm.put_parameter(Name="/oidc/secret", Value=SECRET_VALUE, Type="SecureString")
    doc = example("oidc")
    oidc = doc["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"]
    oidc["ClientSecretParameter"] = "/oidc/secret"
    world.put_document(doc)

    # When it is applied from the parameter with the state table
    ran = cli(
        "apply",
        "--parameter",
        "/workforce-reconciler/desired-state",
        "--auto-approve",
        "--state-table",
        TABLE,
    )

    # Then it converges without printing the secret, and a plan is then in sync
    assert ran.code == 0, ran.printed
    assert SECRET_VALUE not in ran.printed
    assert "labeling-oidc" in world.sagemaker.list_workforces()["Workforces"][0]["WorkforceName"]
    again = cli(
        "plan", "--parameter", "/workforce-reconciler/desired-state", "--state-table", TABLE
    )
    assert again.code == 0, again.printed


def test_rotation_while_teams_exist_is_blocked_before_any_call_and_exits_1_with_the_ways_out(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given a workforce with teams (SageMaker updates OIDC only without), and a rotated secret
    assert cli("apply", "--file", oidc_file, "--auto-approve", "--state-table", TABLE).code == 0
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated-3")
    controls.clear_calls()

    # When it is applied
    ran = cli("apply", "--file", oidc_file, "--auto-approve", "--state-table", TABLE)

    # Then exit 1: nothing can be applied, nothing was sent, and the ways out are named
    assert ran.code == 1
    assert ran.err.startswith("error: nothing can be applied: every change is blocked:\n")
    assert "Policy.RecreateWorkteamsForOidcChanges" in ran.err
    assert "--secret-already-applied" in ran.err
    assert World.writes() == []
    assert "rotated-3" not in ran.printed


def test_wait_timeout_bounds_the_wait_for_an_active_workforce(
    world: World, cli: Cli, oidc_file: Path, tmp_path: Path
) -> None:
    # Given a workforce that stays Updating, and a team change that must wait for Active
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    controls.set_status("labeling-oidc", "Updating")
    doc = json.loads(oidc_file.read_text())
    doc["Workteams"][1]["Description"] = "changed"
    path = write(tmp_path / "changed.json", doc)

    # When it is applied with --wait-timeout 0
    ran = cli("apply", "--file", path, "--auto-approve", "--wait-timeout", "0")

    # Then it gives up at once (the run's deadline has passed before its first step):
    # exit 1, the step not attempted, nothing written
    assert ran.code == 1
    assert (
        "  skipped ~ Workteam/text-reviewers (UpdateWorkteam): not attempted: the run's "
        "deadline had passed (it waits and works at most 0 s in all); the next run does it\n"
    ) in ran.out
    assert world.teams()["text-reviewers"]["Description"] != "changed"


def test_blocked_changes_beside_applicable_ones_apply_the_rest_and_exit_1(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given one correctable change and one blocked one (a team the document does not list)
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="edited")
    world.sagemaker.create_workteam(
        WorkteamName="console-team",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["someone"]}}],
    )
    controls.clear_calls()

    # When it is applied
    ran = cli("apply", "--file", oidc_file, "--auto-approve")

    # Then the correctable change is applied, the blocked one is not, and exit 1 says
    # the workforce has not converged
    assert ran.code == 1
    assert World.writes() == ["UpdateWorkteam"]
    teams = world.teams()
    assert teams["text-reviewers"]["Description"] == "Reviews sentiment labels on support tickets"
    assert "console-team" in teams
    assert "  applied ~ Workteam/text-reviewers (UpdateWorkteam)\n" in ran.out
    assert ran.out.endswith("Status: Blocked (mode enforce, trigger cli-apply).\n")
    assert ran.err == "error: 1 of 2 change(s) not applied (status Blocked)\n"


def test_slow_answers_cannot_stretch_a_run_past_its_deadline(
    world: World, cli: Cli, oidc_file: Path, tmp_path: Path
) -> None:
    # Given five team changes, and SageMaker answering each UpdateWorkteam in one second
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0
    doc = json.loads(oidc_file.read_text())
    for index in range(3):
        doc["Workteams"].append(
            {
                "WorkteamName": f"extra-{index}",
                "Description": "more",
                "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}],
            }
        )
    assert cli("apply", "--file", write(tmp_path / "more.json", doc), "--auto-approve").code == 0
    for team in doc["Workteams"]:
        team["Description"] = "changed"
    path = write(tmp_path / "changed.json", doc)
    controls.add_fault("UpdateWorkteam", delay_ms=1000, count=5)
    controls.clear_calls()

    # When it is applied with a 1.5 s deadline
    ran = cli("apply", "--file", path, "--auto-approve", "--wait-timeout", "1.5")

    # Then the steps started before the deadline ran, none after it: they are left to the
    # next run, which finishes them
    sent = [c for c in controls.calls() if c["Operation"] == "UpdateWorkteam"]
    assert 1 <= len(sent) <= 2, len(sent)
    assert ran.code == 1
    assert ran.out.count("the run's deadline had passed") == 5 - len(sent)
    assert cli("apply", "--file", path, "--auto-approve").code == 0
