"""The state table's records keep their shape across releases: what this release writes
is what earlier releases wrote, and what they wrote this one reads. After an upgrade the
reconciler still knows which client-secret version SageMaker holds (no needless update),
which refused requests not to send again, and which teams a re-creation must finish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from workforce_reconciler.adapters.state_store import InMemoryStateStore
from workforce_reconciler.engine.memory import (
    Refusal,
    SecretIntent,
    read_memory,
    record_applied,
    record_intent,
    record_recreation,
    record_refusal,
    refusal_key,
    secret_scope,
)
from workforce_reconciler.plan import (
    Action,
    Classification,
    FieldChange,
    Operation,
    ResourceType,
    SecretApplied,
)
from workforce_reconciler.ports import SecretReference

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CREATED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
REFERENCE = SecretReference(secret_arn="workforce/oidc-client-secret")
SCOPE = secret_scope("eu-west-1", "labeling-oidc")
TEAM = {"WorkteamName": "image-labelers", "Description": "Boxes", "Tags": []}
SCOPE_UPDATE = Action(
    Operation=Operation.UPDATE_WORKFORCE,
    ResourceType=ResourceType.WORKFORCE,
    ResourceName="labeling-oidc",
    Classification=Classification.CORRECTABLE,
    Changes=(FieldChange(Field="OidcConfig.Scope", Before="openid", After="openid email"),),
    Reason="differs from the document",
    Request={"WorkforceName": "labeling-oidc", "OidcConfig": {"Scope": "openid email"}},
    NeedsClientSecret=True,
)

# What releases since the day-two work (issue 8) write, record by record.
RECORDS = {
    "secret-intent": {
        "reference": "secretsmanager:workforce/oidc-client-secret",
        "version": "v2",
        "since": "2026-11-23T15:00:00+00:00",
        "workforce": "labeling-oidc",
    },
    "secret": {
        "reference": "secretsmanager:workforce/oidc-client-secret@2026-01-05T09:30:00+00:00",
        "version": "v2",
        "applied_at": "2026-11-23T15:05:00+00:00",
    },
    "refused#6b03d047e26d2b3ef3e83821": {
        "at": "2026-11-23T15:00:00+00:00",
        "code": "ValidationException",
        "message": "You can only update your OIDC IdP configuration when there are no work teams",
    },
    "recreate": {
        "teams": '[{"Description": "Boxes", "Tags": [], "WorkteamName": "image-labelers"}]'
    },
}


def workforce(**dates: datetime) -> WorkforceTypeDef:
    return {"WorkforceName": "labeling-oidc", "CreateDate": CREATED, **dates}  # type: ignore[typeddict-item]


def test_this_release_writes_each_record_as_earlier_releases_did() -> None:
    store = InMemoryStateStore()
    intent = SecretIntent(REFERENCE.display, "v2", T0, "labeling-oidc")

    record_intent(store, "eu-west-1", intent)
    assert store.read_records(SCOPE) == {"secret-intent": RECORDS["secret-intent"]}

    applied = SecretApplied(
        Reference=REFERENCE.display,
        Version="v2",
        WorkforceName="labeling-oidc",
        WorkforceCreateDate=CREATED.isoformat(),
    )
    record_applied(store, "eu-west-1", applied, T0 + timedelta(minutes=5))
    key = refusal_key(SCOPE_UPDATE, "v2")
    record_refusal(
        store, SCOPE, key, Refusal(T0, "ValidationException", RECORDS[f"refused#{key}"]["message"])
    )
    record_recreation(
        store, SCOPE, ({"WorkteamName": "image-labelers", "Tags": [], "Description": "Boxes"},)
    )

    # (the intent is fulfilled by the applied record, and so forgotten)
    assert store.read_records(SCOPE) == {k: v for k, v in RECORDS.items() if k != "secret-intent"}


def test_what_earlier_releases_wrote_is_read_back() -> None:
    store = InMemoryStateStore()
    for key, attributes in RECORDS.items():
        store.put_record(SCOPE, key, attributes)

    memory = read_memory(store, "eu-west-1", "labeling-oidc")

    assert memory.applied_version(REFERENCE, workforce()) == ("v2", None)
    assert memory.refusals == {
        refusal_key(SCOPE_UPDATE, "v2"): Refusal(
            T0,
            "ValidationException",
            RECORDS[f"refused#{refusal_key(SCOPE_UPDATE, 'v2')}"]["message"],
        )
    }
    assert memory.recreation == (TEAM,)


def test_a_refused_request_keeps_its_key_and_any_change_to_it_makes_a_new_one() -> None:
    # The key earlier releases stored for this request (a new key would send it again)
    assert refusal_key(SCOPE_UPDATE, "v2") == "6b03d047e26d2b3ef3e83821"
    changed = [
        SCOPE_UPDATE.model_copy(update={"Operation": Operation.UPDATE_WORKTEAM}),
        SCOPE_UPDATE.model_copy(update={"ResourceName": "other"}),
        SCOPE_UPDATE.model_copy(update={"Request": {"WorkforceName": "labeling-oidc"}}),
        SCOPE_UPDATE.model_copy(update={"Changes": ()}),
    ]
    keys = {refusal_key(SCOPE_UPDATE, "v3"), *(refusal_key(a, "v2") for a in changed)}
    assert len(keys) == 5
    assert refusal_key(SCOPE_UPDATE, "v2") not in keys


@pytest.mark.parametrize(
    ("dates", "proven"),
    [
        pytest.param({"LastUpdatedDate": T0 + timedelta(seconds=1)}, True, id="updated after"),
        pytest.param({"LastUpdatedDate": T0}, False, id="updated at the same moment"),
        pytest.param({"LastUpdatedDate": T0 - timedelta(minutes=1)}, False, id="updated before"),
        pytest.param({"CreateDate": T0 + timedelta(minutes=1)}, True, id="created after"),
        pytest.param({}, False, id="neither date after"),
    ],
)
def test_an_intent_is_proven_only_by_a_workforce_changed_after_it(
    dates: dict[str, datetime], proven: bool
) -> None:
    # Given an intent to apply version v2, recorded at T0, and no applied record
    store = InMemoryStateStore()
    record_intent(store, "eu-west-1", SecretIntent(REFERENCE.display, "v2", T0, "labeling-oidc"))
    live = workforce(**dates)

    # When the next run reads the memory against the live workforce
    version, confirms = read_memory(store, "eu-west-1", "labeling-oidc").applied_version(
        REFERENCE, live
    )

    # Then SageMaker holds v2 only if the workforce changed after the intent
    if proven:
        created = live["CreateDate"].isoformat()
        assert (version, confirms) == (
            "v2",
            SecretApplied(
                Reference=REFERENCE.display,
                Version="v2",
                WorkforceName="labeling-oidc",
                WorkforceCreateDate=created,
            ),
        )
    else:
        assert (version, confirms) == (None, None)
