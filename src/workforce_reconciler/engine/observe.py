"""Observe: read everything the plan needs, in the fewest calls, before anything is written.

In sync, that is one DescribeWorkforce, one ListWorkteams page per 100 teams, one
secret-version read where OIDC is used, and ListTags only for resources whose tags
the document manages. ListWorkforces is called only when the named workforce does
not exist, to find a differently named one (one workforce per account and region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workforce_reconciler.errors import AwsError

if TYPE_CHECKING:
    from workforce_reconciler.adapters.sagemaker import SageMakerGateway
    from workforce_reconciler.document import DesiredState
    from workforce_reconciler.ports import SecretResolver, StateStore


@dataclass(frozen=True)
class Observed:
    """What SageMaker (and the state store) say now. Plain data for the pure ``diff``."""

    workforce: dict[str, Any] | None
    """DescribeWorkforce's Workforce for the document's name, or another workforce of the
    account when that name does not exist (``workforce_name_matches`` then is False)."""
    workforce_name_matches: bool = True
    workteams: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The workforce's teams by name, whole ListWorkteams objects."""
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    """Tags by ARN, only for resources whose tags the document manages and that exist."""
    workforce_tags_readable: bool = True
    secret_version_applied: str | None = None
    secret_version_current: str | None = None


def secret_scope(region: str, workforce_name: str) -> str:
    return f"{region}/{workforce_name}"


def secret_record_key(reference: str, workforce: dict[str, Any] | None) -> str:
    """What a recorded secret version belongs to: the reference, and the workforce by its
    CreateDate, so a workforce deleted and re-created (by hand, with who knows which
    secret) has no recorded version and gets the document's secret applied once."""
    created = (workforce or {}).get("CreateDate")
    stamp = created.isoformat() if isinstance(created, datetime) else str(created)
    return f"{reference}@{stamp}"


def observe(
    desired: DesiredState,
    gateway: SageMakerGateway,
    *,
    secrets: SecretResolver | None,
    store: StateStore | None,
) -> Observed:
    name = desired.Workforce.WorkforceName
    workforce = gateway.describe_workforce(name)
    name_matches = True
    if workforce is None:
        others = gateway.list_workforces()
        if others:
            # The same name here means DescribeWorkforce said "not found" for a moment
            # (eventual consistency): never a reason to replace the workforce.
            workforce = others[0]
            name_matches = workforce.get("WorkforceName") == name
            if name_matches:
                workforce = gateway.describe_workforce(name) or workforce

    teams: dict[str, dict[str, Any]] = {}
    if workforce is not None:
        arn = workforce.get("WorkforceArn")
        teams = {
            t["WorkteamName"]: t for t in gateway.list_workteams() if t.get("WorkforceArn") == arn
        }

    tags: dict[str, dict[str, str]] = {}
    workforce_tags_readable = True
    if workforce is not None and name_matches and desired.Workforce.Tags is not None:
        try:
            tags[workforce["WorkforceArn"]] = gateway.list_tags(workforce["WorkforceArn"])
        except AwsError as exc:
            # The real service has been reported to answer "Invalid resource type:
            # workforce" here; tags given at creation still apply, drift is unknowable.
            if exc.code != "ValidationException":
                raise
            workforce_tags_readable = False
    for spec in desired.Workteams:
        team = teams.get(spec.WorkteamName)
        if team is not None and spec.Tags is not None:
            tags[team["WorkteamArn"]] = gateway.list_tags(team["WorkteamArn"])

    applied = current = None
    reference = desired.Workforce.secret_reference()
    if reference is not None and secrets is not None and store is not None:
        # Without a state store there is nowhere to remember the last-applied
        # version, so rotation is not tracked (diff reports that as a finding).
        current = secrets.current_version(reference)
        # Read even when there is no workforce yet: a missing or unreadable state table
        # is reported by plan, not first discovered half way through an apply.
        applied = store.get_secret_version(
            secret_scope(gateway.region, name),
            secret_record_key(reference.display, workforce if name_matches else None),
        )

    return Observed(
        workforce=workforce,
        workforce_name_matches=name_matches,
        workteams=teams,
        tags=tags,
        workforce_tags_readable=workforce_tags_readable,
        secret_version_applied=applied,
        secret_version_current=current,
    )
