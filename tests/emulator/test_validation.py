"""Server-side validation: every request constraint comes from botocore's model and is
answered with a ValidationException naming the field, in AWS's wording."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce_emulator import controls

from .helpers import COGNITO, SECRET, oidc, oidc_member

MODEL = botocore.session.get_session().get_service_model("sagemaker")
CIDR_PATTERN = MODEL.shape_for("Cidr").metadata["pattern"]
NAME_PATTERN = MODEL.shape_for("WorkforceName").metadata["pattern"]


def outcome(call: Any, **params: Any) -> dict[str, str] | None:
    """None when the call succeeded, else its error (Code, Message)."""
    try:
        call(**params)
    except ClientError as error:
        info = error.response["Error"]
        return {"Code": info["Code"], "Message": info["Message"]}
    return None


def refused(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ValidationException", error
    return str(error["Message"])


def test_too_many_cidrs_names_the_field(unchecked: Any) -> None:
    # Given eleven CIDRs
    cidrs = [f"10.0.{i}.0/24" for i in range(11)]
    # When a workforce is created with them
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": cidrs},
    )
    # Then the message names sourceIpConfig.cidrs and the bound
    assert message == (
        f"1 validation error detected: Value '[{', '.join(cidrs)}]' at 'sourceIpConfig.cidrs' "
        "failed to satisfy constraint: Member must have length less than or equal to 10"
    )


def numbered_cidrs(count: int) -> list[str]:
    return [f"10.0.{i}.0/24" for i in range(count)]


@pytest.mark.parametrize("operation", ["create_workforce", "update_workforce"])
def test_ten_cidrs_are_accepted_and_eleven_refused(sagemaker: Any, operation: str) -> None:
    # Given a workforce (UpdateWorkforce) or none (CreateWorkforce)
    if operation == "update_workforce":
        sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    call = getattr(sagemaker, operation)
    extra = {"CognitoConfig": COGNITO} if operation == "create_workforce" else {}
    # When the operation is sent with eleven CIDRs, then with exactly ten
    eleven = outcome(
        call, WorkforceName="default", SourceIpConfig={"Cidrs": numbered_cidrs(11)}, **extra
    )
    ten = outcome(
        call, WorkforceName="default", SourceIpConfig={"Cidrs": numbered_cidrs(10)}, **extra
    )
    # Then eleven is refused naming the bound, and ten are stored as sent
    assert eleven is not None
    assert eleven["Code"] == "ValidationException"
    assert eleven["Message"].endswith("Member must have length less than or equal to 10")
    assert ten is None
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    assert described["SourceIpConfig"] == {"Cidrs": numbered_cidrs(10)}


def test_empty_cidr_list_is_refused_unless_switched(unchecked: Any) -> None:
    # Given an empty CIDR list
    params = {"WorkforceName": "default", "CognitoConfig": COGNITO, "SourceIpConfig": {"Cidrs": []}}
    # When it is sent with the default settings, then with empty lists allowed
    message = refused(unchecked.create_workforce, **params)
    controls.configure(empty_cidrs_allowed=True)
    unchecked.create_workforce(**params)
    # Then it was refused first and accepted second
    assert "at 'sourceIpConfig.cidrs' failed to satisfy constraint" in message
    assert "greater than or equal to 1" in message
    described = unchecked.describe_workforce(WorkforceName="default")["Workforce"]
    assert described["SourceIpConfig"] == {"Cidrs": []}


def test_bad_cidr_names_the_member(unchecked: Any) -> None:
    # Given a CIDR with an octet out of range
    # When it is sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": ["10.0.0.0/8", "300.1.2.3/8"]},
    )
    # Then the message names the second member and the model's pattern
    assert message == (
        "1 validation error detected: Value '300.1.2.3/8' at 'sourceIpConfig.cidrs.2.member' "
        f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{CIDR_PATTERN}"
    )


def test_several_errors_are_reported_together(unchecked: Any) -> None:
    # Given a bad name and a bad IpAddressType
    # When they are sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="-bad",
        CognitoConfig=COGNITO,
        IpAddressType="ipv6",
    )
    # Then both are named, in AWS's format
    assert message.startswith("2 validation errors detected: ")
    assert (
        "Value '-bad' at 'workforceName' failed to satisfy constraint: Member must satisfy "
        f"regular expression pattern: {NAME_PATTERN}"
    ) in message
    assert (
        "Value 'ipv6' at 'ipAddressType' failed to satisfy constraint: Member must satisfy "
        "enum value set: [ipv4, dualstack]"
    ) in message


def test_missing_required_member_is_null(unchecked: Any) -> None:
    # Given a Cognito config without ClientId
    # When it is sent
    message = refused(
        unchecked.create_workforce, WorkforceName="default", CognitoConfig={"UserPool": "us_x1"}
    )
    # Then the message says the member must not be null
    assert message == (
        "1 validation error detected: Value null at 'cognitoConfig.clientId' failed to satisfy "
        "constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("vpc", "path", "bound"),
    [
        (
            {
                "VpcId": "vpc-1",
                "SecurityGroupIds": [f"sg-{i}" for i in range(6)],
                "Subnets": ["subnet-1"],
            },
            "workforceVpcConfig.securityGroupIds",
            "less than or equal to 5",
        ),
        (
            {
                "VpcId": "vpc-1",
                "SecurityGroupIds": ["sg-1"],
                "Subnets": [f"subnet-{i}" for i in range(17)],
            },
            "workforceVpcConfig.subnets",
            "less than or equal to 16",
        ),
        (
            {"VpcId": "vpc-1", "SecurityGroupIds": [], "Subnets": ["subnet-1"]},
            "workforceVpcConfig.securityGroupIds",
            "greater than or equal to 1",
        ),
    ],
)
def test_vpc_counts(unchecked: Any, vpc: dict[str, Any], path: str, bound: str) -> None:
    # Given a VPC configuration with too many or too few items
    # When it is sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        WorkforceVpcConfig=vpc,
    )
    # Then the list is named with its bound
    assert f"at '{path}' failed to satisfy constraint: Member must have length {bound}" in message


def test_vpc_config_needs_all_three_parts(unchecked: Any) -> None:
    # Given a VPC configuration without subnets
    # When it is sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        WorkforceVpcConfig={"VpcId": "vpc-1", "SecurityGroupIds": ["sg-1"]},
    )
    # Then the missing part is named
    assert message == (
        "WorkforceVpcConfig needs VpcId, SecurityGroupIds and Subnets together; "
        "missing: workforceVpcConfig.subnets."
    )


def test_oidc_endpoints_must_be_https(unchecked: Any) -> None:
    # Given an http issuer
    # When it is sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        OidcConfig=oidc(Issuer="http://idp.example.com"),
    )
    # Then the issuer is named with the model's https pattern
    assert message == (
        "1 validation error detected: Value 'http://idp.example.com' at 'oidcConfig.issuer' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "https://\\S+"
    )


def test_scope_pattern_and_extra_params_count(unchecked: Any) -> None:
    # Given a scope with a double space and eleven extra parameters
    extra = {f"k{i}": "v" for i in range(11)}
    # When they are sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        OidcConfig=oidc(Scope="openid  email", AuthenticationRequestExtraParams=extra),
    )
    # Then both fields are named
    assert "Value 'openid  email' at 'oidcConfig.scope' failed to satisfy constraint" in message
    assert (
        "at 'oidcConfig.authenticationRequestExtraParams' failed to satisfy constraint: "
        "Member must have length less than or equal to 10"
    ) in message


def test_client_secret_is_not_echoed_in_validation_messages(unchecked: Any) -> None:
    # Given a client secret that breaks the model's pattern (a newline)
    bad_secret = SECRET + "\n"
    # When it is sent
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        OidcConfig=oidc(ClientSecret=bad_secret),
    )
    # Then the field is named but its value is not shown, nor logged
    assert message.startswith(
        "1 validation error detected: Value at 'oidcConfig.clientSecret' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern"
    )
    assert SECRET not in message
    assert SECRET not in json.dumps(controls.calls())


def test_oidc_groups_count(unchecked: Any, oidc_workforce: str) -> None:
    # Given an OIDC member definition with eleven groups
    groups = [f"g{i}" for i in range(11)]
    # When a work team is created with it
    message = refused(
        unchecked.create_workteam,
        WorkteamName="team",
        Description="d",
        MemberDefinitions=[oidc_member(*groups)],
    )
    # Then the groups list is named by its position
    assert (
        "at 'memberDefinitions.1.member.oidcMemberDefinition.groups' failed to satisfy "
        "constraint: Member must have length less than or equal to 10"
    ) in message


def test_description_is_required(unchecked: Any, oidc_workforce: str) -> None:
    # Given a work team without a description
    # When it is created
    message = refused(
        unchecked.create_workteam, WorkteamName="team", MemberDefinitions=[oidc_member()]
    )
    # Then description is named as null
    assert "Value null at 'description' failed to satisfy constraint" in message


def _model_accepts_cidr(cidr: str) -> bool:
    import regex

    if not 4 <= len(cidr) <= 64 or not regex.fullmatch(CIDR_PATTERN, cidr):
        return False
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return True


octet = st.integers(min_value=0, max_value=299).map(str) | st.sampled_from(["01", "a", ""])
ipv4_cidr = st.builds(
    lambda a, b, c, d, n: f"{a}.{b}.{c}.{d}/{n}",
    octet,
    octet,
    octet,
    octet,
    st.integers(min_value=0, max_value=40),
)
ipv6_cidr = (
    st.ip_addresses(v=6)
    .map(str)
    .flatmap(lambda a: st.integers(min_value=0, max_value=130).map(lambda n: f"{a}/{n}"))
)
cidr_lists = st.lists(ipv4_cidr | ipv6_cidr | st.text(max_size=8), min_size=0, max_size=12)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cidrs=cidr_lists)
def test_cidr_lists_accepted_iff_constraints_hold(unchecked: Any, cidrs: list[str]) -> None:
    # Given a random list of CIDR-like strings and no workforce
    for workforce in unchecked.list_workforces()["Workforces"]:
        unchecked.delete_workforce(WorkforceName=workforce["WorkforceName"])
    expected = 1 <= len(cidrs) <= 10 and all(_model_accepts_cidr(c) for c in cidrs)
    # When a workforce is created with it
    error = outcome(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": cidrs},
    )
    # Then it is accepted exactly when the model's constraints (and CIDR syntax) hold
    assert (error is None) == expected, error
    if error is not None:
        assert error["Code"] == "ValidationException"
        assert "sourceIpConfig.cidrs" in error["Message"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.text(alphabet="abcXYZ019-_. ", min_size=0, max_size=70))
def test_workforce_names_accepted_iff_pattern_and_length_hold(unchecked: Any, name: str) -> None:
    # Given a random name and no workforce
    for workforce in unchecked.list_workforces()["Workforces"]:
        unchecked.delete_workforce(WorkforceName=workforce["WorkforceName"])
    expected = 1 <= len(name) <= 63 and re.fullmatch(NAME_PATTERN, name) is not None
    # When a workforce is created with it
    error = outcome(unchecked.create_workforce, WorkforceName=name, CognitoConfig=COGNITO)
    # Then it is accepted exactly when the model's pattern and lengths allow it
    assert (error is None) == expected, error
    if error is not None:
        assert error["Code"] == "ValidationException"
        assert "at 'workforceName'" in error["Message"]
