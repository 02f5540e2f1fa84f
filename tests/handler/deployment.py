"""The Lambda handler's world: moto SSM, SNS -> SQS, DynamoDB, Secrets Manager + the emulator.

``Deployment`` is what the ``deployment`` fixture (conftest.py) yields; the sample events
and the constants are imported by the tests from here (``handler.deployment``).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from workforce_reconciler import handler
from workforce_reconciler.adapters.state_store import create_state_table

ROOT = Path(__file__).resolve().parents[2]
PARAMETER = "/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
SECRET_VALUE = "handler-secret-that-must-never-leak"


@contextmanager
def captured_logs() -> Iterator[list[dict[str, Any]]]:
    """The service's log lines (JSON, as CloudWatch gets them) while the block runs, parsed."""
    from workforce_reconciler.observability import logger

    stream = io.StringIO()
    captured = logging.StreamHandler(stream)
    captured.setFormatter(logger.registered_formatter)
    logger.addHandler(captured)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        # Powertools' Logger has addHandler but hands removeHandler to its logging.Logger
        # through a __getattr__ it hides from type checkers (powertools issue 1660).
        logger.removeHandler(captured)  # type: ignore[attr-defined]
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


Metric = tuple[str, str, frozenset[tuple[str, str]]]
"""(namespace, metric name, dimensions): a metric as CloudWatch files it."""


def emitted_metrics(printed: str) -> dict[Metric, float]:
    """The metrics in the Embedded Metric Format lines Powertools prints, with their values
    (as CloudWatch Logs extracts them from the function's log)."""
    found: dict[Metric, float] = {}
    for line in printed.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for dimension_set in directive["Dimensions"]:
                dimensions = frozenset((name, blob[name]) for name in dimension_set)
                for metric in directive["Metrics"]:
                    values = blob[metric["Name"]]
                    value = sum(values) if isinstance(values, list) else values
                    found[(directive["Namespace"], metric["Name"], dimensions)] = value
    return found


def event(name: str) -> dict[str, Any]:
    """A sample event from events/, exactly as EventBridge delivers it."""
    loaded: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text())
    return loaded


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    return loaded


@dataclass
class LambdaContext:
    function_name: str = "workforce-reconciler-ReconcileFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:workforce-reconciler-ReconcileFunction"
    )
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"
    remaining_ms: int = 900_000  # the function's timeout, as at the start of an invocation

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


class Deployment:
    """What the stack would create, in moto, and a subscriber's queue on the topic."""

    def __init__(self) -> None:
        self.ssm = boto3.client("ssm")
        self.sns = boto3.client("sns")
        self.sqs = boto3.client("sqs")
        self.sagemaker = boto3.client("sagemaker")
        self.secretsmanager = boto3.client("secretsmanager")
        self.dynamodb = boto3.client("dynamodb")
        create_state_table(self.dynamodb, TABLE)
        self.topic_arn = self.sns.create_topic(Name="workforce-reconciler")["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName="subscriber")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)
        self.secret_arn = self.secretsmanager.create_secret(
            Name="workforce/oidc-client-secret", SecretString=SECRET_VALUE
        )["ARN"]

    def environment(self, mode: str = "enforce") -> dict[str, str]:
        return {
            "DESIRED_STATE_PARAMETER": PARAMETER,
            "STATE_TABLE": TABLE,
            "TOPIC_ARN": self.topic_arn,
            "MODE": mode,
            "REMINDER_INTERVAL_MINUTES": "1440",
            "WAIT_TIMEOUT_SECONDS": "30",
            "WAIT_POLL_SECONDS": "0.01",
        }

    def oidc_document(self, **policy: Any) -> dict[str, Any]:
        doc = example("oidc")
        doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = self.secret_arn
        doc["Policy"].update(policy)
        return doc

    def put_document(self, document: dict[str, Any] | str) -> None:
        text = document if isinstance(document, str) else json.dumps(document)
        self.ssm.put_parameter(Name=PARAMETER, Value=text, Type="String", Overwrite=True)

    def messages(self) -> list[dict[str, Any]]:
        """Every notification the subscriber received since the last call (SNS envelope)."""
        received: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                received.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    @staticmethod
    def event_types(messages: list[dict[str, Any]]) -> list[str]:
        return [m["MessageAttributes"]["event_type"]["Value"] for m in messages]

    def emails(self) -> list[tuple[str, str]]:
        """(subject, body) of every message an email subscriber got, in order. moto delivers
        no email: this is what the topic was given to deliver to the "email" protocol."""
        topic = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].topics[self.topic_arn]
        return [
            (subject or "", json.loads(message)["email"])
            for _, message, subject, _, _ in topic.sent_notifications
        ]

    @staticmethod
    def invoke(name: str) -> dict[str, Any]:
        """The function invoked with the sample event ``events/<name>.json``."""
        result: dict[str, Any] = handler.lambda_handler(event(name), LambdaContext())
        return result


@contextmanager
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """A deployment (moto + the emulator must be active) and the function's environment."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore's retries, without long backoff
    deployment = Deployment()
    for name, value in deployment.environment().items():
        monkeypatch.setenv(name, value)
    handler.reset()
    try:
        yield deployment
    finally:
        handler.reset()
