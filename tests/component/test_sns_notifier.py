"""The notifier against moto: what an SQS subscriber of the topic receives, run after run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import boto3
import moto
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from workforce_reconciler.adapters.sns import SnsNotifier
from workforce_reconciler.adapters.state_store import (
    DynamoDBStateStore,
    InMemoryStateStore,
    create_state_table,
)
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    FieldChange,
    Mode,
    Operation,
    Outcome,
    Plan,
    Report,
    ResourceType,
)

REGION = "us-east-1"
SCOPE = "us-east-1:/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

SCOPE_CHANGE = Action(
    Operation=Operation.UPDATE_WORKFORCE,
    ResourceType=ResourceType.WORKFORCE,
    ResourceName="default",
    Classification=Classification.CORRECTABLE,
    Changes=(FieldChange(Field="OidcConfig.Scope", Before="openid", After="openid email"),),
    Reason="differs from the document",
)
DELETE_OLD = Action(
    Operation=Operation.DELETE_WORKTEAM,
    ResourceType=ResourceType.WORKTEAM,
    ResourceName="old",
    Classification=Classification.BLOCKED,
    Reason="not in the document, and Policy does not allow deleting work teams",
)


def report(*actions: Action, results: tuple[ActionResult, ...] = ()) -> Report:
    return Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region=REGION,
        Account=DEFAULT_ACCOUNT_ID,  # as the handler gives it (the function's ARN)
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=actions),
        Results=results,
        WorkforceStatus="Active",
        DocumentSource="ssm:/workforce-reconciler/desired-state",
    )


CORRECTED_AND_BLOCKED = report(
    SCOPE_CHANGE,
    DELETE_OLD,
    results=(ActionResult(Action=SCOPE_CHANGE, Outcome=Outcome.APPLIED),),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Aws:
    sns: Any
    sqs: Any
    dynamodb: Any
    topic_arn: str

    def subscribe_queue(self, name: str, *, raw: bool, filter_policy: Any = None) -> str:
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        attributes = {"RawMessageDelivery": "true" if raw else "false"}
        if filter_policy is not None:
            attributes["FilterPolicy"] = json.dumps(filter_policy)
        self.sns.subscribe(
            TopicArn=self.topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes
        )
        return str(url)

    def receive(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)

    def notifier(self, clock: Clock, topic_arn: str | None = None) -> SnsNotifier:
        """A notifier as a fresh Lambda container builds it: new clients, new store object
        (the SNS client made on its first publish, once)."""
        return SnsNotifier(
            cache(lambda: boto3.client("sns", region_name=REGION)),
            topic_arn or self.topic_arn,
            DynamoDBStateStore(boto3.client("dynamodb", region_name=REGION), TABLE),
            scope=SCOPE,
            reminder_interval=timedelta(hours=24),
            clock=clock,
        )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with moto.mock_aws():
        sns = boto3.client("sns", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_state_table(dynamodb, TABLE)
        topic_arn = sns.create_topic(Name="workforce-reconciler")["TopicArn"]
        yield Aws(sns, boto3.client("sqs", region_name=REGION), dynamodb, topic_arn)


def test_subscriber_receives_subject_json_form_and_attributes(aws_env: Aws) -> None:
    # Given an SQS queue subscribed to the topic without raw delivery
    queue = aws_env.subscribe_queue("envelope", raw=False)

    # When a run that corrected one change and found blocked drift is notified
    sent = aws_env.notifier(Clock()).publish(CORRECTED_AND_BLOCKED)

    # Then the subscriber gets one SNS envelope per message, with the JSON form as Message
    envelopes = [json.loads(m["Body"]) for m in aws_env.receive(queue)]
    assert sorted(e["Subject"] for e in envelopes) == sorted(sent)
    assert sorted(sent) == [
        "[workforce-reconciler] Blocked drift on workforce default needs a person (1 change)",
        # (the account and region end the subject where they fit: see test_notifications.py)
        f"[workforce-reconciler] Drift corrected on workforce default (1 change) "
        f"[{DEFAULT_ACCOUNT_ID} us-east-1]",
    ]
    corrected = next(e for e in envelopes if "corrected" in e["Subject"])
    assert corrected["Type"] == "Notification"
    assert corrected["TopicArn"] == aws_env.topic_arn
    assert corrected["MessageAttributes"] == {
        "event_type": {"Type": "String", "Value": "DriftCorrected"},
        "severity": {"Type": "String", "Value": "INFO"},
        "workforce": {"Type": "String", "Value": "default"},
        "account": {"Type": "String", "Value": DEFAULT_ACCOUNT_ID},
        "region": {"Type": "String", "Value": "us-east-1"},
    }
    document = json.loads(corrected["Message"])
    assert document["EventType"] == "DriftCorrected"
    assert document["Workforce"] == "default"
    assert document["Results"][0]["Changes"] == [
        {"Field": "OidcConfig.Scope", "Before": "openid", "After": "openid email"}
    ]


def test_raw_delivery_gives_the_json_form_and_sqs_attributes(aws_env: Aws) -> None:
    # Given an SQS queue subscribed with raw message delivery
    queue = aws_env.subscribe_queue("raw", raw=True)

    # When blocked drift is notified
    aws_env.notifier(Clock()).publish(report(DELETE_OLD))

    # Then the body is the JSON form itself, and the attributes are SQS message attributes
    [message] = aws_env.receive(queue)
    document = json.loads(message["Body"])
    assert document["EventType"] == "BlockedDrift"
    assert document["Severity"] == "WARNING"
    assert document["Actions"] == [
        {
            "Operation": "DeleteWorkteam",
            "ResourceType": "Workteam",
            "ResourceName": "old",
            "Classification": "blocked",
            "Reason": "not in the document, and Policy does not allow deleting work teams",
            "Changes": [],
        }
    ]
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {
        "event_type": "BlockedDrift",
        "severity": "WARNING",
        "workforce": "default",
        "account": DEFAULT_ACCOUNT_ID,
        "region": "us-east-1",
        "condition": "BlockedDrift",
    }


def test_filter_policy_on_event_type(aws_env: Aws) -> None:
    # Given a queue that only wants blocked drift and resolutions
    queue = aws_env.subscribe_queue(
        "pager", raw=True, filter_policy={"event_type": ["BlockedDrift", "Resolved"]}
    )
    clock = Clock()

    # When a run corrects drift and finds blocked drift, and a later run finds all in sync
    aws_env.notifier(clock).publish(CORRECTED_AND_BLOCKED)
    clock.now = T0 + timedelta(hours=1)
    aws_env.notifier(clock).publish(report())

    # Then the queue got the blocked drift and its resolution, not the correction
    types = [json.loads(m["Body"])["EventType"] for m in aws_env.receive(queue)]
    assert types == ["BlockedDrift", "Resolved"]


def test_dedup_survives_cold_starts_and_reminds_after_the_interval(aws_env: Aws) -> None:
    # Given blocked drift notified by one Lambda container
    queue = aws_env.subscribe_queue("dedup", raw=True)
    clock = Clock()
    aws_env.notifier(clock).publish(report(DELETE_OLD))
    aws_env.receive(queue)

    # When fresh containers see the same drift an hour later, then a day later
    clock.now = T0 + timedelta(hours=1)
    within = aws_env.notifier(clock).publish(report(DELETE_OLD))
    clock.now = T0 + timedelta(hours=24)
    after = aws_env.notifier(clock).publish(report(DELETE_OLD))

    # Then the first sends nothing and the second sends one reminder
    assert within == []
    assert after == [
        "[workforce-reconciler] Reminder: Blocked drift on workforce default "
        "(since 2026-11-23 15:00 UTC)"
    ]
    [reminder] = aws_env.receive(queue)
    assert json.loads(reminder["Body"])["Condition"]["Reminder"] is True


def test_failed_publish_is_retried_by_the_next_run(aws_env: Aws) -> None:
    # Given a notifier pointed at a topic that does not exist
    queue = aws_env.subscribe_queue("retry", raw=True)
    missing = aws_env.topic_arn.replace("workforce-reconciler", "deleted-topic")

    # When it tries to notify blocked drift
    with pytest.raises(ReconcilerError) as raised:
        aws_env.notifier(Clock(), topic_arn=missing).publish(report(DELETE_OLD))

    # Then the error names the topic, no condition was recorded, and the next run sends it
    assert str(raised.value) == (
        f"the notification topic {missing} does not exist: deploy the stack, "
        "or point the reconciler at the topic it created"
    )
    sent = aws_env.notifier(Clock()).publish(report(DELETE_OLD))
    assert len(sent) == 1
    assert len(aws_env.receive(queue)) == 1


def test_email_subscribers_get_the_text_and_programs_the_json(aws_env: Aws) -> None:
    # Given a notifier whose store is in memory (as the CLI may use it)
    notifier = SnsNotifier(
        lambda: boto3.client("sns", region_name=REGION),
        aws_env.topic_arn,
        InMemoryStateStore(),
        scope=SCOPE,
        reminder_interval=timedelta(hours=1),
        clock=Clock(),
    )

    # When blocked drift is notified
    notifier.publish(report(DELETE_OLD))

    # Then the published message gives each protocol its form: text for people
    # (moto does not deliver email, so read what the topic was given to deliver)
    backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
    [(_, published, subject, _, _)] = backend.topics[aws_env.topic_arn].sent_notifications
    forms = json.loads(published)
    assert subject == (
        "[workforce-reconciler] Blocked drift on workforce default needs a person (1 change)"
    )
    assert forms["email"] == forms["default"]
    assert forms["email"].startswith(
        "Workforce default differs from the document in 1 change that the reconciler may "
        "not make on its own. Nothing was changed for them.\n"
    )
    assert "- Workteam/old (DeleteWorkteam)\n" in forms["email"]
    for protocol in ("email-json", "sqs", "lambda", "http", "https", "firehose"):
        assert json.loads(forms[protocol])["EventType"] == "BlockedDrift", protocol


def _big_detected_drift(value_length: int) -> Report:
    """Detected drift on 25 teams, each with long member lists (Cognito groups' names)."""
    actions = tuple(
        Action(
            Operation=Operation.UPDATE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName=f"team-{i:02d}",
            Classification=Classification.CORRECTABLE,
            Changes=(
                FieldChange(
                    Field="MemberDefinitions",
                    Before=[f"old-{i}-{g}-" + "x" * value_length for g in range(6)],
                    After=[f"new-{i}-{g}-" + "y" * value_length for g in range(6)],
                ),
            ),
            Reason="differs from the document",
        )
        for i in range(25)
    )
    return Report(
        Trigger="schedule",
        Mode=Mode.DETECT,
        Region=REGION,
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=actions),
        WorkforceStatus="Active",
    )


