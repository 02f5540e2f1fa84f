"""Durable state that must survive cold starts: DynamoDB in the Lambda, a dict in tests/CLI.

One table, string keys ``pk`` (partition) and ``sk`` (sort):

========  =====================  ==================================================
pk        sk                     attributes
========  =====================  ==================================================
scope     ``secret``             ``reference`` (display string), ``version``,
                                 ``applied_at`` (ISO 8601 UTC; absent on older items)
scope     ``condition#<key>``    ``condition_key``, ``fingerprint``, ``first_seen``,
                                 ``last_notified`` (ISO 8601 UTC), ``summary``
scope     ``last-run``           the function's last run (``status.py``): ``at``,
                                 ``status``, ``trigger``, ``mode``, ``workforce``,
                                 ``summary``, ``actions``, ``results``,
                                 ``reminder_minutes``
========  =====================  ==================================================

so one Query (``begins_with(sk, 'condition#')``) reads every open condition of a
scope. The secret item holds where the secret lives and which version was applied,
never the secret itself. Other records of the engine (``engine/memory.py``) are
string attributes under their own sort keys, read with ``read_records``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.errors import NotFoundError, ReconcilerError
from workforce_reconciler.ports import ConditionRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# IAM actions, one per call below, on the table's ARN; tests compare this with template.yaml.
IAM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
)

SECRET_SK = "secret"  # noqa: S105 - the sort key of the version item, not a secret
CONDITION_PREFIX = "condition#"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def create_state_table(client: DynamoDBClient, table_name: str) -> None:
    """Create a state table with the keys the store expects (``pk``/``sk``, strings).

    For local runs, the demo and tests; a deployment gets the same table from
    template.yaml (the template tests check the keys match). IAM: dynamodb:CreateTable.
    """
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


class DynamoDBStateStore:
    """``ports.StateStore`` on a DynamoDB table keyed by ``pk`` / ``sk`` (strings)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ secret version

    def get_secret_version(self, scope: str, reference: str) -> str | None:
        """IAM: dynamodb:GetItem."""
        try:
            response = self._client.get_item(
                TableName=self._table, Key=_key(scope, SECRET_SK), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            self._raise("GetItem", exc)
        item = response.get("Item")
        if not item:
            return None
        values = _from_item(item)
        if values.get("reference") != reference:
            return None
        return str(values["version"])

    def put_secret_version(self, scope: str, reference: str, version: str) -> None:
        """IAM: dynamodb:PutItem."""
        self._put({"pk": scope, "sk": SECRET_SK, "reference": reference, "version": version})

    # ------------------------------------------------------------------------- records

    def read_records(self, scope: str) -> dict[str, dict[str, str]]:
        """Every item of ``scope`` by sort key.  IAM: dynamodb:Query (one call a MB)."""
        records: dict[str, dict[str, str]] = {}
        try:
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": scope}},
                ConsistentRead=True,
            )
            for page in pages:
                for item in page.get("Items", []):
                    values = _from_item(item)
                    records[str(values.pop("sk"))] = {
                        k: str(v) for k, v in values.items() if k != "pk"
                    }
        except (ClientError, BotoCoreError) as exc:
            self._raise("Query", exc)
        return records

    def put_record(self, scope: str, key: str, attributes: dict[str, str]) -> None:
        """IAM: dynamodb:PutItem."""
        self._put({**attributes, "pk": scope, "sk": key})

    def delete_record(self, scope: str, key: str) -> None:
        """IAM: dynamodb:DeleteItem. Deleting what is not there is not an error."""
        try:
            self._client.delete_item(TableName=self._table, Key=_key(scope, key))
        except (ClientError, BotoCoreError) as exc:
            self._raise("DeleteItem", exc)

    # ---------------------------------------------------------------------- conditions

    def get_conditions(self, scope: str) -> dict[str, ConditionRecord]:
        """IAM: dynamodb:Query (one call; the paginator only follows a >1 MB result)."""
        conditions: dict[str, ConditionRecord] = {}
        try:
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":pk": {"S": scope},
                    ":prefix": {"S": CONDITION_PREFIX},
                },
                ConsistentRead=True,
            )
            for page in pages:
                for item in page.get("Items", []):
                    record = _record(_from_item(item))
                    conditions[record.key] = record
        except (ClientError, BotoCoreError) as exc:
            self._raise("Query", exc)
        return conditions

    def put_condition(self, scope: str, record: ConditionRecord) -> None:
        """IAM: dynamodb:PutItem."""
        self._put(
            {
                "pk": scope,
                "sk": CONDITION_PREFIX + record.key,
                "condition_key": record.key,
                "fingerprint": record.fingerprint,
                "first_seen": record.first_seen.isoformat(),
                "last_notified": record.last_notified.isoformat(),
                "summary": record.summary,
                "notified": "yes" if record.notified else "no",
            }
        )

    def delete_condition(self, scope: str, key: str) -> None:
        """IAM: dynamodb:DeleteItem. Deleting what is not there is not an error."""
        self.delete_record(scope, CONDITION_PREFIX + key)

    # ------------------------------------------------------------------------ helpers

    def _put(self, item: dict[str, str]) -> None:
        try:
            self._client.put_item(TableName=self._table, Item=_to_item(item))
        except (ClientError, BotoCoreError) as exc:
            self._raise("PutItem", exc)

    def _raise(self, operation: str, exc: ClientError | BotoCoreError) -> NoReturn:
        translated = translate(operation, exc)
        if isinstance(translated, NotFoundError):
            region = self._client.meta.region_name
            raise ReconcilerError(
                f"the state table {self._table!r} does not exist in {region}: "
                "deploy the stack, or point the reconciler at the table it created"
            ) from None
        raise translated from None


