"""docs/document.md tells the truth: its examples, fields and messages are the real ones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from workforce_reconciler.document import (
    InvalidDocumentError,
    document_warnings,
    json_schema,
    parse_document,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "document.md").read_text()


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


def test_the_two_complete_examples_in_the_reference_are_the_example_files() -> None:
    # Given the JSON blocks of docs/document.md
    blocks = [json.loads(block) for block in fenced_blocks("json")]

    # When they are compared with examples/
    expected = [
        json.loads((ROOT / "examples" / f"{n}.json").read_text()) for n in ("oidc", "cognito")
    ]

    # Then they are the same documents, and both parse
    assert blocks == expected
    for block in fenced_blocks("json"):
        parse_document(block)


def test_every_field_of_the_format_is_described() -> None:
    # Given every property name in the JSON Schema
    schema = json_schema()
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {}))

    # When the reference is searched for each, as code
    missing = sorted(name for name in names if f"`{name}`" not in DOC)

    # Then none is left out
    assert missing == []


BAD_DOCUMENT = {
    "Version": 1,
    "Workforce": {
        "WorkforceName": "labeling-oidc",
        "OidcConfig": {
            "ClientId": "0oa8x2kq1bTz7wHnS5d7",
            "ClientSecret": "do-not-put-me-here",
            "Issuer": "http://example-corp.okta.com/oauth2/default",
            "AuthorizationEndpoint": "https://example-corp.okta.com/oauth2/default/v1/authorize",
            "TokenEndpoint": "https://example-corp.okta.com/oauth2/default/v1/token",
            "UserInfoEndpoint": "https://example-corp.okta.com/oauth2/default/v1/userinfo",
            "LogoutEndpoint": "https://example-corp.okta.com/oauth2/default/v1/logout",
            "JwksUri": "https://example-corp.okta.com/oauth2/default/v1/keys",
        },
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "198.51.100.7"]},
    },
    "Workteams": [
        {
            "WorkteamName": "image-labelers",
            "Description": "Draws bounding boxes on product photos",
            "MemberDefinitions": [
                {
                    "CognitoMemberDefinition": {
                        "UserPool": "us-east-1_AbCdEfGhI",
                        "UserGroup": "labelers",
                        "ClientId": "4d5e6f7g8h9i0j1k2l3m4n5o6p",
                    }
                }
            ],
        },
        {
            "WorkteamName": "image-labelers",
            "WorkforceName": "labeling-oidc",
            "Descripton": "Reviews sentiment labels",
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}],
        },
    ],
    "Policy": {"Mode": "dry-run"},
}


def test_the_sample_validation_output_is_what_the_reconciler_prints() -> None:
    # Given the sample output in the reference (the only plain fenced block after "For example")
    sample = DOC.split("For example:", 1)[1].split("```\n", 2)[1]

    # When the document it describes is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(json.dumps(BAD_DOCUMENT))

    # Then the reference shows exactly what a user sees, and the secret is not in it
    assert str(caught.value) + "\n" == sample
    assert "do-not-put-me-here" not in sample


def _example(name: str, *edits: tuple[tuple[str | int, ...], Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    for path, value in edits:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return document


# Each (document, problem) the reference's table of messages shows word for word.
TABLE_ROWS: list[tuple[dict[str, Any], str]] = [
    (
        _example("cognito", (("Policy", "Mode"), None)),
        "$.Policy.Mode: must not be null: to omit it, leave the key out",
    ),
    (
        _example("cognito", (("Workforce", "WorkforceName"), None)),
        "$.Workforce.WorkforceName: must be a string, not null",
    ),
    (
        _example(
            "oidc",
            (
                ("Workforce", "OidcConfig", "AuthorizationEndpoint"),
                "https://workforce:pw@idp.example.com/authorize",
            ),
        ),
        "$.Workforce.OidcConfig.AuthorizationEndpoint: carries credentials before the host "
        "(user:password@): these URLs are shown by plan and opened by workers' browsers; "
        "write the URL without them",
    ),
    (
        _example(
            "oidc",
            (("Workforce", "OidcConfig", "JwksUri"), "https://idp.example.com/keys?api_key=k"),
        ),
        "$.Workforce.OidcConfig.JwksUri: carries a credential in its query string (api_key=): "
        "these URLs are shown by plan and opened by workers' browsers; write the URL without it",
    ),
    (
        _example(
            "oidc",
            (("Workforce", "OidcConfig", "AuthenticationRequestExtraParams"), {"api_key": "k"}),
        ),
        "$.Workforce.OidcConfig.AuthenticationRequestExtraParams.api_key: is named like a "
        "credential: these parameters travel in the authorization URL a worker's browser opens "
        "and are shown by plan, so no credential belongs here; the OIDC client secret goes in "
        "ClientSecretArn or ClientSecretParameter",
    ),
    (
        _example("oidc", (("Workforce", "SourceIpConfig", "Cidrs"), ["fe80::1%eth0/64"])),
        '$.Workforce.SourceIpConfig.Cidrs[0]: "fe80::1%eth0/64" has an IPv6 zone index '
        "(%eth0), which names a network interface of one host and means nothing in an "
        'allow-list: write the block without it, for example "fe80::1/64"',
    ),
    (
        _example(
            "cognito", (("Workforce", "SourceIpConfig", "Cidrs"), ["192.0.2.0/24", "2001:db8::/32"])
        ),
        '$.Workforce.SourceIpConfig.Cidrs[1]: "2001:db8::/32" is an IPv6 block, but '
        '$.Workforce.IpAddressType is "ipv4": SageMaker takes IPv6 addresses only on a '
        '"dualstack" workforce; set "IpAddressType": "dualstack" or remove the block',
    ),
    (
        {
            **_example("oidc"),
            "Workforce": {
                k: v for k, v in _example("oidc")["Workforce"].items() if k != "IpAddressType"
            },
        },
        '$.Workforce.SourceIpConfig.Cidrs[2]: "2001:db8:4000::/48" is an IPv6 block, but '
        '$.Workforce.IpAddressType is left out, which creates an "ipv4" workforce: SageMaker '
        'takes IPv6 addresses only on a "dualstack" workforce; set "IpAddressType": '
        '"dualstack" or remove the block',
    ),
]


@pytest.mark.parametrize(("document", "line"), TABLE_ROWS, ids=[line for _, line in TABLE_ROWS])
def test_the_messages_in_the_reference_table_are_the_real_ones(
    document: dict[str, Any], line: str
) -> None:
    # Given a document the reference's table of messages has an example for
    # When it is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(json.dumps(document))

    # Then the table shows the very problem the user reads
    problems = [f"{p.Path}: {p.Message}" for p in caught.value.problems]
    assert line in problems
    assert f"`{line}`" in DOC


# Each document the reference's table of warnings shows a warning of, word for word.
WARNING_ROWS: list[tuple[dict[str, Any], str]] = [
    (
        _example("cognito", (("Workforce", "SourceIpConfig", "Cidrs"), ["0.0.0.0/0"])),
        "$.Workforce.SourceIpConfig.Cidrs: allows every IPv4 address (0.0.0.0/0), so it keeps "
        "out no IPv4 worker: fine if you meant no restriction, otherwise list only your own "
        "networks",
    ),
    (
        _example("cognito", (("Workteams", 1, "WorkteamName"), "Medical-Annotators")),
        '$.Workteams[1].WorkteamName: "Medical-Annotators" differs from "medical-annotators" '
        "($.Workteams[0]) only in case: SageMaker's WorkteamName pattern admits both cases, so "
        "these are two teams with their own workers; if you meant one team, keep one of them",
    ),
]


@pytest.mark.parametrize(("document", "line"), WARNING_ROWS, ids=[line for _, line in WARNING_ROWS])
def test_the_warnings_in_the_reference_table_are_the_real_ones(
    document: dict[str, Any], line: str
) -> None:
    # Given a valid document the reference's table of warnings has an example for
    state = parse_document(json.dumps(document))

    # When its warnings are listed
    warnings = [f"{w.Path}: {w.Message}" for w in document_warnings(state)]

    # Then the table shows the very warning the user reads
    assert line in warnings
    assert f"`{line}`" in DOC
