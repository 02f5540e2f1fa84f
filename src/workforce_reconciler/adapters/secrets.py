"""The OIDC client secret: its current version (cheap, no value) and, for apply only, its value.

Versions come from metadata calls that never return the value (Secrets Manager
DescribeSecret, SSM GetParameter without decryption), so planning never touches
the secret. Values are read through Powertools' parameter providers, uncached
(``max_age=0``): a rotated secret must be picked up by the very next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.sagemaker import translate
from workforce_reconciler.errors import SecretUnavailableError, TransientError
from workforce_reconciler.ports import SecretReference

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


class AwsSecretResolver:
    def __init__(self, secretsmanager: SecretsManagerClient, ssm: SSMClient) -> None:
        self._sm = secretsmanager
        self._ssm = ssm

    def current_version(self, ref: SecretReference) -> str:
        try:
            if ref.secret_arn:
                described = self._sm.describe_secret(SecretId=ref.secret_arn)
                for version_id, stages in described.get("VersionIdsToStages", {}).items():
                    if "AWSCURRENT" in stages:
                        return version_id
                raise SecretUnavailableError(
                    f"secret {ref.display} has no version staged AWSCURRENT"
                )
            assert ref.parameter_name is not None
            parameter = self._ssm.get_parameter(Name=ref.parameter_name, WithDecryption=False)
            return str(parameter["Parameter"]["Version"])
        except (ClientError, BotoCoreError) as exc:
            operation = "DescribeSecret" if ref.secret_arn else "GetParameter"
            translated = translate(operation, exc)
            if isinstance(translated, TransientError):
                raise translated from None
            raise SecretUnavailableError(
                f"cannot read the client secret reference {ref.display}: {translated}"
            ) from None

    def resolve(self, ref: SecretReference) -> str:
        try:
            if ref.secret_arn:
                value = SecretsProvider(boto3_client=self._sm).get(ref.secret_arn, max_age=0)
            else:
                assert ref.parameter_name is not None
                value = SSMProvider(boto3_client=self._ssm).get(
                    ref.parameter_name, max_age=0, decrypt=True
                )
        except GetParameterError as exc:
            # Powertools wraps the ClientError; its text names the call, never the value.
            raise SecretUnavailableError(
                f"cannot read the client secret from {ref.display}: {exc}"
            ) from None
        if isinstance(value, bytes):
            value = value.decode()
        if not isinstance(value, str) or not value:
            raise SecretUnavailableError(f"the client secret at {ref.display} is empty")
        if value.lstrip().startswith("{"):
            # A Secrets Manager key/value secret is a JSON object; sent whole, it would
            # break every worker's sign-in. Say so instead of guessing which key is meant.
            raise SecretUnavailableError(
                f"the client secret at {ref.display} is a JSON document: store the OIDC "
                "client secret itself, as plain text"
            )
        return value
