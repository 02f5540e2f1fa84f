"""SSM PutParameter's value-size limits on moto's SSM, in-process and over HTTP, with the rest
of moto's SSM behaviour unchanged."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.ssm.models import SimpleSystemManagerBackend

import workforce_emulator
from workforce_emulator import _ssm

from .helpers import client

STANDARD_MESSAGE = (
    "Standard tier parameters support a maximum parameter value of 4096 characters. To create "
    "a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For "
    "more information, see "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
)
ADVANCED_MESSAGE = (
    "The specified parameter value is too large. Advanced-tier parameters support a maximum "
    "parameter value of 8192 characters."
)
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def ssm(aws: None, boto_session: boto3.session.Session) -> Any:
    return boto_session.client("ssm", config=ONE_ATTEMPT)


def put(ssm: Any, size: int, tier: str | None = None, **params: Any) -> dict[str, str] | None:
    """None when PutParameter accepted a value of ``size`` characters, else its error."""
    extra = {"Tier": tier} if tier else {}
    try:
        ssm.put_parameter(Name="/p", Value="x" * size, Type="SecureString", **extra, **params)
    except ClientError as error:
        return {k: str(v) for k, v in error.response["Error"].items()}
    return None


def refusal(message: str) -> dict[str, str]:
    return {"Code": "ValidationException", "Message": message}


@pytest.mark.parametrize(
    ("tier", "limit", "message"),
    [
        (None, 4096, STANDARD_MESSAGE),
        ("Standard", 4096, STANDARD_MESSAGE),
        ("Advanced", 8192, ADVANCED_MESSAGE),
        ("Intelligent-Tiering", 8192, ADVANCED_MESSAGE),
    ],
)
def test_value_limit_per_tier(ssm: Any, tier: str | None, limit: int, message: str) -> None:
    # Given no parameter
    # When a value one over the tier's limit is put, then one at the limit
    over = put(ssm, limit + 1, tier)
    at_limit = put(ssm, limit, tier)
    # Then the first is refused as SSM words it, the second stored whole
    assert over == refusal(message)
    assert at_limit is None
    stored = ssm.get_parameter(Name="/p", WithDecryption=True)["Parameter"]
    assert len(stored["Value"]) == limit


def test_intelligent_tiering_takes_what_standard_refuses(ssm: Any) -> None:
    # Given no parameter
    # When 5,000 characters are put as Standard and as Intelligent-Tiering
    standard = put(ssm, 5000, "Standard")
    intelligent = put(ssm, 5000, "Intelligent-Tiering")
    # Then only Intelligent-Tiering accepts them (it makes the parameter Advanced)
    assert standard == refusal(STANDARD_MESSAGE)
    assert intelligent is None


def test_refused_value_changes_nothing(ssm: Any) -> None:
    # Given a Standard parameter
    ssm.put_parameter(Name="/p", Value="v1", Type="String")
    # When it is overwritten with a value too large for Standard
    refused = put(ssm, 4097, Overwrite=True)
    # Then the parameter keeps its value and version, and a new name was not created
    assert refused == refusal(STANDARD_MESSAGE)
    kept = ssm.get_parameter(Name="/p")["Parameter"]
    assert (kept["Value"], kept["Version"]) == ("v1", 1)
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name="/q", Value="x" * 4097, Type="String")
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        ssm.get_parameter(Name="/q")
    assert missing.value.response["Error"]["Code"] == "ParameterNotFound"


def test_overwrite_without_tier_keeps_the_parameters_tier(ssm: Any) -> None:
    # Given an Advanced parameter
    ssm.put_parameter(Name="/p", Value="v1", Type="String", Tier="Advanced")
    # When it is overwritten with 8,000 characters and no Tier
    answer = put(ssm, 8000, Overwrite=True)
    # Then it is measured as Advanced and accepted
    assert answer is None
    assert ssm.get_parameter(Name="/p")["Parameter"]["Version"] == 2


def test_limits_count_utf8_bytes(ssm: Any) -> None:
    # Given a value of 2,049 two-byte characters (4,098 bytes)
    value = "é" * 2049
    # When it is put as Standard
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name="/p", Value=value, Type="String")
    # Then it is refused: the stricter reading of "4 KB"
    assert excinfo.value.response["Error"]["Message"] == STANDARD_MESSAGE


def test_over_32768_characters_is_the_model_bound(ssm: Any) -> None:
    # Given no parameter
    # When 32,769 characters are put as Advanced
    answer = put(ssm, 32769, "Advanced")
    # Then the request-model answer, without the (sensitive) value
    assert answer == refusal(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: "
        "Member must have length less than or equal to 32768"
    )


def test_moto_ssm_behaviour_is_unchanged(ssm: Any) -> None:
    # Given a parameter
    first = ssm.put_parameter(Name="/p", Value="v1", Type="String")
    # When moto's own checks are exercised
    exists = put(ssm, 10)
    with pytest.raises(ClientError) as reserved:
        ssm.put_parameter(Name="aws-x", Value="v", Type="String")
    second = ssm.put_parameter(Name="/p", Value="v2", Overwrite=True)
    # Then moto answers them as before
    assert (first["Version"], first["Tier"]) == (1, "Standard")
    assert exists is not None
    assert exists["Code"] == "ParameterAlreadyExists"
    assert reserved.value.response["Error"]["Code"] == "ValidationException"
    assert "can't be prefixed with" in reserved.value.response["Error"]["Message"]
    assert second["Version"] == 2


def test_size_limits_over_http(emulator_server: str, boto_session: boto3.session.Session) -> None:
    # Given the emulator server's SSM
    ssm = client(boto_session, emulator_server, "ssm")
    # When 4,097 and then 4,096 characters are put without a tier
    over = put(ssm, 4097)
    at_limit = put(ssm, 4096)
    # Then the same answers as in-process
    assert over == refusal(STANDARD_MESSAGE)
    assert at_limit is None


def test_size_limits_are_installed_once() -> None:
    # Given the emulator installed
    wrapped = SimpleSystemManagerBackend.put_parameter
    # When it is installed again
    _ssm.install()
    workforce_emulator.install()
    # Then moto's PutParameter is wrapped once, around moto's own method
    assert SimpleSystemManagerBackend.put_parameter is wrapped
    inner = wrapped.__wrapped__  # type: ignore[attr-defined]
    assert not hasattr(inner, "__wrapped__")
    assert inner.__module__ == "moto.ssm.models"
