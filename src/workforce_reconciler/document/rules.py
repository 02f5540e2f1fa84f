"""The rules that span fields, checked on the raw JSON data.

Exactly one identity provider (CognitoConfig or OidcConfig), exactly one place for
the OIDC client secret, no credential among the OIDC extra request parameters, IPv6
allow-list blocks only on a dualstack workforce, member definitions of the workforce's
kind and sharing its Cognito user pool and app client, unique team names and tag keys.
They are checked on the data as parsed, tolerant of any JSON shape, so they are
reported together with the field problems (pydantic's after-validators would not run
while a field is wrong). ``DesiredState`` runs the same rules for models built in code.
"""

from collections.abc import Iterator
from typing import Any, Literal

from workforce_reconciler.document.problems import (
    EXTRA_PARAMS,
    Loc,
    is_credential_name,
    quote,
    render_path,
)
from workforce_reconciler.document.types import parse_cidr
from workforce_reconciler.redaction import is_secret_key


def _present(obj: dict[str, Any], key: str) -> bool:
    return obj.get(key) is not None


def _workforce_rules(workforce: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    loc: Loc = ("Workforce",)
    cognito, oidc = _present(workforce, "CognitoConfig"), _present(workforce, "OidcConfig")
    if cognito and oidc:
        yield (
            loc,
            "set only one of CognitoConfig and OidcConfig: a workforce signs workers in "
            "with either Amazon Cognito or your own OIDC identity provider",
        )
    elif not cognito and not oidc:
        yield (
            loc,
            "set CognitoConfig (Amazon Cognito) or OidcConfig (your own OIDC identity provider)",
        )
    config = workforce.get("OidcConfig")
    if isinstance(config, dict) and not any(is_secret_key(key) for key in config):
        arn, parameter = (
            _present(config, "ClientSecretArn"),
            _present(config, "ClientSecretParameter"),
        )
        if arn and parameter:
            yield (
                (*loc, "OidcConfig"),
                "set only one of ClientSecretArn and ClientSecretParameter",
            )
        elif not arn and not parameter:
            yield (
                (*loc, "OidcConfig"),
                "set ClientSecretArn (a Secrets Manager secret) or ClientSecretParameter "
                "(an SSM SecureString parameter): the reconciler reads the OIDC client "
                "secret from there",
            )


def _extra_params_rules(config: object) -> Iterator[tuple[Loc, str]]:
    """No credential among the extra parameters, each reported at its key (its value never)."""
    params = config.get(EXTRA_PARAMS) if isinstance(config, dict) else None
    if not isinstance(params, dict):
        return
    for key in params:
        if is_credential_name(key):
            # SageMaker adds these to the authorization URL a worker's browser opens; the
            # document sits in a plain SSM parameter and plan prints the request.
            yield (
                ("Workforce", "OidcConfig", EXTRA_PARAMS, key),
                "is named like a credential: these parameters travel in the authorization "
                "URL a worker's browser opens and are shown by plan, so no credential "
                "belongs here; the OIDC client secret goes in ClientSecretArn or "
                "ClientSecretParameter",
            )


_VPC_MEMBERS = ("VpcId", "SecurityGroupIds", "Subnets")


def _vpc_rules(vpc: object) -> Iterator[tuple[Loc, str]]:
    """A VPC configuration is whole (all three members) or ``{}`` (no VPC)."""
    if not isinstance(vpc, dict) or not vpc:
        return
    for key in _VPC_MEMBERS:
        if key not in vpc:  # (null is refused where it is, as everywhere)
            yield (
                ("Workforce", "WorkforceVpcConfig", key),
                "is required: a VPC configuration names the VPC, its security groups and "
                "its subnets (or is {} to detach the workforce from its VPC)",
            )


def _ip_version_rules(workforce: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    """IPv6 blocks in the allow-list need a dualstack workforce.

    The API reference (CreateWorkforce and UpdateWorkforce, IpAddressType): "Use this
    parameter to specify whether you want IPv4 only or dualstack (IPv4 and IPv6) to
    support your labeling workforce." The developer guide (Enable a dual-stack
    workforce): "A workforce without a defined IpAddressType defaults to IPv4."
    """
    address_type = workforce.get("IpAddressType", "ipv4")
    source = workforce.get("SourceIpConfig")
    cidrs = source.get("Cidrs") if isinstance(source, dict) else None
    if address_type != "ipv4" or not isinstance(cidrs, list):
        return  # dualstack, or a value refused on its own
    # Left out, IpAddressType is not managed on a live workforce, but the document must
    # also hold when the workforce is created (or re-created, after its teams are gone).
    if "IpAddressType" in workforce:
        why = '$.Workforce.IpAddressType is "ipv4"'
    else:
        why = '$.Workforce.IpAddressType is left out, which creates an "ipv4" workforce'
    for index, cidr in enumerate(cidrs):
        if _ip_version(cidr) == 6:
            yield (
                ("Workforce", "SourceIpConfig", "Cidrs", index),
                f"{quote(cidr)} is an IPv6 block, but {why}: SageMaker takes IPv6 addresses "
                'only on a "dualstack" workforce; set "IpAddressType": "dualstack" or remove '
                "the block",
            )


def _ip_version(cidr: object) -> int | None:
    """4 or 6 for a CIDR block; None for anything else (refused on its own)."""
    if not isinstance(cidr, str):
        return None
    try:
        return parse_cidr(cidr).version
    except ValueError:
        return None


def _definition_kind(definition: object) -> Literal["cognito", "oidc", "both", "none"]:
    if not isinstance(definition, dict):
        return "none"
    cognito = _present(definition, "CognitoMemberDefinition")
    oidc = _present(definition, "OidcMemberDefinition")
    if cognito and oidc:
        return "both"
    return "cognito" if cognito else "oidc" if oidc else "none"


_KIND_NAMES = {"cognito": "Amazon Cognito (CognitoConfig)", "oidc": "OIDC (OidcConfig)"}


def _team_rules(
    index: int,
    team: dict[str, Any],
    workforce_kind: str | None,
    cognito_reference: dict[str, tuple[Loc, str]],
) -> Iterator[tuple[Loc, str]]:
    definitions = team.get("MemberDefinitions")
    if not isinstance(definitions, list):
        return
    team_loc: Loc = ("Workteams", index, "MemberDefinitions")
    kinds = []
    for position, definition in enumerate(definitions):
        loc: Loc = (*team_loc, position)
        kind = _definition_kind(definition)
        if kind == "both":
            yield (
                loc,
                "set only one of CognitoMemberDefinition and OidcMemberDefinition",
            )
        elif kind == "none" and isinstance(definition, dict):
            yield (loc, "set CognitoMemberDefinition or OidcMemberDefinition")
        if kind not in ("cognito", "oidc"):
            continue
        kinds.append(kind)
        if workforce_kind is not None and kind != workforce_kind:
            wanted = (
                "CognitoMemberDefinition" if workforce_kind == "cognito" else "OidcMemberDefinition"
            )
            yield (
                loc,
                f"is {'a Cognito' if kind == 'cognito' else 'an OIDC'} member definition, but "
                f"the workforce uses {_KIND_NAMES[workforce_kind]}: use {wanted}",
            )
        if kind == "cognito" and workforce_kind != "oidc":
            yield from _same_cognito_client(
                (*loc, "CognitoMemberDefinition"),
                definition["CognitoMemberDefinition"],
                cognito_reference,
            )
    if workforce_kind is None and len(set(kinds)) > 1:
        yield (team_loc, "mixes Cognito and OIDC member definitions: a team uses one kind")


def _same_cognito_client(
    loc: Loc, definition: object, reference: dict[str, tuple[Loc, str]]
) -> Iterator[tuple[Loc, str]]:
    if not isinstance(definition, dict):
        return
    for key in ("UserPool", "ClientId"):
        value = definition.get(key)
        if not isinstance(value, str):
            continue
        if key not in reference:
            reference[key] = ((*loc, key), value)
            continue
        where, expected = reference[key]
        if value != expected:
            yield (
                (*loc, key),
                f"is {quote(value)}, but {render_path(where)} is {quote(expected)}: every "
                f"Cognito member definition uses the workforce's user pool and app client",
            )


def _unique_tag_keys(loc: Loc, tags: object) -> Iterator[tuple[Loc, str]]:
    if not isinstance(tags, list):
        return
    seen: dict[str, int] = {}
    for index, tag in enumerate(tags):
        key = tag.get("Key") if isinstance(tag, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            yield (
                (*loc, index, "Key"),
                f"{quote(key)} is already the key of {render_path((*loc, seen[key]))}: "
                "tag keys must be unique",
            )
        else:
            seen[key] = index


def rule_problems(document: object) -> list[tuple[Loc, str]]:
    """Problems with the rules that span fields; tolerant of any JSON shape."""
    if not isinstance(document, dict):
        return []
    problems: list[tuple[Loc, str]] = []
    workforce = document.get("Workforce")
    workforce_kind: str | None = None
    # Where the Cognito UserPool and ClientId were first given, and their values.
    reference: dict[str, tuple[Loc, str]] = {}
    if isinstance(workforce, dict):
        problems.extend(_workforce_rules(workforce))
        problems.extend(_extra_params_rules(workforce.get("OidcConfig")))
        problems.extend(_ip_version_rules(workforce))
        problems.extend(_vpc_rules(workforce.get("WorkforceVpcConfig")))
        problems.extend(_unique_tag_keys(("Workforce", "Tags"), workforce.get("Tags")))
        workforce_kind = _workforce_kind(workforce)
        reference = _cognito_reference(workforce)
    teams = document.get("Workteams")
    if isinstance(teams, list):
        problems.extend(_teams_rules(teams, workforce_kind, reference))
    return problems


def _workforce_kind(workforce: dict[str, Any]) -> str | None:
    """The workforce's identity provider; None unless exactly one config is set."""
    cognito, oidc = _present(workforce, "CognitoConfig"), _present(workforce, "OidcConfig")
    if cognito == oidc:
        return None
    return "cognito" if cognito else "oidc"


def _cognito_reference(workforce: dict[str, Any]) -> dict[str, tuple[Loc, str]]:
    """The workforce's Cognito UserPool and ClientId (where strings), with their paths."""
    config = workforce.get("CognitoConfig")
    if not isinstance(config, dict):
        return {}
    return {
        key: (("Workforce", "CognitoConfig", key), config[key])
        for key in ("UserPool", "ClientId")
        if isinstance(config.get(key), str)
    }


def _teams_rules(
    teams: list[Any], workforce_kind: str | None, reference: dict[str, tuple[Loc, str]]
) -> Iterator[tuple[Loc, str]]:
    names: dict[str, int] = {}
    for index, team in enumerate(teams):
        if not isinstance(team, dict):
            continue
        yield from _unique_team_name(index, team.get("WorkteamName"), names)
        yield from _team_rules(index, team, workforce_kind, reference)
        yield from _unique_tag_keys(("Workteams", index, "Tags"), team.get("Tags"))


def _unique_team_name(index: int, name: object, seen: dict[str, int]) -> Iterator[tuple[Loc, str]]:
    if not isinstance(name, str):
        return
    if name in seen:
        yield (
            ("Workteams", index, "WorkteamName"),
            f"{quote(name)} is already the name of "
            f"{render_path(('Workteams', seen[name]))}: team names must be unique",
        )
    else:
        seen[name] = index