class InMemoryStateStore:
    """``ports.StateStore`` in a dict: for the CLI, the demo and tests. Lost on exit."""

    def __init__(self) -> None:
        self._conditions: dict[str, dict[str, ConditionRecord]] = {}
        self._records: dict[str, dict[str, dict[str, str]]] = {}

    def read_records(self, scope: str) -> dict[str, dict[str, str]]:
        return {k: dict(v) for k, v in self._records.get(scope, {}).items()}

    def put_record(self, scope: str, key: str, attributes: dict[str, str]) -> None:
        self._records.setdefault(scope, {})[key] = dict(attributes)

    def delete_record(self, scope: str, key: str) -> None:
        self._records.get(scope, {}).pop(key, None)

    def get_secret_version(self, scope: str, reference: str) -> str | None:
        entry = self._records.get(scope, {}).get(SECRET_SK)
        return entry["version"] if entry and entry["reference"] == reference else None

    def put_secret_version(self, scope: str, reference: str, version: str) -> None:
        self.put_record(scope, SECRET_SK, {"reference": reference, "version": version})

    def get_conditions(self, scope: str) -> dict[str, ConditionRecord]:
        return dict(self._conditions.get(scope, {}))

    def put_condition(self, scope: str, record: ConditionRecord) -> None:
        self._conditions.setdefault(scope, {})[record.key] = record

    def delete_condition(self, scope: str, key: str) -> None:
        self._conditions.get(scope, {}).pop(key, None)


def _key(scope: str, sk: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": scope}, "sk": {"S": sk}}


def _to_item(values: dict[str, str]) -> dict[str, AttributeValueTypeDef]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _record(values: dict[str, Any]) -> ConditionRecord:
    return ConditionRecord(
        key=str(values["condition_key"]),
        fingerprint=str(values["fingerprint"]),
        first_seen=datetime.fromisoformat(values["first_seen"]),
        last_notified=datetime.fromisoformat(values["last_notified"]),
        summary=str(values["summary"]),
        notified=values.get("notified", "yes") != "no",
    )
