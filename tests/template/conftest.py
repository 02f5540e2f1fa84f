"""Fixtures for the SAM application: the template as written, as CloudFormation sees it
after the SAM transform, and as a stack created on moto's CloudFormation.

``deployed_stack`` is the one other tests use: it yields a :class:`sam_app.DeployedStack`
while ``moto.mock_aws()`` is active, so a test can run the real handler against the
function's environment, the topic, the table and the queue that the stack created.
Override ``stack_parameters`` (a fixture of the same name in the test module) to deploy
the template with other parameter values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sam_app import (
    ACCOUNT_ID,
    ARTIFACT_BUCKET,
    ARTIFACT_KEY,
    REGION,
    STACK_NAME,
    DeployedStack,
    code_zip,
    load_sam_template,
    transform_template,
)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed Region: nothing here may ever reach AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    return load_sam_template()


@pytest.fixture(scope="session")
def transformed_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    return transform_template(sam_template)


@pytest.fixture
def stack_parameters() -> dict[str, str]:
    """Template parameters for ``deployed_stack``; override this fixture to deploy others."""
    return {"NotificationEmail": "workforce-ops@example.com"}


@pytest.fixture
def deployed_stack(
    aws_credentials: None,
    transformed_template: dict[str, Any],
    stack_parameters: dict[str, str],
) -> Iterator[DeployedStack]:
    """The application's stack created on moto's CloudFormation; the mock stays active."""
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
        resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}
        resource_types = {r["LogicalResourceId"]: r["ResourceType"] for r in summaries}

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
