"""`make acceptance`'s entry point (scripts/run_acceptance.py) refusing cleanly, as a program:
aws mode without credentials, aws mode where a workforce that is not the suite's exists, and
an unknown mode all stop with one clear message and exit 1, before anything is created.
Each run gets an environment built here from nothing, whatever mode this suite runs in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3

from emulator.helpers import COGNITO
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
