"""The OIDC client secret SageMaker holds: checkable through a one-way fingerprint, never
stored, never shown (responses, errors, call log, controls, server output)."""

from __future__ import annotations

import hashlib
import json
import signal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from workforce_emulator import controls
from workforce_emulator import state as emulator_state
from workforce_emulator.controls import UnknownWorkforce

from .helpers import SECRET, client, control, oidc
from .test_server import start_console_script

OTHER_SECRET = "an0ther-SECRET-rotated"


def test_fingerprint_follows_the_secret_sagemaker_accepted(sagemaker: Any) -> None:
    # Given an OIDC workforce created with SECRET
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    first = controls.secret_fingerprint("default")
    # When its secret is rotated
    sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc(ClientSecret=OTHER_SECRET))
    second = controls.secret_fingerprint("default")
    # Then each fingerprint matches the secret sent, and only that one
    assert first == controls.fingerprint_of(SECRET)
    assert second == controls.fingerprint_of(OTHER_SECRET)
    assert first != second
    assert len(first) == 64
    assert first != hashlib.sha256(SECRET.encode()).hexdigest()  # keyed, not a bare hash


def test_refused_update_keeps_the_fingerprint(sagemaker: Any) -> None:
    # Given an OIDC workforce with a work team (OidcConfig updates are then refused)
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    sagemaker.create_workteam(
        WorkteamName="team-a",
        Description="d",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )
    # When the secret is rotated anyway
    with pytest.raises(ClientError):
        sagemaker.update_workforce(
            WorkforceName="default", OidcConfig=oidc(ClientSecret=OTHER_SECRET)
        )
    # Then SageMaker still holds the first secret
    assert controls.secret_fingerprint("default") == controls.fingerprint_of(SECRET)


def test_cognito_workforce_has_no_fingerprint(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When its fingerprint is asked for, and that of a workforce that does not exist
    found = controls.secret_fingerprint("default")
    with pytest.raises(UnknownWorkforce) as missing:
        controls.secret_fingerprint("default", region="eu-west-1")
    # Then None, and a message naming where it looked
    assert found is None
    assert str(missing.value) == (
        "No workforce named 'default' in account 123456789012, region eu-west-1."
    )


def test_state_keeps_no_secret(sagemaker: Any) -> None:
    # Given an OIDC workforce created and updated with secrets
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc(ClientSecret=OTHER_SECRET))
    # When everything the emulator holds for the region is printed
    held = repr(emulator_state.region_state("123456789012", "us-east-1"))
    # Then neither secret is in it
    assert SECRET not in held
    assert OTHER_SECRET not in held


def test_fingerprint_controls_over_http(
    emulator_server: str, boto_session: boto3.session.Session
) -> None:
    # Given an OIDC workforce created over HTTP
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    # When a test reads its fingerprint and has the expected secret fingerprinted
    held = control(
        emulator_server, "/_emulator/secret-fingerprint?WorkforceName=default", method="GET"
    )
    expected = control(emulator_server, "/_emulator/fingerprint-of", {"Value": SECRET})
    other = control(emulator_server, "/_emulator/fingerprint-of", {"Value": OTHER_SECRET})
    missing = control(
        emulator_server,
        "/_emulator/secret-fingerprint?WorkforceName=default&Region=eu-west-1",
        method="GET",
    )
    unnamed = control(emulator_server, "/_emulator/secret-fingerprint", method="GET")
    # Then the two match, another secret does not, and bad requests say why
    assert held[0] == 200
    assert held[1]["WorkforceName"] == "default"
    assert held[1]["Fingerprint"] == expected[1]["Fingerprint"]
    assert held[1]["Fingerprint"] != other[1]["Fingerprint"]
    assert missing == (
        404,
        {"Message": "No workforce named 'default' in account 123456789012, region eu-west-1."},
    )
    assert unnamed[0] == 400
    assert "WorkforceName" in unnamed[1]["Message"]


class RawBodies:
    """Every raw HTTP answer body a boto3 client received."""

    def __init__(self, sagemaker: Any) -> None:
        self.bodies: list[str] = []
        sagemaker.meta.events.register("after-call.sagemaker", self._record)

    def _record(self, http_response: Any, **_: Any) -> None:
        self.bodies.append(http_response.content.decode("utf-8", errors="replace"))


def exercise_every_output(sagemaker: Any, url: str) -> list[str]:
    """Create, read, rotate, fail and inspect an OIDC workforce; every answer seen."""
    raw = RawBodies(sagemaker)
    answers: list[Any] = []
    answers.append(sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc()))
    answers.append(sagemaker.describe_workforce(WorkforceName="default"))
    answers.append(sagemaker.list_workforces())
    answers.append(
        sagemaker.update_workforce(
            WorkforceName="default", OidcConfig=oidc(ClientSecret=OTHER_SECRET)
        )
    )
    answers.append(
        sagemaker.create_workteam(
            WorkteamName="t",
            Description="d",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
        )
    )
    for refused in (
        # a validation error on the secret itself (too long), and a refused rotation
        {"OidcConfig": oidc(ClientSecret=SECRET * 100)},
        {"OidcConfig": oidc(ClientSecret=SECRET)},
    ):
        try:
            sagemaker.update_workforce(WorkforceName="default", **refused)
        except ClientError as error:
            answers.append(error.response)
    for path in ("/_emulator/calls", "/_emulator/config"):
        answers.append(control(url, path, method="GET"))
    answers.append(control(url, "/_emulator/secret-fingerprint?WorkforceName=default", None, "GET"))
    answers.append(control(url, "/_emulator/fingerprint-of", {"Value": SECRET}))
    answers.append(control(url, "/_emulator/fingerprint-of", {"Value": 5}))
    assert any('"ClientId": "oidc-client"' in body for body in raw.bodies)  # bodies were seen
    return [json.dumps(answers, default=str), *raw.bodies]


def test_secret_never_in_any_output_of_the_console_script(
    boto_session: boto3.session.Session,
) -> None:
    # Given the console script serving (its stdout and stderr captured)
    process = start_console_script("--port", "0")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        sagemaker = boto_session.client(
            "sagemaker",
            endpoint_url=url,
            config=Config(retries={"total_max_attempts": 1}, parameter_validation=False),
        )
        # When every kind of answer is produced and the server stops
        outputs = exercise_every_output(sagemaker, url)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Then neither secret appears in any answer, nor in what the server printed
    seen = "\n".join([*outputs, url, stdout, stderr])
    assert '"ClientSecret": "***"' in seen  # the call log was read, masked
    assert SECRET not in seen
    assert OTHER_SECRET not in seen


def test_secret_never_in_any_output_in_process(sagemaker: Any, emulator_server: str) -> None:
    # Given the in-process client (the session server shares its controls)
    # When every kind of answer is produced
    outputs = exercise_every_output(sagemaker, emulator_server)
    outputs.append(json.dumps(controls.calls(), default=str))
    # Then neither secret appears in any of them
    seen = "\n".join(outputs)
    assert SECRET not in seen
    assert OTHER_SECRET not in seen
