"""SSM Parameter Store as ``push`` uses it (``publish.py``): read what is there, write parts.

Used by the CLI only, with the credentials of whoever publishes (a CI pipeline's role):
the Lambda function never writes the document. Hence ``PUBLISH_IAM_ACTIONS``, not
``IAM_ACTIONS``: the function's role is checked against the latter, and must not get
these (docs/deploy.md lists them for the pipeline's role).

Values are read without decryption (the document holds no secret; a SecureString is
refused by ``publish`` rather than decrypted), through botocore's paginators. The tier of
each parameter comes from DescribeParameters: GetParameter* do not return it, and an
Advanced parameter cannot be written back as Standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import error_code, translate
from workforce_reconciler.ports import StoredParameter

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_ssm.literals import ParameterTierType
    from mypy_boto3_ssm.type_defs import ParameterStringFilterTypeDef

PUBLISH_IAM_ACTIONS = (
    "ssm:GetParameter",  # push --parameter: the value there now
    "ssm:GetParametersByPath",  # push --parameter-path: the values there now
    "ssm:DescribeParameters",  # the tier of each (resource "*": it has no resource type)
    "ssm:PutParameter",  # a part that changed
    "ssm:DeleteParameter",  # a team parameter the document no longer lists
)


# What a person sees beside each parameter push writes (and SSM's change events carry).
DESCRIPTION = "Desired state of the SageMaker private workforce (workforce-reconciler push)"


class SsmParameters:
    def __init__(self, ssm: SSMClient) -> None:
        self._ssm = ssm

    def stored(self, name: str) -> dict[str, StoredParameter]:
        try:
            parameter = self._ssm.get_parameter(Name=name, WithDecryption=False)["Parameter"]
        except ClientError as exc:
            if error_code(exc) == "ParameterNotFound":
                return {}
            raise translate("GetParameter", exc) from None
        except BotoCoreError as exc:
            raise translate("GetParameter", exc) from None
        tiers = self._tiers({"Key": "Name", "Option": "Equals", "Values": [name]})
        value, kind = parameter.get("Value", ""), parameter.get("Type", "String")
        return {name: StoredParameter(value, kind, tiers.get(name))}

    def stored_under(self, path: str) -> dict[str, StoredParameter]:
        found: dict[str, tuple[str, str]] = {}
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(
            Path=path, Recursive=True, WithDecryption=False
        )
        try:
            for page in pages:
                for parameter in page.get("Parameters", []):
                    found[parameter["Name"]] = (parameter["Value"], parameter["Type"])
        except (ClientError, BotoCoreError) as exc:
            raise translate("GetParametersByPath", exc) from None
        if not found:
            return {}
        tiers = self._tiers({"Key": "Path", "Option": "Recursive", "Values": [path]})
        return {
            name: StoredParameter(value, kind, tiers.get(name))
            for name, (value, kind) in found.items()
        }

    def _tiers(self, selector: ParameterStringFilterTypeDef) -> dict[str, str]:
        pages = self._ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[selector],
            PaginationConfig={"PageSize": 50},  # its largest page (moto serves 10 anyway)
        )
        try:
            return {
                meta["Name"]: meta.get("Tier", "Standard")
                for page in pages
                for meta in page.get("Parameters", [])
            }
        except (ClientError, BotoCoreError) as exc:
            raise translate("DescribeParameters", exc) from None

    def put(self, name: str, value: str, tier: str) -> None:
        try:
            self._ssm.put_parameter(
                Name=name,
                Description=DESCRIPTION,
                Value=value,
                Type="String",
                Tier=cast("ParameterTierType", tier),
                Overwrite=True,
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate(f"PutParameter {name}", exc) from None

    def delete(self, name: str) -> None:
        try:
            self._ssm.delete_parameter(Name=name)
        except ClientError as exc:
            if error_code(exc) != "ParameterNotFound":
                raise translate(f"DeleteParameter {name}", exc) from None
        except BotoCoreError as exc:
            raise translate(f"DeleteParameter {name}", exc) from None
