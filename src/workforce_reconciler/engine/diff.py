"""diff(desired, observed) -> Plan: a pure function, no I/O.

Rules (docs/document.md says the same for users):
- A field the document omits is not managed: it is left as it is. ``Tags: []`` manages
  tags (removes them all); no ``Tags`` key leaves them alone.
- Lists whose order carries no meaning are compared as sets (``compare.py``).
- Replacing the workforce (another name, Cognito <-> OIDC, another Cognito user pool or
  app client) deletes every work team first: disruptive, so blocked unless
  ``Policy.AllowDisruptiveChanges``. Deleting a team the document does not list is
  blocked unless ``Policy.DeleteUnlistedWorkteams``.
- A workforce whose Status is Failed gets no writes: the plan reports it.
- What the document says that a person may not mean (``document_warnings``: an allow-list
  open to every address, ...) is a WARNING finding, with the text ``validate`` prints.
- Order: team deletions (free places under the 25-team limit), workforce, its tags,
  team updates, team creations, team tags.

The planner also decides everything apply needs to execute the plan as data: which
workforce the first steps act on, the statuses each step may be sent in, which
failures hold the rest back, and where to read the client secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from workforce_reconciler.document import document_warnings
from workforce_reconciler.engine import advice, compare
from workforce_reconciler.engine.guardrails import Guardrails, capped_hint, enforce
from workforce_reconciler.observability import tracer
from workforce_reconciler.plan import (
    Action,
    Classification,
    FieldChange,
    Finding,
    LiveWorkforce,
    Operation,
    Plan,
    ResourceType,
    SecretSource,
    Severity,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

    from workforce_reconciler.document import DesiredState, Tag, WorkteamSpec
    from workforce_reconciler.engine.observe import Observed

WORKFORCE = ResourceType.WORKFORCE
WORKTEAM = ResourceType.WORKTEAM
CORRECTABLE = Classification.CORRECTABLE
SECRET_VERSION_FIELD = compare.SECRET_VERSION_FIELD

ACTIVE = ("Active",)
# A Failed workforce can still be deleted (an allowed replacement), nothing else.
ACTIVE_OR_FAILED = ("Active", "Failed")
# When each step may be sent: SageMaker refuses (or mishandles) these while the
# workforce is changing, so apply waits, bounded, for one of these statuses.
_PROCEED_WHEN: dict[Operation, tuple[str, ...]] = {
    Operation.UPDATE_WORKFORCE: ACTIVE,
    Operation.DELETE_WORKFORCE: ACTIVE_OR_FAILED,
    Operation.CREATE_WORKTEAM: ACTIVE,
    Operation.UPDATE_WORKTEAM: ACTIVE,
}
# Steps the rest of the plan builds on: if one fails, what follows is left to the next run.
_HOLDS_BACK = frozenset({Operation.CREATE_WORKFORCE, Operation.DELETE_WORKFORCE})


@tracer.capture_method(capture_response=False)
def diff(desired: DesiredState, observed: Observed, guardrails: Guardrails | None = None) -> Plan:
    """The plan; ``guardrails`` (the stack's ceiling) default to none."""
    plan = _PlanBuilder(desired, observed, guardrails or Guardrails()).build()
    return enforce(plan, guardrails or Guardrails())


class _PlanBuilder:
    def __init__(self, desired: DesiredState, observed: Observed, guardrails: Guardrails) -> None:
        self.desired = desired
        self.observed = observed
        self.guardrails = guardrails
        self.policy = desired.Policy
        self.spec = desired.Workforce
        self.name = desired.Workforce.WorkforceName
        self.actions: list[Action] = []
        self.findings: list[Finding] = []
        self.replacing = False
        self.secret_first = False
        self.recreating = False
        self.recreation: list[dict[str, Any]] = []

    # -- entry -------------------------------------------------------------------------
    def build(self) -> Plan:
        live = self.observed.workforce
        if live is None:
            self._create_everything(CORRECTABLE, "the workforce does not exist")
        elif live.get("Status") == "Failed":
            self._failed(live)
        elif live.get("Status") == "Deleting":
            self._deleting(live)
        else:
            reason = self._replacement_reason(live)
            if reason:
                self._replace(live, reason)
            else:
                self._converge(live)
        self._document_findings()
        self._secret_findings()
        return Plan(
            WorkforceName=self.name,
            Actions=tuple(self.actions),
            Findings=tuple(self.findings),
            SecretVersion=self.observed.secret_version_current,
            LiveWorkforce=_live(live),
            Secret=self._secret_source(),
            SecretFirst=self.secret_first,
            Recreation=tuple(self.recreation),
        )

    def _secret_source(self) -> SecretSource | None:
        reference = self.spec.secret_reference()
        if reference is None or not any(a.NeedsClientSecret for a in self.actions):
            return None
        return SecretSource(SecretArn=reference.secret_arn, ParameterName=reference.parameter_name)

    # -- whole-workforce paths ---------------------------------------------------------
    def _create_everything(self, classification: Classification, reason: str) -> None:
        request = self._create_request()
        changes = [FieldChange(Field="WorkforceName", After=self.name)]
        changes += compare.created(request, skip={"WorkforceName"})
        if "OidcConfig" in request:
            # The version, never the value: versions are what tells a rotation apart.
            current = self.observed.secret_version_current
            after = f"version {current}" if current else "(from the reference)"
            changes.append(FieldChange(Field=SECRET_VERSION_FIELD, After=after))
        self._add(
            Operation.CREATE_WORKFORCE,
            WORKFORCE,
            self.name,
            classification,
            reason,
            request,
            changes,
            needs_secret="OidcConfig" in request,
        )
        for team in self.desired.Workteams:
            self._create_team(team, classification, reason)

    def _create_request(self) -> dict[str, Any]:
        spec = self.spec
        request: dict[str, Any] = {"WorkforceName": self.name}
        if spec.CognitoConfig is not None:
            request["CognitoConfig"] = spec.CognitoConfig.model_dump(exclude_none=True)
        oidc = spec.oidc_request()
        if oidc is not None:
            request["OidcConfig"] = oidc
        if spec.SourceIpConfig is not None and spec.SourceIpConfig.Cidrs:
            # (an empty list means no restriction, which is what leaving it out does)
            request["SourceIpConfig"] = {"Cidrs": list(spec.SourceIpConfig.Cidrs)}
        if spec.WorkforceVpcConfig is not None and not spec.WorkforceVpcConfig.detached:
            request["WorkforceVpcConfig"] = spec.WorkforceVpcConfig.model_dump(exclude_none=True)
        if spec.IpAddressType is not None:
            request["IpAddressType"] = spec.IpAddressType
        if spec.Tags:
            request["Tags"] = [t.model_dump() for t in spec.Tags]
        return request

    def _failed(self, live: WorkforceTypeDef) -> None:
        """A Failed workforce cannot be updated: re-created when the policy allows it."""
        failure = live.get("FailureReason") or "no FailureReason given"
        name = live["WorkforceName"]
        self.findings.append(
            Finding(
                Code="WorkforceFailed",
                Severity=Severity.CRITICAL,
                Message=f"workforce {name} has Status Failed: {failure}",
                ResourceName=name,
                Advice=advice.failed(
                    name,
                    self.observed.region,
                    self.observed.workteams,
                    policy=self._how_to_allow("AllowDisruptiveChanges"),
                ),
            )
        )
        if self._allowed("AllowDisruptiveChanges"):
            self._replace(live, f"the workforce is Failed ({failure})")

    def _deleting(self, live: WorkforceTypeDef) -> None:
        # Someone is deleting it: nothing to converge until it is gone (the next run
        # then plans the creation).
        self.findings.append(
            Finding(
                Code="WorkforceDeleting",
                Severity=Severity.WARNING,
                Message=f"workforce {live.get('WorkforceName')} is being deleted; "
                "the run after it is gone creates it again from the document",
                ResourceName=live.get("WorkforceName"),
            )
        )

    def _replacement_reason(self, live: WorkforceTypeDef) -> str | None:
        if not self.observed.workforce_name_matches:
            return (
                f"the account's workforce is named {live.get('WorkforceName')!r}, "
                f"the document names {self.name!r}; there can be only one per account and region"
            )
        have_cognito = live.get("CognitoConfig")
        # Positive evidence only: the *other* configuration is there, not merely the
        # wanted one missing from a partial answer.
        if self.spec.CognitoConfig is not None and live.get("OidcConfig") is not None:
            return "the workforce uses OIDC, the document asks for Amazon Cognito"
        if self.spec.OidcConfig is not None and have_cognito is not None:
            return "the workforce uses Amazon Cognito, the document asks for OIDC"
        if self.spec.CognitoConfig is not None and have_cognito is not None:
            wanted = self.spec.CognitoConfig.model_dump(exclude_none=True)
            if wanted != {k: have_cognito.get(k) for k in wanted}:
                return "UpdateWorkforce cannot change the Cognito user pool or app client"
        return None

    def _replace(self, live: WorkforceTypeDef, why: str) -> None:
        allowed = self._allowed("AllowDisruptiveChanges")
        self.replacing = self.secret_first = allowed
        classification = Classification.DISRUPTIVE if allowed else Classification.BLOCKED
        teams = sorted(self.observed.workteams)
        reason = (
            f"replacing the workforce: {why}. It deletes the workforce and its "
            f"{len(teams)} work team(s), cutting every worker off"
        )
        if not allowed:
            reason += f"; {self._how_to_allow('AllowDisruptiveChanges')}"
        for team in teams:
            self._delete(WORKTEAM, team, classification, reason, {"WorkteamName": team})
        old_name = str(live.get("WorkforceName"))
        self._delete(WORKFORCE, old_name, classification, reason, {"WorkforceName": old_name})
        self._create_everything(classification, reason)

    # -- converge an existing workforce ------------------------------------------------
    def _converge(self, live: WorkforceTypeDef) -> None:
        oidc = compare.oidc(
            self.spec,
            live,
            self.observed.secret_version_applied,
            self.observed.secret_version_current,
        )
        if oidc and self.observed.workteams and self._may_recreate():
            self._recreate(live, oidc)
            return
        desired_teams = {t.WorkteamName: t for t in self.desired.Workteams}
        self.recreation = self._pending_recorded()
        for name in sorted(set(self.observed.workteams) - set(desired_teams)):
            self._unlisted_team(name)
        self._update_workforce(live, oidc)
        self._workforce_tags(live)
        existing = {n: s for n, s in desired_teams.items() if n in self.observed.workteams}
        for spec in existing.values():
            self._update_team(spec)
        for name, spec in desired_teams.items():
            if name not in existing:
                self._create_team(spec, CORRECTABLE, "the work team does not exist")
        self._recreate_recorded(set(desired_teams))
        for name, spec in existing.items():
            if spec.Tags is not None:
                arn = self.observed.workteams[name]["WorkteamArn"]
                self._tag_actions(WORKTEAM, name, arn, spec.Tags)

    def _may_recreate(self) -> bool:
        return self._allowed("RecreateWorkteamsForOidcChanges") and not self.observed.labeling_jobs

    def _workforce_tags(self, live: WorkforceTypeDef) -> None:
        if self.spec.Tags is None:
            return
        if self.observed.workforce_tags_readable:
            self._tag_actions(WORKFORCE, self.name, live["WorkforceArn"], self.spec.Tags)
            return
        self.findings.append(
            Finding(
                Code="WorkforceTagsUnverifiable",
                Severity=Severity.INFO,
                Message="SageMaker does not list this workforce's tags, so tag drift "
                "on the workforce cannot be seen; tags are applied at creation only",
                ResourceName=self.name,
            )
        )

    def _unlisted_team(self, name: str) -> None:
        if self._allowed("DeleteUnlistedWorkteams"):
            classification = Classification.DISRUPTIVE
            reason = "the document does not list this work team (Policy.DeleteUnlistedWorkteams)"
        else:
            classification = Classification.BLOCKED
            reason = (
                "the document does not list this work team; deleting it cuts its workers off, "
                f"so {self._how_to_allow('DeleteUnlistedWorkteams')}, or add it to the document"
            )
        self._delete(WORKTEAM, name, classification, reason, {"WorkteamName": name})

    def _update_workforce(self, live: WorkforceTypeDef, oidc: compare.Section) -> None:
        if oidc and self.observed.workteams:
            # SageMaker refuses an OIDC change while the workforce has teams: blocked in
            # the plan, before any call; the network settings go on their own.
            self._network_update(live)
            self._workforce_update(
                [oidc], "the workforce's OIDC configuration differs", blocked=self._oidc_blocked()
            )
            return
        network = [
            compare.source_ips(self.spec, live),
            compare.vpc(self.spec, live),
            compare.ip_address_type(self.spec, live),
        ]
        if oidc or any(network):
            # (in the document's order: allow-list, OIDC, VPC, IP address type)
            self._workforce_update([network[0], oidc, *network[1:]], "the workforce differs")

    def _oidc_blocked(self) -> str:
        if self.observed.labeling_jobs:
            return advice.jobs_in_progress(self.observed.labeling_jobs)
        reason = advice.oidc_blocked(self.observed.workteams)
        if self.policy.RecreateWorkteamsForOidcChanges:
            reason += f". Note: {capped_hint('RecreateWorkteamsForOidcChanges')}"
        return reason

    def _allowed(self, switch: str) -> bool:
        """A policy switch as it counts: set in the document, within the stack's ceiling."""
        return bool(getattr(self.policy, switch)) and self.guardrails.allows(switch)

    def _how_to_allow(self, switch: str) -> str:
        if not getattr(self.policy, switch):
            return f"set Policy.{switch} to allow it"
        if not self.guardrails.allows(switch):
            return capped_hint(switch)
        return f"Policy.{switch} is true"  # (a Failed workforce's advice, when it is allowed)

    def _workforce_update(
        self, sections: list[compare.Section], what: str, *, blocked: str | None = None
    ) -> None:
        request: dict[str, Any] = {"WorkforceName": self.name}
        changes: list[FieldChange] = []
        for section in sections:
            request.update(section.request)
            changes += section.changes
        cidrs = request.get("SourceIpConfig", {}).get("Cidrs")
        dualstack = (self.spec.IpAddressType or "ipv4") == "dualstack"
        self._add(
            Operation.UPDATE_WORKFORCE,
            WORKFORCE,
            self.name,
            Classification.BLOCKED if blocked else CORRECTABLE,
            blocked or f"{what} from the document",
            request,
            changes,
            needs_secret="OidcConfig" in request,
            advice=advice.empty_allow_list(dualstack) if cidrs == [] else None,
        )

    # -- re-creating the teams for an OIDC change ----------------------------------------
    def _recreate(self, live: WorkforceTypeDef, oidc: compare.Section) -> None:
        """Delete every team, update the OIDC configuration, re-create each team as it was
        (what the document does not manage carried over from the live team)."""
        self.secret_first = self.recreating = True
        self._network_update(live)
        listed = {t.WorkteamName for t in self.desired.Workteams}
        drop = self._allowed("DeleteUnlistedWorkteams")
        keep = [n for n in sorted(self.observed.workteams) if n in listed or not drop]
        reason = advice.recreating(keep)
        for name in sorted(self.observed.workteams):
            why = reason if name in keep else "the document does not list this work team"
            self._delete(WORKTEAM, name, Classification.DISRUPTIVE, why, {"WorkteamName": name})
        self._workforce_update([oidc], "the workforce's OIDC configuration differs")
        self.recreation = [self._carried(name) for name in keep] + self._pending_recorded()
        for request in self.recreation:
            self._create_from(request, Classification.DISRUPTIVE, reason)
        recreated = {t["WorkteamName"] for t in self.recreation}
        for spec in self.desired.Workteams:
            if spec.WorkteamName not in recreated:
                self._create_team(spec, CORRECTABLE, "the work team does not exist")
        self._workforce_tags(live)

    def _network_update(self, live: WorkforceTypeDef) -> None:
        network = [
            compare.source_ips(self.spec, live),
            compare.vpc(self.spec, live),
            compare.ip_address_type(self.spec, live),
        ]
        changed = [section for section in network if section]
        if changed:
            self._workforce_update(changed, "the workforce's network settings differ")

    def _carried(self, name: str) -> dict[str, Any]:
        """The CreateWorkteam request that re-creates a live team: the document's fields
        where it states them, the live team's (and its tags) where it does not."""
        live = cast("dict[str, Any]", self.observed.workteams[name])
        request: dict[str, Any] = {"WorkteamName": name, "WorkforceName": self.name}
        request.update({k: live[k] for k in compare.TEAM_FIELDS if live.get(k)})
        tags = compare.user_tags(self.observed.tags.get(live["WorkteamArn"], {}))
        if tags:
            request["Tags"] = tags
        return _overlay(request, self.desired.workteam(name))

    def _pending_recorded(self) -> list[dict[str, Any]]:
        """Teams an earlier run deleted for an OIDC change and did not re-create (it died,
        or a step failed), as recorded, with what the document states on top."""
        live = self.observed.workteams
        return [
            _overlay(team, self.desired.workteam(team["WorkteamName"]))
            for team in self.observed.memory.recreation
            if team["WorkteamName"] not in live
        ]

    def _recreate_recorded(self, listed: set[str]) -> None:
        """Recorded teams the document does not list are re-created as they were."""
        for request in self.recreation:
            if request["WorkteamName"] not in listed:
                self._create_from(request, CORRECTABLE, advice.RECREATE_RECORDED)

    def _create_team(self, spec: WorkteamSpec, classification: Classification, why: str) -> None:
        recorded = next(
            (t for t in self.recreation if t["WorkteamName"] == spec.WorkteamName), None
        )
        base = recorded or {"WorkteamName": spec.WorkteamName, "WorkforceName": self.name}
        if recorded is not None:
            why = advice.RECREATE_RECORDED
        self._create_from(_overlay(base, spec), classification, why)

    def _create_from(
        self, request: dict[str, Any], classification: Classification, why: str
    ) -> None:
        request = {**request, "WorkforceName": self.name}
        self._add(
            Operation.CREATE_WORKTEAM,
            WORKTEAM,
            str(request["WorkteamName"]),
            classification,
            why,
            request,
            compare.created(request, skip={"WorkforceName"}),
        )

    def _update_team(self, spec: WorkteamSpec) -> None:
        section = compare.team(spec, self.observed.workteams[spec.WorkteamName])
        if section:
            self._add(
                Operation.UPDATE_WORKTEAM,
                WORKTEAM,
                spec.WorkteamName,
                CORRECTABLE,
                "the work team differs from the document",
                {"WorkteamName": spec.WorkteamName, **section.request},
                list(section.changes),
            )

    def _tag_actions(
        self, resource_type: ResourceType, name: str, arn: str, tags: list[Tag]
    ) -> None:
        have = self.observed.tags.get(arn, {})
        found = compare.tags(tags, have)
        if found.to_set:
            self._add(
                Operation.ADD_TAGS,
                resource_type,
                name,
                CORRECTABLE,
                "tags differ from the document",
                {
                    "ResourceArn": arn,
                    "Tags": [{"Key": k, "Value": v} for k, v in found.to_set.items()],
                },
                [
                    FieldChange(Field=f"Tags.{k}", Before=have.get(k), After=v)
                    for k, v in found.to_set.items()
                ],
            )
        if found.to_remove:
            self._add(
                Operation.DELETE_TAGS,
                resource_type,
                name,
                CORRECTABLE,
                "tags the document does not list",
                {"ResourceArn": arn, "TagKeys": list(found.to_remove)},
                [FieldChange(Field=f"Tags.{k}", Before=v) for k, v in found.to_remove.items()],
            )

    # -- findings ----------------------------------------------------------------------
    def _document_findings(self) -> None:
        """What the document says that a person may not mean (``validate`` shows the same)."""
        for warning in document_warnings(self.desired):
            self.findings.append(
                Finding(
                    Code=warning.Code,
                    Severity=Severity.WARNING,
                    Message=f"{warning.Path}: {warning.Message}",
                    ResourceName=warning.ResourceName,
                )
            )

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

    # -- actions -----------------------------------------------------------------------
    def _delete(
        self,
        resource_type: ResourceType,
        name: str,
        classification: Classification,
        reason: str,
        request: dict[str, Any],
    ) -> None:
        operation = (
            Operation.DELETE_WORKFORCE if resource_type is WORKFORCE else Operation.DELETE_WORKTEAM
        )
        key = "WorkforceName" if resource_type is WORKFORCE else "WorkteamName"
        self._add(
            operation,
            resource_type,
            name,
            classification,
            reason,
            request,
            [FieldChange(Field=key, Before=name)],
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
        advice: str | None = None,
    ) -> None:
        proceed_when = _PROCEED_WHEN.get(operation, ())
        holds_back = operation in _HOLDS_BACK
        if (self.replacing or self.recreating) and operation is Operation.DELETE_WORKTEAM:
            # In a replacement the teams go only once the old workforce can go too:
            # deleting them while it is changing could leave workers cut off and
            # nothing replaced; and nothing is re-created unless every deletion worked.
            proceed_when, holds_back = ACTIVE_OR_FAILED, True
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
                ProceedWhen=proceed_when,
                HoldsBack=holds_back,
                Advice=advice,
            )
        )


def _overlay(request: dict[str, Any], spec: WorkteamSpec | None) -> dict[str, Any]:
    """A CreateWorkteam request with what the document states about the team on top."""
    if spec is None:
        return dict(request)
    merged = {**request, **spec.api_fields()}
    if spec.Tags is not None:
        merged.pop("Tags", None)
        if spec.Tags:
            merged["Tags"] = [t.model_dump() for t in spec.Tags]
    return merged


def _live(workforce: WorkforceTypeDef | None) -> LiveWorkforce | None:
    if workforce is None:
        return None
    return LiveWorkforce(Name=workforce["WorkforceName"], Status=workforce.get("Status"))
