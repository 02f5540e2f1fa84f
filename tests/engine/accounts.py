"""Other AWS accounts on moto: moto's STS AssumeRole answers with credentials that moto maps
to the account of the role's ARN (the role need not exist), so each session below acts in
its own account, with its own resources and its own emulated SageMaker workforce."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.session

from workforce_reconciler.aws import data_loader


def role_arn(account: str, name: str = "workforce-reconciler-tests") -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def session_in(account: str, region: str, endpoint_url: str | None = None) -> boto3.session.Session:
    """A session whose calls act in ``account`` (under ``mock_aws``, or the emulator server
    at ``endpoint_url``: give its clients the same endpoint)."""
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url)
    credentials = sts.assume_role(
        RoleArn=role_arn(account), RoleSessionName="workforce-reconciler-tests"
    )["Credentials"]
    # The product's one botocore loader: each service model is parsed once per process,
    # not once per session (a test makes sessions for many accounts and Regions).
    core = botocore.session.Session()
    core.register_component("data_loader", data_loader(None))
    core.set_credentials(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
    return boto3.session.Session(botocore_session=core, region_name=region)


class CentralTopic:
    """A fleet's operations topic in ``account`` and ``region``, and a queue subscribed to it
    (SNS's envelope: the JSON form in ``Message``, the attributes in ``MessageAttributes``)."""

    def __init__(self, account: str, region: str, name: str = "workforce-fleet") -> None:
        session = session_in(account, region)
        self.sqs = session.client("sqs")
        self.sns = session.client("sns")
        self.arn = self.sns.create_topic(Name=name)["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName=f"{name}-subscriber")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.arn, Protocol="sqs", Endpoint=queue_arn)

    def messages(self) -> list[dict[str, Any]]:
        """Every message the subscriber received since the last call."""
        received: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not batch.get("Messages"):
                return received
            for message in batch["Messages"]:
                received.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


def attributes(message: dict[str, Any]) -> dict[str, str]:
    """A notification's message attributes, by name."""
    return {name: value["Value"] for name, value in message["MessageAttributes"].items()}
