"""The real handler run against what the stack created on moto: the function's own
environment variables, the stack's topic, table and secret grant, the workforce emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from engine.world import large_document
from template.sam_app import REGION, ROOT, DeployedStack, load_event
from workforce_reconciler import handler
from workforce_reconciler.adapters.parameters import SsmParameters
from workforce_reconciler.publish import Target, parts_for, plan_publication, publish, read_stored

SECRET_PARAMETER = "/workforce-reconciler/oidc-client-secret"
SECRET_VALUE = "stack-test-client-secret-never-shown"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = "0f9a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a6b"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@pytest.fixture
def stack_parameters() -> dict[str, str]:
    return {"Mode": "enforce", "ClientSecretParameterName": SECRET_PARAMETER}


@pytest.fixture
def running_stack(
    aws: None, deployed_stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeployedStack]:
    """The stack, with the function's environment set as Lambda would set it."""
    for name, value in deployed_stack.handler_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon here
    monkeypatch.setenv("WAIT_POLL_SECONDS", "0.01")  # the emulator is Active at once
    handler.reset()
    yield deployed_stack
    handler.reset()


def subscribe_probe(stack: DeployedStack) -> str:
    """Subscribe a queue to the stack's topic, as any subscriber would; return its URL."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="notification-probe")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=stack.topic_arn, Protocol="sqs", Endpoint=arn
    )
    return url


def received(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_parameter_change_on_the_deployed_stack_creates_the_workforce_and_notifies(
    running_stack: DeployedStack,
) -> None:
    # Given the stack, a subscriber on its topic, the client secret in the SecureString the
    # stack was told about, and the OIDC example put in the parameter the stack reads
    probe = subscribe_probe(running_stack)
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=SECRET_PARAMETER, Value=SECRET_VALUE, Type="SecureString")
    document = json.loads((ROOT / "examples" / "oidc.json").read_text())
    oidc = document["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"]
    oidc["ClientSecretParameter"] = SECRET_PARAMETER
    ssm.put_parameter(Name=running_stack.parameter_name, Value=json.dumps(document), Type="String")
    context = LambdaContext(running_stack.function_name, running_stack.function_arn)

    # When EventBridge delivers the Parameter Store Change event to the function
    result = handler.lambda_handler(load_event("ssm-create.json"), context)

    # Then the workforce and its teams exist, the subscriber heard once, the stack's table
    # holds the applied secret version, and the secret appears nowhere
    assert result["Status"] == "Corrected"
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    workforce = sagemaker.describe_workforce(WorkforceName="labeling-oidc")["Workforce"]
    assert workforce["OidcConfig"]["ClientId"] == "0oa8x2kq1bTz7wHnS5d7"
    teams = sorted(t["WorkteamName"] for t in sagemaker.list_workteams()["Workteams"])
    assert teams == ["image-labelers", "text-reviewers"]
    messages = received(probe)
    assert [m["MessageAttributes"]["event_type"]["Value"] for m in messages] == ["DriftCorrected"]
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=running_stack.table_name)
    assert items["Count"] >= 1
    assert SECRET_VALUE not in json.dumps(messages) + json.dumps(items["Items"])


class TestTheDocumentInParts:
    """The stack deployed with DesiredStateParameterPath, its document pushed in parts."""

    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {
            "Mode": "enforce",
            "ClientSecretParameterName": SECRET_PARAMETER,
            "DesiredStateParameterPath": "/workforce-reconciler/document",
        }

    def test_a_part_change_on_the_deployed_stack_applies_the_whole_document(
        self, running_stack: DeployedStack
    ) -> None:
        # Given a 25-team, 10-group document (over 10 KB) pushed to the stack's path
        probe = subscribe_probe(running_stack)
        ssm = boto3.client("ssm", region_name=REGION)
        ssm.put_parameter(Name=SECRET_PARAMETER, Value=SECRET_VALUE, Type="SecureString")
        document = large_document("unused")
        oidc = document["Workforce"]["OidcConfig"]
        del oidc["ClientSecretArn"]
        oidc["ClientSecretParameter"] = SECRET_PARAMETER
        target = Target(path=running_stack.outputs["DesiredStateParameterPath"])
        store = SsmParameters(ssm)
        texts = parts_for(document, target)
        publish(store, plan_publication(texts, read_stored(store, target), target))
        context = LambdaContext(running_stack.function_name, running_stack.function_arn)

        # When EventBridge delivers the change event of one part
        result = handler.lambda_handler(load_event("ssm-update-part.json"), context)

        # Then the workforce and its 25 teams exist, and the subscriber heard once
        assert result["Status"] == "Corrected"
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        assert len(sagemaker.list_workteams(MaxResults=100)["Workteams"]) == 25
        messages = received(probe)
        assert [m["MessageAttributes"]["event_type"]["Value"] for m in messages] == [
            "DriftCorrected"
        ]
        assert SECRET_VALUE not in json.dumps(messages)
