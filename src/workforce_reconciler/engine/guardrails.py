"""The stack's ceiling over the document: what whoever deploys the stack lets it allow.

Anyone who can write the desired-state parameter controls the workforce, and the
document's own ``Policy`` lives in that same parameter, so it protects nothing from them.
The guardrails come from the stack's parameters (the function's environment) and the
document can never exceed them:

- the policy's switches are capped: a document that sets ``AllowDisruptiveChanges``,
  ``DeleteUnlistedWorkteams`` or ``RecreateWorkteamsForOidcChanges`` where the stack does
  not allow it gets the change blocked, naming the stack parameter;
- an OIDC configuration whose endpoints are on a host outside ``AllowedOidcHosts`` is
  blocked (an attacker's identity provider is how a workforce is taken over);
- an allow-list outside ``AllowedSourceCidrs``, or open to every address while
  ``ForbidOpenAllowList`` is set, is blocked.

The CLI has no stack: it runs with the person's own permissions and no ceiling.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workforce_reconciler.document.models import OIDC_ENDPOINTS
from workforce_reconciler.plan import Action, Classification, Plan

# The stack parameter behind each capped policy switch (named in blocked reasons).
PARAMETERS = {
    "AllowDisruptiveChanges": "DocumentMayAllowDisruptiveChanges",
    "DeleteUnlistedWorkteams": "DocumentMayDeleteUnlistedWorkteams",
    "RecreateWorkteamsForOidcChanges": "DocumentMayRecreateWorkteams",
}
_OPEN = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


@dataclass(frozen=True)
class Guardrails:
    """What the stack lets the document do; the defaults let it do anything."""

    allow_disruptive_changes: bool = True
    allow_delete_unlisted_workteams: bool = True
    allow_recreate_workteams: bool = True
    oidc_hosts: tuple[str, ...] = ()  # empty: any host; ".example.com": its subdomains
    source_cidrs: tuple[str, ...] = ()  # empty: any allow-list
    forbid_open_allow_list: bool = False

    def allows(self, switch: str) -> bool:
        return {
            "AllowDisruptiveChanges": self.allow_disruptive_changes,
            "DeleteUnlistedWorkteams": self.allow_delete_unlisted_workteams,
            "RecreateWorkteamsForOidcChanges": self.allow_recreate_workteams,
        }[switch]


def capped_hint(switch: str) -> str:
    """Why a switch the document sets does not count."""
    return (
        f"Policy.{switch} is true in the document, but the stack's {PARAMETERS[switch]} "
        "parameter is false: whoever deploys the stack sets what the document may allow"
    )


def enforce(plan: Plan, guardrails: Guardrails) -> Plan:
    """The plan with every applicable action that crosses a guardrail blocked."""
    if not (guardrails.oidc_hosts or guardrails.source_cidrs or guardrails.forbid_open_allow_list):
        return plan  # (no host or network guardrail set)
    actions = tuple(_guarded(action, guardrails) for action in plan.Actions)
    return plan.model_copy(update={"Actions": actions})


def _guarded(action: Action, guardrails: Guardrails) -> Action:
    reasons = [*_oidc_reasons(action.Request, guardrails), *_cidr_reasons(action, guardrails)]
    if not reasons:
        return action
    if not action.applicable:  # (blocked already: the stack's reason first, then that one)
        reasons.append(f"and besides: {action.Reason}")
    return action.model_copy(
        update={"Classification": Classification.BLOCKED, "Reason": "; ".join(reasons)}
    )


def _host_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = host.lower()
    for entry in allowed:
        entry = entry.strip().lower()
        if host == entry or (entry.startswith(".") and host.endswith(entry)):
            return True
    return False


def _oidc_reasons(request: dict[str, Any], guardrails: Guardrails) -> list[str]:
    oidc = request.get("OidcConfig")
    if not guardrails.oidc_hosts or not isinstance(oidc, dict):
        return []
    hosts = sorted(
        {urlsplit(str(oidc[key])).hostname or "" for key in OIDC_ENDPOINTS if key in oidc}
    )
    outside = [h for h in hosts if not _host_allowed(h, guardrails.oidc_hosts)]
    if not outside:
        return []
    return [
        f"the OIDC endpoints name {', '.join(outside)}, which the stack's AllowedOidcHosts "
        f"parameter does not list ({', '.join(guardrails.oidc_hosts)})"
    ]


def _cidr_reasons(action: Action, guardrails: Guardrails) -> list[str]:
    if "SourceIpConfig" in action.Request:
        cidrs = list(action.Request["SourceIpConfig"].get("Cidrs", []))
    elif action.Operation.value == "CreateWorkforce":
        cidrs = []  # created without an allow-list: open to every address
    else:
        return []
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs] or list(_OPEN)
    reasons = []
    if guardrails.forbid_open_allow_list and any(n in _OPEN for n in networks):
        reasons.append(
            "the allow-list lets every address in, which the stack's ForbidOpenAllowList "
            "parameter forbids"
        )
    if guardrails.source_cidrs:
        allowed = [ipaddress.ip_network(c, strict=False) for c in guardrails.source_cidrs]
        outside = [str(n) for n in networks if not _within(n, allowed)]
        if outside:
            reasons.append(
                f"the allow-list reaches outside the stack's AllowedSourceCidrs "
                f"({', '.join(guardrails.source_cidrs)}): {', '.join(outside)}"
            )
    return reasons


def _within(network: Any, allowed: list[Any]) -> bool:
    return any(network.version == outer.version and network.subnet_of(outer) for outer in allowed)
