"""The state store: DynamoDB on moto (and the in-memory twin the CLI uses) behave alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import moto
import pytest
from botocore.stub import Stubber

from workforce_reconciler.adapters.state_store import (
    DynamoDBStateStore,
    InMemoryStateStore,
    create_state_table,
)
from workforce_reconciler.errors import AwsError, ReconcilerError, TransientError
from workforce_reconciler.ports import ConditionRecord, StateStore

REGION = "us-east-1"
TABLE = "workforce-reconciler-state"
SCOPE = "us-east-1:/workforce-reconciler/desired-state"
OTHER_SCOPE = "eu-west-1:/workforce-reconciler/desired-state"
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

BLOCKED = ConditionRecord(
    key="BlockedDrift",
    fingerprint="4e12f87d6299b9ac",
    first_seen=T0,
    last_notified=T0 + timedelta(days=1),
    summary="[workforce-reconciler] Blocked drift on workforce default needs a person (1 change)",
)
FAILED = ConditionRecord(
    key="WorkforceFailed",
    fingerprint="0123456789abcdef",
    first_seen=T0,
    last_notified=T0,
    summary="[workforce-reconciler] Workforce default is Failed",
)


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_state_table(client, TABLE)
        yield client


@pytest.fixture(params=["dynamodb", "memory"])
def new_store(request: pytest.FixtureRequest) -> Callable[[], StateStore]:
    """Opens the store as a new process would: a new object each call (same table)."""
    if request.param == "memory":
        memory = InMemoryStateStore()
        return lambda: memory
    client = request.getfixturevalue("dynamodb")
    return lambda: DynamoDBStateStore(client, TABLE)


def test_secret_version_round_trip(new_store: Callable[[], StateStore]) -> None:
    # Given a store that has never seen the scope
    assert new_store().get_secret_version(SCOPE, "secretsmanager:oidc-client") is None

    # When a version is recorded, then replaced by a newer one
    new_store().put_secret_version(SCOPE, "secretsmanager:oidc-client", "v1")
    new_store().put_secret_version(SCOPE, "secretsmanager:oidc-client", "v2")

    # Then the newest is read back, for that scope and that reference only
    assert new_store().get_secret_version(SCOPE, "secretsmanager:oidc-client") == "v2"
    assert new_store().get_secret_version(OTHER_SCOPE, "secretsmanager:oidc-client") is None
    # a document now pointing at another secret (whose version may look the same) has
    # no recorded version: the new secret must be applied once
    assert new_store().get_secret_version(SCOPE, "ssm:/idp/client-secret") is None


def test_conditions_round_trip(new_store: Callable[[], StateStore]) -> None:
    # Given two open conditions and a secret version in one scope, one condition in another
    new_store().put_condition(SCOPE, BLOCKED)
    new_store().put_condition(SCOPE, FAILED)
    new_store().put_secret_version(SCOPE, "ssm:/oidc/secret", "7")
    new_store().put_condition(OTHER_SCOPE, FAILED)

    # When one is deleted (twice: deleting what is gone is fine) and the scope is read
    new_store().delete_condition(SCOPE, "WorkforceFailed")
    new_store().delete_condition(SCOPE, "WorkforceFailed")
    conditions = new_store().get_conditions(SCOPE)

    # Then exactly the remaining condition comes back, equal to what was stored
    assert conditions == {"BlockedDrift": BLOCKED}
    assert new_store().get_conditions(OTHER_SCOPE) == {"WorkforceFailed": FAILED}


def test_updating_a_condition_replaces_it(new_store: Callable[[], StateStore]) -> None:
    # Given an open condition
    new_store().put_condition(SCOPE, BLOCKED)

    # When a reminder moves its last_notified
    reminded = ConditionRecord(
        key=BLOCKED.key,
        fingerprint=BLOCKED.fingerprint,
        first_seen=BLOCKED.first_seen,
        last_notified=T0 + timedelta(days=2),
        summary=BLOCKED.summary,
    )
    new_store().put_condition(SCOPE, reminded)

    # Then one record, the new one
    assert new_store().get_conditions(SCOPE) == {"BlockedDrift": reminded}


def test_table_layout_is_pk_sk_with_no_secret(dynamodb: Any) -> None:
    # Given a store that recorded a secret version and a condition
    store = DynamoDBStateStore(dynamodb, TABLE)
    store.put_secret_version(SCOPE, "secretsmanager:oidc-client", "3f1c-uuid")
    store.put_condition(SCOPE, BLOCKED)

    # When the table is read directly
    items = dynamodb.scan(TableName=TABLE)["Items"]

    # Then the items are keyed by scope and item kind, and hold no secret value
    assert sorted(items, key=lambda i: i["sk"]["S"]) == [
        {
            "pk": {"S": SCOPE},
            "sk": {"S": "condition#BlockedDrift"},
            "condition_key": {"S": "BlockedDrift"},
            "fingerprint": {"S": "4e12f87d6299b9ac"},
            "first_seen": {"S": "2026-11-23T15:00:00+00:00"},
            "last_notified": {"S": "2026-11-24T15:00:00+00:00"},
            "summary": {"S": BLOCKED.summary},
            "notified": {"S": "yes"},
        },
        {
            "pk": {"S": SCOPE},
            "sk": {"S": "secret"},
            "reference": {"S": "secretsmanager:oidc-client"},
            "version": {"S": "3f1c-uuid"},
        },
    ]


def test_missing_table_is_named(dynamodb: Any) -> None:
    # Given a store pointed at a table that does not exist
    store = DynamoDBStateStore(dynamodb, "no-such-table")

    # When it is read
    with pytest.raises(ReconcilerError) as raised:
        store.get_conditions(SCOPE)

    # Then the error says which table, and where
    assert str(raised.value) == (
        "the state table 'no-such-table' does not exist in us-east-1: deploy the stack, "
        "or point the reconciler at the table it created"
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ProvisionedThroughputExceededException", 400, TransientError),
        ("ThrottlingException", 400, TransientError),
        ("InternalServerError", 500, TransientError),
        ("AccessDeniedException", 400, AwsError),
    ],
)
def test_errors_are_translated(
    dynamodb: Any, code: str, status: int, expected: type[Exception]
) -> None:
    # Given DynamoDB answering every call with an error (after botocore's retries)
    store = DynamoDBStateStore(dynamodb, TABLE)
    with Stubber(dynamodb) as stub:
        for method in ("get_item", "put_item", "query", "delete_item"):
            stub.add_client_error(
                method, service_error_code=code, service_message="no", http_status_code=status
            )

        # When each kind of call is made
        calls: list[Callable[[], object]] = [
            lambda: store.get_secret_version(SCOPE, "ssm:/oidc/secret"),
            lambda: store.put_condition(SCOPE, BLOCKED),
            lambda: store.get_conditions(SCOPE),
            lambda: store.delete_condition(SCOPE, "BlockedDrift"),
        ]
        for call in calls:
            # Then it raises the engine's exception: retry later, or a named AWS error
            with pytest.raises(expected) as raised:
                call()
            assert code in str(raised.value)
            assert isinstance(raised.value, TransientError) == (expected is TransientError)
