"""The notifier: publishes what ``notifications.messages_for`` decides, deduplicated.

Each message is published once with ``MessageStructure="json"``: email subscribers
get the plain text, machine subscribers (email-json, SQS, Lambda, HTTP/S, Firehose)
get the JSON form, and every subscriber can filter on the message attributes
``event_type``, ``severity``, ``workforce``, ``region`` (and ``condition``).

The open conditions live in the state store under ``scope`` (one deployment: its
region and desired-state parameter), not under a workforce name, because an invalid
document has none. A condition's record is written (or deleted) only after the
message about it was published, so a failed publish is retried by the next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.errors import NotFoundError, ReconcilerError
from workforce_reconciler.notifications import Message, messages_for
from workforce_reconciler.observability import logger, tracer
from workforce_reconciler.plan import Report
from workforce_reconciler.ports import ConditionRecord, StateStore

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

# IAM: sns:Publish on the topic (plus kms:GenerateDataKey* / kms:Decrypt on the
# topic's key when it is encrypted with a customer managed key).
IAM_ACTIONS = ("sns:Publish",)

# Protocol keys of a MessageStructure=json message: the text for people, the JSON
# form for programs. "default" is what any other protocol (SMS, mobile push) gets.
_TEXT_PROTOCOLS = ("default", "email")
_JSON_PROTOCOLS = ("email-json", "sqs", "lambda", "http", "https", "firehose")

# SNS accepts 262,144 bytes for the message, its attributes and subject together.
MAX_MESSAGE_BYTES = 250_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _payload(text: str, document: dict[str, Any]) -> str:
    form = json.dumps(document, ensure_ascii=False, default=str)
    payload = dict.fromkeys(_TEXT_PROTOCOLS, text)
    payload.update(dict.fromkeys(_JSON_PROTOCOLS, form))
    return json.dumps(payload, ensure_ascii=False)


def _fits(payload: str) -> bool:
    return len(payload.encode()) <= MAX_MESSAGE_BYTES


def _without_values(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON form with each change's Before/After dropped (its Field kept)."""
    slim = dict(document)
    for key in ("Actions", "Results"):
        if key in slim:
            slim[key] = [
                {**item, "Changes": [{"Field": c["Field"]} for c in item.get("Changes", [])]}
                for item in slim[key]
            ]
    slim["Truncated"] = True
    return slim


