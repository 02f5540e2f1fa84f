"""The in-process test controls: status, faults, call log, settings, reset."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import ValidationError

from workforce_emulator import controls
from workforce_emulator.controls import ControlError

from .helpers import COGNITO, SECRET, oidc


def test_set_status_failed_is_described(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a workforce
    # When a test marks it Failed with a reason
    controls.set_status("default", "Failed", "Cognito user pool was deleted")
    workforce = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # Then DescribeWorkforce shows both, and it stays Failed
    assert (workforce["Status"], workforce["FailureReason"]) == (
        "Failed",
        "Cognito user pool was deleted",
    )
    again = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    assert again["Status"] == "Failed"


def test_set_status_updating_blocks_updates(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a workforce a test holds in Updating
    controls.set_status("default", "Updating")
    # When it is updated
    with pytest.raises(ClientError) as excinfo:
        sagemaker.update_workforce(WorkforceName="default", IpAddressType="dualstack")
    # Then ConflictException
    assert excinfo.value.response["Error"]["Code"] == "ConflictException"


def test_set_status_refuses_unknown_values(aws: None) -> None:
    # Given no workforce
    # When statuses or workforces that do not exist are set
    with pytest.raises(ControlError) as bad_status:
        controls.set_status("default", "Sleeping")
    with pytest.raises(ControlError) as no_workforce:
        controls.set_status("default", "Failed")
    # Then the messages say what is wrong
    assert str(bad_status.value) == (
        "Status must be one of Initializing, Updating, Deleting, Failed, Active; got 'Sleeping'."
    )
    assert str(no_workforce.value) == (
        "No workforce named 'default' in account 123456789012, region us-east-1."
    )


def test_throttling_fault_then_success_with_botocore_retries(
    aws: None, boto_session: boto3.session.Session
) -> None:
    # Given a throttling fault on DescribeWorkforce and a client that retries once
    retrying = boto_session.client(
        "sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 2})
    )
    retrying.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    controls.clear_calls()
    controls.add_fault("DescribeWorkforce", error="ThrottlingException", count=1)
    # When it is described once
    answer = retrying.describe_workforce(WorkforceName="default")
    # Then botocore retried and the second attempt succeeded
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert [c["Operation"] for c in controls.calls()] == ["DescribeWorkforce"] * 2


def test_fault_count_fails_that_many_calls(sagemaker: Any) -> None:
    # Given two faults on ListWorkforces
    controls.add_fault("ListWorkforces", error="ThrottlingException", count=2)
    # When it is called three times
    codes = []
    for _ in range(3):
        try:
            sagemaker.list_workforces()
            codes.append("ok")
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    # Then the first two fail and the third succeeds
    assert codes == ["ThrottlingException", "ThrottlingException", "ok"]


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        ("ThrottlingException", 400, "Rate exceeded"),
        (
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        ),
        (
            "ServiceUnavailable",
            503,
            "The request has failed due to a temporary failure of the server.",
        ),
        ("ConflictException", 400, "Fault injected by the workforce emulator (ConflictException)."),
    ],
)
def test_fault_codes_and_statuses(
    sagemaker: Any, cognito_workforce: str, error: str, status: int, message: str
) -> None:
    # Given a fault on UpdateWorkforce
    controls.add_fault("UpdateWorkforce", error=error)
    # When it is called twice
    with pytest.raises(ClientError) as excinfo:
        sagemaker.update_workforce(WorkforceName="default", IpAddressType="dualstack")
    second = sagemaker.update_workforce(WorkforceName="default", IpAddressType="dualstack")
    # Then the first fails as asked, with the HTTP status AWS uses, and the second succeeds
    response = excinfo.value.response
    assert response["Error"] == {"Code": error, "Message": message}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert second["Workforce"]["IpAddressType"] == "dualstack"


def test_fault_with_custom_message(sagemaker: Any) -> None:
    # Given a fault with its own message
    controls.add_fault("ListWorkteams", error="AccessDeniedException", message="not you")
    # When the operation is called
    with pytest.raises(ClientError) as excinfo:
        sagemaker.list_workteams()
    # Then that message arrives
    assert excinfo.value.response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": "not you",
    }


def test_delay_fault(sagemaker: Any) -> None:
    # Given a 400 ms delay on ListWorkforces
    controls.add_fault("ListWorkforces", delay_ms=400)
    # When it is called twice
    started = time.monotonic()
    sagemaker.list_workforces()
    first = time.monotonic() - started
    started = time.monotonic()
    sagemaker.list_workforces()
    second = time.monotonic() - started
    # Then only the first waited
    assert first >= 0.4
    assert second < first - 0.3


def test_fault_refuses_unknown_operation() -> None:
    # Given nothing
    # When a fault names an operation SageMaker does not have, or has nothing to do
    with pytest.raises(ControlError) as unknown:
        controls.add_fault("DescribeWorkforces", error="ThrottlingException")
    with pytest.raises(ControlError) as empty:
        controls.add_fault("DescribeWorkforce")
    # Then the messages say what is wrong
    assert str(unknown.value) == (
        "Operation must be a SageMaker operation name such as 'UpdateWorkforce'; "
        "got 'DescribeWorkforces'."
    )
    assert str(empty.value) == "A fault needs an Error, a DelayMs, or both."


def test_calls_are_logged_in_order_with_the_secret_redacted(sagemaker: Any) -> None:
    # Given an OIDC workforce created and updated
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc(ClientSecret="second"))
    sagemaker.describe_workforce(WorkforceName="default")
    # When the call log is read
    calls = controls.calls()
    # Then every call is there in order, with the secret as ***
    assert [c["Operation"] for c in calls] == [
        "CreateWorkforce",
        "UpdateWorkforce",
        "DescribeWorkforce",
    ]
    assert calls[0]["Parameters"]["OidcConfig"]["ClientSecret"] == "***"
    assert calls[1]["Parameters"]["OidcConfig"]["ClientSecret"] == "***"
    assert calls[2]["Parameters"] == {"WorkforceName": "default"}
    assert all(c["Region"] == "us-east-1" and c["Time"].endswith("Z") for c in calls)
    assert SECRET not in repr(calls)
    assert "second" not in repr(calls)


def test_clear_calls(sagemaker: Any) -> None:
    # Given a logged call
    sagemaker.list_workforces()
    # When the log is cleared
    controls.clear_calls()
    # Then it is empty
    assert controls.calls() == []


def test_configure_rejects_unknown_settings() -> None:
    # Given nothing
    # When an unknown or negative setting is configured
    with pytest.raises(ValidationError) as unknown:
        controls.configure(activation_describe=1)
    with pytest.raises(ValidationError) as negative:
        controls.configure(activation_describes=-1)
    # Then pydantic names the field; the settings are unchanged
    assert "activation_describe" in str(unknown.value)
    assert "activation_describes" in str(negative.value)
    assert controls.settings() == controls.EmulatorSettings()


def test_reset_forgets_everything(sagemaker: Any, cognito_workforce: str) -> None:
    # Given state, a fault, calls and changed settings
    controls.add_fault("DescribeWorkforce", error="ThrottlingException")
    controls.configure(activation_describes=3)
    # When the emulator is reset
    controls.reset()
    # Then the workforce, fault, calls and settings are gone
    assert controls.calls() == []
    assert controls.settings() == controls.EmulatorSettings()
    assert sagemaker.list_workforces()["Workforces"] == []


def test_set_status_in_another_region(aws: None, boto_session: boto3.session.Session) -> None:
    # Given a workforce in eu-west-1
    west = boto_session.client("sagemaker", region_name="eu-west-1")
    west.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When a test marks it Failed there
    controls.set_status("default", "Failed", "gone", region="eu-west-1")
    # Then that region's workforce shows it
    assert west.describe_workforce(WorkforceName="default")["Workforce"]["Status"] == "Failed"
