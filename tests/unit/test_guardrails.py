"""The stack's ceiling applied to plans: pure data in, blocked actions out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.observe import Observed

ROOT = Path(__file__).resolve().parents[2]


def oidc() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())
    return loaded


def blocked_creation(doc: dict[str, Any], guardrails: Guardrails) -> str | None:
    """The reason the CreateWorkforce of an empty account is blocked, or None."""
    plan = diff(parse_document(json.dumps(doc)), Observed(workforce=None), guardrails)
    create = plan.Actions[0]
    return None if create.applicable else create.Reason


@pytest.mark.parametrize(
    ("hosts", "blocked"),
    [
        (("example-corp.okta.com",), False),
        (("EXAMPLE-corp.okta.com",), False),
        ((".okta.com",), False),
        (("okta.com",), True),
        (("other.okta.com",), True),
    ],
)
def test_oidc_hosts_match_exactly_or_as_subdomains_of_a_dotted_entry(
    hosts: tuple[str, ...], blocked: bool
) -> None:
    reason = blocked_creation(oidc(), Guardrails(oidc_hosts=hosts))
    assert (reason is not None) is blocked
    if reason is not None:
        assert "example-corp.okta.com" in reason


@pytest.mark.parametrize(
    ("bounds", "cidrs", "blocked"),
    [
        (("203.0.113.0/24", "198.51.100.0/24", "2001:db8::/32"), None, False),
        (("203.0.113.0/24", "2001:db8::/32"), None, True),  # 198.51.100.16/28 is outside
        (("0.0.0.0/0", "::/0"), None, False),
        (("203.0.113.0/24",), [], True),  # [] is every address
    ],
)
def test_the_allow_list_must_stay_within_the_stacks_networks(
    bounds: tuple[str, ...], cidrs: list[str] | None, blocked: bool
) -> None:
    doc = oidc()
    if cidrs is not None:
        doc["Workforce"]["SourceIpConfig"]["Cidrs"] = cidrs
    reason = blocked_creation(doc, Guardrails(source_cidrs=bounds))
    assert (reason is not None) is blocked


def test_a_workforce_created_without_an_allow_list_is_open_and_may_be_forbidden() -> None:
    doc = oidc()
    del doc["Workforce"]["SourceIpConfig"]
    reason = blocked_creation(doc, Guardrails(forbid_open_allow_list=True))
    assert reason is not None
    assert "ForbidOpenAllowList" in reason
    assert blocked_creation(doc, Guardrails()) is None
