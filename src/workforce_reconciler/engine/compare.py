"""Per-section comparers: the document's section against the live one -> changes + request.

Each comparer is pure and looks only at what the document states (a key it omits is
not managed). It returns a ``Section``: the field-level changes and the fragment of
the UpdateWorkforce / UpdateWorkteam request that makes them. ``diff`` assembles the
fragments into actions and decides what the policy allows.

Lists whose order means nothing (CIDRs, subnets, security groups, member definitions
and their groups, tags) are compared as sets, CIDRs as networks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from workforce_reconciler.document import normalize_cidrs
from workforce_reconciler.plan import FieldChange

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

    from workforce_reconciler.document import Tag, WorkforceSpec, WorkteamSpec

SECRET_VERSION_FIELD = "OidcConfig.ClientSecretVersion"  # noqa: S105 (a field name)
# The fields of a work team that CreateWorkteam takes besides its names and tags.
TEAM_FIELDS = (
    "Description",
    "MemberDefinitions",
    "NotificationConfiguration",
    "WorkerAccessConfiguration",
)


@dataclass(frozen=True)
class Section:
    changes: tuple[FieldChange, ...] = ()
    request: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changes)


def canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def as_set(values: Iterable[Any] | None) -> list[Any]:
    """A list in canonical order, for comparing lists whose order means nothing."""
    return sorted(values or [], key=canon)


def created(request: Mapping[str, Any], skip: set[str], prefix: str = "") -> list[FieldChange]:
    """One ``(none) -> value`` change per leaf field of a create request (objects are
    opened up, lists stay whole), so a plan reads field by field like an update."""
    changes: list[FieldChange] = []
    for key, value in request.items():
        if key in skip:
            continue
        if isinstance(value, dict) and value:
            changes += created(value, set(), f"{prefix}{key}.")
        else:
            changes.append(FieldChange(Field=f"{prefix}{key}", After=value))
    return changes


def members(definitions: Iterable[Mapping[str, Any]] | None) -> list[Any]:
    """Member definitions as a set, each OIDC definition's Groups as a set too."""
    canonical = []
    for definition in definitions or []:
        oidc = definition.get("OidcMemberDefinition")
        if isinstance(oidc, dict) and isinstance(oidc.get("Groups"), list):
            definition = {
                **definition,
                "OidcMemberDefinition": {**oidc, "Groups": sorted(oidc["Groups"])},
            }
        canonical.append(definition)
    return as_set(canonical)


def source_ips(spec: WorkforceSpec, live: WorkforceTypeDef) -> Section:
    if spec.SourceIpConfig is None:
        return Section()
    have = normalize_cidrs(live.get("SourceIpConfig", {}).get("Cidrs", []))
    want = tuple(spec.SourceIpConfig.Cidrs)
    if have == want:
        return Section()
    change = FieldChange(Field="SourceIpConfig.Cidrs", Before=list(have), After=list(want))
    return Section((change,), {"SourceIpConfig": {"Cidrs": list(want)}})


def oidc(
    spec: WorkforceSpec, live: WorkforceTypeDef, applied: str | None, current: str | None
) -> Section:
    """OidcConfig's fields, and the client secret by its version (SageMaker never shows it)."""
    wanted = spec.oidc_request()
    if wanted is None:
        return Section()
    have = cast("dict[str, Any]", live.get("OidcConfig") or {})
    changes = [
        FieldChange(Field=f"OidcConfig.{key}", Before=have.get(key), After=wanted.get(key))
        for key in sorted(set(wanted) | set(have))
        if key != "ClientSecret" and canon(have.get(key)) != canon(wanted.get(key))
    ]
    if current is not None and applied != current:
        before = f"version {applied}" if applied else "version not recorded"
        changes.append(
            FieldChange(Field=SECRET_VERSION_FIELD, Before=before, After=f"version {current}")
        )
    if not changes:
        return Section()
    return Section(tuple(changes), {"OidcConfig": wanted})


