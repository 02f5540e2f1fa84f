"""The emulator over HTTP: boto3 and the AWS CLI unchanged, the /_emulator controls,
and the ``workforce-emulator`` console script."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from .helpers import COGNITO, SECRET, client, cognito_member, control, oidc

BIN = Path(sys.executable).parent


def test_boto3_over_http(emulator_server: str, boto_session: boto3.session.Session) -> None:
    # Given the emulator server
    sagemaker = client(boto_session, emulator_server)
    # When a workforce and a work team are created and listed over HTTP
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="d", MemberDefinitions=[cognito_member()]
    )
    workforce = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    teams = sagemaker.list_workteams()["Workteams"]
    # Then they come back as from AWS
    assert workforce["Status"] == "Active"
    assert workforce["CreateDate"].tzinfo is not None
    assert [t["WorkteamName"] for t in teams] == ["team-a"]
    assert teams[0]["WorkforceArn"] == workforce["WorkforceArn"]


def test_other_moto_services_are_served(
    emulator_server: str, boto_session: boto3.session.Session
) -> None:
    # Given the emulator server
    sns = client(boto_session, emulator_server, "sns")
    # When SNS is used through it
    arn = sns.create_topic(Name="alerts")["TopicArn"]
    # Then moto's SNS answers
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]


def test_http_controls(emulator_server: str, boto_session: boto3.session.Session) -> None:
    # Given an OIDC workforce created over HTTP
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    # When a test sets its status, injects a 503 and reads the call log over HTTP
    status_answer = control(
        emulator_server,
        "/_emulator/status",
        {"WorkforceName": "default", "Status": "Failed", "FailureReason": "IdP unreachable"},
    )
    fault_answer = control(
        emulator_server,
        "/_emulator/faults",
        {"Operation": "DescribeWorkforce", "Error": "ServiceUnavailable", "Count": 1},
    )
    with pytest.raises(ClientError) as excinfo:
        sagemaker.describe_workforce(WorkforceName="default")
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    _, calls = control(emulator_server, "/_emulator/calls", method="GET")
    # Then each took effect, and the log shows the calls with the secret redacted
    assert status_answer == (200, {})
    assert fault_answer == (200, {})
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert (described["Status"], described["FailureReason"]) == ("Failed", "IdP unreachable")
    operations = [c["Operation"] for c in calls["Calls"]]
    assert operations == ["CreateWorkforce", "DescribeWorkforce", "DescribeWorkforce"]
    assert calls["Calls"][0]["Parameters"]["OidcConfig"]["ClientSecret"] == "***"
    assert SECRET not in json.dumps(calls)


def test_http_config_and_reset(emulator_server: str, boto_session: boto3.session.Session) -> None:
    # Given workforces that become Active after two describes (set over HTTP)
    sagemaker = client(boto_session, emulator_server)
    config_answer = control(emulator_server, "/_emulator/config", {"ActivationDescribes": 2})
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    first = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
    # When the emulator is reset over HTTP
    reset_answer = control(emulator_server, "/_emulator/reset", {})
    # Then the setting applied, and afterwards nothing is left
    assert config_answer[0] == 200
    assert config_answer[1]["ActivationDescribes"] == 2
    assert first == "Initializing"
    assert reset_answer == (200, {})
    assert sagemaker.list_workforces()["Workforces"] == []
    assert (
        control(emulator_server, "/_emulator/config", method="GET")[1]["ActivationDescribes"] == 0
    )
    _, calls = control(emulator_server, "/_emulator/calls", method="GET")
    assert [c["Operation"] for c in calls["Calls"]] == ["ListWorkforces"]


def test_empty_vpc_config_detaches_over_http(
    emulator_server: str, boto_session: boto3.session.Session
) -> None:
    # Given a workforce in a VPC, created over HTTP
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(
        WorkforceName="default",
        CognitoConfig=COGNITO,
        WorkforceVpcConfig={
            "VpcId": "vpc-1",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1"],
        },
    )
    # When UpdateWorkforce sends WorkforceVpcConfig {} over the wire
    sagemaker.update_workforce(WorkforceName="default", WorkforceVpcConfig={})
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # Then DescribeWorkforce has no WorkforceVpcConfig, and the log shows what was sent
    assert "WorkforceVpcConfig" not in described
    _, calls = control(emulator_server, "/_emulator/calls", method="GET")
    update = next(c for c in calls["Calls"] if c["Operation"] == "UpdateWorkforce")
    assert update["Parameters"] == {"WorkforceName": "default", "WorkforceVpcConfig": {}}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (
            "/_emulator/faults",
            {"Operation": "UpdateWorkforce", "Error": "ThrottlingException", "Count": 0},
            400,
            "Invalid body for /_emulator/faults: Count: Input should be greater than or equal to 1",
        ),
        (
            "/_emulator/status",
            {"WorkforceName": "nope", "Status": "Failed"},
            404,
            "No workforce named 'nope' in account 123456789012, region us-east-1.",
        ),
        (
            "/_emulator/config",
            {"ActivationDescribe": 1},
            400,
            "Invalid body for /_emulator/config: ActivationDescribe: "
            "Extra inputs are not permitted",
        ),
        (
            "/_emulator/nothing",
            {},
            404,
            "No control POST /_emulator/nothing; known: POST reset, GET|DELETE calls, "
            "POST status, POST faults, GET|POST config, GET secret-fingerprint, "
            "POST fingerprint-of, POST labeling-jobs.",
        ),
    ],
)
def test_http_controls_explain_bad_requests(
    emulator_server: str, path: str, body: Any, status: int, message: str
) -> None:
    # Given the emulator server
    # When a control is called wrongly
    answer = control(emulator_server, path, body)
    # Then the answer says what is wrong
    assert answer == (status, {"Message": message})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            json.dumps(
                {
                    "WorkforceName": "default",
                    "CognitoConfig": COGNITO,
                    "SourceIpConfig": {"Cidrs": "x"},
                }
            ),
            "Value at 'sourceIpConfig.cidrs' must be a list",
        ),
        ('{"WorkforceName": "default", ', "The request body is not valid JSON."),
        ("[]", "The request body must be a JSON object."),
    ],
)
def test_malformed_requests_are_not_a_500(emulator_server: str, body: str, message: str) -> None:
    # Given a hand-made request no SDK would send
    request = urllib.request.Request(  # noqa: S310
        emulator_server,
        data=body.encode(),
        method="POST",
        headers={
            "X-Amz-Target": "SageMaker.CreateWorkforce",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/sagemaker/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    # When it is sent
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    # Then the service answers 400 naming the field
    assert excinfo.value.code == 400
    assert json.load(excinfo.value) == {"__type": "SerializationException", "Message": message}


def cli_environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return environment


def aws_cli(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "aws"), "sagemaker", *arguments, "--endpoint-url", url, "--output", "json"],
        capture_output=True,
        text=True,
        env=cli_environment(),
        timeout=60,
        check=False,
    )


def test_aws_cli_unchanged(emulator_server: str) -> None:
    # Given the emulator server
    # When the AWS CLI creates an OIDC workforce, describes it, and describes a missing one
    created = aws_cli(
        emulator_server,
        "create-workforce",
        "--workforce-name",
        "default",
        "--oidc-config",
        json.dumps(oidc()),
        "--source-ip-config",
        "Cidrs=10.0.0.0/8",
    )
    described = aws_cli(emulator_server, "describe-workforce", "--workforce-name", "default")
    missing = aws_cli(emulator_server, "describe-workteam", "--workteam-name", "ghost")
    # Then the CLI prints what AWS would, and never the secret
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["WorkforceArn"].endswith(":workforce/default")
    workforce = json.loads(described.stdout)["Workforce"]
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/8"]}
    assert workforce["OidcConfig"]["ClientId"] == "oidc-client"
    assert SECRET not in described.stdout
    assert missing.returncode != 0
    assert (
        "An error occurred (ValidationException) when calling the DescribeWorkteam operation: "
        "The work team 'ghost' does not exist."
    ) in missing.stderr


def start_console_script(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "workforce-emulator"), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_environment(),
    )


def test_console_script_serves_and_stops_on_sigterm(boto_session: boto3.session.Session) -> None:
    # Given the console script started on a free port
    process = start_console_script("--port", "0")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        # When a client uses the URL it printed, then the process gets SIGTERM
        sagemaker = client(boto_session, url)
        sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
        status = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then the first line was the URL, it served, and it exited 0
    assert url.startswith("http://127.0.0.1:")
    assert status == "Active"
    assert code == 0


def test_console_script_stops_on_sigint() -> None:
    # Given the console script serving
    process = start_console_script("--port", "0")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        # When it gets SIGINT (Ctrl-C)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=15)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then it exits 0 without a traceback
    assert url.startswith("http://127.0.0.1:")
    assert code == 0
    assert "Traceback" not in stderr


def test_console_script_port_in_use() -> None:
    # Given a port something else listens on
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        # When the console script is started on it
        process = start_console_script("--port", str(port))
        stdout, stderr = process.communicate(timeout=30)
    # Then one line on stderr, nothing on stdout, exit 2
    assert process.returncode == 2
    assert stdout == ""
    assert (
        stderr == f"workforce-emulator: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
