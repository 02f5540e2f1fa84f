"""The call log (controls.calls) keeps every request as sent, except sensitive members
(the model's ``sensitive``, and any member named ClientSecret), which read ``***``."""

from __future__ import annotations

from typing import Any

import pytest

from workforce_emulator import controls

from .helpers import COGNITO, SECRET, oidc, oidc_member
from .raw import send_raw


def logged(operation: str) -> Any:
    return [c["Parameters"] for c in controls.calls() if c["Operation"] == operation][-1]


def test_sensitive_member_of_another_operation_is_hidden(unchecked: Any) -> None:
    # Given CreateModelCard, whose Content the model marks sensitive
    params = {"ModelCardName": "card", "Content": SECRET, "ModelCardStatus": "Draft"}
    # When it is called
    send_raw(unchecked, "create_model_card", params)
    # Then the log hides Content by the model's mark and keeps the rest
    assert logged("CreateModelCard") == {**params, "Content": "***"}


def test_client_secret_is_hidden_wherever_it_is(unchecked: Any) -> None:
    # Given ClientSecrets where the model has none: first in CognitoConfig, and deep in an
    # unknown member (a dict holding a list)
    extra = {"Deep": ["x", {"ClientSecret": SECRET, "Kept": "y"}]}
    cognito = {"ClientSecret": SECRET, **COGNITO, "Extra": extra}
    # When a workforce is created with them
    send_raw(unchecked, "create_workforce", {"WorkforceName": "default", "CognitoConfig": cognito})
    # Then they are hidden by their name and everything else is kept as sent
    assert logged("CreateWorkforce") == {
        "WorkforceName": "default",
        "CognitoConfig": {
            "ClientSecret": "***",
            **COGNITO,
            "Extra": {"Deep": ["x", {"ClientSecret": "***", "Kept": "y"}]},
        },
    }


@pytest.mark.parametrize("method", ["create_workforce", "update_workforce"])
def test_oidc_client_secret_is_hidden_and_lists_kept(unchecked: Any, method: str) -> None:
    # Given an OIDC config with extra parameters and CIDRs
    config = oidc(AuthenticationRequestExtraParams={"prompt": "login"})
    params = {
        "WorkforceName": "default",
        "OidcConfig": config,
        "SourceIpConfig": {"Cidrs": ["10.0.0.0/8", "192.168.0.0/16"]},
    }
    # When it is sent
    send_raw(unchecked, method, params)
    # Then only the secret is hidden
    operation = unchecked.meta.method_to_api_mapping[method]
    assert logged(operation) == {**params, "OidcConfig": {**config, "ClientSecret": "***"}}


def test_member_definitions_are_logged_as_sent(unchecked: Any) -> None:
    # Given two OIDC member definitions
    members = [oidc_member("a", "b"), oidc_member("c")]
    # When a work team is created with them (no workforce: refused after logging)
    send_raw(
        unchecked,
        "create_workteam",
        {"WorkteamName": "team", "Description": "d", "MemberDefinitions": members},
    )
    # Then the log holds them whole
    assert logged("CreateWorkteam") == {
        "WorkteamName": "team",
        "Description": "d",
        "MemberDefinitions": members,
    }
