"""A deployed stack, as ``workforce-reconciler status --stack NAME`` finds its state.

The stack's outputs name the state table (``StateTableName``) and the desired-state
parameter (``DesiredStateParameterName``) the function uses; one DescribeStacks reads
both. Only the CLI calls this, with the person's own credentials: the function's role is
not granted it, so it is listed apart from the adapters' ``IAM_ACTIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.errors import AwsError, ReconcilerError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

# What a person running `status --stack` needs (besides dynamodb:Query on the table).
CLI_IAM_ACTIONS = ("cloudformation:DescribeStacks",)

TABLE_OUTPUT = "StateTableName"
PARAMETER_OUTPUT = "DesiredStateParameterName"


@dataclass(frozen=True)
class Deployment:
    stack: str
    table: str
    parameter: str


def find_deployment(client: CloudFormationClient, stack: str) -> Deployment:
    """The state table and parameter of ``stack``. IAM: cloudformation:DescribeStacks."""
    try:
        found = client.describe_stacks(StackName=stack)["Stacks"]
    except (ClientError, BotoCoreError) as exc:
        translated = translate("DescribeStacks", exc)
        # CloudFormation answers ValidationError "Stack with id X does not exist".
        if isinstance(translated, AwsError) and "does not exist" in translated.message:
            region = client.meta.region_name
            raise ReconcilerError(f"no stack named {stack!r} in {region}") from None
        raise translated from None
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in found[0].get("Outputs", [])}
    missing = [name for name in (TABLE_OUTPUT, PARAMETER_OUTPUT) if not outputs.get(name)]
    if missing:
        raise ReconcilerError(
            f"stack {stack!r} has no output {' or '.join(missing)}: is it a "
            "workforce-reconciler stack (template.yaml)?"
        )
    return Deployment(stack, outputs[TABLE_OUTPUT], outputs[PARAMETER_OUTPUT])
