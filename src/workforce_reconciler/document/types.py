"""The document's field types: each carries SageMaker's limits from botocore's service model.

A field type is an ``Annotated`` str (or list, or map) whose ``constraints.api(...)``
metadata names the request member it mirrors, so its lengths, patterns and list
sizes are the ones botocore validates requests with, and ``hint`` is what a problem
message calls a value that does not match. CIDR blocks are parsed by ``ipaddress``
and normalised (``normalize_cidrs``) rather than matched against a pattern.
"""

import ipaddress
import json
import re
from collections.abc import Iterable
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from workforce_reconciler.constraints import api
from workforce_reconciler.document.problems import is_credential_name, quote

# The request shapes the document mirrors (``api``'s first arguments).
CREATE_WORKFORCE = "CreateWorkforce"
CREATE_WORKTEAM = "CreateWorkteam"
TEAM_MEMBER = (CREATE_WORKTEAM, "MemberDefinitions", "member")

_ONE_LINE = "text on one line"
_TAG_TEXT = "letters, digits, spaces and _ . : / = + - @"
_GROUP_TEXT = "letters, digits, marks, symbols and punctuation, without spaces"

WorkforceNameStr = Annotated[
    str,
    api(
        CREATE_WORKFORCE,
        "WorkforceName",
        hint="1-63 letters, digits and hyphens, starting with a letter or digit",
    ),
]
WorkteamNameStr = Annotated[
    str,
    api(
        CREATE_WORKTEAM,
        "WorkteamName",
        hint="1-63 letters, digits and hyphens, starting and ending with a letter or digit",
    ),
]
UserPoolId = Annotated[
    str,
    api(
        CREATE_WORKFORCE,
        "CognitoConfig",
        "UserPool",
        hint="a Cognito user pool ID like us-east-1_AbCdEfGhI",
    ),
]
ClientIdStr = Annotated[
    str, api(CREATE_WORKFORCE, "CognitoConfig", "ClientId", hint="printable ASCII text")
]
OidcClientId = Annotated[
    str, api(CREATE_WORKFORCE, "OidcConfig", "ClientId", hint="printable ASCII text")
]
_IN_THE_OPEN = "these URLs are shown by plan and opened by workers' browsers"


def _no_credentials(url: str) -> str:
    """An endpoint URL without user:password@ or a credential-like query (or fragment)
    parameter."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise PydanticCustomError(
            "url_credentials",
            "carries credentials before the host (user:password@): "
            f"{_IN_THE_OPEN}; write the URL without them",
        )
    # (a fragment too: the implicit flow's #access_token=...)
    for where, text in (("query string", parts.query), ("fragment", parts.fragment)):
        for name, _value in parse_qsl(text, keep_blank_values=True):
            if is_credential_name(name):
                raise PydanticCustomError(
                    "url_credentials",
                    f"carries a credential in its {where} ({_escaped(name)}=): "
                    f"{_IN_THE_OPEN}; write the URL without it",
                )
    return url


def _escaped(text: str) -> str:
    """``text`` on one line, control characters escaped as in JSON."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


