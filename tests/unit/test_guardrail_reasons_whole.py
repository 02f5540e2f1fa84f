"""The guardrails' reasons as a person reads them, word for word (test_guardrail_reasons.py
covers which steps they block): the stack parameter's list as written (host bits and
all), the open allow-list allowed unless the stack forbids it, and the stack's reason
before a step's own."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.observe import Observed
from workforce_reconciler.plan import Operation

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())


def creation(doc: dict[str, Any], guardrails: Guardrails, live: Any = None) -> tuple[bool, str]:
    plan = diff(parse_document(json.dumps(doc)), Observed(workforce=live), guardrails)
    (create,) = [a for a in plan.Actions if a.Operation is Operation.CREATE_WORKFORCE]
    return create.applicable, create.Reason


def test_every_host_outside_the_allowed_ones_is_named_with_the_stacks_list() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["Workforce"]["OidcConfig"]["LogoutEndpoint"] = "https://logout.example-corp.com/bye"

    applicable, reason = creation(doc, Guardrails(oidc_hosts=("idp.example.com", ".corp.example")))

    assert not applicable
    assert reason == (
        "the OIDC endpoints name example-corp.okta.com, logout.example-corp.com, which the "
        "stack's AllowedOidcHosts parameter does not list (idp.example.com, .corp.example)"
    )


def test_every_network_outside_the_stacks_is_named_and_its_list_may_have_host_bits() -> None:
    # (the stack parameter is written by a person: 10.1.2.3/8 means 10.0.0.0/8)
    applicable, reason = creation(
        EXAMPLE, Guardrails(source_cidrs=("10.1.2.3/8", "203.0.113.0/24"))
    )

    assert not applicable
    assert reason == (
        "the allow-list reaches outside the stack's AllowedSourceCidrs (10.1.2.3/8, "
        "203.0.113.0/24): 198.51.100.16/28, 2001:db8:4000::/48"
    )


def test_an_open_allow_list_is_allowed_unless_the_stack_forbids_it() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = []

    assert creation(doc, Guardrails())[0] is True
    applicable, reason = creation(doc, Guardrails(forbid_open_allow_list=True))
    assert not applicable
    assert reason == (
        "the allow-list lets every address in, which the stack's ForbidOpenAllowList "
        "parameter forbids"
    )


def test_the_stacks_reason_comes_first_and_the_steps_own_follows() -> None:
    # Given a Cognito workforce the document replaces with OIDC (blocked: the policy does
    # not allow disruptive changes) at a host the stack does not allow either
    name = EXAMPLE["Workforce"]["WorkforceName"]
    live: WorkforceTypeDef = {
        "WorkforceName": name,
        "WorkforceArn": f"arn:aws:sagemaker:us-east-1:111122223333:workforce/{name}",
        "CognitoConfig": {"UserPool": "us-east-1_AbCdEfGhI", "ClientId": "4d5e6f7g8h9i0j1k2l3m4n"},
        "Status": "Active",
        "SourceIpConfig": {"Cidrs": EXAMPLE["Workforce"]["SourceIpConfig"]["Cidrs"]},
        "CreateDate": datetime(2026, 1, 5, tzinfo=UTC),
    }

    applicable, reason = creation(EXAMPLE, Guardrails(oidc_hosts=("idp.example.com",)), live)

    assert not applicable
    stack, own = reason.split("; and besides: ")
    assert stack == (
        "the OIDC endpoints name example-corp.okta.com, which the stack's AllowedOidcHosts "
        "parameter does not list (idp.example.com)"
    )
    assert own.startswith("replacing the workforce: the workforce uses Amazon Cognito, ")
    assert own.endswith("set Policy.AllowDisruptiveChanges to allow it")
