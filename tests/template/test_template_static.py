"""template.yaml as the linters and the SAM transform see it.

What moto's CloudFormation cannot create (alarms, the email subscription, the function's
event-invoke config) and what it ignores (architecture, tracing, logging config, point-in-time
recovery) is checked here, on the CloudFormation that the SAM transform produces: the exact
resources and properties CloudFormation would be asked to create.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from template.conditions import conditions_for
from template.sam_app import ROOT, TEMPLATE_PATH, load_event

SAM = Path(sys.executable).with_name("sam")


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def test_cfn_lint_finds_nothing() -> None:
    # Given the template as committed
    # When cfn-lint checks it (its Python API, the rules `make test` runs)
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=["us-east-1"]))

    # Then there is no error, warning or informational finding
    assert [str(m) for m in matches] == []


def test_sam_validate_lint_is_clean_offline(tmp_path: Path) -> None:
    # Given no AWS account: fake credentials, no metadata service, no telemetry
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SAM_CLI_TELEMETRY": "0",
        "HOME": str(tmp_path),  # keeps SAM CLI's own config out of the real home
    }

    # When the SAM CLI validates and lints the template
    result = subprocess.run(
        [str(SAM), "validate", "--lint", "--template-file", str(TEMPLATE_PATH)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then it calls it valid
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


def test_function_is_arm64_python_traced_and_logs_to_its_own_group(
    transformed_template: dict[str, Any],
) -> None:
    # Given the CloudFormation the SAM transform produces
    function = transformed_template["Resources"]["ReconcileFunction"]

    # When reading the function CloudFormation would create
    properties = function["Properties"]

    # Then it is the contract the handler is written for
    assert function["Type"] == "AWS::Lambda::Function"
    assert properties["Handler"] == "workforce_reconciler.handler.lambda_handler"
    assert properties["Runtime"] == "python3.11"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Timeout"] == 900
    assert properties["MemorySize"] == 512
    assert properties["ReservedConcurrentExecutions"] == 1
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": "ReconcileFunctionLogGroup"}}
    log_group = transformed_template["Resources"]["ReconcileFunctionLogGroup"]
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_wait_timeout_default_leaves_the_function_time_to_report(
    sam_template: dict[str, Any],
) -> None:
    # Given the bounded wait for an Active workforce, and the function timeout
    wait = sam_template["Parameters"]["WaitTimeoutSeconds"]
    timeout = sam_template["Resources"]["ReconcileFunction"]["Properties"]["Timeout"]

    # When comparing the default and the largest allowed wait with the timeout
    # Then a run always has time left to report after a full wait
    assert wait["Default"] == 600
    assert wait["MaxValue"] < timeout


def test_failed_async_invocations_retry_twice_then_land_in_the_queue(
    transformed_template: dict[str, Any],
) -> None:
    # Given the function's event-invoke config (moto cannot create this resource type)
    configs = resources_of_type(transformed_template, "AWS::Lambda::EventInvokeConfig")

    # When reading it
    [config] = configs.values()
    properties = config["Properties"]

    # Then retries are bounded and failures go to the encrypted queue the role may write to
    assert properties["FunctionName"] == {"Ref": "ReconcileFunction"}
    assert properties["MaximumRetryAttempts"] == 2
    assert properties["MaximumEventAgeInSeconds"] == 3600
    assert properties["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}}
    }
    queue = transformed_template["Resources"]["FailedEventsQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    role_policies = transformed_template["Resources"]["ReconcileFunctionRole"]["Properties"][
        "Policies"
    ]
    send = [
        statement
        for policy in role_policies
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Action"] == "sqs:SendMessage"
    ]
    assert [s["Resource"] for s in send] == [{"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}]


@pytest.mark.parametrize(
    ("alarm_id", "namespace", "metric", "dimension_value"),
    [
        ("FunctionErrorsAlarm", "AWS/Lambda", "Errors", {"Ref": "ReconcileFunction"}),
        (
            "FailedEventsAlarm",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"Fn::GetAtt": ["FailedEventsQueue", "QueueName"]},
        ),
    ],
)
def test_alarms_notify_the_topic(
    transformed_template: dict[str, Any],
    alarm_id: str,
    namespace: str,
    metric: str,
    dimension_value: dict[str, Any],
) -> None:
    # Given an alarm of the stack (moto cannot create CloudWatch alarms from a template)
    alarm = transformed_template["Resources"][alarm_id]

    # When reading what it watches and whom it tells
    properties = alarm["Properties"]

    # Then the first occurrence alarms, and both alarm and recovery reach the topic: the
    # stack's own, or the central one when it is in the alarm's Region (CloudWatch notifies
    # no other Region's topic; test_template_central_topic.py evaluates the condition)
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    assert (properties["Namespace"], properties["MetricName"]) == (namespace, metric)
    assert [d["Value"] for d in properties["Dimensions"]] == [dimension_value]
    assert properties["Threshold"] == 1
    assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    topic = {
        "Fn::If": ["CreatesTopic", {"Ref": "NotificationTopic"}, {"Ref": "NotificationTopicArn"}]
    }
    actions = {"Fn::If": ["AlarmsReachTheTopic", [topic], {"Ref": "AWS::NoValue"}]}
    assert properties["AlarmActions"] == actions
    assert properties["OKActions"] == actions


def test_topic_key_lets_cloudwatch_alarms_publish(transformed_template: dict[str, Any]) -> None:
    # Given the topic and its key
    resources = transformed_template["Resources"]
    topic = resources["NotificationTopic"]["Properties"]
    key = resources["NotificationKey"]["Properties"]

    # When reading the key policy statements for services
    service_statements = [
        s for s in key["KeyPolicy"]["Statement"] if "Service" in s.get("Principal", {})
    ]

    # Then the topic uses the customer-managed key (alarms cannot use aws/sns), and
    # CloudWatch is the one service that may generate data keys with it
    assert topic["KmsMasterKeyId"] == {"Ref": "NotificationKey"}
    assert key["EnableKeyRotation"] is True
    [cloudwatch] = service_statements
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(cloudwatch["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}


def test_email_subscription_exists_only_with_an_address(
    transformed_template: dict[str, Any], aws_credentials: None
) -> None:
    # Given the template's conditions and the subscription resource
    resources = transformed_template["Resources"]
    subscription = resources["NotificationEmailSubscription"]

    # When evaluating its condition (moto cannot create subscriptions from a template)
    def subscribed(**parameters: str) -> bool:
        holding = conditions_for(transformed_template, parameters, "us-east-1")
        return subscription["Condition"] in holding

    # Then an email subscription to the stack's topic exists iff NotificationEmail is not
    # empty (with a central topic the template's rules refuse an address: no own topic)
    assert subscribed(NotificationEmail="ops@example.com")
    assert not subscribed()
    assert not subscribed(
        NotificationEmail="ops@example.com",
        NotificationTopicArn="arn:aws:sns:us-east-1:999988887777:workforce-fleet",
    )
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "NotificationTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "NotificationEmail"},
    }


def test_state_table_has_point_in_time_recovery_and_encryption(
    transformed_template: dict[str, Any],
) -> None:
    # Given the state table (moto ignores point-in-time recovery in templates)
    table = transformed_template["Resources"]["StateTable"]

    # When reading its properties
    properties = table["Properties"]

    # Then it is on-demand, recoverable, encrypted, and deleted with the stack (a cache)
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_desired_state_parameter_is_not_created_by_the_stack(
    transformed_template: dict[str, Any],
) -> None:
    # Given every resource the stack would create
    types = {resource["Type"] for resource in transformed_template["Resources"].values()}

    # When looking for SSM parameters
    # Then there is none: the user owns the desired-state document
    assert "AWS::SSM::Parameter" not in types
    assert transformed_template["Parameters"]["DesiredStateParameterName"]["Default"] == (
        "/workforce-reconciler/desired-state"
    )


ENVELOPE = {"version", "id", "detail-type", "source", "account", "time", "region", "resources"}


@pytest.mark.parametrize(
    ("event_file", "operation"),
    [
        ("ssm-create.json", "Create"),
        ("ssm-update.json", "Update"),
        ("ssm-delete.json", "Delete"),
        ("ssm-label.json", "LabelParameterVersion"),
    ],
)
def test_parameter_store_samples_have_the_shape_eventbridge_delivers(
    event_file: str, operation: str
) -> None:
    # Given a Parameter Store Change sample of events/
    # When reading it
    event = load_event(event_file)

    # Then it is EventBridge's envelope around SSM's detail, for the default parameter
    assert set(event) == ENVELOPE | {"detail"}
    assert (event["source"], event["detail-type"]) == ("aws.ssm", "Parameter Store Change")
    assert (event["account"], event["region"]) == ("123456789012", "us-east-1")
    assert event["resources"] == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/workforce-reconciler/desired-state"
    ]
    assert set(event["detail"]) == {"operation", "name", "type", "description"}
    assert event["detail"]["operation"] == operation
    assert event["detail"]["name"] == "/workforce-reconciler/desired-state"


def test_schedule_sample_has_the_shape_eventbridge_delivers() -> None:
    # Given the scheduled-event sample
    # When reading it
    event = load_event("schedule.json")

    # Then it is a Scheduled Event from aws.events naming its rule, with an empty detail
    assert set(event) == ENVELOPE | {"detail"}
    assert (event["source"], event["detail-type"]) == ("aws.events", "Scheduled Event")
    assert event["detail"] == {}
    [rule] = event["resources"]
    assert rule.startswith("arn:aws:events:us-east-1:123456789012:rule/")


def test_samconfig_deploys_in_detect_mode_with_an_iam_capability() -> None:
    # Given samconfig.toml, which `sam deploy` reads
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())

    # When reading the default environment's deploy settings
    deploy = config["default"]["deploy"]["parameters"]

    # Then a first deployment starts in detect mode, may create the role, needs no bucket
    assert deploy["parameter_overrides"] == 'Mode="detect"'
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True
    assert config["default"]["global"]["parameters"]["stack_name"] == "workforce-reconciler"
    assert config["default"]["validate"]["parameters"]["lint"] is True
