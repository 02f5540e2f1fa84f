"""Properties of parse_document over generated input (hypothesis)."""

from __future__ import annotations

import copy
import ipaddress
import json
from pathlib import Path
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce_reconciler.document import (
    DesiredState,
    InvalidDocumentError,
    normalize_cidrs,
    parse_document,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Generating whole valid documents costs more per example than parsing them.
ROUND_TRIP = settings(FAST, max_examples=40)

FIELD_NAMES = [
    "Version",
    "Workforce",
    "Workteams",
    "Policy",
    "WorkforceName",
    "CognitoConfig",
    "OidcConfig",
    "SourceIpConfig",
    "Cidrs",
    "Tags",
    "Key",
    "Value",
    "WorkteamName",
    "MemberDefinitions",
    "CognitoMemberDefinition",
    "OidcMemberDefinition",
    "Groups",
    "ClientSecret",
    "Mode",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def outcome(text: str | bytes) -> DesiredState | InvalidDocumentError:
    """What parse_document gives; any other exception fails the test."""
    try:
        result: DesiredState | InvalidDocumentError = parse_document(text)
    except InvalidDocumentError as error:
        result = error
    if isinstance(result, InvalidDocumentError):
        assert result.problems, "an invalid document names at least one problem"
        assert all(p.Path.startswith("$") and p.Message for p in result.problems)
    return result


@FAST
@given(json_values)
def test_any_json_value_is_a_document_or_a_list_of_problems(value: Any) -> None:
    # Given any JSON value
    # When it is parsed as a document
    # Then the result is a document or InvalidDocumentError, never another exception
    outcome(json.dumps(value))


@FAST
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_or_bytes_is_a_document_or_a_list_of_problems(text: str | bytes) -> None:
    # Given any text or bytes at all
    # When it is parsed
    # Then only InvalidDocumentError can come out
    outcome(text)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


EXAMPLE_DOCS = {
    name: json.loads((EXAMPLES / f"{name}.json").read_text()) for name in ("oidc", "cognito")
}
SECRET = "Tq8-zz-client-secret-value-9Lm"


@st.composite
def broken_examples(draw: st.DrawFn) -> dict[str, Any]:
    """An example with a few of its values replaced by arbitrary JSON or deleted."""
    document = copy.deepcopy(EXAMPLE_DOCS[draw(st.sampled_from(sorted(EXAMPLE_DOCS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        target: Any = document
        for step in parents:
            target = target[step]
        if draw(st.booleans()):
            target[last] = draw(json_values)
        elif isinstance(target, dict):
            del target[last]
        else:
            target[last] = None
    if draw(st.booleans()):
        paths = [p for p in _paths(document) if isinstance(_at(document, p), dict)] or [()]
        holder = _at(document, draw(st.sampled_from(paths)))
        if isinstance(holder, dict):
            holder[draw(st.sampled_from(["ClientSecret", "clientSecret"]))] = SECRET
    drawn: dict[str, Any] = document
    return drawn


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


@FAST
@given(broken_examples())
def test_damaged_examples_give_problems_and_never_echo_a_client_secret(
    document: dict[str, Any],
) -> None:
    # Given a realistic document with some values damaged, perhaps holding a secret
    # When it is parsed
    result = outcome(json.dumps(document))

    # Then the secret never appears in what the user reads
    if isinstance(result, InvalidDocumentError):
        assert SECRET not in str(result)


# --- valid documents round-trip ----------------------------------------------------

# Cheap strategies where the value's spelling does not matter to the round trip; text
# and CIDRs, whose normalisation does matter, are drawn freely.
names = st.builds(
    "{}-{}".format, st.sampled_from(["team", "Labelers", "qa1", "x"]), st.integers(0, 10**6)
)
one_line = st.text(
    st.characters(exclude_characters="\n", exclude_categories=["Cs"]), min_size=1, max_size=40
)
tag_text = st.text("abcXYZ019 _.:/=+@-", min_size=1, max_size=12)
tags = st.none() | st.lists(
    st.fixed_dictionaries({"Key": tag_text, "Value": tag_text}),
    max_size=4,
    unique_by=lambda tag: tag["Key"],
)
user_pools = st.sampled_from(["us-east-1_AbCdEfGhI", "eu-west-2_Z9y8X7w6V"])
client_ids = st.sampled_from(["4d5e6f7g8h9i0j1k2l3m4n5o6p", "0oa8x2kq1bTz7wHnS5d7"])
groups = st.text("abcxyz019_.@-", min_size=1, max_size=12)
https = st.builds("https://idp.example.com/{}".format, st.text("abc/019-", max_size=12))


@st.composite
def cidrs(draw: st.DrawFn, versions: tuple[Literal[4, 6], ...] = (4, 6)) -> str:
    version: Literal[4, 6] = draw(st.sampled_from(versions))
    address = draw(st.ip_addresses(v=version))
    prefix = draw(st.integers(0, 32 if version == 4 else 128))
    return f"{address}/{prefix}"


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    oidc = draw(st.booleans())
    pool, client = draw(user_pools), draw(client_ids)
    workforce: dict[str, Any] = {"WorkforceName": draw(names), "Tags": draw(tags)}
    if oidc:
        secret_key = draw(st.sampled_from(["ClientSecretArn", "ClientSecretParameter"]))
        workforce["OidcConfig"] = _drop_none(
            {
                "ClientId": draw(client_ids),
                secret_key: "/workforce/" + draw(names),
                **{
                    key: draw(https)
                    for key in (
                        "Issuer",
                        "AuthorizationEndpoint",
                        "TokenEndpoint",
                        "UserInfoEndpoint",
                        "LogoutEndpoint",
                        "JwksUri",
                    )
                },
                "Scope": draw(st.none() | st.just("openid email")),
            }
        )
    else:
        workforce["CognitoConfig"] = {"UserPool": pool, "ClientId": client}
    workforce["IpAddressType"] = draw(st.none() | st.sampled_from(["ipv4", "dualstack"]))
    # IPv6 blocks only on a dualstack workforce
    versions: tuple[Literal[4, 6], ...] = (
        (4, 6) if workforce["IpAddressType"] == "dualstack" else (4,)
    )
    workforce["SourceIpConfig"] = draw(
        st.none() | st.fixed_dictionaries({"Cidrs": st.lists(cidrs(versions), max_size=10)})
    )

    def member() -> dict[str, Any]:
        if oidc:
            return {
                "OidcMemberDefinition": {"Groups": draw(st.lists(groups, min_size=1, max_size=10))}
            }
        return {
            "CognitoMemberDefinition": {
                "UserPool": pool,
                "UserGroup": draw(groups),
                "ClientId": client,
            }
        }

    teams = [
        _drop_none(
            {
                "WorkteamName": team_name,
                "Description": draw(one_line),
                "MemberDefinitions": [member() for _ in range(draw(st.integers(1, 3)))],
                "Tags": draw(tags),
            }
        )
        for team_name in draw(st.lists(names, max_size=4, unique=True))
    ]
    document: dict[str, Any] = {
        "Version": 1,
        "Workforce": _drop_none(workforce),
        "Workteams": teams,
    }
    if draw(st.booleans()):
        document["Policy"] = {
            "Mode": draw(st.sampled_from(["enforce", "detect"])),
            "DeleteUnlistedWorkteams": draw(st.booleans()),
        }
    return document


@ROUND_TRIP
@given(valid_documents())
def test_valid_documents_round_trip_through_to_document(document: dict[str, Any]) -> None:
    # Given a valid generated document
    state = parse_document(json.dumps(document))

    # When it is written back with to_document() and parsed again
    written = state.to_document()
    again = parse_document(json.dumps(written))

    # Then nothing changed, and CIDRs came out normalised
    assert again == state
    assert again.to_document() == written
    source = document["Workforce"].get("SourceIpConfig")
    if source is not None:
        assert written["Workforce"]["SourceIpConfig"]["Cidrs"] == list(
            normalize_cidrs(source["Cidrs"])
        )
        for cidr in written["Workforce"]["SourceIpConfig"]["Cidrs"]:
            assert str(ipaddress.ip_network(cidr)) == cidr
