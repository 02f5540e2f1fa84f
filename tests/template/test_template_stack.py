"""The template deployed without AWS: transformed offline, created on moto's CloudFormation
with the default parameters, and checked through the APIs a person would use on the real
stack. Read-only checks: one stack (``shared_stack``) serves the whole module."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from moto.events.models import EventPattern

from template.sam_app import REGION, DeployedStack, load_event, role_policy_documents

if TYPE_CHECKING:
    from moto.events.utils import EventMessageType
    from mypy_boto3_events.type_defs import DescribeRuleResponseTypeDef

# Resource types moto's CloudFormation cannot create: it skips them with a warning.
# test_template_static.py checks them on the transformed template instead.
NOT_CREATED_BY_MOTO = {
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::Subscription",
}

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


def rules_by_id(stack: DeployedStack) -> dict[str, DescribeRuleResponseTypeDef]:
    events = boto3.client("events", region_name=REGION)
    return {
        logical_id: events.describe_rule(Name=stack.resources[logical_id])
        for logical_id in ("ReconcileFunctionSchedule", "ReconcileFunctionDesiredStateChange")
    }


def test_stack_creates_every_resource_moto_supports(
    shared_stack: DeployedStack, transformed_template: dict[str, Any]
) -> None:
    # Given the resources the transformed template declares, for the parameters deployed
    expected = {
        logical_id
        for logical_id, resource in transformed_template["Resources"].items()
        if resource["Type"] not in NOT_CREATED_BY_MOTO
        and resource.get("Condition") not in {"HasClientSecretArn", "HasClientSecretParameter"}
        and resource.get("Condition") != "HasClientSecretKey"
        and resource.get("Condition") != "HasNotificationTopicKey"  # a central topic's key
        and resource.get("Condition") != "Enforces"  # (deployed in detect mode)
    }

    # When listing what the stack created
    created = set(shared_stack.resources)

    # Then everything moto can create was created, and nothing else
    assert created == expected


def test_outputs_name_what_the_stack_created(shared_stack: DeployedStack) -> None:
    # Given the stack created on moto
    resources = shared_stack.resources

    # When reading its outputs
    outputs = shared_stack.outputs

    # Then each one names a resource of the stack (or the parameter it reads)
    assert outputs == {
        "TopicArn": resources["NotificationTopic"],
        "FunctionName": resources["ReconcileFunction"],
        "DesiredStateParameterName": "/workforce-reconciler/desired-state",
        "StateTableName": resources["StateTable"],
        "DeadLetterQueueUrl": resources["FailedEventsQueue"],
        "DashboardUrl": "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards:name={resources['Dashboard']}",
    }


def test_function_runs_the_handler_with_the_stacks_names(shared_stack: DeployedStack) -> None:
    # Given the function the stack created
    lambda_client = boto3.client("lambda", region_name=REGION)

    # When reading its configuration and concurrency
    config = lambda_client.get_function_configuration(FunctionName=shared_stack.function_name)
    concurrency = lambda_client.get_function_concurrency(FunctionName=shared_stack.function_name)

    # Then it runs the handler, never twice at once, against the stack's own resources
    # (moto ignores Architectures from templates: test_template_static.py checks arm64)
    assert config["Runtime"] == "python3.11"
    assert config["Handler"] == "workforce_reconciler.handler.lambda_handler"
    assert (config["Timeout"], config["MemorySize"]) == (900, 512)
    assert concurrency["ReservedConcurrentExecutions"] == 1
    assert shared_stack.environment == {
        "DESIRED_STATE_PARAMETER": "/workforce-reconciler/desired-state",
        "DESIRED_STATE_PARAMETER_PATH": "",
        "STATE_TABLE": shared_stack.table_name,
        "TOPIC_ARN": shared_stack.topic_arn,
        "MODE": "detect",
        "REMINDER_INTERVAL_MINUTES": "1440",
        "WAIT_TIMEOUT_SECONDS": "600",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "DOCUMENT_MAY_ALLOW_DISRUPTIVE_CHANGES": "false",
        "DOCUMENT_MAY_DELETE_UNLISTED_WORKTEAMS": "false",
        "DOCUMENT_MAY_RECREATE_WORKTEAMS": "false",
        "ALLOWED_OIDC_HOSTS": "",
        "ALLOWED_SOURCE_CIDRS": "",
        "FORBID_OPEN_ALLOW_LIST": "false",
    }


def _sagemaker_actions(stack: DeployedStack) -> set[str]:
    return {
        action
        for document in role_policy_documents(stack).values()
        for statement in document["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if action.startswith("sagemaker:")
    }


def test_in_detect_mode_the_deployed_role_may_change_nothing_in_sagemaker(
    shared_stack: DeployedStack,
) -> None:
    # Given the stack deployed in detect mode (the default)
    # When listing the SageMaker actions its function's role holds
    actions = _sagemaker_actions(shared_stack)

    # Then it may read (observe, plan) and nothing else
    assert actions
    assert {a.split(":", 1)[1] for a in actions} <= {
        "DescribeWorkforce",
        "ListWorkforces",
        "ListWorkteams",
        "ListTags",
        "DescribeWorkteam",
        "ListLabelingJobsForWorkteam",
        "DescribeLabelingJob",
    }


def test_schedule_rule_runs_the_function_every_15_minutes(shared_stack: DeployedStack) -> None:
    # Given the schedule rule the stack created
    events = boto3.client("events", region_name=REGION)
    rule = rules_by_id(shared_stack)["ReconcileFunctionSchedule"]

    # When reading its expression and targets
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]

    # Then it is enabled, every 15 minutes, and invokes the function
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    assert rule["State"] == "ENABLED"
    assert [t["Arn"] for t in targets] == [shared_stack.function_arn]


@pytest.mark.parametrize(
    ("event_file", "matches"),
    [
        ("ssm-create.json", True),
        ("ssm-update.json", True),
        ("ssm-delete.json", True),
        ("ssm-label.json", False),  # a label changes no value the function reads
        ("schedule.json", False),
    ],
)
def test_parameter_rule_routes_changes_of_the_desired_state_parameter(
    shared_stack: DeployedStack, event_file: str, matches: bool
) -> None:
    # Given the Parameter Store rule the stack created, and a sample event EventBridge delivers
    events = boto3.client("events", region_name=REGION)
    rule = rules_by_id(shared_stack)["ReconcileFunctionDesiredStateChange"]
    event = load_event(event_file)

    # When EventBridge's matching (moto's implementation) compares them
    matched = EventPattern.load(rule["EventPattern"]).matches_event(cast("EventMessageType", event))

    # Then create, update and delete of the parameter invoke the function, nothing else does
    assert matched is matches
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert [t["Arn"] for t in targets] == [shared_stack.function_arn]


def test_parameter_rule_ignores_other_parameters(shared_stack: DeployedStack) -> None:
    # Given an update of another parameter of the account
    rule = rules_by_id(shared_stack)["ReconcileFunctionDesiredStateChange"]
    event = load_event("ssm-update.json")
    event["detail"]["name"] = "/another-app/config"
    event["resources"] = ["arn:aws:ssm:us-east-1:123456789012:parameter/another-app/config"]

    # When EventBridge matches it against the rule
    matched = EventPattern.load(rule["EventPattern"]).matches_event(cast("EventMessageType", event))

    # Then the function is not invoked for it
    assert matched is False
    assert json.loads(rule["EventPattern"]) == {
        "source": ["aws.ssm"],
        "detail-type": ["Parameter Store Change"],
        "detail": {
            "name": ["/workforce-reconciler/desired-state"],
            "operation": ["Create", "Update", "Delete"],
        },
    }


def test_eventbridge_may_invoke_the_function_from_both_rules_only(
    shared_stack: DeployedStack,
) -> None:
    # Given the function's resource policy
    lambda_client = boto3.client("lambda", region_name=REGION)
    policy = json.loads(lambda_client.get_policy(FunctionName=shared_stack.function_name)["Policy"])

    # When listing who may invoke it, from where
    grants = {
        (
            statement["Principal"]["Service"],
            statement["Action"],
            statement["Condition"]["ArnLike"]["AWS:SourceArn"],
        )
        for statement in policy["Statement"]
    }

    # Then EventBridge may, for the two rules of the stack and no other source
    rules = rules_by_id(shared_stack)
    assert grants == {
        ("events.amazonaws.com", "lambda:InvokeFunction", rule["Arn"]) for rule in rules.values()
    }


def test_topic_is_encrypted_with_the_stacks_rotated_key(shared_stack: DeployedStack) -> None:
    # Given the topic and the key the stack created
    sns = boto3.client("sns", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    key_id = shared_stack.resources["NotificationKey"]

    # When reading the topic's attributes and the key's rotation
    attributes = sns.get_topic_attributes(TopicArn=shared_stack.topic_arn)["Attributes"]
    rotation = kms.get_key_rotation_status(KeyId=key_id)

    # Then SNS encrypts notifications with that customer-managed key, which rotates
    # (the key policy is checked on the transformed template: moto cannot describe a key
    # whose policy a template gave as an object)
    assert attributes["KmsMasterKeyId"] == key_id
    assert rotation["KeyRotationEnabled"] is True


def test_failed_events_queue_is_encrypted_and_keeps_messages_14_days(
    shared_stack: DeployedStack,
) -> None:
    # Given the queue named by the DeadLetterQueueUrl output
    sqs = boto3.client("sqs", region_name=REGION)

    # When reading its attributes
    attributes = sqs.get_queue_attributes(
        QueueUrl=shared_stack.dead_letter_queue_url, AttributeNames=["All"]
    )["Attributes"]

    # Then messages are encrypted at rest and kept for the maximum time
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert attributes["MessageRetentionPeriod"] == "1209600"


def test_state_table_has_the_keys_the_state_store_uses(shared_stack: DeployedStack) -> None:
    # Given the table named by the StateTableName output
    dynamodb = boto3.client("dynamodb", region_name=REGION)

    # When describing it
    table = dynamodb.describe_table(TableName=shared_stack.table_name)["Table"]

    # Then it is keyed by pk (partition) and sk (sort), both strings, billed on demand
    # (encryption and point-in-time recovery: test_template_static.py; moto ignores them)
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        ("pk", "S"),
        ("sk", "S"),
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_log_group_keeps_events_90_days(shared_stack: DeployedStack) -> None:
    # Given the function's log group
    logs = boto3.client("logs", region_name=REGION)
    name = shared_stack.resources["ReconcileFunctionLogGroup"]

    # When describing it
    [group] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]

    # Then its retention is the LogRetentionDays default
    assert group["retentionInDays"] == 90


def test_without_secret_parameters_the_role_reads_no_secret(shared_stack: DeployedStack) -> None:
    # Given the stack deployed with the default (empty) secret parameters
    # When listing every action of the role's inline policies
    actions = {
        action
        for document in role_policy_documents(shared_stack).values()
        for statement in document["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }

    # Then no Secrets Manager or Cognito action is granted
    assert {a for a in actions if a.startswith(("secretsmanager:", "cognito-idp:"))} == set()
