"""diff(desired, observed) -> Plan: a pure function, no I/O.

Rules (docs/document.md says the same for users):
- A field the document omits is not managed: it is left as it is. ``Tags: []`` manages
  tags (removes them all); no ``Tags`` key leaves them alone.
- Lists whose order carries no meaning (CIDRs, subnets, security groups, member
  definitions, tags) are compared as sets, CIDRs as networks.
- Replacing the workforce (another name, Cognito <-> OIDC, another Cognito user pool or
  app client) deletes every work team first: disruptive, so blocked unless
  ``Policy.AllowDisruptiveChanges``. Deleting a team the document does not list is
  blocked unless ``Policy.DeleteUnlistedWorkteams``.
- A workforce whose Status is Failed gets no writes: the plan reports it.
- Order: team deletions (free places under the 25-team limit), workforce, its tags,
  team updates, team creations, team tags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workforce_reconciler.document import normalize_cidrs
from workforce_reconciler.plan import (
    Action,
    Classification,
    FieldChange,
    Finding,
    Operation,
    Plan,
    ResourceType,
    Severity,
)

if TYPE_CHECKING:
    from workforce_reconciler.document import DesiredState, Tag, WorkteamSpec
    from workforce_reconciler.engine.observe import Observed

WORKFORCE = ResourceType.WORKFORCE
WORKTEAM = ResourceType.WORKTEAM
CORRECTABLE = Classification.CORRECTABLE
SECRET_VERSION_FIELD = "OidcConfig.ClientSecretVersion"  # noqa: S105 (a field name)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _as_set(values: Iterable[Any] | None) -> list[Any]:
    """A list in canonical order, for comparing lists whose order means nothing."""
    return sorted(values or [], key=_canon)


def _created(request: dict[str, Any], skip: set[str], prefix: str = "") -> list[FieldChange]:
    """One ``(none) -> value`` change per leaf field of a create request (objects are
    opened up, lists stay whole), so a plan reads field by field like an update."""
    changes: list[FieldChange] = []
    for key, value in request.items():
        if key in skip:
            continue
        if isinstance(value, dict) and value:
            changes += _created(value, set(), f"{prefix}{key}.")
        else:
            changes.append(FieldChange(Field=f"{prefix}{key}", After=value))
    return changes


def _members(definitions: Iterable[dict[str, Any]] | None) -> list[Any]:
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
    return _as_set(canonical)


def _tags(tags: Iterable[Tag]) -> dict[str, str]:
    return {t.Key: t.Value for t in tags}


def diff(desired: DesiredState, observed: Observed) -> Plan:
    builder = _PlanBuilder(desired, observed)
    return builder.build()


class _PlanBuilder:
    def __init__(self, desired: DesiredState, observed: Observed) -> None:
        self.desired = desired
        self.observed = observed
        self.policy = desired.Policy
        self.spec = desired.Workforce
        self.name = desired.Workforce.WorkforceName
        self.actions: list[Action] = []
        self.findings: list[Finding] = []

    # -- entry -------------------------------------------------------------------------
    def build(self) -> Plan:
        workforce = self.observed.workforce
        if workforce is None:
            self._create_everything(CORRECTABLE, "the workforce does not exist")
        elif workforce.get("Status") == "Failed":
            self._failed(workforce)
        elif workforce.get("Status") == "Deleting":
            # Someone is deleting it: nothing to converge until it is gone (the next
            # run then plans the creation).
            self.findings.append(
                Finding(
                    Code="WorkforceDeleting",
                    Severity=Severity.WARNING,
                    Message=f"workforce {workforce.get('WorkforceName')} is being deleted; "
                    "the run after it is gone creates it again from the document",
                    ResourceName=workforce.get("WorkforceName"),
                )
            )
        else:
            reason = self._replacement_reason(workforce)
            if reason:
                self._replace(workforce, reason)
            else:
                self._converge(workforce)
        self._secret_findings()
        return Plan(
            WorkforceName=self.name,
            Actions=tuple(self.actions),
            Findings=tuple(self.findings),
            SecretVersion=self.observed.secret_version_current,
        )

    # -- whole-workforce paths ---------------------------------------------------------
    def _create_everything(self, classification: Classification, reason: str) -> None:
        spec = self.spec
        request: dict[str, Any] = {"WorkforceName": self.name}
        changes = [FieldChange(Field="WorkforceName", After=self.name)]
        if spec.CognitoConfig is not None:
            request["CognitoConfig"] = spec.CognitoConfig.model_dump(exclude_none=True)
        oidc = spec.oidc_request()
        if oidc is not None:
            request["OidcConfig"] = oidc
        if spec.SourceIpConfig is not None and spec.SourceIpConfig.Cidrs:
            # (an empty list means no restriction, which is what leaving it out does)
            request["SourceIpConfig"] = {"Cidrs": list(spec.SourceIpConfig.Cidrs)}
        if spec.WorkforceVpcConfig is not None:
            request["WorkforceVpcConfig"] = spec.WorkforceVpcConfig.model_dump(exclude_none=True)
        if spec.IpAddressType is not None:
            request["IpAddressType"] = spec.IpAddressType
        if spec.Tags:
            request["Tags"] = [t.model_dump() for t in spec.Tags]
        changes += _created(request, skip={"WorkforceName"})
        if oidc is not None:
            # The version, never the value: versions are what tells a rotation apart.
            current = self.observed.secret_version_current
            changes.append(
                FieldChange(
                    Field=SECRET_VERSION_FIELD,
                    After=f"version {current}" if current else "(from the reference)",
                )
            )
        self._add(
            Operation.CREATE_WORKFORCE,
            WORKFORCE,
            self.name,
            classification,
            reason,
            request,
            changes,
            needs_secret=oidc is not None,
        )
        for team in self.desired.Workteams:
            self._create_team(team, classification, reason)

    def _failed(self, workforce: dict[str, Any]) -> None:
        failure = workforce.get("FailureReason") or "no FailureReason given"
        self.findings.append(
            Finding(
                Code="WorkforceFailed",
                Severity=Severity.CRITICAL,
                Message=f"workforce {workforce.get('WorkforceName')} has Status Failed: {failure}",
                ResourceName=workforce.get("WorkforceName"),
            )
        )

    def _replacement_reason(self, workforce: dict[str, Any]) -> str | None:
        if not self.observed.workforce_name_matches:
            return (
                f"the account's workforce is named {workforce.get('WorkforceName')!r}, "
                f"the document names {self.name!r}; there can be only one per account and region"
            )
        observed_cognito = workforce.get("CognitoConfig")
        # Positive evidence only: the *other* configuration is there, not merely the
        # wanted one missing from a partial answer.
        if self.spec.CognitoConfig is not None and workforce.get("OidcConfig") is not None:
            return "the workforce uses OIDC, the document asks for Amazon Cognito"
        if self.spec.OidcConfig is not None and observed_cognito is not None:
            return "the workforce uses Amazon Cognito, the document asks for OIDC"
        if self.spec.CognitoConfig is not None and observed_cognito is not None:
            wanted = self.spec.CognitoConfig.model_dump(exclude_none=True)
            have = {k: observed_cognito.get(k) for k in wanted}
            if wanted != have:
                return "UpdateWorkforce cannot change the Cognito user pool or app client"
        return None

    def _replace(self, workforce: dict[str, Any], why: str) -> None:
        allowed = self.policy.AllowDisruptiveChanges
        classification = Classification.DISRUPTIVE if allowed else Classification.BLOCKED
        teams = sorted(self.observed.workteams)
        reason = (
            f"replacing the workforce: {why}. It deletes the workforce and its "
            f"{len(teams)} work team(s), cutting every worker off"
        )
        if not allowed:
            reason += "; set Policy.AllowDisruptiveChanges to allow it"
        for team in teams:
            self._add(
                Operation.DELETE_WORKTEAM,
                WORKTEAM,
                team,
                classification,
                reason,
                {"WorkteamName": team},
                [FieldChange(Field="WorkteamName", Before=team)],
            )
        old_name = str(workforce.get("WorkforceName"))
        self._add(
            Operation.DELETE_WORKFORCE,
            WORKFORCE,
            old_name,
            classification,
            reason,
            {"WorkforceName": old_name},
            [FieldChange(Field="WorkforceName", Before=old_name)],
        )
        self._create_everything(classification, reason)

    # -- converge an existing workforce ------------------------------------------------
    def _converge(self, workforce: dict[str, Any]) -> None:
        desired_teams = {t.WorkteamName: t for t in self.desired.Workteams}
        for name in sorted(set(self.observed.workteams) - set(desired_teams)):
            self._unlisted_team(name)
        self._update_workforce(workforce)
        if self.spec.Tags is not None:
            if self.observed.workforce_tags_readable:
                self._tag_actions(WORKFORCE, self.name, workforce["WorkforceArn"], self.spec.Tags)
            else:
                self.findings.append(
                    Finding(
                        Code="WorkforceTagsUnverifiable",
                        Severity=Severity.INFO,
                        Message="SageMaker does not list this workforce's tags, so tag drift "
                        "on the workforce cannot be seen; tags are applied at creation only",
                        ResourceName=self.name,
                    )
                )
        creates: list[WorkteamSpec] = []
        for name, spec in desired_teams.items():
            observed_team = self.observed.workteams.get(name)
            if observed_team is None:
                creates.append(spec)
            else:
                self._update_team(spec, observed_team)
        for spec in creates:
            self._create_team(spec, CORRECTABLE, "the work team does not exist")
        for name, spec in desired_teams.items():
            observed_team = self.observed.workteams.get(name)
            if observed_team is not None and spec.Tags is not None:
                self._tag_actions(WORKTEAM, name, observed_team["WorkteamArn"], spec.Tags)

    def _unlisted_team(self, name: str) -> None:
        if self.policy.DeleteUnlistedWorkteams:
            classification = Classification.DISRUPTIVE
            reason = "the document does not list this work team (Policy.DeleteUnlistedWorkteams)"
        else:
            classification = Classification.BLOCKED
            reason = (
                "the document does not list this work team; deleting it cuts its workers off, "
                "so set Policy.DeleteUnlistedWorkteams to allow it, or add it to the document"
            )
        self._add(
            Operation.DELETE_WORKTEAM,
            WORKTEAM,
            name,
            classification,
            reason,
            {"WorkteamName": name},
            [FieldChange(Field="WorkteamName", Before=name)],
        )

    def _update_workforce(self, workforce: dict[str, Any]) -> None:
        spec = self.spec
        request: dict[str, Any] = {"WorkforceName": self.name}
        changes: list[FieldChange] = []
        needs_secret = False

        if spec.SourceIpConfig is not None:
            have = normalize_cidrs((workforce.get("SourceIpConfig") or {}).get("Cidrs", []))
            want = tuple(spec.SourceIpConfig.Cidrs)
            if have != want:
                changes.append(
                    FieldChange(Field="SourceIpConfig.Cidrs", Before=list(have), After=list(want))
                )
                request["SourceIpConfig"] = {"Cidrs": list(want)}

        oidc = spec.oidc_request()
        if oidc is not None:
            have_oidc = workforce.get("OidcConfig") or {}
            for key in sorted(set(oidc) | set(have_oidc)):
                if key == "ClientSecret":
                    continue
                before, after = have_oidc.get(key), oidc.get(key)
                if _canon(before) != _canon(after):
                    changes.append(
                        FieldChange(Field=f"OidcConfig.{key}", Before=before, After=after)
                    )
            applied = self.observed.secret_version_applied
            current = self.observed.secret_version_current
            if current is not None and applied != current:
                changes.append(
                    FieldChange(
                        Field=SECRET_VERSION_FIELD,
                        Before=f"version {applied}" if applied else "version not recorded",
                        After=f"version {current}",
                    )
                )
            if any(c.Field.startswith("OidcConfig.") for c in changes):
                request["OidcConfig"] = oidc
                needs_secret = True

        if spec.WorkforceVpcConfig is not None:
            want_vpc = spec.WorkforceVpcConfig.model_dump(exclude_none=True)
            have_vpc = workforce.get("WorkforceVpcConfig") or {}
            vpc_changed = False
            for key, after in want_vpc.items():
                before = have_vpc.get(key)
                if isinstance(after, list):
                    same = _as_set(before) == _as_set(after)
                else:
                    same = before == after
                if not same:
                    vpc_changed = True
                    changes.append(
                        FieldChange(Field=f"WorkforceVpcConfig.{key}", Before=before, After=after)
                    )
            if vpc_changed:
                request["WorkforceVpcConfig"] = want_vpc

        if spec.IpAddressType is not None:
            have_type = workforce.get("IpAddressType") or "ipv4"
            if have_type != spec.IpAddressType:
                changes.append(
                    FieldChange(Field="IpAddressType", Before=have_type, After=spec.IpAddressType)
                )
                request["IpAddressType"] = spec.IpAddressType

        oidc_changes = [c for c in changes if c.Field.startswith("OidcConfig.")]
        other_changes = [c for c in changes if not c.Field.startswith("OidcConfig.")]
        if oidc_changes and other_changes and self.observed.workteams:
            # Older SageMaker documentation says OIDC changes are refused while work teams
            # exist. Sent alone, a refused OIDC change cannot hold back the network
            # settings (the source-IP allow-list above all): two updates, network first.
            self._add(
                Operation.UPDATE_WORKFORCE,
                WORKFORCE,
                self.name,
                CORRECTABLE,
                "the workforce's network settings differ from the document",
                {k: v for k, v in request.items() if k != "OidcConfig"},
                other_changes,
            )
            self._add(
                Operation.UPDATE_WORKFORCE,
                WORKFORCE,
                self.name,
                CORRECTABLE,
                "the workforce's OIDC configuration differs from the document",
                {"WorkforceName": self.name, "OidcConfig": request["OidcConfig"]},
                oidc_changes,
                needs_secret=True,
            )
        elif changes:
            self._add(
                Operation.UPDATE_WORKFORCE,
                WORKFORCE,
                self.name,
                CORRECTABLE,
                "the workforce differs from the document",
                request,
                changes,
                needs_secret=needs_secret,
            )

    # -- teams -------------------------------------------------------------------------
    def _create_team(self, spec: WorkteamSpec, classification: Classification, why: str) -> None:
        request: dict[str, Any] = {"WorkteamName": spec.WorkteamName, "WorkforceName": self.name}
        request.update(spec.api_fields())
        if spec.Tags:
            request["Tags"] = [t.model_dump() for t in spec.Tags]
        changes = _created(request, skip={"WorkforceName"})
        self._add(
            Operation.CREATE_WORKTEAM,
            WORKTEAM,
            spec.WorkteamName,
            classification,
            why,
            request,
            changes,
        )

    def _update_team(self, spec: WorkteamSpec, observed_team: dict[str, Any]) -> None:
        wanted = spec.api_fields()
        request: dict[str, Any] = {"WorkteamName": spec.WorkteamName}
        changes: list[FieldChange] = []
        for key, after in wanted.items():
            before = observed_team.get(key)
            if key == "MemberDefinitions":
                same = _members(before) == _members(after)
            else:
                same = _canon(before) == _canon(after)
            if not same:
                changes.append(FieldChange(Field=key, Before=before, After=after))
                request[key] = after
        if changes:
            self._add(
                Operation.UPDATE_WORKTEAM,
                WORKTEAM,
                spec.WorkteamName,
                CORRECTABLE,
                "the work team differs from the document",
                request,
                changes,
            )

    def _tag_actions(
        self, resource_type: ResourceType, name: str, arn: str, tags: Iterable[Tag]
    ) -> None:
        want = _tags(tags)
        # aws: tags belong to AWS and cannot be changed by anyone.
        have = {
            k: v for k, v in self.observed.tags.get(arn, {}).items() if not k.startswith("aws:")
        }
        to_set = {k: v for k, v in sorted(want.items()) if have.get(k) != v}
        to_remove = sorted(set(have) - set(want))
        if to_set:
            self._add(
                Operation.ADD_TAGS,
                resource_type,
                name,
                CORRECTABLE,
                "tags differ from the document",
                {"ResourceArn": arn, "Tags": [{"Key": k, "Value": v} for k, v in to_set.items()]},
                [
                    FieldChange(Field=f"Tags.{k}", Before=have.get(k), After=v)
                    for k, v in to_set.items()
                ],
            )
        if to_remove:
            self._add(
                Operation.DELETE_TAGS,
                resource_type,
                name,
                CORRECTABLE,
                "tags the document does not list",
                {"ResourceArn": arn, "TagKeys": to_remove},
                [FieldChange(Field=f"Tags.{k}", Before=have[k]) for k in to_remove],
            )

    # -- findings ----------------------------------------------------------------------
    def _secret_findings(self) -> None:
        if self.spec.OidcConfig is not None and self.observed.secret_version_current is None:
            self.findings.append(
                Finding(
                    Code="SecretRotationNotTracked",
                    Severity=Severity.INFO,
                    Message="no state store: a rotated OIDC client secret is not detected "
                    "(the Lambda deployment tracks it; the CLI does with --state-table)",
                    ResourceName=self.name,
                )
            )

    def _add(
        self,
        operation: Operation,
        resource_type: ResourceType,
        name: str,
        classification: Classification,
        reason: str,
        request: dict[str, Any],
        changes: list[FieldChange],
        *,
        needs_secret: bool = False,
    ) -> None:
        self.actions.append(
            Action(
                Operation=operation,
                ResourceType=resource_type,
                ResourceName=name,
                Classification=classification,
                Changes=tuple(changes),
                Reason=reason,
                Request=request,
                NeedsClientSecret=needs_secret,
            )
        )
