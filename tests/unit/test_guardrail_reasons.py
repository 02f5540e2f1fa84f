"""What a plan blocked by the stack's guardrails says, and what the guardrails leave alone.

Pure data in, a plan out: the reason names the stack parameter and what crosses it, so
the person who reads the plan (or the notification) knows who can change what.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.observe import Observed
from workforce_reconciler.plan import Classification, Plan

ROOT = Path(__file__).resolve().parents[2]


def oidc_document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())
    return loaded


def created(doc: dict[str, Any], guardrails: Guardrails) -> Plan:
    """The plan for an account without a workforce."""
    return diff(parse_document(json.dumps(doc)), Observed(workforce=None), guardrails)


def test_oidc_endpoints_on_hosts_the_stack_does_not_list_block_the_steps_that_send_them() -> None:
    # Given a document whose token endpoint is on another host
    doc = oidc_document()
    doc["Workforce"]["OidcConfig"]["TokenEndpoint"] = "https://login.attacker.example/token"
    guardrails = Guardrails(oidc_hosts=("example-corp.okta.com", ".corp.example"))

    # When the plan for an empty account is made
    plan = created(doc, guardrails)

    # Then the workforce's creation is blocked, naming the host and the stack's list; the
    # team creations, which send no OIDC configuration, are not
    create = plan.Actions[0]
    assert create.Classification is Classification.BLOCKED
    assert create.Reason == (
        "the OIDC endpoints name login.attacker.example, which the stack's AllowedOidcHosts "
        "parameter does not list (example-corp.okta.com, .corp.example)"
    )
    assert [a.Classification for a in plan.Actions[1:]] == [Classification.CORRECTABLE] * 2


def test_every_host_outside_the_list_is_named_once_in_order() -> None:
    doc = oidc_document()
    oidc = doc["Workforce"]["OidcConfig"]
    oidc["TokenEndpoint"] = "https://b.example/token"
    oidc["JwksUri"] = "https://a.example/keys"
    oidc["UserInfoEndpoint"] = "https://b.example/userinfo"

    (reason,) = {a.Reason for a in created(doc, Guardrails(oidc_hosts=("x.example",))).Actions[:1]}

    assert reason.startswith(
        "the OIDC endpoints name a.example, b.example, example-corp.okta.com, which"
    )


def test_a_step_blocked_already_keeps_its_own_reason_after_the_stacks() -> None:
    # Given a replacement the document does not allow, towards an OIDC provider the stack
    # does not list
    doc = oidc_document()
    live = {
        "WorkforceName": "labeling-oidc",
        "WorkforceArn": "arn:aws:sagemaker:us-east-1:111122223333:workforce/labeling-oidc",
        "CognitoConfig": {"UserPool": "us-east-1_AbCdEfGhI", "ClientId": "abc"},
        "Status": "Active",
    }
    observed = Observed(workforce=live, secret_version_current="v1")  # type: ignore[arg-type]

    plan = diff(parse_document(json.dumps(doc)), observed, Guardrails(oidc_hosts=("x.example",)))

    # Then the creation says both: the stack's reason first, then the plan's own
    create = next(a for a in plan.Actions if a.Operation.value == "CreateWorkforce")
    assert create.Reason == (
        "the OIDC endpoints name example-corp.okta.com, which the stack's AllowedOidcHosts "
        "parameter does not list (x.example); and besides: replacing the workforce: the "
        "workforce uses Amazon Cognito, the document asks for OIDC. It deletes the workforce "
        "and its 0 work team(s), cutting every worker off; set Policy.AllowDisruptiveChanges "
        "to allow it"
    )
    # (the deletion sends no OIDC configuration and crosses no guardrail: its own reason)
    assert plan.Actions[0].Reason.startswith("replacing the workforce:")


def test_an_allow_list_outside_the_stacks_networks_names_what_is_outside() -> None:
    doc = oidc_document()
    guardrails = Guardrails(source_cidrs=("203.0.113.0/24", "2001:db8::/32"))

    (create, *_) = created(doc, guardrails).Actions

    assert create.Classification is Classification.BLOCKED
    assert create.Reason == (
        "the allow-list reaches outside the stack's AllowedSourceCidrs (203.0.113.0/24, "
        "2001:db8::/32): 198.51.100.16/28"
    )


def test_an_open_allow_list_crosses_both_network_guardrails_and_says_both() -> None:
    doc = oidc_document()
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = ["0.0.0.0/0", "::/0"]
    guardrails = Guardrails(source_cidrs=("10.0.0.0/8",), forbid_open_allow_list=True)

    (create, *_) = created(doc, guardrails).Actions

    assert create.Reason == (
        "the allow-list lets every address in, which the stack's ForbidOpenAllowList "
        "parameter forbids; the allow-list reaches outside the stack's AllowedSourceCidrs "
        "(10.0.0.0/8): 0.0.0.0/0, ::/0"
    )


@pytest.mark.parametrize(
    ("cidrs", "guardrails"),
    [
        # An open allow-list within bounds that allow everything, without ForbidOpenAllowList
        ([], Guardrails(source_cidrs=("0.0.0.0/0", "::/0"))),
        # A stack bound written with host bits is the network it names
        (["203.0.113.0/25"], Guardrails(source_cidrs=("203.0.113.7/24",))),
        # An IPv6 block within an IPv6 bound, beside an IPv4 bound it is not compared with
        (["2001:db8:4000::/48"], Guardrails(source_cidrs=("10.0.0.0/8", "2001:db8::/32"))),
        # Only the open allow-list is forbidden, not an IPv6 block that is not ::/0
        (["2001:db8:4000::/48"], Guardrails(forbid_open_allow_list=True)),
    ],
)
def test_an_allow_list_within_the_guardrails_is_not_blocked(
    cidrs: list[str], guardrails: Guardrails
) -> None:
    doc = oidc_document()
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = cidrs

    (create, *_) = created(doc, guardrails).Actions

    assert create.Classification is Classification.CORRECTABLE


def test_only_steps_that_send_an_allow_list_are_checked_against_the_networks() -> None:
    # Given a workforce in sync but for a team's description, and bounds the live
    # allow-list would cross
    doc = oidc_document()
    doc["Workteams"][1]["Description"] = "Changed"
    live: dict[str, Any] = {
        "WorkforceName": "labeling-oidc",
        "WorkforceArn": "arn:aws:sagemaker:us-east-1:111122223333:workforce/labeling-oidc",
        "OidcConfig": {
            k: v for k, v in doc["Workforce"]["OidcConfig"].items() if "Secret" not in k
        },
        "SourceIpConfig": {"Cidrs": doc["Workforce"]["SourceIpConfig"]["Cidrs"]},
        "IpAddressType": "dualstack",
        "Status": "Active",
    }
    teams = {
        t["WorkteamName"]: {
            **{k: v for k, v in t.items() if k != "Tags"},
            "WorkteamArn": f"arn:team/{t['WorkteamName']}",
        }
        for t in oidc_document()["Workteams"]
    }
    observed = Observed(
        workforce=live,  # type: ignore[arg-type]
        workteams=teams,  # type: ignore[arg-type]
        tags={
            "arn:team/image-labelers": {"team": "ml-data"},
            live["WorkforceArn"]: {"team": "ml-data", "cost-center": "CC-1234"},
        },
        secret_version_applied="v1",
        secret_version_current="v1",
    )
    guardrails = Guardrails(source_cidrs=("10.0.0.0/8",), forbid_open_allow_list=True)

    # When the plan is made
    plan = diff(parse_document(json.dumps(doc)), observed, guardrails)

    # Then the team update goes ahead
    assert [(a.Operation.value, a.Classification) for a in plan.Actions] == [
        ("UpdateWorkteam", Classification.CORRECTABLE)
    ]
