"""The desired-state document as a user meets it: what parses, and the exact messages when not."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from workforce_reconciler.document import (
    DesiredState,
    DocumentWarning,
    InvalidDocumentError,
    document_warnings,
    json_schema,
    normalize_cidrs,
    parse_document,
)
from workforce_reconciler.document.problems import Loc, render_path
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import DocumentProblem, Mode
from workforce_reconciler.ports import SecretReference

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET_ARN = (
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:workforce/oidc-client-secret-a1B2c3"
)


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return loaded


def problems_of(document: Any) -> list[tuple[str, str]]:
    text = document if isinstance(document, str | bytes) else json.dumps(document)
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(text)
    return [(p.Path, p.Message) for p in caught.value.problems]


def edited(name: str, *edits: tuple[str, Any]) -> dict[str, Any]:
    """The example ``name`` with each (dotted path, value) set; value DELETE removes the key."""
    document = copy.deepcopy(example(name))
    for path, value in edits:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = document
        for step in parents:
            target = target[step]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return document


DELETE = object()
COGNITO_MEMBER = {
    "UserPool": "us-east-1_AbCdEfGhI",
    "UserGroup": "radiologists",
    "ClientId": "4d5e6f7g8h9i0j1k2l3m4n5o6p",
}


# --- valid documents ---------------------------------------------------------


def test_the_oidc_example_parses_into_the_api_shapes() -> None:
    # Given the OIDC example document
    text = (EXAMPLES / "oidc.json").read_text()

    # When it is parsed
    state = parse_document(text)

    # Then the workforce is OIDC, its secret is a Secrets Manager reference, and the
    # OIDC request carries every endpoint but no secret field
    workforce = state.Workforce
    assert workforce.identity_provider == "oidc"
    assert workforce.secret_reference() == SecretReference(secret_arn=SECRET_ARN)
    assert workforce.oidc_request() == {
        "ClientId": "0oa8x2kq1bTz7wHnS5d7",
        "Issuer": "https://example-corp.okta.com/oauth2/default",
        "AuthorizationEndpoint": "https://example-corp.okta.com/oauth2/default/v1/authorize",
        "TokenEndpoint": "https://example-corp.okta.com/oauth2/default/v1/token",
        "UserInfoEndpoint": "https://example-corp.okta.com/oauth2/default/v1/userinfo",
        "LogoutEndpoint": "https://example-corp.okta.com/oauth2/default/v1/logout",
        "JwksUri": "https://example-corp.okta.com/oauth2/default/v1/keys",
        "Scope": "openid email profile groups",
        "AuthenticationRequestExtraParams": {"prompt": "login"},
    }
    assert [team.WorkteamName for team in state.Workteams] == ["image-labelers", "text-reviewers"]
    assert state.Workteams[1].api_fields() == {
        "Description": "Reviews sentiment labels on support tickets",
        "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}],
    }
    assert state.Policy.Mode is Mode.ENFORCE


def test_the_cognito_example_parses_and_keeps_absent_tags_apart_from_empty_tags() -> None:
    # Given the Cognito example: workforce "Tags": [], second team without Tags
    text = (EXAMPLES / "cognito.json").read_bytes()

    # When it is parsed (as bytes, as SSM or a file gives it)
    state = parse_document(text)

    # Then tags are managed where the key is present (even empty) and left alone where absent
    assert state.Workforce.identity_provider == "cognito"
    assert state.Workforce.secret_reference() is None
    assert state.Workforce.oidc_request() is None
    assert state.Workforce.Tags == []
    assert state.Workteams[1].Tags is None
    assert state.Policy.Mode is Mode.DETECT
    assert state.Policy.DeleteUnlistedWorkteams is False
    assert state.Policy.AllowDisruptiveChanges is False
    # and the document comes back with the same distinction
    document = state.to_document()
    assert document["Workforce"]["Tags"] == []
    assert "Tags" not in document["Workteams"][1]


def test_a_minimal_document_gets_the_policy_defaults_and_no_teams() -> None:
    # Given a document with only a Cognito workforce
    document = {
        "Version": 1,
        "Workforce": {
            "WorkforceName": "minimal",
            "CognitoConfig": {"UserPool": "us-east-1_AbCdEfGhI", "ClientId": "abc123"},
        },
    }

    # When it is parsed
    state = parse_document(json.dumps(document))

    # Then nothing else is managed and the policy is the safe default
    assert state.Workteams == []
    assert state.Policy.model_dump() == {
        "Mode": Mode.ENFORCE,
        "DeleteUnlistedWorkteams": False,
        "AllowDisruptiveChanges": False,
        "RecreateWorkteamsForOidcChanges": False,
    }
    assert state.to_document() == {
        **document,
        "Workteams": [],
        "Policy": {
            "Mode": "enforce",
            "DeleteUnlistedWorkteams": False,
            "AllowDisruptiveChanges": False,
            "RecreateWorkteamsForOidcChanges": False,
        },
    }


def test_the_secret_can_live_in_an_ssm_securestring_parameter() -> None:
    # Given the OIDC example pointing at an SSM parameter instead of Secrets Manager
    document = edited(
        "oidc",
        ("Workforce.OidcConfig.ClientSecretArn", DELETE),
        ("Workforce.OidcConfig.ClientSecretParameter", "/workforce/oidc/client-secret"),
    )

    # When it is parsed
    state = parse_document(json.dumps(document))

    # Then the reference names the parameter
    reference = state.Workforce.secret_reference()
    assert reference == SecretReference(parameter_name="/workforce/oidc/client-secret")
    assert reference.display == "ssm:/workforce/oidc/client-secret"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        (["203.0.113.0/24"], ["203.0.113.0/24"]),
        (["10.1.2.3/16", "10.1.0.0/16"], ["10.1.0.0/16"]),
        (["192.168.1.0/255.255.255.0"], ["192.168.1.0/24"]),
        (["2001:DB8::/32", "10.0.0.0/8"], ["10.0.0.0/8", "2001:db8::/32"]),
        (["10.0.0.0/24", "9.0.0.0/8", "10.0.0.0/8"], ["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/24"]),
        ([], []),
    ],
)
def test_cidrs_are_compared_as_networks(written: list[str], normalised: list[str]) -> None:
    # Given CIDRs written in any order, case or spelling (on a dualstack workforce)
    document = edited(
        "cognito",
        ("Workforce.SourceIpConfig.Cidrs", written),
        ("Workforce.IpAddressType", "dualstack"),
    )

    # When the document is parsed
    state = parse_document(json.dumps(document))

    # Then they are networks: host bits cleared, duplicates gone, sorted (IPv4 first)
    assert state.Workforce.SourceIpConfig is not None
    assert state.Workforce.SourceIpConfig.Cidrs == normalised
    # and the engine's normaliser gives the same for what SageMaker reports
    assert normalize_cidrs(reversed(written)) == tuple(normalised)


def test_normalize_cidrs_names_a_block_that_is_not_a_cidr() -> None:
    # Given an observed list with something that is not a CIDR
    # When it is normalised
    # Then the error names it
    with pytest.raises(ValueError, match=r'^"10\.0\.0\.256/8" is not a valid IPv4 or IPv6'):
        normalize_cidrs(["10.0.0.0/8", "10.0.0.256/8"])


def test_models_built_in_code_obey_the_same_cross_field_rules() -> None:
    # Given a document valid field by field but with both identity providers
    document = edited(
        "cognito",
        ("Workforce.OidcConfig", example("oidc")["Workforce"]["OidcConfig"]),
    )

    # When the engine (e.g. export) builds the model directly
    # Then the rule is still enforced
    with pytest.raises(ValueError, match="set only one of CognitoConfig and OidcConfig"):
        DesiredState.model_validate(document)


# --- one problem at a time: path and exact message -----------------------------

A63 = "a" * 63
CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    (
        "workforce name pattern",
        edited("cognito", ("Workforce.WorkforceName", "-labeling")),
        [
            (
                "$.Workforce.WorkforceName",
                '"-labeling" is not 1-63 letters, digits and hyphens, starting with a letter '
                "or digit (SageMaker's pattern: [a-zA-Z0-9]([a-zA-Z0-9\\-]){0,62})",
            )
        ],
    ),
    (
        "workforce name too long",
        edited("cognito", ("Workforce.WorkforceName", A63 + "b")),
        [("$.Workforce.WorkforceName", "must be at most 63 characters long (it has 64)")],
    ),
    (
        "workforce name empty",
        edited("cognito", ("Workforce.WorkforceName", "")),
        [("$.Workforce.WorkforceName", "must not be empty")],
    ),
    (
        "workforce name missing",
        edited("cognito", ("Workforce.WorkforceName", DELETE)),
        [("$.Workforce.WorkforceName", "is required")],
    ),
    (
        "both identity providers",
        edited("cognito", ("Workforce.OidcConfig", example("oidc")["Workforce"]["OidcConfig"])),
        [
            (
                "$.Workforce",
                "set only one of CognitoConfig and OidcConfig: a workforce signs workers in "
                "with either Amazon Cognito or your own OIDC identity provider",
            ),
        ],
    ),
    (
        "no identity provider",
        edited("cognito", ("Workforce.CognitoConfig", DELETE)),
        [
            (
                "$.Workforce",
                "set CognitoConfig (Amazon Cognito) or OidcConfig (your own OIDC identity "
                "provider)",
            )
        ],
    ),
    (
        "cognito user pool pattern",
        edited(
            "cognito",
            ("Workforce.CognitoConfig.UserPool", "AbCdEfGhI"),
            ("Workteams", []),
        ),
        [
            (
                "$.Workforce.CognitoConfig.UserPool",
                '"AbCdEfGhI" is not a Cognito user pool ID like us-east-1_AbCdEfGhI '
                "(SageMaker's pattern: [\\w-]+_[0-9a-zA-Z]+)",
            )
        ],
    ),
    (
        "both secret references",
        edited("oidc", ("Workforce.OidcConfig.ClientSecretParameter", "/workforce/oidc")),
        [("$.Workforce.OidcConfig", "set only one of ClientSecretArn and ClientSecretParameter")],
    ),
    (
        "no secret reference",
        edited("oidc", ("Workforce.OidcConfig.ClientSecretArn", DELETE)),
        [
            (
                "$.Workforce.OidcConfig",
                "set ClientSecretArn (a Secrets Manager secret) or ClientSecretParameter (an "
                "SSM SecureString parameter): the reconciler reads the OIDC client secret from "
                "there",
            )
        ],
    ),
    (
        "an SSM ARN where a Secrets Manager ARN belongs",
        edited(
            "oidc",
            (
                "Workforce.OidcConfig.ClientSecretArn",
                "arn:aws:ssm:us-east-1:111122223333:parameter/workforce/oidc",
            ),
        ),
        [
            (
                "$.Workforce.OidcConfig.ClientSecretArn",
                "is an ARN but not a Secrets Manager secret ARN "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>); for an SSM "
                "parameter use ClientSecretParameter",
            )
        ],
    ),
    (
        "http endpoint",
        edited("oidc", ("Workforce.OidcConfig.TokenEndpoint", "http://idp.example.com/token")),
        [
            (
                "$.Workforce.OidcConfig.TokenEndpoint",
                '"http://idp.example.com/token" is not an https:// URL (SageMaker\'s pattern: '
                "https://\\S+)",
            )
        ],
    ),
    (
        "scope with a double space",
        edited("oidc", ("Workforce.OidcConfig.Scope", "openid  email")),
        [
            (
                "$.Workforce.OidcConfig.Scope",
                '"openid  email" is not space-separated OAuth scopes like "openid email" '
                "(SageMaker's pattern: [!#-\\[\\]-~]+( [!#-\\[\\]-~]+)*)",
            )
        ],
    ),
    (
        "too many extra params",
        edited(
            "oidc",
            (
                "Workforce.OidcConfig.AuthenticationRequestExtraParams",
                {f"p{i}": "v" for i in range(11)},
            ),
        ),
        [
            (
                "$.Workforce.OidcConfig.AuthenticationRequestExtraParams",
                "must have at most 10 entries (it has 11)",
            )
        ],
    ),
    (
        "extra param value over two lines",
        edited(
            "oidc", ("Workforce.OidcConfig.AuthenticationRequestExtraParams", {"prompt": "a\nb"})
        ),
        [
            (
                "$.Workforce.OidcConfig.AuthenticationRequestExtraParams.prompt",
                '"a\\nb" is not text on one line (SageMaker\'s pattern: .*)',
            )
        ],
    ),
    (
        "cidr without prefix length",
        edited("cognito", ("Workforce.SourceIpConfig.Cidrs", ["192.0.2.10"])),
        [
            (
                "$.Workforce.SourceIpConfig.Cidrs[0]",
                '"192.0.2.10" is not a CIDR block: add a prefix length, for example '
                '"192.0.2.10/32"',
            )
        ],
    ),
    (
        "cidr out of range",
        edited("cognito", ("Workforce.SourceIpConfig.Cidrs", ["192.0.2.0/24", "10.0.0.0/33"])),
        [
            (
                "$.Workforce.SourceIpConfig.Cidrs[1]",
                '"10.0.0.0/33" is not a valid IPv4 or IPv6 CIDR block',
            )
        ],
    ),
    (
        "ipv6 blocks on an ipv4 workforce",
        edited(
            "cognito",
            ("Workforce.SourceIpConfig.Cidrs", ["192.0.2.0/24", "2001:db8::/32", "::/0"]),
        ),
        [
            (
                "$.Workforce.SourceIpConfig.Cidrs[1]",
                '"2001:db8::/32" is an IPv6 block, but $.Workforce.IpAddressType is "ipv4": '
                'SageMaker takes IPv6 addresses only on a "dualstack" workforce; set '
                '"IpAddressType": "dualstack" or remove the block',
            ),
            (
                "$.Workforce.SourceIpConfig.Cidrs[2]",
                '"::/0" is an IPv6 block, but $.Workforce.IpAddressType is "ipv4": '
                'SageMaker takes IPv6 addresses only on a "dualstack" workforce; set '
                '"IpAddressType": "dualstack" or remove the block',
            ),
        ],
    ),
    (
        "an ipv6 block without an ip address type",
        edited(
            "oidc",
            ("Workforce.IpAddressType", DELETE),
        ),
        [
            (
                "$.Workforce.SourceIpConfig.Cidrs[2]",
                '"2001:db8:4000::/48" is an IPv6 block, but $.Workforce.IpAddressType is left '
                'out, which creates an "ipv4" workforce: SageMaker takes IPv6 addresses only on '
                'a "dualstack" workforce; set "IpAddressType": "dualstack" or remove the block',
            ),
        ],
    ),
    (
        "ipv6 zone indexes",
        edited(
            "oidc",
            ("Workforce.SourceIpConfig.Cidrs", ["fe80::1%eth0/64", "fe80::2%25"]),
        ),
        [
            (
                "$.Workforce.SourceIpConfig.Cidrs[0]",
                '"fe80::1%eth0/64" has an IPv6 zone index (%eth0), which names a network '
                "interface of one host and means nothing in an allow-list: write the block "
                'without it, for example "fe80::1/64"',
            ),
            (
                "$.Workforce.SourceIpConfig.Cidrs[1]",
                '"fe80::2%25" has an IPv6 zone index (%25), which names a network interface '
                "of one host and means nothing in an allow-list: write the block without it, "
                'for example "fe80::2/128"',
            ),
        ],
    ),
    (
        "eleven cidrs",
        edited(
            "cognito", ("Workforce.SourceIpConfig.Cidrs", [f"10.{i}.0.0/16" for i in range(11)])
        ),
        [("$.Workforce.SourceIpConfig.Cidrs", "must have at most 10 items (it has 11)")],
    ),
    (
        "ip address type",
        edited("cognito", ("Workforce.IpAddressType", "ipv6")),
        [("$.Workforce.IpAddressType", '"ipv6" is not allowed; use "ipv4" or "dualstack"')],
    ),
    (
        "ip address type as a number and a cidr too short to be one",
        edited(
            "cognito",
            ("Workforce.IpAddressType", 4),
            ("Workforce.SourceIpConfig.Cidrs", ["1/8"]),
        ),
        [
            ("$.Workforce.SourceIpConfig.Cidrs[0]", "must be at least 4 characters long"),
            ("$.Workforce.IpAddressType", 'must be "ipv4" or "dualstack", not a number'),
        ],
    ),
    (
        "vpc id pattern",
        edited("cognito", ("Workforce.WorkforceVpcConfig.VpcId", "vpc_0a1b2c3d")),
        [
            (
                "$.Workforce.WorkforceVpcConfig.VpcId",
                '"vpc_0a1b2c3d" is not a VPC ID like vpc-0a1b2c3d4e5f67890 (SageMaker\'s '
                "pattern: vpc-[0-9a-z]*)",
            )
        ],
    ),
    (
        "six security groups",
        edited(
            "cognito",
            ("Workforce.WorkforceVpcConfig.SecurityGroupIds", [f"sg-0{i}" for i in range(6)]),
        ),
        [
            (
                "$.Workforce.WorkforceVpcConfig.SecurityGroupIds",
                "must have at most 5 items (it has 6)",
            )
        ],
    ),
    (
        "vpc without subnets",
        edited("cognito", ("Workforce.WorkforceVpcConfig.Subnets", DELETE)),
        [
            (
                "$.Workforce.WorkforceVpcConfig.Subnets",
                "is required: a VPC configuration names the VPC, its security groups and "
                "its subnets (or is {} to detach the workforce from its VPC)",
            )
        ],
    ),
    (
        "tag key empty and value with a bad character",
        edited("cognito", ("Workforce.Tags", [{"Key": "", "Value": "a#b"}])),
        [
            ("$.Workforce.Tags[0].Key", "must not be empty"),
            (
                "$.Workforce.Tags[0].Value",
                '"a#b" is not letters, digits, spaces and _ . : / = + - @ (SageMaker\'s '
                "pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*))",
            ),
        ],
    ),
    (
        "reserved and repeated tag keys",
        edited(
            "oidc",
            (
                "Workteams.0.Tags",
                [
                    {"Key": "aws:cloudformation:stack-name", "Value": "x"},
                    {"Key": "team", "Value": "a"},
                    {"Key": "team", "Value": "b"},
                ],
            ),
        ),
        [
            ("$.Workteams[0].Tags[0].Key", "tag keys starting with aws: are reserved for AWS"),
            (
                "$.Workteams[0].Tags[2].Key",
                '"team" is already the key of $.Workteams[0].Tags[1]: tag keys must be unique',
            ),
        ],
    ),
    (
        "reserved tag keys in any case",
        edited(
            "oidc",
            (
                "Workforce.Tags",
                [{"Key": "AWS:team", "Value": "x"}, {"Key": "Aws:cost-center", "Value": "y"}],
            ),
        ),
        [
            ("$.Workforce.Tags[0].Key", "tag keys starting with aws: are reserved for AWS"),
            ("$.Workforce.Tags[1].Key", "tag keys starting with aws: are reserved for AWS"),
        ],
    ),
    (
        "fifty-one tags",
        edited("cognito", ("Workforce.Tags", [{"Key": f"k{i}", "Value": ""} for i in range(51)])),
        [("$.Workforce.Tags", "must have at most 50 items (it has 51)")],
    ),
    (
        "team names repeat",
        edited("cognito", ("Workteams.1.WorkteamName", "medical-annotators")),
        [
            (
                "$.Workteams[1].WorkteamName",
                '"medical-annotators" is already the name of $.Workteams[0]: team names must '
                "be unique",
            )
        ],
    ),
    (
        "team name ends with a hyphen",
        edited("cognito", ("Workteams.1.WorkteamName", "auditors-")),
        [
            (
                "$.Workteams[1].WorkteamName",
                '"auditors-" is not 1-63 letters, digits and hyphens, starting and ending with '
                "a letter or digit (SageMaker's pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})",
            )
        ],
    ),
    (
        "team carries a workforce name",
        edited("cognito", ("Workteams.1.WorkforceName", "labeling-cognito")),
        [
            (
                "$.Workteams[1].WorkforceName",
                "work teams have no WorkforceName: every team joins the workforce named in "
                "$.Workforce.WorkforceName; remove this field",
            )
        ],
    ),
    (
        "description missing and too long",
        edited(
            "cognito",
            ("Workteams.0.Description", DELETE),
            ("Workteams.1.Description", "x" * 201),
        ),
        [
            ("$.Workteams[0].Description", "is required"),
            ("$.Workteams[1].Description", "must be at most 200 characters long (it has 201)"),
        ],
    ),
    (
        "no member definitions",
        edited("cognito", ("Workteams.1.MemberDefinitions", [])),
        [("$.Workteams[1].MemberDefinitions", "must have at least 1 item (it has 0)")],
    ),
    (
        "eleven member definitions",
        edited(
            "cognito",
            ("Workteams.1.MemberDefinitions", [{"CognitoMemberDefinition": COGNITO_MEMBER}] * 11),
        ),
        [("$.Workteams[1].MemberDefinitions", "must have at most 10 items (it has 11)")],
    ),
    (
        "oidc members on a cognito workforce",
        edited(
            "cognito",
            ("Workteams.1.MemberDefinitions", [{"OidcMemberDefinition": {"Groups": ["auditors"]}}]),
        ),
        [
            (
                "$.Workteams[1].MemberDefinitions[0]",
                "is an OIDC member definition, but the workforce uses Amazon Cognito "
                "(CognitoConfig): use CognitoMemberDefinition",
            )
        ],
    ),
    (
        "cognito members on an oidc workforce",
        edited(
            "oidc", ("Workteams.1.MemberDefinitions", [{"CognitoMemberDefinition": COGNITO_MEMBER}])
        ),
        [
            (
                "$.Workteams[1].MemberDefinitions[0]",
                "is a Cognito member definition, but the workforce uses OIDC (OidcConfig): use "
                "OidcMemberDefinition",
            )
        ],
    ),
    (
        "another user pool and app client",
        edited(
            "cognito",
            (
                "Workteams.1.MemberDefinitions.0.CognitoMemberDefinition.UserPool",
                "us-east-1_ZyXwVuTsR",
            ),
            ("Workteams.1.MemberDefinitions.0.CognitoMemberDefinition.ClientId", "other"),
        ),
        [
            (
                "$.Workteams[1].MemberDefinitions[0].CognitoMemberDefinition.UserPool",
                'is "us-east-1_ZyXwVuTsR", but $.Workforce.CognitoConfig.UserPool '
                'is "us-east-1_AbCdEfGhI": every Cognito member definition uses the workforce\'s '
                "user pool and app client",
            ),
            (
                "$.Workteams[1].MemberDefinitions[0].CognitoMemberDefinition.ClientId",
                'is "other", but $.Workforce.CognitoConfig.ClientId is '
                '"4d5e6f7g8h9i0j1k2l3m4n5o6p": every Cognito member definition uses the '
                "workforce's user pool and app client",
            ),
        ],
    ),
    (
        "a definition of both kinds and an empty one",
        edited(
            "cognito",
            (
                "Workteams.1.MemberDefinitions",
                [
                    {
                        "CognitoMemberDefinition": COGNITO_MEMBER,
                        "OidcMemberDefinition": {"Groups": ["g"]},
                    },
                    {},
                ],
            ),
        ),
        [
            (
                "$.Workteams[1].MemberDefinitions[0]",
                "set only one of CognitoMemberDefinition and OidcMemberDefinition",
            ),
            (
                "$.Workteams[1].MemberDefinitions[1]",
                "set CognitoMemberDefinition or OidcMemberDefinition",
            ),
        ],
    ),
    (
        "eleven oidc groups and a group with a space",
        edited(
            "oidc",
            (
                "Workteams.1.MemberDefinitions",
                [
                    {"OidcMemberDefinition": {"Groups": [f"g{i}" for i in range(11)]}},
                    {"OidcMemberDefinition": {"Groups": ["text reviewers"]}},
                ],
            ),
        ),
        [
            (
                "$.Workteams[1].MemberDefinitions[0].OidcMemberDefinition.Groups",
                "must have at most 10 items (it has 11)",
            ),
            (
                "$.Workteams[1].MemberDefinitions[1].OidcMemberDefinition.Groups[0]",
                '"text reviewers" is not letters, digits, marks, symbols and punctuation, '
                "without spaces (SageMaker's pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+)",
            ),
        ],
    ),
    (
        "notification topic is not an sns arn",
        edited(
            "cognito",
            ("Workteams.0.NotificationConfiguration.NotificationTopicArn", "medical-labeling-jobs"),
        ),
        [
            (
                "$.Workteams[0].NotificationConfiguration.NotificationTopicArn",
                '"medical-labeling-jobs" is not an SNS topic ARN like '
                "arn:aws:sns:us-east-1:111122223333:labeling-alerts (SageMaker's pattern: "
                "arn:aws[a-z\\-]*:sns:[a-z0-9\\-]*:[0-9]{12}:[a-zA-Z0-9_.-]*)",
            )
        ],
    ),
    (
        "s3 presign constraint",
        edited(
            "oidc",
            ("Workteams.0.WorkerAccessConfiguration.S3Presign.IamPolicyConstraints.SourceIp", "On"),
        ),
        [
            (
                "$.Workteams[0].WorkerAccessConfiguration.S3Presign.IamPolicyConstraints.SourceIp",
                '"On" is not allowed; use "Enabled" or "Disabled"',
            )
        ],
    ),
    (
        "twenty-six teams",
        edited(
            "oidc",
            (
                "Workteams",
                [
                    {
                        "WorkteamName": f"team-{i}",
                        "Description": "d",
                        "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["g"]}}],
                    }
                    for i in range(26)
                ],
            ),
        ),
        [("$.Workteams", "must have at most 25 items (it has 26)")],
    ),
    (
        "policy mode and a string for a boolean",
        edited("cognito", ("Policy", {"Mode": "apply", "AllowDisruptiveChanges": "true"})),
        [
            ("$.Policy.Mode", '"apply" is not allowed; use "enforce" or "detect"'),
            ("$.Policy.AllowDisruptiveChanges", "must be true or false, not a string"),
        ],
    ),
    (
        "version 2",
        edited("cognito", ("Version", 2)),
        [("$.Version", "must be 1, the only version of this document format")],
    ),
    (
        "version as true",
        edited("cognito", ("Version", True)),
        [("$.Version", "must be 1, the only version of this document format")],
    ),
    (
        "version missing",
        edited("cognito", ("Version", DELETE)),
        [("$.Version", "is required")],
    ),
    (
        "wrong types",
        edited(
            "oidc",
            ("Workforce.SourceIpConfig", "203.0.113.0/24"),
            ("Workforce.OidcConfig.ClientId", 12345),
            ("Workteams.0.MemberDefinitions.0.OidcMemberDefinition.Groups", "labelers-images"),
            ("Workteams.1", None),
        ),
        [
            ("$.Workforce.OidcConfig.ClientId", "must be a string, not a number"),
            ("$.Workforce.SourceIpConfig", "must be an object, not a string"),
            (
                "$.Workteams[0].MemberDefinitions[0].OidcMemberDefinition.Groups",
                "must be an array, not a string",
            ),
            ("$.Workteams[1]", "must be an object, not null"),
        ],
    ),
    (
        "workteams as an object",
        edited("cognito", ("Workteams", {"WorkteamName": "x"})),
        [("$.Workteams", "must be an array, not an object")],
    ),
]


@pytest.mark.parametrize(
    ("document", "expected"),
    [pytest.param(document, expected, id=name) for name, document, expected in CASES],
)
def test_each_problem_is_reported_at_its_path(
    document: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    # Given a document with a specific mistake (see the case id)
    # When it is parsed
    problems = problems_of(document)

    # Then exactly that mistake is reported, where it is, in words
    assert problems == expected


# --- unknown fields --------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            edited("cognito", ("Workteam", [])),
            [("$.Workteam", 'unknown field; did you mean "Workteams"?')],
            id="top level near miss",
        ),
        pytest.param(
            edited("cognito", ("Workforce.tags", []), ("Workforce.Tags", DELETE)),
            [("$.Workforce.tags", 'unknown field; did you mean "Tags"?')],
            id="wrong case",
        ),
        pytest.param(
            edited("cognito", ("Policy.DeleteUnlistedTeams", True)),
            [
                (
                    "$.Policy.DeleteUnlistedTeams",
                    'unknown field; did you mean "DeleteUnlistedWorkteams"?',
                )
            ],
            id="policy near miss",
        ),
        pytest.param(
            edited(
                "cognito", ("Workteams.0.MemberDefinitions.0.CognitoMemberDefinition.Group", "x")
            ),
            [
                (
                    "$.Workteams[0].MemberDefinitions[0].CognitoMemberDefinition.Group",
                    'unknown field; did you mean "UserGroup"?',
                )
            ],
            id="deep near miss",
        ),
        pytest.param(
            edited("cognito", ("Workforce.Region", "us-east-1")),
            [
                (
                    "$.Workforce.Region",
                    "unknown field; expected one of: WorkforceName, CognitoConfig, OidcConfig, "
                    "SourceIpConfig, WorkforceVpcConfig, IpAddressType, Tags",
                )
            ],
            id="no near miss",
        ),
    ],
)
def test_unknown_fields_are_errors_with_a_suggestion(
    document: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    # Given a document with a key the format does not have
    # When it is parsed
    problems = problems_of(document)

    # Then the key is an error, with the nearest real field when there is one
    assert problems == expected


# --- the client secret -------------------------------------------------------------

CLIENT_SECRET = "Zk9#qT2!vLw8-not-for-your-eyes"


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("ClientSecret", "$.Workforce.OidcConfig.ClientSecret"),
        ("clientSecret", "$.Workforce.OidcConfig.clientSecret"),
    ],
)
def test_a_client_secret_in_the_document_is_refused_without_repeating_it(
    key: str, path: str
) -> None:
    # Given a document with the secret value itself, and a broken endpoint beside it
    document = edited(
        "oidc",
        ("Workforce.OidcConfig.ClientSecretArn", DELETE),
        (f"Workforce.OidcConfig.{key}", CLIENT_SECRET),
        ("Workforce.OidcConfig.Issuer", f"http://{CLIENT_SECRET}"),
    )

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(json.dumps(document))

    # Then the user is told where the secret belongs, and the value appears nowhere
    problems = [(p.Path, p.Message) for p in caught.value.problems]
    assert problems == [
        (
            "$.Workforce.OidcConfig.Issuer",
            '"http://(redacted)" is not an https:// URL (SageMaker\'s pattern: https://\\S+)',
        ),
        (
            path,
            "the OIDC client secret must not be in the document: store it in AWS Secrets "
            "Manager and set OidcConfig.ClientSecretArn to the secret's ARN, or in an SSM "
            "SecureString parameter and set OidcConfig.ClientSecretParameter to the "
            "parameter's name",
        ),
    ]
    assert CLIENT_SECRET not in str(caught.value)
    assert CLIENT_SECRET not in repr(caught.value.problems)


def test_a_client_secret_anywhere_is_never_echoed() -> None:
    # Given the secret under a ClientSecret key in the wrong place, in a malformed value
    document = edited(
        "cognito",
        ("Workteams.0.ClientSecret", {"Value": CLIENT_SECRET, "Tags": [1]}),
        ("Workforce.CognitoConfig.ClientSecret", [CLIENT_SECRET]),
    )

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(json.dumps(document))

    # Then both are refused and neither value is repeated
    assert [p.Path for p in caught.value.problems] == [
        "$.Workforce.CognitoConfig.ClientSecret",
        "$.Workteams[0].ClientSecret",
    ]
    assert CLIENT_SECRET not in str(caught.value)


# --- many problems at once ------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    # Given a document with mistakes at every level
    document = edited(
        "cognito",
        ("Version", "1"),
        ("Workforce.IpAddressType", "IPv4"),
        ("Workforce.SourceIpConfig.Cidrs", ["192.0.2.0/24", "not-a-cidr/8"]),
        ("Workteams.0.MemberDefinitions.1.CognitoMemberDefinition.UserPool", "us-east-1_Other1"),
        ("Workteams.1.WorkteamName", "medical-annotators"),
        ("Workteams.1.Description", DELETE),
        ("Workteams.1.Descripton", "typo"),
        ("Policy.Mode", "report"),
    )

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(json.dumps(document))

    # Then every mistake is listed, with its path, in the order of the document
    error = caught.value
    assert isinstance(error, ReconcilerError)
    assert error.problems == (
        DocumentProblem(
            Path="$.Version", Message="must be 1, the only version of this document format"
        ),
        DocumentProblem(
            Path="$.Workforce.SourceIpConfig.Cidrs[1]",
            Message='"not-a-cidr/8" is not a valid IPv4 or IPv6 CIDR block',
        ),
        DocumentProblem(
            Path="$.Workforce.IpAddressType",
            Message='"IPv4" is not allowed; use "ipv4" or "dualstack"',
        ),
        DocumentProblem(
            Path="$.Workteams[0].MemberDefinitions[1].CognitoMemberDefinition.UserPool",
            Message='is "us-east-1_Other1", but '
            '$.Workforce.CognitoConfig.UserPool is "us-east-1_AbCdEfGhI": every Cognito '
            "member definition uses the workforce's user pool and app client",
        ),
        DocumentProblem(
            Path="$.Workteams[1].WorkteamName",
            Message='"medical-annotators" is already the name of $.Workteams[0]: team names '
            "must be unique",
        ),
        DocumentProblem(Path="$.Workteams[1].Description", Message="is required"),
        DocumentProblem(
            Path="$.Workteams[1].Descripton",
            Message='unknown field; did you mean "Description"?',
        ),
        DocumentProblem(
            Path="$.Policy.Mode", Message='"report" is not allowed; use "enforce" or "detect"'
        ),
    )
    assert str(error).splitlines() == [
        "desired-state document is invalid (8 problems):",
        "  $.Version: must be 1, the only version of this document format",
        '  $.Workforce.SourceIpConfig.Cidrs[1]: "not-a-cidr/8" is not a valid IPv4 or IPv6 '
        "CIDR block",
        '  $.Workforce.IpAddressType: "IPv4" is not allowed; use "ipv4" or "dualstack"',
        "  $.Workteams[0].MemberDefinitions[1].CognitoMemberDefinition.UserPool: "
        'is "us-east-1_Other1", but $.Workforce.CognitoConfig.UserPool is '
        '"us-east-1_AbCdEfGhI": every Cognito member definition uses the workforce\'s user '
        "pool and app client",
        '  $.Workteams[1].WorkteamName: "medical-annotators" is already the name of '
        "$.Workteams[0]: team names must be unique",
        "  $.Workteams[1].Description: is required",
        '  $.Workteams[1].Descripton: unknown field; did you mean "Description"?',
        '  $.Policy.Mode: "report" is not allowed; use "enforce" or "detect"',
    ]


# --- text that is not a document ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '{\n  "Version": 1,\n  "Workforce": {"WorkforceName": "x",}\n}',
            "not valid JSON: Expecting property name enclosed in double quotes at line 3 column 38",
            id="trailing comma",
        ),
        pytest.param(
            '{"Version": 1',
            "not valid JSON: Expecting ',' delimiter at line 1 column 14",
            id="cut short",
        ),
        pytest.param("", "the document is empty; it must be a JSON object", id="empty"),
        pytest.param("  \n", "the document is empty; it must be a JSON object", id="blank"),
        pytest.param("[]", "the document must be a JSON object ({...}), not an array", id="array"),
        pytest.param(
            '"hi"', "the document must be a JSON object ({...}), not a string", id="string"
        ),
        pytest.param("null", "the document must be a JSON object ({...}), not null", id="null"),
        pytest.param('{"Version": NaN}', "not valid JSON: NaN is not a JSON value", id="NaN"),
        pytest.param(b"\xff\xfe{}", "is not UTF-8 text (byte 0 cannot be decoded)", id="not utf-8"),
        pytest.param("[" * 100_000, "not valid JSON: nested too deeply", id="nested too deeply"),
        pytest.param(
            '{"Version": ' + "1" * 5000 + "}", "a number has too many digits to read", id="huge"
        ),
        pytest.param(
            '{"Version": 1, "\\udc00": 2}',
            "a key contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is "
            "not text",
            id="surrogate key",
        ),
    ],
)
def test_text_that_is_not_a_json_object_is_one_clear_problem(
    text: str | bytes, expected: str
) -> None:
    # Given text that is not a JSON object
    # When it is parsed
    problems = problems_of(text)

    # Then there is one problem at the root, with line and column where JSON has them
    assert problems == [("$", expected)]


def test_a_value_that_is_half_a_utf16_pair_is_named_and_the_message_is_printable() -> None:
    # Given a document whose workforce name is JSON's escape for half a UTF-16 pair
    text = json.dumps(example("cognito")).replace('"labeling-cognito"', '"labeling\\ud800"')

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as caught:
        parse_document(text)

    # Then the value is named, and the message can be printed or sent as UTF-8
    assert [(p.Path, p.Message) for p in caught.value.problems] == [
        (
            "$.Workforce.WorkforceName",
            "contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not text",
        )
    ]
    str(caught.value).encode("utf-8")


def test_a_byte_order_mark_is_accepted() -> None:
    # Given the example saved by an editor that writes a UTF-8 BOM
    text = "\ufeff" + (EXAMPLES / "cognito.json").read_text()

    # When it is parsed, as text and as bytes
    # Then both work
    assert parse_document(text) == parse_document(text.encode("utf-8"))


def test_a_key_given_twice_is_reported() -> None:
    # Given a document where a key appears twice (JSON would silently keep the last)
    text = (EXAMPLES / "cognito.json").read_text()
    text = text.replace(
        '"IpAddressType": "ipv4",', '"IpAddressType": "ipv4", "IpAddressType": "dualstack",'
    )

    # When it is parsed
    problems = problems_of(text)

    # Then the repetition is an error
    assert problems == [("$.Workforce.IpAddressType", "appears more than once in this object")]


CREDENTIAL_MESSAGE = (
    "is named like a credential: these parameters travel in the authorization URL a "
    "worker's browser opens and are shown by plan, so no credential belongs here; the OIDC "
    "client secret goes in ClientSecretArn or ClientSecretParameter"
)
EXTRA_PARAMS = "Workforce.OidcConfig.AuthenticationRequestExtraParams"


@pytest.mark.parametrize(
    "key",
    [
        # the four caught before
        "client_secret",
        "password",
        "passwd",
        "credential",
        # and the rest, in the spellings people use: case, - or _, run together
        "api_key",
        "API-Key",
        "apikey",
        "x-api-key",
        "X_API_KEY",
        "access_token",
        "accessToken",
        "token",
        "id_token_hint",
        "refresh_token",
        "private_key",
        "privateKey",
        "pwd",
        "authorization",
        "Authorization",
        "proxy-authorization",
        "client_assertion",
        "assertion",
        "passphrase",
    ],
)
def test_a_credential_in_the_extra_authentication_parameters_is_refused_without_echoing_it(
    key: str,
) -> None:
    # Given a credential put where SageMaker would send it in the browser's URL
    document = edited("oidc", (EXTRA_PARAMS, {key: "LEAK5-value-0xC0FFEE", "prompt": "login"}))

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as raised:
        parse_document(json.dumps(document))

    # Then the key is named by its path, the value is not repeated
    assert [(p.Path, p.Message) for p in raised.value.problems] == [
        (render_path((*EXTRA_PARAMS.split("."), key)), CREDENTIAL_MESSAGE)
    ]
    assert "LEAK5" not in str(raised.value)


def test_ordinary_oidc_request_parameters_pass() -> None:
    # Given the extra parameters identity providers document for the authorization request
    params = {
        "prompt": "login",
        "login_hint": "worker@example.com",
        "acr_values": "urn:mace:incommon:iap:silver",
        "max_age": "3600",
        "ui_locales": "en-GB",
        "access_type": "offline",
        "kc_idp_hint": "corp",
        "domain_hint": "example.com",
        "authorization_details": "[]",
    }
    document = edited("oidc", (EXTRA_PARAMS, params))

    # When it is parsed
    state = parse_document(json.dumps(document))

    # Then they are kept as written
    assert state.Workforce.OidcConfig is not None
    assert state.Workforce.OidcConfig.AuthenticationRequestExtraParams == params


def test_every_credential_key_is_reported_and_no_value_is_echoed_anywhere() -> None:
    # Given two credentials, one of them over two lines and also pasted into the scope
    document = edited(
        "oidc",
        (EXTRA_PARAMS, {"api_key": "k3y-LEAK-one\n", "access_token": "tok-LEAK-two"}),
        ("Workforce.OidcConfig.Scope", "openid  tok-LEAK-two"),
    )

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as raised:
        parse_document(json.dumps(document))

    # Then each is refused at its own path (a map's keys in name order), and neither
    # value is in any message
    assert [(p.Path, p.Message) for p in raised.value.problems] == [
        (
            "$.Workforce.OidcConfig.Scope",
            '"openid  (redacted)" is not space-separated OAuth scopes like "openid email" '
            "(SageMaker's pattern: [!#-\\[\\]-~]+( [!#-\\[\\]-~]+)*)",
        ),
        (
            "$.Workforce.OidcConfig.AuthenticationRequestExtraParams.access_token",
            CREDENTIAL_MESSAGE,
        ),
        (
            "$.Workforce.OidcConfig.AuthenticationRequestExtraParams.api_key",
            CREDENTIAL_MESSAGE,
        ),
        (
            "$.Workforce.OidcConfig.AuthenticationRequestExtraParams.api_key",
            "the value is not text on one line (SageMaker's pattern: .*)",
        ),
    ]
    assert "LEAK" not in str(raised.value)


def test_a_short_flag_under_a_credential_like_name_garbles_no_message() -> None:
    # Given a flag, not a secret, under a name that looks like a credential
    document = edited("oidc", (EXTRA_PARAMS, {"use_token": "on"}))

    # When it is parsed
    problems = problems_of(document)

    # Then the name is refused, and the message is whole ("on" is not hidden inside words)
    assert problems == [
        ("$.Workforce.OidcConfig.AuthenticationRequestExtraParams.use_token", CREDENTIAL_MESSAGE)
    ]


# --- OIDC endpoints carry no credentials ------------------------------------------------

URL_PATTERN_NOTE = "(SageMaker's pattern: https://\\S+)"


@pytest.mark.parametrize(
    ("field", "url", "message"),
    [
        pytest.param(
            "AuthorizationEndpoint",
            "https://workforce:Hunter2-LEAK@idp.example.com/authorize",
            "carries credentials before the host (user:password@): these URLs are shown by "
            "plan and opened by workers' browsers; write the URL without them",
            id="user and password",
        ),
        pytest.param(
            "Issuer",
            "https://ghp_LEAK0123456789@idp.example.com",
            "carries credentials before the host (user:password@): these URLs are shown by "
            "plan and opened by workers' browsers; write the URL without them",
            id="a token as the user",
        ),
        pytest.param(
            "JwksUri",
            "https://idp.example.com/keys?format=jwk&Api-Key=LEAK-key-123",
            "carries a credential in its query string (Api-Key=): these URLs are shown by "
            "plan and opened by workers' browsers; write the URL without it",
            id="a credential in the query",
        ),
        pytest.param(
            "LogoutEndpoint",
            "https://idp.example.com/logout#access_token=LEAK-tok-1&state=x",
            "carries a credential in its fragment (access_token=): these URLs are shown by "
            "plan and opened by workers' browsers; write the URL without it",
            id="a credential in the fragment",
        ),
        pytest.param(
            "UserInfoEndpoint",
            "http://idp.example.com/userinfo#id_token=LEAK.jwt.value",
            '"http://idp.example.com/userinfo#id_token=(redacted)" is not an https:// URL '
            + URL_PATTERN_NOTE,
            id="http, with a credential in the fragment",
        ),
        pytest.param(
            "TokenEndpoint",
            "http://admin:Hunter2-LEAK@idp.example.com/token",
            '"http://(redacted)@idp.example.com/token" is not an https:// URL ' + URL_PATTERN_NOTE,
            id="http, with credentials: the address is shown without them",
        ),
        pytest.param(
            "UserInfoEndpoint",
            "http://" + "u" * 70 + ":Hunter2-LEAK@idp.example.com/userinfo",
            '"http://(redacted)@idp.example.com/userinfo" is not an https:// URL '
            + URL_PATTERN_NOTE,
            id="credentials past the 80 characters quoted",
        ),
        pytest.param(
            "LogoutEndpoint",
            "http://idp.example.com/logout?id_token_hint=LEAK.jwt.value&state=1",
            '"http://idp.example.com/logout?id_token_hint=(redacted)&state=1" is not an '
            "https:// URL " + URL_PATTERN_NOTE,
            id="http, with a credential in the query",
        ),
        pytest.param(
            "JwksUri",
            "https://idp.example.com/keys?client_secret=&format=jwk",
            "carries a credential in its query string (client_secret=): these URLs are shown "
            "by plan and opened by workers' browsers; write the URL without it",
            id="a credential name with an empty value",
        ),
        pytest.param(
            "JwksUri",
            "https://idp.example.com/keys?clé_access_token=x",
            "carries a credential in its query string (clé_access_token=): these URLs are "
            "shown by plan and opened by workers' browsers; write the URL without it",
            id="a name with an accent, shown as written",
        ),
    ],
)
def test_an_oidc_endpoint_carrying_credentials_is_refused_without_echoing_them(
    field: str, url: str, message: str
) -> None:
    # Given an endpoint URL with credentials in it
    document = edited("oidc", (f"Workforce.OidcConfig.{field}", url))

    # When it is parsed
    with pytest.raises(InvalidDocumentError) as raised:
        parse_document(json.dumps(document))

    # Then the URL is refused at its path, and the credentials are in no message
    assert [(p.Path, p.Message) for p in raised.value.problems] == [
        (f"$.Workforce.OidcConfig.{field}", message)
    ]
    assert "LEAK" not in str(raised.value)


def test_an_ordinary_endpoint_with_a_query_and_an_at_sign_in_its_path_passes() -> None:
    # Given endpoints whose query and path hold no credential
    authorize = "https://idp.example.com/oauth2/v1/authorize?tenant=corp"
    keys = "https://idp.example.com/@corp/keys"
    document = edited(
        "oidc",
        ("Workforce.OidcConfig.AuthorizationEndpoint", authorize),
        ("Workforce.OidcConfig.JwksUri", keys),
    )

    # When it is parsed
    state = parse_document(json.dumps(document))

    # Then they are kept as written
    assert state.Workforce.OidcConfig is not None
    assert state.Workforce.OidcConfig.AuthorizationEndpoint == authorize
    assert state.Workforce.OidcConfig.JwksUri == keys


# --- null is never a value: an optional key is left out ------------------------------

NULL_MESSAGE = "must not be null: to omit it, leave the key out"


def _optional_keys(model: type[BaseModel], path: tuple[str | int, ...] = ()) -> Iterator[Loc]:
    """The path of every optional key of ``model`` and of the models inside it."""
    for name, field in model.model_fields.items():
        here = (*path, name)
        if not field.is_required():
            yield here
        inner, steps = _inside(field.annotation)
        if inner is not None:
            yield from _optional_keys(inner, (*here, *steps))


def _inside(annotation: Any) -> tuple[type[BaseModel] | None, tuple[int, ...]]:
    """The model an annotation holds (through Optional, Annotated and list), and the list steps."""
    steps: tuple[int, ...] = ()
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
        elif origin is list:
            annotation, steps = get_args(annotation)[0], (*steps, 0)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation, steps
        else:
            return None, steps


def _with_null(path: Loc) -> dict[str, Any]:
    """The first example whose document holds the parent of ``path``, the key set to null."""
    for name in ("oidc", "cognito"):
        document = example(name)
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
        except (KeyError, IndexError):
            continue
        parent[path[-1]] = None
        return document
    raise AssertionError(f"no example holds the parent of {path}: add it to one")


OPTIONAL_KEYS = list(_optional_keys(DesiredState))


def test_the_walk_finds_the_optional_keys_of_every_level() -> None:
    # Given the optional keys the walk finds
    # When a few from each level are looked for
    # Then they are there: the top level, the workforce, a team, and deep inside a team
    assert {
        ("Workteams",),
        ("Policy",),
        ("Policy", "Mode"),
        ("Workforce", "Tags"),
        ("Workforce", "OidcConfig", "Scope"),
        ("Workforce", "WorkforceVpcConfig", "VpcId"),
        ("Workteams", 0, "MemberDefinitions", 0, "CognitoMemberDefinition"),
        (
            "Workteams",
            0,
            "WorkerAccessConfiguration",
            "S3Presign",
            "IamPolicyConstraints",
            "VpcSourceIp",
        ),
    } <= set(OPTIONAL_KEYS)


@pytest.mark.parametrize("path", OPTIONAL_KEYS, ids=render_path)
def test_null_for_any_optional_key_is_refused_saying_leave_the_key_out(path: Loc) -> None:
    # Given an example with one optional key set to null
    document = _with_null(path)

    # When it is parsed
    problems = problems_of(document)

    # Then null is refused there with the one message, and nothing else is said about it
    # (a rule may add that, without it, the workforce has no identity provider, say)
    assert [message for where, message in problems if where == render_path(path)] == [NULL_MESSAGE]
    # and the published schema refuses it at the same place
    errors = Draft202012Validator(json_schema()).iter_errors(document)
    assert tuple(path) in {tuple(error.absolute_path) for error in errors}


def test_null_where_a_value_is_required_names_the_type_wanted() -> None:
    # Given a required key set to null, and a null in a list
    document = edited(
        "cognito", ("Workforce.WorkforceName", None), ("Workforce.SourceIpConfig.Cidrs", [None])
    )

    # When it is parsed
    # Then each says what belongs there (the key cannot be left out)
    assert problems_of(document) == [
        ("$.Workforce.WorkforceName", "must be a string, not null"),
        ("$.Workforce.SourceIpConfig.Cidrs[0]", "must be a string, not null"),
    ]


# --- warnings: valid, but perhaps not meant -------------------------------------------


def test_the_examples_have_no_warnings() -> None:
    # Given the two examples
    # When their warnings are listed
    # Then there are none
    for name in ("oidc", "cognito"):
        assert document_warnings(parse_document(json.dumps(example(name)))) == ()


OPEN_TO = (
    "so it keeps out {who}: fine if you meant no restriction, otherwise list only your own networks"
)


@pytest.mark.parametrize(
    ("name", "cidrs", "message"),
    [
        pytest.param(
            "cognito",
            ["192.0.2.0/24", "0.0.0.0/0"],
            "allows every IPv4 address (0.0.0.0/0), " + OPEN_TO.format(who="no IPv4 worker"),
            id="0.0.0.0/0",
        ),
        pytest.param(
            "cognito",
            ["0.0.0.0/1", "128.0.0.0/1"],
            "allows every IPv4 address (0.0.0.0/0), " + OPEN_TO.format(who="no IPv4 worker"),
            id="halves that add up to 0.0.0.0/0",
        ),
        pytest.param(
            "oidc",
            ["203.0.113.0/24", "::/0"],
            "allows every IPv6 address (::/0), " + OPEN_TO.format(who="no IPv6 worker"),
            id="::/0",
        ),
        pytest.param(
            "oidc",
            ["0.0.0.0/0", "::/0"],
            "allows every address (0.0.0.0/0 and ::/0), " + OPEN_TO.format(who="no worker"),
            id="both",
        ),
    ],
)
def test_an_allow_list_open_to_every_address_is_valid_with_a_warning(
    name: str, cidrs: list[str], message: str
) -> None:
    # Given an allow-list that lets every address of a kind in
    document = edited(name, ("Workforce.SourceIpConfig.Cidrs", cidrs))

    # When it is parsed and its warnings listed
    state = parse_document(json.dumps(document))

    # Then it is valid, and one warning says what it does
    assert document_warnings(state) == (
        DocumentWarning(
            Code="OpenAllowList",
            Path="$.Workforce.SourceIpConfig.Cidrs",
            Message=message,
            ResourceName=state.Workforce.WorkforceName,
        ),
    )


def test_an_allow_list_short_of_everything_has_no_warning() -> None:
    # Given blocks that come close to every IPv4 address, but not all of it
    document = edited("cognito", ("Workforce.SourceIpConfig.Cidrs", ["0.0.0.0/1", "128.0.0.0/2"]))

    # When its warnings are listed
    # Then there are none
    assert document_warnings(parse_document(json.dumps(document))) == ()


def test_team_names_that_differ_only_in_case_are_two_teams_with_a_warning() -> None:
    # Given two teams whose names differ only in case (SageMaker's WorkteamName pattern,
    # [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, admits both cases)
    document = edited("cognito", ("Workteams.1.WorkteamName", "Medical-Annotators"))

    # When it is parsed and its warnings listed
    state = parse_document(json.dumps(document))

    # Then both teams are kept, and a warning at the second says why that may not be meant
    assert [team.WorkteamName for team in state.Workteams] == [
        "medical-annotators",
        "Medical-Annotators",
    ]
    assert document_warnings(state) == (
        DocumentWarning(
            Code="WorkteamNamesDifferInCase",
            Path="$.Workteams[1].WorkteamName",
            Message='"Medical-Annotators" differs from "medical-annotators" ($.Workteams[0]) '
            "only in case: SageMaker's WorkteamName pattern admits both cases, so these are "
            "two teams with their own workers; if you meant one team, keep one of them",
            ResourceName="Medical-Annotators",
        ),
    )