OidcEndpoint = Annotated[
    str,
    api(CREATE_WORKFORCE, "OidcConfig", "Issuer", hint="an https:// URL"),
    AfterValidator(_no_credentials),
]
ScopeStr = Annotated[
    str,
    api(
        CREATE_WORKFORCE,
        "OidcConfig",
        "Scope",
        hint='space-separated OAuth scopes like "openid email"',
    ),
]
ExtraParamKey = Annotated[
    str,
    api(CREATE_WORKFORCE, "OidcConfig", "AuthenticationRequestExtraParams", "key", hint=_ONE_LINE),
]
ExtraParamValue = Annotated[
    str,
    api(
        CREATE_WORKFORCE, "OidcConfig", "AuthenticationRequestExtraParams", "value", hint=_ONE_LINE
    ),
]
ExtraParams = Annotated[
    dict[ExtraParamKey, ExtraParamValue],
    api(CREATE_WORKFORCE, "OidcConfig", "AuthenticationRequestExtraParams"),
]
SecretId = Annotated[
    str,
    api(
        "DescribeSecret",
        "SecretId",
        service="secretsmanager",
        hint="a Secrets Manager secret ARN or name",
    ),
]
ParameterName = Annotated[
    str,
    api("GetParameter", "Name", service="ssm", hint="an SSM SecureString parameter name or ARN"),
]
TagKey = Annotated[str, api(CREATE_WORKFORCE, "Tags", "member", "Key", hint=_TAG_TEXT)]
TagValue = Annotated[str, api(CREATE_WORKFORCE, "Tags", "member", "Value", hint=_TAG_TEXT)]
VpcIdStr = Annotated[
    str,
    api(
        CREATE_WORKFORCE, "WorkforceVpcConfig", "VpcId", hint="a VPC ID like vpc-0a1b2c3d4e5f67890"
    ),
]
SecurityGroupId = Annotated[
    str,
    api(
        CREATE_WORKFORCE,
        "WorkforceVpcConfig",
        "SecurityGroupIds",
        "member",
        hint="a security group ID like sg-0a1b2c3d4e5f67890",
    ),
]
SubnetId = Annotated[
    str,
    api(
        CREATE_WORKFORCE,
        "WorkforceVpcConfig",
        "Subnets",
        "member",
        hint="a subnet ID like subnet-0a1b2c3d4e5f67890",
    ),
]
IpAddressTypeLiteral = Annotated[
    Literal["ipv4", "dualstack"], api(CREATE_WORKFORCE, "IpAddressType")
]
UserGroupStr = Annotated[
    str, api(*TEAM_MEMBER, "CognitoMemberDefinition", "UserGroup", hint=_GROUP_TEXT)
]
MemberClientId = Annotated[
    str, api(*TEAM_MEMBER, "CognitoMemberDefinition", "ClientId", hint="printable ASCII text")
]
MemberUserPool = Annotated[
    str,
    api(
        *TEAM_MEMBER,
        "CognitoMemberDefinition",
        "UserPool",
        hint="a Cognito user pool ID like us-east-1_AbCdEfGhI",
    ),
]
Group = Annotated[
    str, api(*TEAM_MEMBER, "OidcMemberDefinition", "Groups", "member", hint=_GROUP_TEXT)
]
DescriptionStr = Annotated[str, api(CREATE_WORKTEAM, "Description", hint=_ONE_LINE)]
TopicArn = Annotated[
    str,
    api(
        CREATE_WORKTEAM,
        "NotificationConfiguration",
        "NotificationTopicArn",
        hint="an SNS topic ARN like arn:aws:sns:us-east-1:111122223333:labeling-alerts",
    ),
]
EnabledOrDisabled = Annotated[
    Literal["Enabled", "Disabled"],
    api(
        CREATE_WORKTEAM,
        "WorkerAccessConfiguration",
        "S3Presign",
        "IamPolicyConstraints",
        "SourceIp",
    ),
]


# ---------------------------------------------------------------------------
# CIDRs
# ---------------------------------------------------------------------------

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidr(text: str) -> IpNetwork:
    """One CIDR block; host bits are allowed and cleared (``10.0.0.7/24`` is ``10.0.0.0/24``)."""
    if "/" not in text:
        raise ValueError(
            f"{quote(text)} is not a CIDR block: add a prefix length, "
            f"for example {quote(text.strip() + '/32' if ':' not in text else text + '/128')}"
        )
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{quote(text)} is not a valid IPv4 or IPv6 CIDR block") from None


def _network_order(network: IpNetwork) -> tuple[int, int, int]:
    return (network.version, int(network.network_address), network.prefixlen)


def normalize_cidrs(cidrs: Iterable[str]) -> tuple[str, ...]:
    """CIDR blocks as networks: host bits cleared, duplicates dropped, sorted (IPv4 first).

    Two lists that allow the same addresses in different order or spelling give the
    same tuple, so comparing desired and observed CIDRs finds no false drift.
    Raises ``ValueError`` naming the first block that is not a CIDR.
    """
    networks = {parse_cidr(cidr) for cidr in cidrs}
    return tuple(str(network) for network in sorted(networks, key=_network_order))


# An IPv6 address with a zone index: fe80::1%eth0, optionally with /prefix.
_ZONE = re.compile(r"(?P<address>[^%/]*:[^%/]*)%(?P<zone>[^/\s]*)(?P<prefix>/.*)?")


def _check_cidr(text: str) -> str:
    zoned = _ZONE.fullmatch(text)
    if zoned:
        # ipaddress would drop the zone silently (fe80::1%eth0/64 is fe80::/64), and the
        # service model's pattern admits one: refused, so the block is what it says.
        example = zoned["address"] + (zoned["prefix"] or "/128")
        raise PydanticCustomError(
            "cidr",
            f"{quote(text)} has an IPv6 zone index (%{zoned['zone']}), which names a network "
            "interface of one host and means nothing in an allow-list: write the block "
            f"without it, for example {quote(example)}",
        )
    try:
        return str(parse_cidr(text))
    except ValueError as exc:
        raise PydanticCustomError("cidr", str(exc)) from None


Cidr = Annotated[
    str,
    # The service model's Cidr pattern has lost backslashes (``^s*``, ``2[0-4]d``);
    # ipaddress is the real parser, so only the model's lengths are applied here.
    api(CREATE_WORKFORCE, "SourceIpConfig", "Cidrs", "member", pattern=False),
    AfterValidator(_check_cidr),
]
