"""Switchable assumptions where AWS's documentation is silent, as a client sees them:
server-filled defaults and team writes while the workforce changes, in-process and over HTTP."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

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


# -- workteam_writes_need_active --------------------------------------------------------------


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_workteam_while_initializing_is_refused(sagemaker: Any) -> None:
    # Given a workforce still Initializing (Active after one describe)
    controls.configure(activation_describes=1)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When a team is created before anyone waited for Active
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="team-a",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then ValidationException (the code Terraform retries CreateWorkteam on), nothing made
    assert (code, message) == (
        "ValidationException",
        "Workforce 'default' is Initializing; work teams can be created or updated only "
        "while it is Active.",
    )
    assert sagemaker.list_workteams()["Workteams"] == []
    # And once the workforce is Active the same request succeeds
    assert sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"] == (
        "Initializing"
    )
    create_team(sagemaker)
    assert [t["WorkteamName"] for t in sagemaker.list_workteams()["Workteams"]] == ["team-a"]


def test_update_workteam_while_updating_changes_nothing(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given a team, and its workforce Updating (Active after one describe)
    create_team(sagemaker)
    before = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    controls.configure(activation_describes=1)
    sagemaker.update_workforce(WorkforceName="default", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    # When the team is updated
    code, message = error_of(
        sagemaker.update_workteam, WorkteamName="team-a", Description="changed"
    )
    after = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then ValidationException, and the team is as it was
    assert code == "ValidationException"
    assert message.startswith("Workforce 'default' is Updating;")
    assert after == before


@pytest.mark.parametrize(
    ("status", "refused"),
    [("Initializing", True), ("Updating", True), ("Active", False), ("Failed", False)],
)
def test_which_statuses_hold_team_writes(
    sagemaker: Any, cognito_workforce: str, status: str, refused: bool
) -> None:
    # Given a workforce a test holds in a status
    controls.set_status("default", status)
    # When a team is created
    try:
        create_team(sagemaker)
        answer = None
    except ClientError as error:
        answer = error.response["Error"]["Code"]
    # Then only Initializing and Updating refuse it
    assert answer == ("ValidationException" if refused else None)


def test_team_writes_while_changing_allowed_when_switched_off(sagemaker: Any) -> None:
    # Given a workforce Initializing, and the assumption switched off
    controls.configure(activation_describes=5, workteam_writes_need_active=False)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When a team is created and updated at once
    create_team(sagemaker)
    sagemaker.update_workteam(WorkteamName="team-a", Description="changed")
    # Then both went through
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    assert team["Description"] == "changed"


def test_team_writes_while_changing_refused_over_http(
    emulator_server: str, boto_session: boto3.session.Session
) -> None:
    # Given, over HTTP, a workforce still Initializing
    control(emulator_server, "/_emulator/config", {"ActivationDescribes": 1})
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When a team is created over HTTP
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="team-a",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then the same answer as in-process, the switch shows on, and nothing was made
    assert code == "ValidationException"
    assert message.startswith("Workforce 'default' is Initializing;")
    settings = control(emulator_server, "/_emulator/config", method="GET")[1]
    assert settings["WorkteamWritesNeedActive"] is True
    assert sagemaker.list_workteams()["Workteams"] == []
