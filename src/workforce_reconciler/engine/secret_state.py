"""Which client-secret version SageMaker holds: read before planning, written after apply.

SageMaker never returns the OIDC client secret, so rotation is seen by the secret's
version (Secrets Manager ``AWSCURRENT`` VersionId, SSM parameter Version), recorded in
the state store once SageMaker accepted it. The record is keyed by region and workforce
name (the scope) and belongs to the reference and to the workforce by its CreateDate,
so a workforce deleted and re-created by hand (with who knows which secret) has no
recorded version and gets the document's secret applied once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

    from workforce_reconciler.plan import SecretApplied
    from workforce_reconciler.ports import SecretReference, StateStore


def secret_scope(region: str, workforce_name: str) -> str:
    return f"{region}/{workforce_name}"


def create_stamp(workforce: WorkforceTypeDef | None) -> str:
    """The workforce's CreateDate as the record keeps it."""
    created = workforce.get("CreateDate") if workforce is not None else None
    return created.isoformat() if isinstance(created, datetime) else str(created)


def secret_record_key(reference: str, workforce: WorkforceTypeDef | None) -> str:
    """What a recorded version belongs to: the reference and the workforce's CreateDate."""
    return f"{reference}@{create_stamp(workforce)}"


def applied_version(
    store: StateStore,
    region: str,
    workforce_name: str,
    reference: SecretReference,
    workforce: WorkforceTypeDef | None,
) -> str | None:
    """The version last applied to this very workforce from this reference, if recorded."""
    return store.get_secret_version(
        secret_scope(region, workforce_name), secret_record_key(reference.display, workforce)
    )


def record_applied(store: StateStore, region: str, applied: SecretApplied) -> None:
    """Remember that SageMaker holds ``applied.Version`` (IAM: the store's put)."""
    store.put_secret_version(
        secret_scope(region, applied.WorkforceName),
        f"{applied.Reference}@{applied.WorkforceCreateDate}",
        applied.Version,
    )
