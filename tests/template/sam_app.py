"""The SAM application as tests see it: template.yaml parsed, transformed offline into the
CloudFormation that would be created, the function's code zip, the sample events, and the
:class:`DeployedStack` record that the ``deployed_stack`` fixture (conftest.py) yields."""

from __future__ import annotations

import ast
import copy
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from stackset import translate

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
EVENTS_DIR = ROOT / "events"
PACKAGE_DIR = ROOT / "src" / "workforce_reconciler"

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account, the one events/*.json name
STACK_NAME = "workforce-reconciler"
ARTIFACT_BUCKET = f"workforce-reconciler-artifacts-{ACCOUNT_ID}"
ARTIFACT_KEY = "workforce-reconciler/reconcile-function.zip"
FUNCTION_ID = "ReconcileFunction"


def transform_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    """The SAM transform, offline: what CloudFormation would create from the packaged template.

    ``sam package`` replaces the local ``CodeUri`` with the uploaded artifact's S3 URI; so
    does this, with the artifact ``deployed_stack`` uploads to moto's S3.
    """
    packaged = copy.deepcopy(sam_template)
    function = packaged["Resources"][FUNCTION_ID]
    function["Properties"]["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{ARTIFACT_KEY}"
    return translate(packaged)


def code_zip() -> bytes:
    """A zip of the function's package, as the artifact's top level holds it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(PACKAGE_DIR.parent).as_posix())
    return buffer.getvalue()


def load_event(name: str) -> dict[str, Any]:
    """One of events/*.json (the samples ``sam local invoke -e`` uses)."""
    event: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return event


@dataclass(frozen=True)
class DeployedStack:
    """What the stack created on moto, by the names a person or the handler would use."""

    stack_name: str
    region: str
    account_id: str
    outputs: dict[str, str]
    parameters: dict[str, str]
    resources: dict[str, str]  # logical id -> physical id, for every resource moto created
    resource_types: dict[str, str]  # logical id -> resource type
    function_name: str
    function_arn: str
    topic_arn: str
    table_name: str
    dead_letter_queue_url: str
    parameter_name: str  # the desired-state SSM parameter (not created by the stack)
    environment: dict[str, str] = field(default_factory=dict)  # the function's env vars

    def handler_environment(self) -> dict[str, str]:
        """The function's variables plus what the Lambda runtime itself would set."""
        return {
            **self.environment,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
        }


FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@contextmanager
def deploy_stack(
    transformed_template: dict[str, Any], stack_parameters: dict[str, str]
) -> Iterator[DeployedStack]:
    """Create the stack on moto's CloudFormation and yield it while the mock is active.

    The caller sets fake credentials (``FAKE_ENVIRONMENT``) first.
    """
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key=ARTIFACT_KEY, Body=code_zip())

        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(transformed_template),
            Parameters=[
                {"ParameterKey": key, "ParameterValue": value}
                for key, value in stack_parameters.items()
            ],
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        summaries = cloudformation.list_stack_resources(StackName=STACK_NAME)[
            "StackResourceSummaries"
        ]
        # moto lists the resources it skipped (types it cannot create) with no logical id.
        created = [r for r in summaries if r["LogicalResourceId"]]
        resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in created}
        resource_types = {r["LogicalResourceId"]: r["ResourceType"] for r in created}

        function = boto3.client("lambda", region_name=REGION).get_function(
            FunctionName=outputs["FunctionName"]
        )["Configuration"]
        yield DeployedStack(
            stack_name=STACK_NAME,
            region=REGION,
            account_id=ACCOUNT_ID,
            outputs=outputs,
            parameters=parameters,
            resources=resources,
            resource_types=resource_types,
            function_name=function["FunctionName"],
            function_arn=function["FunctionArn"],
            topic_arn=outputs["TopicArn"],
            table_name=outputs["StateTableName"],
            dead_letter_queue_url=outputs["DeadLetterQueueUrl"],
            parameter_name=outputs["DesiredStateParameterName"],
            # Lambda holds every variable as a string; moto keeps a Number parameter's int.
            environment={
                name: str(value)
                for name, value in function.get("Environment", {}).get("Variables", {}).items()
            },
        )


def role_policy_documents(stack: DeployedStack) -> dict[str, dict[str, Any]]:
    """Every inline policy of the function's role, by name, as a JSON document."""
    iam = boto3.client("iam", region_name=stack.region)
    role_name = stack.resources["ReconcileFunctionRole"]
    documents: dict[str, dict[str, Any]] = {}
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            # moto stores a role's template-given policy as the Python repr of the dict
            # (boto3 gives AWS's answer as a dict); literal_eval reads that repr, nothing else.
            documents[name] = ast.literal_eval(document)
        else:
            # A plain dict: the stubs' document type has no Condition, the template's has.
            documents[name] = dict(document)
    return documents
