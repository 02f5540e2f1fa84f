"""The installed ``workforce-reconciler`` as a program, against the emulator over HTTP.

A few end-to-end cases: a world prepared with the AWS CLI, ``AWS_ENDPOINT_URL``
instead of ``--endpoint-url``, the confirmation prompt and colours on a real terminal.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from cli.helpers import PROGRAM, aws_cli, environment, program, write
from engine.world import example, large_document

SECRET = "program-s3cr3t-never-printed"


def _sagemaker(session: boto3.session.Session, url: str) -> Any:
    return session.client("sagemaker", endpoint_url=url)


def _fault(url: str, **body: object) -> None:
    request = urllib.request.Request(  # noqa: S310 (the local emulator)
        f"{url}/_emulator/faults", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def test_world_made_with_the_aws_cli_is_planned_applied_and_exported(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    url = emulator_server
    # Given a Cognito workforce and a team made with the AWS CLI, as a console user would
    cognito = example("cognito")
    aws_cli(
        "sagemaker", "create-workforce", "--workforce-name", "labeling-cognito",
        "--cognito-config", json.dumps(cognito["Workforce"]["CognitoConfig"]),
        endpoint_url=url,
    )  # fmt: skip
    team = cognito["Workteams"][1]
    aws_cli(
        "sagemaker", "create-workteam", "--workteam-name", team["WorkteamName"],
        "--workforce-name", "labeling-cognito", "--description", "made with the AWS CLI",
        "--member-definitions", json.dumps(team["MemberDefinitions"]),
        endpoint_url=url,
    )  # fmt: skip
    # and the desired state in SSM, put there with the AWS CLI
    desired = {
        "Version": 1,
        "Workforce": {
            "WorkforceName": "labeling-cognito",
            "CognitoConfig": cognito["Workforce"]["CognitoConfig"],
        },
        "Workteams": [team],
        "Policy": {"Mode": "enforce"},
    }
    aws_cli(
        "ssm", "put-parameter", "--name", "/team/desired", "--type", "String",
        "--value", json.dumps(desired), endpoint_url=url,
    )  # fmt: skip

    # When it is planned from the parameter
    plan = program("plan", "--parameter", "/team/desired", "--endpoint-url", url)

    # Then exit 2 and the one description change, before -> after
    assert plan.returncode == 2, plan.stderr
    assert plan.stdout.startswith(
        "~ Workteam/quality-auditors (UpdateWorkteam)\n"
        "    Description: 'made with the AWS CLI' -> 'Audits a sample of finished annotations'\n"
    )
    assert plan.stderr == ""

    # When it is applied
    apply = program(
        "apply", "--parameter", "/team/desired", "--auto-approve", "--endpoint-url", url
    )

    # Then exit 0, and the team has the document's description
    assert apply.returncode == 0, apply.stdout + apply.stderr
    described = _sagemaker(boto_session, url).describe_workteam(WorkteamName="quality-auditors")
    assert described["Workteam"]["Description"] == "Audits a sample of finished annotations"
    again = program("plan", "--parameter", "/team/desired", "--endpoint-url", url)
    assert again.returncode == 0, again.stdout + again.stderr

    # When the live setup is exported to a file and planned
    out = tmp_path / "adopted.json"
    exported = program("export", "--out", out, "--endpoint-url", url)
    planned = program("plan", "--file", out, "--endpoint-url", url)

    # Then the export plans no changes
    assert (exported.returncode, exported.stderr) == (0, f"wrote {out}\n")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert planned.stdout.startswith("No changes. Workforce labeling-cognito matches")


def test_the_ci_workflow_validate_plan_push_then_the_path_is_applied(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    url = emulator_server
    # Given a 25-team, 10-group document in a repository, its secret in Secrets Manager
    arn = boto_session.client("secretsmanager", endpoint_url=url).create_secret(
        Name="oidc-client", SecretString=SECRET
    )["ARN"]
    path = write(tmp_path / "workforce.json", large_document(arn))

    # When a pipeline validates it, plans it, and pushes it to a path (the README's steps)
    validated = program("validate", path)
    planned = program("plan", "--file", path, "--endpoint-url", url)
    pushed = program(
        "push", "--file", path, "--parameter-path", "/ci/workforce", "--endpoint-url", url
    )

    # Then: valid (too large for one parameter), changes pending, published in 26 parameters
    assert validated.returncode == 0, validated.stderr
    assert "keep it in parts under a path" in validated.stdout
    assert planned.returncode == 2, planned.stderr
    assert pushed.returncode == 2, pushed.stderr
    assert pushed.stdout.splitlines()[-1] == (
        "Published to ssm:/ci/workforce/: 26 created, 0 updated, 0 deleted, 0 unchanged."
    )
    listed = aws_cli(
        "ssm", "get-parameters-by-path", "--path", "/ci/workforce", "--recursive", endpoint_url=url
    )
    assert len(listed["Parameters"]) == 26

    # When the path is applied (as the function would) and everything is run again
    applied = program(
        "apply", "--parameter-path", "/ci/workforce", "--auto-approve", "--endpoint-url", url
    )
    in_sync = program("plan", "--parameter-path", "/ci/workforce", "--endpoint-url", url)
    again = program(
        "push", "--file", path, "--parameter-path", "/ci/workforce", "--endpoint-url", url
    )

    # Then converged, in sync, and nothing more to publish
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    assert again.returncode == 0, again.stdout + again.stderr
    assert SECRET not in "".join(
        p.stdout + p.stderr for p in (validated, planned, pushed, applied, in_sync, again)
    )


def test_aws_endpoint_url_is_honoured_and_the_secret_never_printed(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    url = emulator_server
    # Given AWS_ENDPOINT_URL pointing at the emulator, the secret in its Secrets Manager,
    # and the OIDC example referring to it
    env = environment(AWS_ENDPOINT_URL=url)
    arn = boto_session.client("secretsmanager", endpoint_url=url).create_secret(
        Name="oidc-client", SecretString=SECRET
    )["ARN"]
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = arn
    doc["Workteams"] = []  # (SageMaker updates OIDC only without teams: see below)
    path = write(tmp_path / "oidc.json", doc)

    # When it is planned and applied without --endpoint-url
    plan = program("plan", "--file", path, env=env)
    apply = program("apply", "--file", path, "--auto-approve", "--output", "json", env=env)

    # Then both reached the emulator: 2 then 0, and the workforce exists there
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert json.loads(apply.stdout)["Status"] == "Corrected"
    workforce = _sagemaker(boto_session, url).describe_workforce(WorkforceName="labeling-oidc")
    assert workforce["Workforce"]["OidcConfig"]["ClientId"] == "0oa8x2kq1bTz7wHnS5d7"
    # and the client secret was not printed
    assert SECRET not in plan.stdout + plan.stderr + apply.stdout + apply.stderr

    # When SageMaker then refuses an update with a message quoting the secret
    _fault(
        url,
        Operation="UpdateWorkforce",
        Error="ValidationException",
        Message=f"ClientSecret {SECRET} is not accepted by the issuer",
    )
    doc["Workforce"]["OidcConfig"]["Scope"] = "openid email"
    write(path, doc)
    failed = program("apply", "--file", path, "--auto-approve", env=env)

    # Then exit 1 naming the error code (a refusal: blocked), still without the secret
    assert failed.returncode == 1
    assert failed.stderr == "error: 1 of 1 change(s) not applied (status Blocked)\n"
    assert (
        "refused ~ Workforce/labeling-oidc (UpdateWorkforce): ValidationException" in failed.stdout
    )
    assert SECRET not in failed.stdout + failed.stderr


def test_access_denied_during_plan_is_one_line(emulator_server: str) -> None:
    # Given SageMaker denies DescribeWorkforce
    _fault(
        emulator_server,
        Operation="DescribeWorkforce",
        Error="AccessDeniedException",
        Message="not authorized to perform sagemaker:DescribeWorkforce",
    )

    # When a plan is made
    ran = program("plan", "--file", example_path("cognito"), "--endpoint-url", emulator_server)

    # Then exit 1 and one line, no traceback
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr == (
        "error: DescribeWorkforce failed: AccessDeniedException: "
        "not authorized to perform sagemaker:DescribeWorkforce\n"
    )


def example_path(name: str) -> Path:
    return Path(__file__).resolve().parents[2] / "examples" / f"{name}.json"


def _on_terminal_stdin(argv: list[str], answer: str) -> subprocess.CompletedProcess[str]:
    """Run with stdin a pseudo-terminal that has ``answer`` typed into it."""
    leader, follower = pty.openpty()
    try:
        os.write(leader, answer.encode())
        return subprocess.run(
            [PROGRAM, *argv],
            stdin=follower,
            capture_output=True,
            text=True,
            env=environment(),
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)


@pytest.mark.parametrize(
    ("answer", "code", "output"), [("yes\n", 0, "text"), ("y\n", 1, "text"), ("yes\n", 0, "json")]
)
def test_confirmation_on_a_terminal_accepts_only_yes(
    emulator_server: str,
    boto_session: boto3.session.Session,
    tmp_path: Path,
    answer: str,
    code: int,
    output: str,
) -> None:
    # Given a terminal on stdin and the Cognito example in enforce mode
    doc = example("cognito")
    doc["Policy"] = {"Mode": "enforce"}
    path = write(tmp_path / "cognito.json", doc)

    # When apply runs without --auto-approve and the user answers
    argv = ["apply", "--file", str(path), "--output", output, "--endpoint-url", emulator_server]
    ran = _on_terminal_stdin(argv, answer)

    # Then it shows the plan (on stderr when stdout is for JSON), asks, applies only on "yes"
    assert ran.returncode == code, ran.stdout + ran.stderr
    prompt = "Apply these changes? Only 'yes' is accepted: "
    if output == "json":
        assert ran.stderr.startswith("+ Workforce/labeling-cognito (CreateWorkforce)\n")
        assert prompt in ran.stderr
        assert json.loads(ran.stdout)["Status"] == "Corrected"
    else:
        assert ran.stderr.startswith(prompt)
        assert ran.stdout.startswith("+ Workforce/labeling-cognito (CreateWorkforce)\n")
    workforces = _sagemaker(boto_session, emulator_server).list_workforces()["Workforces"]
    if code == 0:
        assert [w["WorkforceName"] for w in workforces] == ["labeling-cognito"]
        assert ("Status: Corrected" in ran.stdout) is (output == "text")
    else:
        assert workforces == []
        assert ran.stderr.endswith("Apply cancelled: nothing was changed.\n")


def _on_terminal_stdout(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout a pseudo-terminal; its exit code and what it printed there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [PROGRAM, *argv], stdout=follower, stderr=subprocess.DEVNULL, env=env
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            if not ready:
                process.kill()
                pytest.fail("the program printed nothing for 120 s")
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the program has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")


def test_colour_only_on_a_terminal_and_never_with_no_color(emulator_server: str) -> None:
    # Given changes pending and stdout a terminal
    argv = ["plan", "--file", str(example_path("cognito")), "--endpoint-url", emulator_server]

    # When it is planned, with and without NO_COLOR
    code, coloured = _on_terminal_stdout(argv, environment(TERM="xterm", NO_COLOR=None))
    plain_code, plain = _on_terminal_stdout(argv, environment(TERM="xterm", NO_COLOR="1"))

    # Then the + lines are green on the terminal, and plain with NO_COLOR
    assert code == plain_code == 2
    assert "\x1b[32m+ Workforce/labeling-cognito (CreateWorkforce)\x1b[0m\n" in coloured
    assert "\x1b" not in plain
    assert "+ Workforce/labeling-cognito (CreateWorkforce)\n" in plain
