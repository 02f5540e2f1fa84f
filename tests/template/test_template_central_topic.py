"""NotificationTopicArn: a stack of a fleet publishes to one existing topic (another account,
possibly another Region, possibly KMS-encrypted) and creates no topic of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from engine.accounts import CentralTopic, attributes
from template.conditions import conditions_for
from template.sam_app import DeployedStack, load_event, role_policy_documents
from workforce_reconciler import handler

OPERATIONS_ACCOUNT = "999988887777"
CENTRAL_TOPIC = f"arn:aws:sns:us-east-1:{OPERATIONS_ACCOUNT}:workforce-fleet"
CENTRAL_KEY = f"arn:aws:kms:us-east-1:{OPERATIONS_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


def statements(stack: DeployedStack) -> list[dict[str, Any]]:
    return [s for d in role_policy_documents(stack).values() for s in d["Statement"]]


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


class TestWithAnEncryptedCentralTopic:
    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {
            "Mode": "enforce",
            "NotificationTopicArn": CENTRAL_TOPIC,
            "NotificationTopicKeyArn": CENTRAL_KEY,
        }

    def test_the_stack_creates_no_topic_or_key_of_its_own(
        self, deployed_stack: DeployedStack
    ) -> None:
        # Given the stack deployed with a central topic
        # When listing what it created, its outputs and the function's variables
        created = set(deployed_stack.resource_types.values())

        # Then there is no topic, key or alias; the function and the output name the central topic
        assert {"AWS::SNS::Topic", "AWS::KMS::Key", "AWS::KMS::Alias"} & created == set()
        assert deployed_stack.outputs["TopicArn"] == CENTRAL_TOPIC
        assert deployed_stack.environment["TOPIC_ARN"] == CENTRAL_TOPIC
        assert boto3.client("sns", region_name="us-east-1").list_topics()["Topics"] == []

    def test_the_role_publishes_to_that_topic_with_that_key_only(
        self, deployed_stack: DeployedStack
    ) -> None:
        # Given the function's role
        # When reading what it may publish to, and which keys it may use for it
        publish = [
            s["Resource"] for s in statements(deployed_stack) if s["Action"] == "sns:Publish"
        ]
        data_keys = [
            s["Resource"]
            for s in statements(deployed_stack)
            if "kms:GenerateDataKey" in actions_of(s)
        ]

        # Then it is the central topic and its key, nothing else
        assert publish == [CENTRAL_TOPIC]
        assert data_keys == [CENTRAL_KEY]


class TestWithAnUnencryptedCentralTopic:
    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {"NotificationTopicArn": CENTRAL_TOPIC}

    def test_the_role_uses_no_key(self, deployed_stack: DeployedStack) -> None:
        # Given the stack deployed with a central topic and no key
        # When looking for KMS grants
        kms = [a for s in statements(deployed_stack) for a in actions_of(s) if a.startswith("kms:")]

        # Then there is none (the secret grants need their own parameters)
        assert kms == []


class TestTheRealHandlerOnAStackOfAFleet:
    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {"Mode": "enforce", "NotificationTopicArn": CENTRAL_TOPIC}

    @pytest.fixture
    def central(self, aws: None, deployed_stack: DeployedStack) -> CentralTopic:
        """The central topic, in the operations account, and a queue subscribed to it."""
        topic = CentralTopic(OPERATIONS_ACCOUNT, "us-east-1")
        assert topic.arn == CENTRAL_TOPIC
        return topic

    @pytest.fixture
    def running(
        self, deployed_stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[DeployedStack]:
        for name, value in deployed_stack.handler_environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        monkeypatch.setenv("WAIT_POLL_SECONDS", "0.01")
        handler.reset()
        yield deployed_stack
        handler.reset()

    def test_a_run_is_told_on_the_central_topic_with_account_and_region(
        self, central: CentralTopic, running: DeployedStack
    ) -> None:
        # Given no desired-state document yet in the stack's account
        context = ContextOf(running)

        # When the schedule runs the function the stack created
        handler.lambda_handler(load_event("schedule.json"), context)

        # Then the operations account's queue hears about it, with where it happened
        [message] = central.messages()
        found = attributes(message)
        assert (found["event_type"], found["account"], found["region"]) == (
            "DocumentMissing",
            running.account_id,
            "us-east-1",
        )


class ContextOf:
    """The Lambda context of the stack's function, as the runtime gives it."""

    def __init__(self, stack: DeployedStack) -> None:
        self.function_name = stack.function_name
        self.invoked_function_arn = stack.function_arn
        self.memory_limit_in_mb = 512
        self.aws_request_id = "0f9a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a6b"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@pytest.mark.parametrize(
    ("parameters", "region", "alarms_notify"),
    [
        pytest.param({}, "eu-west-1", True, id="own-topic"),
        pytest.param({"NotificationTopicArn": CENTRAL_TOPIC}, "us-east-1", True, id="same-region"),
        pytest.param(
            {"NotificationTopicArn": CENTRAL_TOPIC}, "eu-west-1", False, id="other-region"
        ),
    ],
)
def test_alarms_notify_a_central_topic_only_in_their_own_region(
    transformed_template: dict[str, Any],
    aws_credentials: None,
    parameters: dict[str, str],
    region: str,
    alarms_notify: bool,
) -> None:
    # Given the stack's parameters and the Region it is deployed in
    # When CloudFormation evaluates the alarms' condition (moto cannot create alarms)
    holding = conditions_for(transformed_template, parameters, region)

    # Then the alarms have actions only where CloudWatch can notify the topic (its Region)
    assert ("AlarmsReachTheTopic" in holding) is alarms_notify


def test_half_configurations_are_refused_before_anything_is_created(
    sam_template: dict[str, Any],
) -> None:
    # Given the template's rules (CloudFormation checks them before it creates anything;
    # moto does not evaluate rules, so they are read here)
    rules = sam_template["Rules"]

    # When reading when each applies and what it asserts
    email = rules["NotificationEmailNeedsTheStacksOwnTopic"]
    key = rules["NotificationTopicKeyNeedsATopic"]

    # Then an email address with a central topic is refused, and so is a key without a topic
    assert email["RuleCondition"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "NotificationTopicArn"}, ""]}]
    }
    assert [a["Assert"] for a in email["Assertions"]] == [
        {"Fn::Equals": [{"Ref": "NotificationEmail"}, ""]}
    ]
    assert key["RuleCondition"] == {"Fn::Equals": [{"Ref": "NotificationTopicArn"}, ""]}
    assert [a["Assert"] for a in key["Assertions"]] == [
        {"Fn::Equals": [{"Ref": "NotificationTopicKeyArn"}, ""]}
    ]
