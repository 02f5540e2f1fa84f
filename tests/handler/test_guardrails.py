"""The stack's guardrails: whoever writes the desired-state parameter cannot exceed what
whoever deployed the stack allows (the function's environment, set by template.yaml)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from handler.deployment import Deployment, event, example
from workforce_emulator import controls
from workforce_reconciler import handler

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def _stack(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    handler.reset()


def _blocked_reasons(message: dict[str, Any]) -> list[str]:
    body = json.loads(message["Message"])
    return [str(a["Reason"]) for a in body["Actions"]]


def test_a_policy_switch_the_stack_does_not_allow_is_blocked_naming_its_parameter(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a converged deployment whose stack does not let the document delete teams
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    _stack(monkeypatch, DOCUMENT_MAY_DELETE_UNLISTED_WORKTEAMS="false")

    # When someone who can write the parameter drops a team and allows the deletion
    document = deployment.oidc_document(DeleteUnlistedWorkteams=True)
    document["Workteams"] = document["Workteams"][:1]
    deployment.put_document(document)
    result = invoke(event("ssm-update"))

    # Then the team stays, and the blocked drift names the stack parameter
    assert result["Status"] == "Blocked"
    teams = {t["WorkteamName"] for t in deployment.sagemaker.list_workteams()["Workteams"]}
    assert teams == {"image-labelers", "text-reviewers"}
    (message,) = deployment.messages()
    (reason,) = _blocked_reasons(message)
    assert "DocumentMayDeleteUnlistedWorkteams parameter is false" in reason


def test_replacing_the_workforce_needs_the_stack_to_allow_disruptive_changes(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a Cognito workforce, and a stack that does not allow disruptive changes
    cognito = example("cognito")
    cognito["Workforce"]["WorkforceName"] = "labeling-oidc"
    cognito["Policy"] = {"Mode": "enforce"}
    deployment.put_document(cognito)
    invoke(event("schedule"))
    _stack(monkeypatch, DOCUMENT_MAY_ALLOW_DISRUPTIVE_CHANGES="false")
    controls.clear_calls()

    # When the document switches to OIDC and allows the replacement itself
    deployment.put_document(deployment.oidc_document(AllowDisruptiveChanges=True))
    result = invoke(event("ssm-update"))

    # Then nothing was written
    assert result["Status"] == "Blocked"
    assert [c["Operation"] for c in controls.calls() if c["Operation"].startswith("Delete")] == []
    workforce = deployment.sagemaker.describe_workforce(WorkforceName="labeling-oidc")
    assert "CognitoConfig" in workforce["Workforce"]


def test_an_identity_provider_the_stack_does_not_list_is_never_sent(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack that admits only the company's identity provider
    _stack(monkeypatch, ALLOWED_OIDC_HOSTS="example-corp.okta.com")
    deployment.put_document(deployment.oidc_document())
    assert invoke(event("schedule"))["Status"] == "Corrected"
    deployment.messages()

    # When someone points the OIDC configuration at another host
    hijacked = deployment.oidc_document()
    oidc = hijacked["Workforce"]["OidcConfig"]
    oidc["TokenEndpoint"] = "https://idp.attacker.example/token"
    deployment.put_document(hijacked)
    controls.clear_calls()
    result = invoke(event("ssm-update"))

    # Then nothing is sent, and the blocked drift names the host and the parameter
    assert result["Status"] == "Blocked"
    assert [c["Operation"] for c in controls.calls() if c["Operation"] == "UpdateWorkforce"] == []
    (message,) = deployment.messages()
    (reason,) = _blocked_reasons(message)
    assert "idp.attacker.example" in reason
    assert "AllowedOidcHosts" in reason


@pytest.mark.parametrize(
    ("variables", "cidrs", "named"),
    [
        ({"FORBID_OPEN_ALLOW_LIST": "true"}, ["0.0.0.0/0"], "ForbidOpenAllowList"),
        ({"ALLOWED_SOURCE_CIDRS": "203.0.113.0/24,2001:db8::/32"}, ["10.0.0.0/8"], "10.0.0.0/8"),
    ],
    ids=["open", "outside"],
)
def test_an_allow_list_beyond_the_stacks_bounds_is_never_sent(
    deployment: Deployment,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    cidrs: list[str],
    named: str,
) -> None:
    # Given a converged deployment, then a stack that bounds the allow-list
    deployment.put_document(deployment.oidc_document())
    invoke(event("schedule"))
    deployment.messages()
    _stack(monkeypatch, **variables)

    # When the document opens the allow-list beyond them
    opened = deployment.oidc_document()
    opened["Workforce"]["SourceIpConfig"]["Cidrs"] = cidrs
    deployment.put_document(opened)
    result = invoke(event("ssm-update"))

    # Then the workforce keeps its allow-list, and the message says which bound it crossed
    assert result["Status"] == "Blocked"
    live = deployment.sagemaker.describe_workforce(WorkforceName="labeling-oidc")
    assert "203.0.113.0/24" in live["Workforce"]["SourceIpConfig"]["Cidrs"]
    (message,) = deployment.messages()
    assert named in _blocked_reasons(message)[0]


def test_a_misconfigured_bound_is_a_clear_error(
    deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stack(monkeypatch, ALLOWED_SOURCE_CIDRS="203.0.113.0/24,not-a-cidr")
    with pytest.raises(Exception, match=r"ALLOWED_SOURCE_CIDRS.*'not-a-cidr' is not a CIDR"):
        invoke(event("schedule"))
