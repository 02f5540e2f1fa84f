"""`make acceptance`'s entry point (scripts/run_acceptance.py) refusing cleanly, as a program:
aws mode without credentials, aws mode where a workforce that is not the suite's exists, and
an unknown mode all stop with one clear message and exit 1, before anything is created.
Each run gets an environment built here from nothing, whatever mode this suite runs in."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from emulator.helpers import COGNITO, control
from workforce_emulator import controls

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run_acceptance.py"
FAKE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def run_acceptance(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The entry point with only ``env`` (plus PATH and no AWS config files, no IMDS)."""
    base = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_aws_mode_without_credentials_stops_with_exit_1(tmp_path: Path) -> None:
    # Given aws mode and no credentials anywhere
    env = {"WORKFORCE_ACCEPTANCE": "aws", "AWS_DEFAULT_REGION": "us-east-1"}
    # When the suite is started
    done = run_acceptance(env, tmp_path)
    # Then it says why in its last line, and what it would have created; no test ran
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "acceptance (WORKFORCE_ACCEPTANCE=aws): cannot start: no AWS credentials found: "
        "configure a profile (AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "(and AWS_SESSION_TOKEN for temporary credentials)"
    )
    assert "a Cognito user pool" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_aws_mode_without_a_region_stops_with_exit_1(tmp_path: Path) -> None:
    env = {"WORKFORCE_ACCEPTANCE": "aws", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
    done = run_acceptance(env, tmp_path)
    assert done.returncode == 1
    assert "cannot start: no AWS region: set AWS_REGION" in done.stderr.splitlines()[-1]


def test_aws_mode_refuses_a_workforce_that_is_not_its_own(
    emulator_server: str, tmp_path: Path
) -> None:
    # Given an account (the emulator server as its endpoint) that has a workforce
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    sagemaker = session.client("sagemaker", endpoint_url=emulator_server)
    sagemaker.create_workforce(WorkforceName="production", CognitoConfig=COGNITO)
    # When the suite is started there in aws mode, without WORKFORCE_ACCEPTANCE_ADOPT
    env = {**FAKE, "WORKFORCE_ACCEPTANCE": "aws", "AWS_ENDPOINT_URL": emulator_server}
    done = run_acceptance(env, tmp_path)
    # Then it refuses, says how to go on, and made no write
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith(
        "acceptance (WORKFORCE_ACCEPTANCE=aws): cannot start: workforce 'production' already "
        "exists in account 123456789012, region us-east-1"
    )
    assert "WORKFORCE_ACCEPTANCE_ADOPT=1" in last
    assert [c["Operation"] for c in controls.calls()] == ["CreateWorkforce", "ListWorkforces"]


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    done = run_acceptance({"WORKFORCE_ACCEPTANCE": "AWS"}, tmp_path)
    assert done.returncode == 1
    assert done.stderr == "acceptance: WORKFORCE_ACCEPTANCE must be emulator or aws, not 'AWS'\n"


def leftovers(url: str) -> dict[str, list[str]]:
    """What exists at ``url`` of each kind the suite creates (all empty: nothing left)."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=url)  # type: ignore[call-overload]

    return {
        "workforces": [
            w["WorkforceName"] for w in client("sagemaker").list_workforces()["Workforces"]
        ],
        "workteams": [t["WorkteamName"] for t in client("sagemaker").list_workteams()["Workteams"]],
        "user pools": [
            p["Id"] for p in client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
        ],
        "secrets": [s["Name"] for s in client("secretsmanager").list_secrets()["SecretList"]],
        "tables": client("dynamodb").list_tables()["TableNames"],
        "topics": [t["TopicArn"] for t in client("sns").list_topics()["Topics"]],
        "parameters": [p["Name"] for p in client("ssm").describe_parameters()["Parameters"]],
    }


NOTHING: dict[str, list[str]] = {
    "workforces": [], "workteams": [], "user pools": [], "secrets": [], "tables": [],
    "topics": [], "parameters": [],
}  # fmt: skip


def start(env: dict[str, str], tmp_path: Path, *pytest_args: str) -> subprocess.Popen[str]:
    base = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), "-p", "no:cacheprovider", *pytest_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**base, **env},
        cwd=tmp_path,
    )


def test_aws_mode_takes_over_a_workforce_handed_to_it_and_leaves_nothing(
    emulator_server: str, tmp_path: Path
) -> None:
    # Given an account (the emulator server as its endpoint) with a workforce and a team
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    sagemaker = session.client("sagemaker", endpoint_url=emulator_server)
    sagemaker.create_workforce(WorkforceName="handed-over", CognitoConfig=COGNITO)
    sagemaker.create_workteam(
        WorkteamName="old-team",
        WorkforceName="handed-over",
        Description="there before",
        MemberDefinitions=[{"CognitoMemberDefinition": {**COGNITO, "UserGroup": "g"}}],
    )
    # When one scenario runs there in aws mode, the workforce handed over
    env = {
        **FAKE,
        "WORKFORCE_ACCEPTANCE": "aws",
        "WORKFORCE_ACCEPTANCE_ADOPT": "1",
        "AWS_ENDPOINT_URL": emulator_server,
    }
    process = start(env, tmp_path, "-k", "exported_and_adopted")
    output, _ = process.communicate(timeout=300)
    # Then it passed, the workforce was exported first, and nothing is left, nor the ledger
    assert process.returncode == 0, output
    assert "handed over: workforce handed-over, exported to" in output
    exported = json.loads((tmp_path / "acceptance-adopted-handed-over.json").read_text())
    assert exported["Workteams"][0]["WorkteamName"] == "old-team"
    assert leftovers(emulator_server) == NOTHING
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acceptance-adopted-handed-over.json"]


def test_ctrl_c_in_the_middle_removes_everything_the_suite_created(
    emulator_server: str, tmp_path: Path
) -> None:
    # Given a service whose workforces never become Active (apply waits for it)
    control(emulator_server, "/_emulator/config", {"ActivationDescribes": 1_000_000})
    env = {**FAKE, "WORKFORCE_ACCEPTANCE": "aws", "AWS_ENDPOINT_URL": emulator_server}
    process = start(env, tmp_path, "-k", "cognito_workforce")
    try:
        # When Ctrl-C comes while apply waits after CreateWorkforce
        deadline = time.monotonic() + 120
        while not any(c["Operation"] == "CreateWorkforce" for c in controls.calls()):
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then pytest reports the interruption, and the suite removed all it had created
    assert process.returncode == 2, output
    assert "KeyboardInterrupt" in output
    assert "sagemaker-workforce x1 removed" in output
    assert leftovers(emulator_server) == NOTHING
    assert list(tmp_path.iterdir()) == []
