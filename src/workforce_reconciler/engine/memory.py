"""What the reconciler remembers about a workforce between runs, in the state store.

One scope per workforce (``<region>/<workforce name>``), read with one query before
planning, holding string records by key:

=====================  ============================================================
key                    what
=====================  ============================================================
``secret``             the client-secret version SageMaker holds: ``reference`` (where
                       from, ``@`` the workforce's CreateDate), ``version``, and
                       ``applied_at`` (ISO 8601: when it was recorded as applied; items
                       written before it existed have none)
``secret-intent``      a version about to be sent: ``reference``, ``version``,
                       ``since`` (ISO 8601), ``workforce``. Written before the call,
                       replaced by ``secret`` after it; if that confirmation is lost,
                       the workforce's LastUpdatedDate/CreateDate being later than
                       ``since`` proves SageMaker took it.
``refused#<hash>``     a request SageMaker refused for a reason a retry does not fix:
                       ``at``, ``code``, ``message``. Not sent again (by the Lambda)
                       until something it depends on changes or the reminder passes.
``recreate``           work teams being deleted and re-created for an OIDC change:
                       ``teams`` (JSON: each team's CreateWorkteam request), written
                       before the first deletion, deleted once all exist again.
=====================  ============================================================

SageMaker never returns the OIDC client secret, so rotation is seen by the secret's
version (Secrets Manager ``AWSCURRENT`` VersionId, SSM parameter Version). A recorded
version belongs to the reference and to the workforce by its CreateDate, so a workforce
deleted and re-created by hand (with who knows which secret) has no recorded version
and gets the document's secret applied once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workforce_reconciler.plan import Action, SecretApplied

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

    from workforce_reconciler.ports import SecretReference, StateStore

SECRET_KEY = "secret"  # noqa: S105 - a record's key, not a secret
INTENT_KEY = "secret-intent"
REFUSED_PREFIX = "refused#"
RECREATE_KEY = "recreate"


def secret_scope(region: str, workforce_name: str) -> str:
    return f"{region}/{workforce_name}"


def create_stamp(workforce: WorkforceTypeDef | None) -> str:
    """The workforce's CreateDate as the record keeps it."""
    created = workforce.get("CreateDate") if workforce is not None else None
    return created.isoformat() if isinstance(created, datetime) else str(created)


def secret_record_key(reference: str, workforce: WorkforceTypeDef | None) -> str:
    """What a recorded version belongs to: the reference and the workforce's CreateDate."""
    return f"{reference}@{create_stamp(workforce)}"


@dataclass(frozen=True)
class SecretIntent:
    reference: str
    version: str
    since: datetime
    workforce: str


@dataclass(frozen=True)
class Refusal:
    at: datetime
    code: str
    message: str


@dataclass(frozen=True)
class Memory:
    """The records of one workforce, typed."""

    secret: tuple[str, str] | None = None  # (reference@CreateDate, version)
    intent: SecretIntent | None = None
    refusals: dict[str, Refusal] = field(default_factory=dict)
    recreation: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_records(cls, records: dict[str, dict[str, str]]) -> Memory:
        secret = records.get(SECRET_KEY)
        intent = records.get(INTENT_KEY)
        recreate = records.get(RECREATE_KEY)
        return cls(
            secret=(secret["reference"], secret["version"]) if secret else None,
            intent=_intent(intent) if intent else None,
            refusals={
                key.removeprefix(REFUSED_PREFIX): Refusal(
                    at=datetime.fromisoformat(item["at"]),
                    code=item.get("code", ""),
                    message=item.get("message", ""),
                )
                for key, item in records.items()
                if key.startswith(REFUSED_PREFIX)
            },
            recreation=tuple(json.loads(recreate["teams"])) if recreate else (),
        )

    def applied_version(
        self, reference: SecretReference, workforce: WorkforceTypeDef | None
    ) -> tuple[str | None, SecretApplied | None]:
        """The version SageMaker holds for this workforce from this reference, and, when
        only an unconfirmed intent proves it, the record that confirms it."""
        if self.secret is not None and self.secret[0] == secret_record_key(
            reference.display, workforce
        ):
            return self.secret[1], None
        proven = self._proven_intent(reference, workforce)
        return (proven.Version, proven) if proven else (None, None)

    def _proven_intent(
        self, reference: SecretReference, workforce: WorkforceTypeDef | None
    ) -> SecretApplied | None:
        intent = self.intent
        if intent is None or workforce is None or intent.reference != reference.display:
            return None
        if workforce.get("WorkforceName") != intent.workforce:
            return None
        changed = [workforce.get("LastUpdatedDate"), workforce.get("CreateDate")]
        if not any(isinstance(at, datetime) and at > intent.since for at in changed):
            return None
        return SecretApplied(
            Reference=intent.reference,
            Version=intent.version,
            WorkforceName=intent.workforce,
            WorkforceCreateDate=create_stamp(workforce),
        )


def _intent(item: dict[str, str]) -> SecretIntent:
    return SecretIntent(
        reference=item["reference"],
        version=item["version"],
        since=datetime.fromisoformat(item["since"]),
        workforce=item["workforce"],
    )


def read_memory(store: StateStore, region: str, workforce_name: str) -> Memory:
    return Memory.from_records(store.read_records(secret_scope(region, workforce_name)))


def record_intent(store: StateStore, region: str, intent: SecretIntent) -> None:
    store.put_record(
        secret_scope(region, intent.workforce),
        INTENT_KEY,
        {
            "reference": intent.reference,
            "version": intent.version,
            "since": intent.since.isoformat(),
            "workforce": intent.workforce,
        },
    )


def record_applied(store: StateStore, region: str, applied: SecretApplied, at: datetime) -> None:
    """Remember that SageMaker holds ``applied.Version`` since ``at``; the intent is fulfilled."""
    scope = secret_scope(region, applied.WorkforceName)
    store.put_record(
        scope,
        SECRET_KEY,
        {
            "reference": f"{applied.Reference}@{applied.WorkforceCreateDate}",
            "version": applied.Version,
            "applied_at": at.isoformat(),
        },
    )
    store.delete_record(scope, INTENT_KEY)


def record_refusal(store: StateStore, scope: str, key: str, refusal: Refusal) -> None:
    store.put_record(
        scope,
        REFUSED_PREFIX + key,
        {"at": refusal.at.isoformat(), "code": refusal.code, "message": refusal.message},
    )


def forget_refusal(store: StateStore, scope: str, key: str) -> None:
    store.delete_record(scope, REFUSED_PREFIX + key)


def record_recreation(store: StateStore, scope: str, teams: tuple[dict[str, Any], ...]) -> None:
    store.put_record(scope, RECREATE_KEY, {"teams": json.dumps(list(teams), sort_keys=True)})


def forget_recreation(store: StateStore, scope: str) -> None:
    store.delete_record(scope, RECREATE_KEY)


def refusal_key(action: Action, secret_version: str | None) -> str:
    """What a refused request depended on: the request, the live values it would change
    (the changes' before and after), and the secret's version when it carries the secret.
    Any of them changing makes it a new request, worth sending again."""
    what = {
        "Operation": action.Operation.value,
        "Resource": action.target,
        "Request": action.Request,
        "Changes": [[c.Field, c.Before, c.After] for c in action.Changes],
        "Secret": secret_version if action.NeedsClientSecret else None,
    }
    canonical = json.dumps(what, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]
