"""Switchable assumptions where AWS's documentation is silent, as a client sees them:
server-filled defaults, team writes while the workforce changes, and the settings read from
a file (controls.load_config, workforce-emulator --config), in-process and over HTTP."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from workforce_emulator import controls
from workforce_emulator.controls import ControlError

from .helpers import COGNITO, client, cognito_member, control
from .test_server import start_console_script

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


# -- deletion_describes ---------------------------------------------------------------------


def test_a_workforce_is_gone_at_once_by_default(sagemaker: Any, cognito_workforce: str) -> None:
    sagemaker.delete_workforce(WorkforceName="default")
    assert sagemaker.list_workforces()["Workforces"] == []


def test_a_deleted_workforce_shows_deleting_for_the_configured_looks(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given deletions that take three looks
    controls.configure(deletion_describes=3)
    sagemaker.describe_workforce(WorkforceName="default")  # (Active now)

    # When the workforce is deleted
    sagemaker.delete_workforce(WorkforceName="default")

    # Then meanwhile it is Deleting: updating it conflicts, another workforce cannot be
    # created, deleting it again is accepted and changes nothing
    assert (
        error_of(
            sagemaker.update_workforce,
            WorkforceName="default",
            SourceIpConfig={"Cidrs": ["192.0.2.0/24"]},
        )[0]
        == "ConflictException"
    )
    assert error_of(sagemaker.create_workforce, WorkforceName="next", CognitoConfig=COGNITO)[
        1
    ].startswith("Cannot create more than one workforce")
    sagemaker.delete_workforce(WorkforceName="default")
    # And three answers show it Deleting (a listing is a look too), then it is gone
    listed = sagemaker.list_workforces()["Workforces"]
    assert [(w["WorkforceName"], w["Status"]) for w in listed] == [("default", "Deleting")]
    statuses = [
        sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
        for _ in range(2)
    ]
    assert statuses == ["Deleting", "Deleting"]
    assert error_of(sagemaker.describe_workforce, WorkforceName="default")[0] == (
        "ValidationException"
    )
    assert sagemaker.list_workforces()["Workforces"] == []
    sagemaker.create_workforce(WorkforceName="next", CognitoConfig=COGNITO)


def test_a_workforce_set_deleting_by_a_test_stays_deleting(
    sagemaker: Any, cognito_workforce: str
) -> None:
    controls.configure(deletion_describes=1)
    controls.set_status("default", "Deleting")
    for _ in range(3):
        shown = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
        assert shown["Status"] == "Deleting"


# -- assumptions from a file ------------------------------------------------------------------


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "assumptions.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_load_config_applies_a_file(sagemaker: Any, tmp_path: Path) -> None:
    # Given a setting changed by hand, and a file of two others
    controls.configure(max_workteams=3)
    path = write(tmp_path, '{"ActivationDescribes": 1, "ServerFillsDefaults": true}')
    # When the file is loaded
    loaded = controls.load_config(path)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    first = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
    # Then the file's settings apply and every other one has its default again
    assert (loaded.activation_describes, loaded.server_fills_defaults) == (1, True)
    assert loaded.max_workteams == 25
    assert controls.settings() == loaded
    assert first == "Initializing"
    # And reset() returns to the defaults (the file was loaded without keep_on_reset)
    controls.reset()
    assert controls.settings() == controls.EmulatorSettings()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"ActivationDescribes": 1, "ServerFillDefaults": true}',
            "unknown setting 'ServerFillDefaults'; known: ActivationDescribes, ",
        ),
        (
            '{"activation_describes": 1, "Oops": 2}',
            "unknown settings 'activation_describes', 'Oops'; known: ",
        ),
        ('{"ActivationDescribes": -1}', "ActivationDescribes: Input should be greater than"),
        ('{"ActivationDescribes": ', "not valid JSON: "),
        ("[1]", "must hold a JSON object of settings."),
    ],
)
def test_load_config_names_what_is_wrong(
    aws: None, tmp_path: Path, content: str, message: str
) -> None:
    # Given a file with a mistake
    path = write(tmp_path, content)
    # When it is loaded
    with pytest.raises(ControlError) as excinfo:
        controls.load_config(path)
    # Then the message names the file and the mistake, and nothing changed
    assert str(excinfo.value).startswith(f"{path}: {message}")
    assert controls.settings() == controls.EmulatorSettings()


def test_load_config_of_a_missing_file(aws: None, tmp_path: Path) -> None:
    # Given no file
    path = tmp_path / "missing.json"
    # When it is loaded
    with pytest.raises(ControlError) as excinfo:
        controls.load_config(path)
    # Then the message says it cannot be read
    assert str(excinfo.value) == f"{path}: cannot read it: No such file or directory."


def test_console_script_config_survives_reset(
    tmp_path: Path, boto_session: boto3.session.Session
) -> None:
    # Given the console script started with a config file
    path = write(tmp_path, '{"ActivationDescribes": 1, "WorkteamWritesNeedActive": false}')
    process = start_console_script("--port", "0", "--config", str(path))
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        # When the settings are read, the emulator is reset, and a workforce is created
        before = control(url, "/_emulator/config", method="GET")[1]
        control(url, "/_emulator/reset", {})
        after = control(url, "/_emulator/config", method="GET")[1]
        sagemaker = client(boto_session, url)
        sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
        create_team(sagemaker)  # allowed while Initializing: the file switched that off
        status = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then the file's settings held from the start and through the reset
    assert (before["ActivationDescribes"], before["WorkteamWritesNeedActive"]) == (1, False)
    assert after == before
    assert status == "Initializing"
    assert code == 0


def test_console_script_refuses_a_bad_config(tmp_path: Path) -> None:
    # Given a config file with an unknown key
    path = write(tmp_path, '{"ActivationDescribes": 1, "Bogus": true}')
    # When the console script is started with it
    process = start_console_script("--port", "0", "--config", str(path))
    stdout, stderr = process.communicate(timeout=30)
    # Then one line on stderr naming the key, nothing on stdout, exit 2
    assert process.returncode == 2
    assert stdout == ""
    assert stderr.startswith(f"workforce-emulator: --config {path}: unknown setting 'Bogus'; ")
    assert stderr.count("\n") == 1


def test_docs_table_lists_every_switch() -> None:
    # Given docs/emulator.md's table of assumption switches
    docs = (Path(__file__).parents[2] / "docs" / "emulator.md").read_text(encoding="utf-8")
    rows = {
        cells[0].strip("`"): cells
        for line in docs.splitlines()
        if line.startswith("| `")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 5
    }
    # When it is compared with the settings the emulator has
    fields = controls.EmulatorSettings.model_fields
    # Then every switch has one row, with its default, its probe and an empty observed column
    assert set(rows) == set(fields)
    for name, field in fields.items():
        _, default, _, probe, observed = rows[name]
        assert default == f"`{field.default!r}`", name
        assert probe == f"`probe_{name}`"
        assert observed == ""
