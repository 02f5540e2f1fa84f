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
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.sagemaker import translate
from workforce_reconciler.errors import NotFoundError, ReconcilerError, TransientError
from workforce_reconciler.notifications import Message, messages_for
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

# SNS's own spellings of "try again later", on top of the common ones.
_SNS_TRANSIENT = frozenset({"Throttled", "KMSThrottling", "InternalError"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def structured_message(message: Message) -> str:
    """The ``Message`` parameter for ``MessageStructure="json"``."""
    document = json.dumps(message.document, ensure_ascii=False, default=str)
    payload = dict.fromkeys(_TEXT_PROTOCOLS, message.text)
    payload.update(dict.fromkeys(_JSON_PROTOCOLS, document))
    return json.dumps(payload, ensure_ascii=False)


def message_attributes(message: Message) -> dict[str, MessageAttributeValueTypeDef]:
    return {
        name: {"DataType": "String", "StringValue": value}
        for name, value in message.attributes.items()
    }


class SnsNotifier:
    """``ports.Notifier`` on an SNS topic, with its open conditions in a ``StateStore``."""

    def __init__(
        self,
        sns_client: SNSClient,
        topic_arn: str,
        store: StateStore,
        *,
        scope: str,
        reminder_interval: timedelta,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn
        self._store = store
        self._scope = scope
        self._reminder_interval = reminder_interval
        self._clock = clock

    def publish(self, report: Report) -> list[str]:
        """Send what the report calls for; return the subjects sent, in order."""
        open_conditions = self._store.get_conditions(self._scope)
        messages, updates = messages_for(
            report,
            open_conditions,
            now=self._clock(),
            reminder_interval=self._reminder_interval,
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

    def _update(self, key: str, record: ConditionRecord | None) -> None:
        if record is None:
            self._store.delete_condition(self._scope, key)
        else:
            self._store.put_condition(self._scope, record)

    def _publish(self, message: Message) -> None:
        """IAM: sns:Publish."""
        try:
            self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=message.subject,
                Message=structured_message(message),
                MessageStructure="json",
                MessageAttributes=message_attributes(message),
            )
        except (ClientError, BotoCoreError) as exc:
            translated = translate("Publish", exc)
            code = (
                exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
            )
            # SNS spells "no such topic" NotFound (NotFoundException in the API reference).
            if isinstance(translated, NotFoundError) or code == "NotFound":
                raise ReconcilerError(
                    f"the notification topic {self._topic_arn} does not exist: deploy the "
                    "stack, or point the reconciler at the topic it created"
                ) from None
            if code in _SNS_TRANSIENT:
                raise TransientError(str(translated)) from None
            raise translated from None
