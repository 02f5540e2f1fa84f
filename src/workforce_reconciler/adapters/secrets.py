"""The OIDC client secret: its current version (cheap, no value) and, for apply only, its value.

Versions come from metadata calls that never return the value (Secrets Manager
DescribeSecret, SSM GetParameter without decryption), so planning never touches
the secret. Values are read with plain boto3 calls, never cached (a rotated secret
must be picked up by the very next run), and their errors go through the one
translator, so a throttled read stays a ``TransientError`` that Lambda retries.
(Powertools' parameter providers wrap every failure in one ``GetParameterError``
and so hide the error code that tells "try again" from "fix the reference".)

A value SageMaker would refuse (its model: 1-1024 printable ASCII characters) is
refused here, naming the reference and the rule, never the value: a replacement must
not delete anything to then find the secret unusable.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.constraints import shape_at
from workforce_reconciler.errors import SecretUnavailableError, TransientError
from workforce_reconciler.ports import SecretReference
from workforce_reconciler.redaction import remember_secret

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient

# IAM: secretsmanager:DescribeSecret + GetSecretValue on the secret, or ssm:GetParameter
# on the SecureString (plus kms:Decrypt through the service for a customer key).
IAM_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
)


def _secret_rule() -> tuple[re.Pattern[str], int, int]:
    """SageMaker's rule for OidcConfig.ClientSecret, from botocore's service model."""
    meta = shape_at("CreateWorkforce", "OidcConfig", "ClientSecret").metadata
    return re.compile(meta["pattern"]), int(meta["min"]), int(meta["max"])


def check_secret_value(value: str, ref: SecretReference) -> str:
    """``value`` if SageMaker accepts it as a client secret; SecretUnavailableError if not."""
    pattern, low, high = _secret_rule()
    if not low <= len(value) <= high or not pattern.fullmatch(value):
        problem = "has a character that is not printable ASCII"
        if not value.strip():
            problem = "is empty"
        elif len(value) > high:
            problem = f"is {len(value)} characters long"
        elif value != value.strip():
            problem = "starts or ends with whitespace or a line break"
        raise SecretUnavailableError(
            f"the client secret at {ref.display} {problem}: SageMaker accepts {low}-{high} "
            f"printable ASCII characters (pattern {pattern.pattern}); store the secret "
            "itself, without a trailing newline",
            reference=ref.display,
        )
    return value


class AwsSecretResolver:
    def __init__(self, secretsmanager: SecretsManagerClient, ssm: SSMClient) -> None:
        self._sm = secretsmanager
        self._ssm = ssm

    def current_version(self, ref: SecretReference) -> str:
        """IAM: secretsmanager:DescribeSecret, or ssm:GetParameter (no decryption)."""
        try:
            if ref.secret_arn:
                described = self._sm.describe_secret(SecretId=ref.secret_arn)
                for version_id, stages in described.get("VersionIdsToStages", {}).items():
                    if "AWSCURRENT" in stages:
                        return version_id
                raise SecretUnavailableError(
                    f"secret {ref.display} has no version staged AWSCURRENT",
                    reference=ref.display,
                )
            assert ref.parameter_name is not None
            parameter = self._ssm.get_parameter(Name=ref.parameter_name, WithDecryption=False)
            return str(parameter["Parameter"]["Version"])
        except (ClientError, BotoCoreError) as exc:
            operation = "DescribeSecret" if ref.secret_arn else "GetParameter"
            raise self._unavailable(operation, exc, ref) from None

    def resolve(self, ref: SecretReference) -> str:
        """IAM: secretsmanager:GetSecretValue, or ssm:GetParameter with decryption."""
        try:
            if ref.secret_arn:
                value = self._secrets_manager_value(ref)
            else:
                assert ref.parameter_name is not None
                parameter = self._ssm.get_parameter(Name=ref.parameter_name, WithDecryption=True)
                value = parameter["Parameter"].get("Value", "")
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(
                "GetSecretValue" if ref.secret_arn else "GetParameter", exc, ref
            ) from None
        remember_secret(value)  # before anything else could log it
        if value.lstrip().startswith("{"):
            # A Secrets Manager key/value secret is a JSON object; sent whole, it would
            # break every worker's sign-in. Say so instead of guessing which key is meant.
            raise SecretUnavailableError(
                f"the client secret at {ref.display} is a JSON document: store the OIDC "
                "client secret itself, as plain text",
                reference=ref.display,
            )
        return check_secret_value(value, ref)

    def _secrets_manager_value(self, ref: SecretReference) -> str:
        assert ref.secret_arn is not None
        response = self._sm.get_secret_value(SecretId=ref.secret_arn)
        if "SecretString" in response:
            return response["SecretString"]
        try:
            return bytes(response.get("SecretBinary", b"")).decode("utf-8")
        except UnicodeDecodeError:
            raise SecretUnavailableError(
                f"the client secret at {ref.display} is binary data that is not UTF-8 text: "
                "store the OIDC client secret as a plain-text SecretString",
                reference=ref.display,
            ) from None

    @staticmethod
    def _unavailable(
        operation: str, exc: ClientError | BotoCoreError, ref: SecretReference
    ) -> TransientError | SecretUnavailableError:
        translated = translate(operation, exc)
        if isinstance(translated, TransientError):
            return translated
        return SecretUnavailableError(
            f"cannot read the client secret reference {ref.display}: {translated}",
            reference=ref.display,
        )
