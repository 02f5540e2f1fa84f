"""Observe: read everything the plan needs, in the fewest calls, before anything is written.

In sync, that is one DescribeWorkforce, one ListWorkteams page per 100 teams, one
secret-version read where OIDC is used, and ListTags only for resources whose tags
the document manages. ListWorkforces is called only when the named workforce does
not exist, to find a differently named one (one workforce per account and region).

The pieces ``teams_of`` and ``workforce_tags`` serve ``export`` too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from workforce_reconciler.engine import compare
from workforce_reconciler.engine.memory import Memory, read_memory
from workforce_reconciler.errors import AwsError
from workforce_reconciler.observability import tracer

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

    from workforce_reconciler.document import DesiredState
    from workforce_reconciler.plan import SecretApplied
    from workforce_reconciler.ports import SecretResolver, StateStore, WorkforceGateway


@dataclass(frozen=True)
class Observed:
    """What SageMaker (and the state store) say now. Plain data for the pure ``diff``."""

    workforce: WorkforceTypeDef | None
    """DescribeWorkforce's Workforce for the document's name, or another workforce of the
    account when that name does not exist (``workforce_name_matches`` then is False)."""
    workforce_name_matches: bool = True
    workteams: dict[str, WorkteamTypeDef] = field(default_factory=dict)
    """The workforce's teams by name, whole ListWorkteams objects."""
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    """Tags by ARN, only for resources whose tags the document manages and that exist."""
    workforce_tags_readable: bool = True
    secret_version_applied: str | None = None
    secret_version_current: str | None = None
    secret_proven: SecretApplied | None = None
    """An unconfirmed secret intent that the workforce's dates prove applied."""
    memory: Memory = field(default_factory=Memory)
    """What the state store remembers about the workforce (refusals, re-creations)."""
    labeling_jobs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Labeling jobs in progress by team: read only before teams would be re-created."""
    region: str = ""


def find_workforce(gateway: WorkforceGateway, name: str) -> tuple[WorkforceTypeDef | None, bool]:
    """The workforce named ``name``, else the account's other one: (workforce, name matches)."""
    workforce = gateway.describe_workforce(name)
    if workforce is not None:
        return workforce, True
    others = gateway.list_workforces()
    if not others:
        return None, True
    # The listed workforce (a whole Workforce object, as DescribeWorkforce answers). Listed
    # under the same name, DescribeWorkforce said "not found" for a moment (eventual
    # consistency): never a reason to replace the workforce.
    other = others[0]
    return other, other.get("WorkforceName") == name


def teams_of(
    gateway: WorkforceGateway, workforce: WorkforceTypeDef | None
) -> dict[str, WorkteamTypeDef]:
    """The work teams of ``workforce`` by name (ListWorkteams lists the account's)."""
    if workforce is None:
        return {}
    arn = workforce.get("WorkforceArn")
    return {t["WorkteamName"]: t for t in gateway.list_workteams() if t.get("WorkforceArn") == arn}


def workforce_tags(gateway: WorkforceGateway, workforce: WorkforceTypeDef) -> dict[str, str] | None:
    """The workforce's tags, or None where SageMaker does not list them.

    The real service has been reported to answer "Invalid resource type: workforce"
    (ValidationException) here; tags given at creation still apply, drift is unknowable.
    Any other error (access denied...) fails the run.
    """
    try:
        return gateway.list_tags(workforce["WorkforceArn"])
    except AwsError as exc:
        if exc.code != "ValidationException":
            raise
        return None


def _managed_tags(
    desired: DesiredState,
    gateway: WorkforceGateway,
    workforce: WorkforceTypeDef | None,
    teams: dict[str, WorkteamTypeDef],
) -> tuple[dict[str, dict[str, str]], bool]:
    """Tags by ARN where the document manages them; whether the workforce's are readable."""
    tags: dict[str, dict[str, str]] = {}
    readable = True
    if workforce is not None and desired.Workforce.Tags is not None:
        found = workforce_tags(gateway, workforce)
        readable = found is not None
        if found is not None:
            tags[workforce["WorkforceArn"]] = found
    for spec in desired.Workteams:
        team = teams.get(spec.WorkteamName)
        if team is not None and spec.Tags is not None:
            tags[team["WorkteamArn"]] = gateway.list_tags(team["WorkteamArn"])
    return tags, readable


def recreation_candidate(
    desired: DesiredState, workforce: WorkforceTypeDef | None, observed: Observed
) -> bool:
    """Whether the plan may re-create the teams for an OIDC change: then it needs every
    team's tags (to carry them over) and their labeling jobs in progress."""
    return (
        workforce is not None
        and desired.Policy.RecreateWorkteamsForOidcChanges
        and bool(observed.workteams)
        and bool(
            compare.oidc(
                desired.Workforce,
                workforce,
                observed.secret_version_applied,
                observed.secret_version_current,
            )
        )
    )


def _recreation_reads(gateway: WorkforceGateway, observed: Observed) -> Observed:
    tags = dict(observed.tags)
    jobs: dict[str, tuple[str, ...]] = {}
    for name, team in observed.workteams.items():
        arn = team["WorkteamArn"]
        if arn not in tags:
            tags[arn] = gateway.list_tags(arn)
        running = gateway.labeling_jobs_in_progress(arn)
        if running:
            jobs[name] = tuple(running)
    return replace(observed, tags=tags, labeling_jobs=jobs)


@tracer.capture_method(capture_response=False)
def observe(
    desired: DesiredState,
    gateway: WorkforceGateway,
    *,
    secrets: SecretResolver | None,
    store: StateStore | None,
) -> Observed:
    name = desired.Workforce.WorkforceName
    workforce, name_matches = find_workforce(gateway, name)
    ours = workforce if name_matches else None
    teams = teams_of(gateway, workforce)
    tags, readable = _managed_tags(desired, gateway, ours, teams)
    # Read even when there is no workforce yet: a missing or unreadable state table
    # is reported by plan, not first discovered half way through an apply.
    memory = read_memory(store, gateway.region, name) if store is not None else Memory()
    applied = current = proven = None
    reference = desired.Workforce.secret_reference()
    if reference is not None and secrets is not None and store is not None:
        # Without a state store there is nowhere to remember the last-applied
        # version, so rotation is not tracked (diff reports that as a finding).
        current = secrets.current_version(reference)
        applied, proven = memory.applied_version(reference, ours)
    observed = Observed(
        workforce=workforce,
        workforce_name_matches=name_matches,
        workteams=teams,
        tags=tags,
        workforce_tags_readable=readable,
        secret_version_applied=applied,
        secret_version_current=current,
        secret_proven=proven,
        memory=memory,
        region=gateway.region,
    )
    if recreation_candidate(desired, ours, observed):
        return _recreation_reads(gateway, observed)
    return observed