@pytest.mark.parametrize(
    ("value_length", "text_cut"),
    [(120, False), (1200, True)],
    ids=["json-form-slimmed", "text-cut-too"],
)
def test_very_large_plans_still_publish(aws_env: Aws, value_length: int, text_cut: bool) -> None:
    # Given a raw SQS subscriber, and drift on 25 teams too large to send in full
    queue = aws_env.subscribe_queue("large", raw=True)
    big = _big_detected_drift(value_length)

    # When it is notified
    [subject] = aws_env.notifier(Clock()).publish(big)

    # Then SNS accepted it: the JSON form lists every change without the values, and the
    # email text keeps every change unless even the text alone is too large
    assert subject.endswith("(25 changes, not applied)")
    document = json.loads(aws_env.receive(queue)[0]["Body"])
    assert document["Truncated"] is True
    assert [a["Changes"] for a in document["Actions"]] == [[{"Field": "MemberDefinitions"}]] * 25
    backend = sns_backends[DEFAULT_ACCOUNT_ID][REGION]
    [(_, published, _, _, _)] = backend.topics[aws_env.topic_arn].sent_notifications
    assert len(published.encode()) <= 262_144
    email = json.loads(published)["email"]
    assert ("~ Workteam/team-24 (UpdateWorkteam)" in email) is not text_cut
    assert (
        email.endswith(
            "[Truncated: SNS limits a message to 256 KB. "
            "Run `workforce-reconciler plan` to see every change.]\n"
        )
        is text_cut
    )


