"""The client-secret adapter on moto: versions without values, values SageMaker accepts,
and errors that say whether a retry can help."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import moto
import pytest
from botocore.stub import Stubber

from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.errors import SecretUnavailableError, TransientError
from workforce_reconciler.ports import SecretReference

SECRET = "s3cr3t-value"


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    with moto.mock_aws():
        yield boto3.client("secretsmanager"), boto3.client("ssm")


def test_a_securestring_secret_is_read_decrypted(clients: tuple[Any, Any]) -> None:
    # Given the secret in an SSM SecureString (moto shows its ciphertext without decryption)
    secretsmanager, ssm = clients
    ssm.put_parameter(Name="/workforce/secret", Value=SECRET, Type="SecureString")
    ref = SecretReference(parameter_name="/workforce/secret")

    # When it is resolved, then it is the plaintext SageMaker needs, and its version
    resolver = AwsSecretResolver(secretsmanager, ssm)
    assert resolver.resolve(ref) == SECRET
    assert resolver.current_version(ref) == "1"


@pytest.mark.parametrize(
    ("operation", "ref"),
    [
        ("get_secret_value", SecretReference(secret_arn="workforce/secret")),
        ("describe_secret", SecretReference(secret_arn="workforce/secret")),
        ("get_parameter", SecretReference(parameter_name="/workforce/secret")),
    ],
)
def test_a_throttled_read_stays_retryable(
    clients: tuple[Any, Any], operation: str, ref: SecretReference
) -> None:
    # Given the service throttling the read after botocore's own retries
    secretsmanager, ssm = clients
    client = ssm if operation == "get_parameter" else secretsmanager
    with Stubber(client) as stub:
        stub.add_client_error(operation, "ThrottlingException", "Rate exceeded", 400)
        resolver = AwsSecretResolver(secretsmanager, ssm)

        # When it is read, then the error is transient (Lambda retries the event), not
        # "fix the reference"
        read = resolver.current_version if operation == "describe_secret" else resolver.resolve
        with pytest.raises(TransientError) as raised:
            read(ref)
    assert raised.value.code == "ThrottlingException"


def test_access_denied_is_not_retryable_and_names_the_reference(clients: tuple[Any, Any]) -> None:
    secretsmanager, ssm = clients
    with Stubber(secretsmanager) as stub:
        stub.add_client_error("get_secret_value", "AccessDeniedException", "not allowed", 400)
        with pytest.raises(SecretUnavailableError, match="secretsmanager:workforce/secret"):
            AwsSecretResolver(secretsmanager, ssm).resolve(
                SecretReference(secret_arn="workforce/secret")
            )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (SECRET + "\n", "starts or ends with whitespace or a line break"),
        ("s3cr3t-välue", "has a character that is not printable ASCII"),
        ("x" * 1025, "is 1025 characters long"),
    ],
    ids=["trailing-newline", "not-ascii", "too-long"],
)
def test_a_secret_sagemaker_would_refuse_is_refused_without_its_value(
    clients: tuple[Any, Any], value: str, problem: str
) -> None:
    # Given a secret SageMaker's model refuses ([ -~]+, 1-1024 characters)
    secretsmanager, ssm = clients
    secretsmanager.create_secret(Name="workforce/secret", SecretString=value)

    # When it is resolved
    with pytest.raises(SecretUnavailableError) as raised:
        AwsSecretResolver(secretsmanager, ssm).resolve(
            SecretReference(secret_arn="workforce/secret")
        )

    # Then the message names the reference, the problem and the rule, never the value
    message = str(raised.value)
    assert message.startswith(f"the client secret at secretsmanager:workforce/secret {problem}:")
    assert "1-1024 printable ASCII characters" in message
    assert value.strip()[:20] not in message


def test_a_binary_secret_that_is_not_text_is_a_clear_error(clients: tuple[Any, Any]) -> None:
    secretsmanager, ssm = clients
    secretsmanager.create_secret(Name="workforce/secret", SecretBinary=b"\xff\xfe\x00binary")
    with pytest.raises(SecretUnavailableError, match="binary data that is not UTF-8 text"):
        AwsSecretResolver(secretsmanager, ssm).resolve(
            SecretReference(secret_arn="workforce/secret")
        )


def test_a_binary_secret_that_is_text_is_used(clients: tuple[Any, Any]) -> None:
    secretsmanager, ssm = clients
    secretsmanager.create_secret(Name="workforce/secret", SecretBinary=SECRET.encode())
    resolved = AwsSecretResolver(secretsmanager, ssm).resolve(
        SecretReference(secret_arn="workforce/secret")
    )
    assert resolved == SECRET
