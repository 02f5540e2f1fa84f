"""Switchable assumptions where AWS's documentation is silent, as a client sees them:
server-filled defaults and team writes while the workforce changes, in-process and over HTTP."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from workforce_emulator import controls

from .helpers import COGNITO, client, cognito_member, control

ONLY_SOURCE_IP = {"S3Presign": {"IamPolicyConstraints": {"SourceIp": "Enabled"}}}
ONLY_VPC_SOURCE_IP = {"S3Presign": {"IamPolicyConstraints": {"VpcSourceIp": "Enabled"}}}


def both(source_ip: str, vpc_source_ip: str) -> dict[str, Any]:
    return {
        "S3Presign": {"IamPolicyConstraints": {"SourceIp": source_ip, "VpcSourceIp": vpc_source_ip}}
    }


def create_team(sagemaker: Any, **params: Any) -> None:
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="d", MemberDefinitions=[cognito_member()], **params
    )


# -- server_fills_defaults ------------------------------------------------------------------


def test_worker_access_is_returned_as_sent_by_default(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given the default settings
    # When a team is created with only SourceIp
    create_team(sagemaker, WorkerAccessConfiguration=ONLY_SOURCE_IP)
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then DescribeWorkteam shows exactly what was sent
    assert team["WorkerAccessConfiguration"] == ONLY_SOURCE_IP


def test_server_fills_the_member_left_out(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a service that fills defaults
    controls.configure(server_fills_defaults=True)
    # When a team is created with only SourceIp: Enabled
    create_team(sagemaker, WorkerAccessConfiguration=ONLY_SOURCE_IP)
    described = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    listed = sagemaker.list_workteams()["Workteams"][0]
    # Then VpcSourceIp comes back Disabled, in Describe and List alike
    assert described["WorkerAccessConfiguration"] == both("Enabled", "Disabled")
    assert listed["WorkerAccessConfiguration"] == both("Enabled", "Disabled")


def test_update_fills_from_the_request_not_the_old_value(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given a filled team with SourceIp Enabled
    controls.configure(server_fills_defaults=True)
    create_team(sagemaker, WorkerAccessConfiguration=ONLY_SOURCE_IP)
    # When UpdateWorkteam sends only VpcSourceIp: Enabled
    updated = sagemaker.update_workteam(
        WorkteamName="team-a", WorkerAccessConfiguration=ONLY_VPC_SOURCE_IP
    )["Workteam"]
    described = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then the update's answer and the stored value have SourceIp Disabled
    assert updated["WorkerAccessConfiguration"] == both("Disabled", "Enabled")
    assert described["WorkerAccessConfiguration"] == both("Disabled", "Enabled")


@pytest.mark.parametrize(
    "sent", [{}, {"S3Presign": {}}, {"S3Presign": {"IamPolicyConstraints": {}}}]
)
def test_server_fills_an_empty_chain(
    sagemaker: Any, cognito_workforce: str, sent: dict[str, Any]
) -> None:
    # Given a service that fills defaults
    controls.configure(server_fills_defaults=True)
    # When a team is created with a WorkerAccessConfiguration that stops short
    create_team(sagemaker, WorkerAccessConfiguration=sent)
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then every level down to both constraints is there, Disabled
    assert team["WorkerAccessConfiguration"] == both("Disabled", "Disabled")


def test_no_worker_access_stays_absent_when_filling(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a service that fills defaults
    controls.configure(server_fills_defaults=True)
    # When a team is created without WorkerAccessConfiguration
    create_team(sagemaker)
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then none is invented (what AWS returns then is not known)
    assert "WorkerAccessConfiguration" not in team


def test_server_fills_defaults_over_http(
    emulator_server: str, boto_session: boto3.session.Session
) -> None:
    # Given the server told to fill defaults, and a workforce
    answer = control(emulator_server, "/_emulator/config", {"ServerFillsDefaults": True})
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When a team is created over HTTP with only SourceIp
    create_team(sagemaker, WorkerAccessConfiguration=ONLY_SOURCE_IP)
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then the setting is on and VpcSourceIp comes back Disabled
    assert answer[1]["ServerFillsDefaults"] is True
    assert team["WorkerAccessConfiguration"] == both("Enabled", "Disabled")