def test_a_message_sns_refuses_for_its_size_is_sent_short_rather_than_lost(aws_env: Aws) -> None:
    # Given SNS refusing the first Publish as too long (what it says past 256 KB)
    queue = aws_env.subscribe_queue("short", raw=True)
    notifier = aws_env.notifier(Clock())
    refused: list[bool] = []

    def too_long(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if refused:
            return None
        refused.append(True)
        error = {"Code": "InvalidParameter", "Message": "Invalid parameter: Message too long"}
        response = AWSResponse("https://sns.us-east-1.amazonaws.com", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    # (a before-call handler may answer for the service; botocore-stubs types it as None)
    sns = notifier._sns()
    sns.meta.events.register("before-call.sns.Publish", too_long)  # type: ignore[arg-type]

    # When blocked drift is notified
    sent = notifier.publish(report(DELETE_OLD))

    # Then a short form arrived, saying where to read the rest
    (message,) = aws_env.receive(queue)
    body = json.loads(message["Body"])
    assert sent == [body["Subject"]]
    assert body["EventType"] == "BlockedDrift"
    assert body["Truncated"] is True
    assert "Actions" not in body


def test_without_its_state_table_the_notifier_still_tells_a_person(aws_env: Aws) -> None:
    # Given a state table that is gone (deleted with a stack, a wrong name)
    queue = aws_env.subscribe_queue("no-table", raw=True)
    aws_env.dynamodb.delete_table(TableName=TABLE)

    # When two runs report the same blocked drift
    first = aws_env.notifier(Clock()).publish(report(DELETE_OLD))
    second = aws_env.notifier(Clock()).publish(report(DELETE_OLD))

    # Then each is sent (no deduplication without the table), naming the table problem
    assert first == second
    bodies = [json.loads(m["Body"]) for m in aws_env.receive(queue)]
    assert [b["EventType"] for b in bodies] == ["BlockedDrift", "BlockedDrift"]
    assert "does not exist" in bodies[0]["StateTableProblem"]