def structured_message(message: Message) -> str:
    """The ``Message`` parameter for ``MessageStructure="json"``, within SNS's size limit.

    The JSON form goes to six protocols, the text to two, so a very large plan (25
    teams with long member lists) could pass the limit: then the JSON form loses the
    changes' before/after values first (``"Truncated": true``, the text keeps them);
    only if that is not enough is the text cut, saying so.
    """
    payload = _payload(message.text, message.document)
    if _fits(payload):
        return payload
    slim = _without_values(message.document)
    payload = _payload(message.text, slim)
    if _fits(payload):
        return payload
    note = (
        "\n\n[Truncated: SNS limits a message to 256 KB. "
        "Run `workforce-reconciler plan` to see every change.]\n"
    )
    keep = len(message.text)
    while not _fits(payload) and keep > 0:
        overflow = len(payload.encode()) - MAX_MESSAGE_BYTES
        keep = max(keep - overflow // len(_TEXT_PROTOCOLS) - 1000, 0)
        payload = _payload(message.text[:keep] + note, slim)
    return payload


def message_attributes(message: Message) -> dict[str, MessageAttributeValueTypeDef]:
    return {
        name: {"DataType": "String", "StringValue": value}
        for name, value in message.attributes.items()
    }


class SnsNotifier:
    """``ports.Notifier`` on an SNS topic, with its open conditions in a ``StateStore``."""

    def __init__(
        self,
        sns_client: Callable[[], SNSClient],
        topic_arn: str,
        store: StateStore,
        *,
        scope: str,
        reminder_interval: timedelta,
        clock: Callable[[], datetime] = _utc_now,
        plan_command: str | None = None,
    ) -> None:
        """``sns_client`` makes the client on the first publish: most runs publish nothing,
        and a client costs ~5 ms of a cold start. ``plan_command``: the CLI command that
        shows the plan, named in the messages."""
        self._sns = sns_client
        self._topic_arn = topic_arn
        self._store = store
        self._scope = scope
        self._reminder_interval = reminder_interval
        self._clock = clock
        self._plan_command = plan_command

    @tracer.capture_method(capture_response=False)
    def publish(self, report: Report) -> list[str]:
        """Send what the report calls for; return the subjects sent, in order."""
        try:
            open_conditions = self._store.get_conditions(self._scope)
        except ReconcilerError as exc:
            return self._publish_without_records(report, exc)
        messages, updates = messages_for(
            report,
            open_conditions,
            now=self._clock(),
            reminder_interval=self._reminder_interval,
            plan_command=self._plan_command,
        )
        sent: list[str] = []
        for message in messages:
            self._publish(message)
            sent.append(message.subject)
            if message.condition_key is not None and message.condition_key in updates:
                self._update(message.condition_key, updates.pop(message.condition_key))
        for key, record in updates.items():
            self._update(key, record)
        return sent

    def _publish_without_records(self, report: Report, problem: ReconcilerError) -> list[str]:
        """The state table cannot be read: tell a person now, without deduplication, and
        say why (a message lost for want of its table is worse than a repeated one)."""
        messages, _ = messages_for(
            report, {}, now=self._clock(), reminder_interval=self._reminder_interval
        )
        note = (
            f"Note: the state table could not be read ({problem}), so this message is sent "
            "without deduplication: it repeats every run until the table is back."
        )
        for message in messages:
            self._publish(
                replace(
                    message,
                    text=f"{note}\n\n{message.text}",
                    document={**message.document, "StateTableProblem": str(problem)},
                )
            )
        return [m.subject for m in messages]

    def _update(self, key: str, record: ConditionRecord | None) -> None:
        """A record that cannot be written costs a repeated message, never a lost one."""
        try:
            if record is None:
                self._store.delete_condition(self._scope, key)
            else:
                self._store.put_condition(self._scope, record)
        except ReconcilerError as exc:
            logger.warning(
                "could not record a notification condition",
                extra={"condition": key, "error": str(exc)},
            )

    def _publish(self, message: Message) -> None:
        """IAM: sns:Publish."""
        try:
            self._sns().publish(
                TopicArn=self._topic_arn,
                Subject=message.subject,
                Message=structured_message(message),
                MessageStructure="json",
                MessageAttributes=message_attributes(message),
            )
        except (ClientError, BotoCoreError) as exc:
            translated = translate("Publish", exc)
            if _too_long(translated) and not message.document.get("Truncated"):
                self._publish(_short_form(message))
                return
            # SNS spells "no such topic" NotFound (NotFoundException in the API reference).
            if isinstance(translated, NotFoundError):
                raise ReconcilerError(
                    f"the notification topic {self._topic_arn} does not exist: deploy the "
                    "stack, or point the reconciler at the topic it created"
                ) from None
            raise translated from None


def _too_long(error: ReconcilerError) -> bool:
    return "too long" in str(error).lower()


def _short_form(message: Message) -> Message:
    """What is sent when SNS still refuses a message for its size: the subject, the
    headline and where to read the rest (a short message rather than none)."""
    headline = message.text.split("\n\n", 1)[0]
    text = (
        f"{headline}\n\nThe full message did not fit in an SNS message (256 KB). Run "
        "`workforce-reconciler plan` against the deployment to see everything.\n"
    )
    keep = ("Source", "Version", "EventType", "Severity", "Subject", "Time", "Workforce")
    document = {k: v for k, v in message.document.items() if k in keep}
    return replace(message, text=text, document={**document, "Truncated": True})
