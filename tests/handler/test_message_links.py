"""The messages a person acts on link to the SageMaker console page of the workforce (and
of each work team concerned) in the Region, and give the exact CLI command that shows the
plan; following that command shows the plan the message is about. A Failed workforce's
message names the ways out, and following them resolves it."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from handler.deployment import PARAMETER, TABLE, Deployment
from workforce_emulator import controls
from workforce_reconciler import cli

CONSOLE = "https://us-east-1.console.aws.amazon.com/sagemaker/groundtruth?region=us-east-1"
PLAN = f"workforce-reconciler plan --parameter {PARAMETER} --state-table {TABLE} --region us-east-1"


def _blocked(deployment: Deployment) -> None:
    deployment.put_document(deployment.oidc_document())
    deployment.invoke("ssm-update")
    deployment.sagemaker.create_workteam(
        WorkteamName="weekend-temps",
        WorkforceName="labeling-oidc",
        Description="created by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
    )
    deployment.messages()
    deployment.invoke("schedule")


def test_blocked_drift_links_the_workforce_the_team_and_the_plan_command(
    deployment: Deployment,
) -> None:
    # Given a team made by hand that the document does not list
    # When the schedule finds it
    _blocked(deployment)

    # Then the email names where to look: the workforce and that team in the console of
    # us-east-1, and the command that shows the plan
    subject, body = deployment.emails()[-1]
    assert subject.startswith("[workforce-reconciler] Blocked drift")
    assert (
        "Where to look:\n"
        f"  Workforce in the SageMaker console: {CONSOLE}#/labeling-workforces/private\n"
        f"  Work team weekend-temps: {CONSOLE}#/labeling-workforces/private-details/"
        "weekend-temps\n"
        f"  The plan, from a terminal with AWS credentials: {PLAN}\n"
    ) in body
    # and the JSON form carries the same, for programs
    (message,) = deployment.messages()
    assert json.loads(message["Message"])["Links"] == {
        "Console": f"{CONSOLE}#/labeling-workforces/private",
        "Workteams": {
            "weekend-temps": f"{CONSOLE}#/labeling-workforces/private-details/weekend-temps"
        },
        "PlanCommand": PLAN,
    }


def test_the_plan_command_of_a_message_shows_that_plan(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the blocked drift message
    _blocked(deployment)
    command = json.loads(deployment.messages()[0]["Message"])["Links"]["PlanCommand"]
    capsys.readouterr()

    # When a person runs its command, word for word
    program, *argv = shlex.split(command)
    code = cli.main(argv)

    # Then it shows the blocked change the message is about (exit 2: changes pending)
    assert program == "workforce-reconciler"
    out = capsys.readouterr().out
    assert code == 2
    assert "- Workteam/weekend-temps (DeleteWorkteam)\n    ! blocked: " in out


def test_messages_with_nothing_to_do_carry_no_links(deployment: Deployment) -> None:
    # Given blocked drift that a person resolves
    _blocked(deployment)
    deployment.sagemaker.delete_workteam(WorkteamName="weekend-temps")
    deployment.messages()

    # When the schedule sees it resolved, and then corrects a team edited by hand
    deployment.invoke("schedule")
    deployment.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="x")
    deployment.invoke("schedule")

    # Then neither the Resolved nor the DriftCorrected message has a place to look
    messages: list[dict[str, Any]] = deployment.messages()
    assert deployment.event_types(messages) == ["Resolved", "DriftCorrected"]
    assert all("Links" not in json.loads(m["Message"]) for m in messages)
    assert all("Where to look" not in body for _, body in deployment.emails()[-2:])


def test_a_failed_workforce_email_names_the_ways_out_and_following_them_resolves_it(
    deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a converged deployment whose workforce SageMaker then reports Failed
    deployment.put_document(deployment.oidc_document())
    deployment.invoke("ssm-update")
    controls.set_status("labeling-oidc", "Failed", "VPC endpoint creation failed")

    # When the schedule finds it
    deployment.invoke("schedule")

    # Then the email says what to do: the policy, or the exact AWS CLI commands
    subject, body = deployment.emails()[-1]
    assert (
        subject
        == "[workforce-reconciler] Workforce labeling-oidc is Failed [123456789012 us-east-1]"
    )
    steps = body.split("What to do next:\n", 1)[1].split("\n\n", 1)[0]
    assert steps.startswith(
        "Workers may not be able to sign in. SageMaker cannot change a Failed workforce; "
    )
    commands = [line.strip() for line in steps.splitlines() if line.startswith("  aws ")]
    assert commands == [
        "aws sagemaker delete-workteam --region us-east-1 --workteam-name image-labelers",
        "aws sagemaker delete-workteam --region us-east-1 --workteam-name text-reviewers",
        "aws sagemaker delete-workforce --region us-east-1 --workforce-name labeling-oidc",
    ]
    # and the plan command it names shows the same ways out
    capsys.readouterr()
    assert cli.main(shlex.split(PLAN)[1:]) == 1
    printed = capsys.readouterr()
    assert "Workforce labeling-oidc is Failed: VPC endpoint creation failed\n" in printed.out
    assert "\n" + "\n".join(f"  {c}" for c in commands) + "\n" in printed.out

    # When a person runs the commands (through boto3, word for word)
    for command in commands:
        words = command.split()
        options = dict(zip(words[3::2], words[4::2], strict=True))
        if words[2] == "delete-workteam":
            deployment.sagemaker.delete_workteam(WorkteamName=options["--workteam-name"])
        else:
            deployment.sagemaker.delete_workforce(WorkforceName=options["--workforce-name"])
    deployment.messages()
    deployment.invoke("schedule")

    # Then the next run creates everything again and says the condition is resolved
    assert deployment.event_types(deployment.messages()) == ["DriftCorrected", "Resolved"]
    workforce = deployment.sagemaker.describe_workforce(WorkforceName="labeling-oidc")
    assert workforce["Workforce"]["Status"] == "Active"
