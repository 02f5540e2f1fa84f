"""`make probe-aws` as a maintainer runs it: scripts/probe_aws.py as a program. Without
credentials it says what it would do and exits 1; where a workforce exists it refuses; against
an endpoint that works (the emulator server, as AWS_ENDPOINT_URL) it writes the config file
that `workforce-emulator --config` reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from realaws.probes import PROBES

from cli.helpers import environment
from emulator.helpers import COGNITO, control
from workforce_emulator import controls

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "probe_aws.py"

# A service unlike the emulator's defaults in every switch.
OBSERVED_ELSEWHERE = {
    "ActivationDescribes": 2,
    "ActivationSeconds": 0.0,
    "OidcUpdateConflictsWithWorkteams": False,
    "WorkforceTagsListable": False,
    "DeleteWorkforceWithWorkteams": True,
    "DeletionDescribes": 2,
    "MaxWorkteams": 4,
    "EmptyCidrsAllowed": True,
    "NameContainsIgnoresCase": False,
    "ServerFillsDefaults": True,
    "WorkteamWritesNeedActive": False,
}


def without_credentials(tmp_path: Path) -> dict[str, str]:
    """No credentials anywhere botocore looks (variables, files, container, IMDS)."""
    return environment(
        AWS_ACCESS_KEY_ID=None,
        AWS_SECRET_ACCESS_KEY=None,
        AWS_SECURITY_TOKEN=None,
        AWS_SESSION_TOKEN=None,
        AWS_PROFILE=None,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=None,
        AWS_CONTAINER_CREDENTIALS_FULL_URI=None,
        AWS_WEB_IDENTITY_TOKEN_FILE=None,
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_EC2_METADATA_DISABLED="true",
    )


def probe_aws(
    *argv: str | Path, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, argv)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_without_credentials_it_says_what_it_would_do_and_exits_1(tmp_path: Path) -> None:
    # Given no AWS credentials at all
    env = without_credentials(tmp_path)
    # When probe-aws runs
    done = probe_aws(env=env, cwd=tmp_path)
    # Then it exits 1 with one clear line, lists every probe it would run, and writes nothing
    assert done.returncode == 1
    assert done.stderr == (
        "probe-aws: cannot start: no AWS credentials found: configure a profile (AWS_PROFILE) "
        "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for "
        "temporary credentials)\n"
    )
    assert done.stdout.startswith("Would run, once it can start:")
    assert all(name in done.stdout for name in PROBES)
    assert list(tmp_path.iterdir()) == []


def test_without_a_region_it_exits_1(tmp_path: Path) -> None:
    env = environment(AWS_DEFAULT_REGION=None, AWS_REGION=None)
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    done = probe_aws(env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("probe-aws: cannot start: no AWS region: set AWS_REGION")
    assert "Traceback" not in done.stderr


def test_it_refuses_a_region_where_a_workforce_exists(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    # Given a workforce that is not the probes'
    sagemaker = boto_session.client("sagemaker", endpoint_url=emulator_server)
    sagemaker.create_workforce(WorkforceName="theirs", CognitoConfig=COGNITO)
    # When probe-aws runs there
    done = probe_aws(env=environment(AWS_ENDPOINT_URL=emulator_server), cwd=tmp_path)
    # Then it refuses, says why and where, and touched nothing
    assert done.returncode == 1
    assert (
        "probe-aws: cannot start: workforce 'theirs' already exists in account 123456789012, "
        "region us-east-1" in done.stderr
    )
    assert [c["Operation"] for c in controls.calls()][-1] == "ListWorkforces"
    assert sagemaker.list_workforces()["Workforces"][0]["WorkforceName"] == "theirs"


def test_a_run_writes_the_config_the_emulator_reads(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    # Given a service that differs from the emulator's defaults in every switch
    assert control(emulator_server, "/_emulator/config", OBSERVED_ELSEWHERE)[0] == 200
    # When every probe runs against it
    done = probe_aws(
        "--poll-seconds", "0.01", "--max-workteams-cap", "10",
        env=environment(AWS_ENDPOINT_URL=emulator_server), cwd=tmp_path,
    )  # fmt: skip
    # Then it exits 0 and the file holds exactly those settings, which the emulator accepts
    assert done.returncode == 0, done.stdout + done.stderr
    written: dict[str, Any] = json.loads((tmp_path / "emulator-observed.json").read_text())
    # (the two Updating answers take a few hundredths of a second, more on a loaded machine)
    assert written.pop("ActivationSeconds") == pytest.approx(0.0, abs=0.5)
    assert written == {k: v for k, v in OBSERVED_ELSEWHERE.items() if k != "ActivationSeconds"}
    assert controls.read_config(tmp_path / "emulator-observed.json").max_workteams == 4
    # And it printed what the service did, the resources, and the lines for the docs
    assert "DeleteWorkforce with a work team accepted" in done.stdout
    assert "sagemaker-workforce x" in done.stdout
    assert "removed" in done.stdout
    assert "max_workteams: `4` (" in done.stdout
    # And nothing is left: no workforce, no team, no ledger file
    sagemaker = boto_session.client("sagemaker", endpoint_url=emulator_server)
    assert sagemaker.list_workforces()["Workforces"] == []
    assert sagemaker.list_workteams()["Workteams"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emulator-observed.json"]


def test_cleanup_removes_what_a_killed_run_left(
    emulator_server: str, boto_session: boto3.session.Session, tmp_path: Path
) -> None:
    # Given a run killed after creating a workforce and a team (its ledger file is there)
    sagemaker = boto_session.client("sagemaker", endpoint_url=emulator_server)
    sagemaker.create_workforce(WorkforceName="wfr-probe-dead-1", CognitoConfig=COGNITO)
    sagemaker.create_workteam(
        WorkteamName="wfr-probe-dead-1-a",
        WorkforceName="wfr-probe-dead-1",
        Description="d",
        MemberDefinitions=[{"CognitoMemberDefinition": {**COGNITO, "UserGroup": "g"}}],
    )
    entry = {"region": "us-east-1", "removed": False, "problem": None}
    ledger = {
        "RunId": "dead",
        "Account": "123456789012",
        "Entries": [
            {"kind": "sagemaker-workforce", "name": "wfr-probe-dead-1", **entry},
            {"kind": "sagemaker-workteam", "name": "wfr-probe-dead-1-a", **entry},
        ],
    }
    (tmp_path / "workforce-reconciler-leftovers.json").write_text(json.dumps(ledger))
    # When probe-aws --cleanup runs
    done = probe_aws("--cleanup", env=environment(AWS_ENDPOINT_URL=emulator_server), cwd=tmp_path)
    # Then both are gone, and so is the file
    assert done.returncode == 0, done.stderr
    assert sagemaker.list_workforces()["Workforces"] == []
    assert sagemaker.list_workteams()["Workteams"] == []
    assert list(tmp_path.iterdir()) == []


def test_list_needs_no_account(tmp_path: Path) -> None:
    done = probe_aws("--list", env=without_credentials(tmp_path), cwd=tmp_path)
    assert done.returncode == 0
    assert "probe_empty_cidrs_allowed (switch empty_cidrs_allowed):" in done.stdout