def vpc(spec: WorkforceSpec, live: WorkforceTypeDef) -> Section:
    if spec.WorkforceVpcConfig is None:
        return Section()
    want = spec.WorkforceVpcConfig.model_dump(exclude_none=True)
    have = cast("dict[str, Any]", live.get("WorkforceVpcConfig") or {})
    if not want:
        # {}: no VPC. UpdateWorkforce with an empty WorkforceVpcConfig detaches it.
        if not have:
            return Section()
        change = FieldChange(Field="WorkforceVpcConfig", Before=have, After=None)
        return Section((change,), {"WorkforceVpcConfig": {}})
    changes = []
    for key, after in want.items():
        before = have.get(key)
        if not _vpc_field_same(before, after):
            changes.append(
                FieldChange(Field=f"WorkforceVpcConfig.{key}", Before=before, After=after)
            )
    if not changes:
        return Section()
    return Section(tuple(changes), {"WorkforceVpcConfig": want})


def _vpc_field_same(before: Any, after: Any) -> bool:
    """A VPC field: its subnets and security groups are sets."""
    return as_set(before) == as_set(after) if isinstance(after, list) else bool(before == after)


def ip_address_type(spec: WorkforceSpec, live: WorkforceTypeDef) -> Section:
    if spec.IpAddressType is None:
        return Section()
    have = live.get("IpAddressType") or "ipv4"
    if have == spec.IpAddressType:
        return Section()
    change = FieldChange(Field="IpAddressType", Before=have, After=spec.IpAddressType)
    return Section((change,), {"IpAddressType": spec.IpAddressType})


def stated(before: Any, after: Any) -> bool:
    """Whether the live value ``before`` has what the document states in ``after``.

    Objects are compared on the members the document states: SageMaker fills in
    defaults the request did not carry (e.g. ``VpcSourceIp: Disabled`` beside a stated
    ``SourceIp``), which are not drift. An empty object states "none".
    """
    if isinstance(after, dict) and after:
        if not isinstance(before, dict):
            return False
        return all(stated(before.get(key), value) for key, value in after.items())
    if isinstance(after, dict):
        return not before
    return canon(before) == canon(after)


def _team_field_same(key: str, before: Any, after: Any) -> bool:
    if key == "MemberDefinitions":
        return bool(members(before) == members(after))
    return stated(before, after)


def team(spec: WorkteamSpec, live: WorkteamTypeDef) -> Section:
    """The fields of a work team the document states, against the live team."""
    have = cast("dict[str, Any]", live)
    changes: list[FieldChange] = []
    request: dict[str, Any] = {}
    for key, after in spec.api_fields().items():
        before = have.get(key)
        if not _team_field_same(key, before, after):
            changes.append(FieldChange(Field=key, Before=before, After=after))
            request[key] = after
    return Section(tuple(changes), request)


_NOT_COMPARED = frozenset({"WorkteamName", "WorkforceName", "Tags", "ClientSecret"})


def request_met(request: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether a live team or workforce already has what a Create request asks for (a
    lost race: another run created it first). Tags and names are not compared; the
    client secret cannot be."""
    for key, wanted in request.items():
        if key in _NOT_COMPARED:
            continue
        if key == "OidcConfig":
            wanted = {k: v for k, v in wanted.items() if k != "ClientSecret"}
        if key == "SourceIpConfig":
            same = normalize_cidrs(wanted.get("Cidrs", [])) == normalize_cidrs(
                live.get(key, {}).get("Cidrs", [])
            )
        elif key == "WorkforceVpcConfig":
            have = live.get(key) or {}
            same = all(_vpc_field_same(have.get(k), v) for k, v in wanted.items())
        else:
            same = _team_field_same(key, live.get(key), wanted)
        if not same:
            return False
    return True


def user_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags as the API lists them, without ``aws:`` ones (AWS's own, never ours to set)."""
    return [
        {"Key": k, "Value": v} for k, v in sorted(tags.items()) if not k.lower().startswith("aws:")
    ]


@dataclass(frozen=True)
class TagDiff:
    to_set: dict[str, str]
    to_remove: dict[str, str]  # key -> the value it has now


def tags(want: Iterable[Tag], have: Mapping[str, str]) -> TagDiff:
    """Tags to add or change, and tags to remove; ``aws:`` tags belong to AWS, never touched."""
    wanted = {t.Key: t.Value for t in want}
    user = {k: v for k, v in have.items() if not k.lower().startswith("aws:")}
    return TagDiff(
        to_set={k: v for k, v in sorted(wanted.items()) if user.get(k) != v},
        to_remove={k: user[k] for k in sorted(set(user) - set(wanted))},
    )
