"""The whole message of each refusal the API reference adds to the model (CIDRs, VPC,
member definitions), and the model check of the add_labeling_job control."""

from __future__ import annotations

import re
from typing import Any

import pytest

from workforce_emulator import controls

from .helpers import COGNITO, cognito_member, oidc_member
from .test_validation import refused


def test_empty_cidr_list_message(unchecked: Any) -> None:
    # Given an empty CIDR list (refused by default)
    # When a workforce is created with it
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": []},
    )
    # Then the list and its lower bound are named
    assert message == (
        "1 validation error detected: Value '[]' at 'sourceIpConfig.cidrs' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


def test_cidr_matching_the_pattern_but_no_network_is_named(unchecked: Any) -> None:
    # Given a second CIDR the model's loose IPv6 pattern lets through
    # When a workforce is created with it
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": ["10.0.0.1/8", "::d.d.d.d/96"]},
    )
    # Then it is named by its position
    assert message == (
        "Invalid CIDR '::d.d.d.d/96' at 'sourceIpConfig.cidrs.2.member': not an IPv4 or IPv6 "
        "network in CIDR notation."
    )


def test_vpc_config_names_every_missing_part(unchecked: Any) -> None:
    # Given a VPC configuration with a VPC id only
    # When a workforce is created with it
    message = refused(
        unchecked.create_workforce,
        WorkforceName="default",
        CognitoConfig=COGNITO,
        WorkforceVpcConfig={"VpcId": "vpc-1"},
    )
    # Then both missing parts are named
    assert message == (
        "WorkforceVpcConfig needs VpcId, SecurityGroupIds and Subnets together; missing: "
        "workforceVpcConfig.securityGroupIds, workforceVpcConfig.subnets."
    )


def test_vpc_config_is_described_with_an_endpoint(sagemaker: Any) -> None:
    # Given a complete VPC configuration
    vpc = {"VpcId": "vpc-1", "SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1", "subnet-2"]}
    # When a workforce is created with it
    sagemaker.create_workforce(
        WorkforceName="default", CognitoConfig=COGNITO, WorkforceVpcConfig=vpc
    )
    # Then it is described as sent, with an endpoint id in AWS's form (vpce- and 17 hex)
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    endpoint = described["WorkforceVpcConfig"].pop("VpcEndpointId")
    assert described["WorkforceVpcConfig"] == vpc
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", endpoint), endpoint


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            [oidc_member(), {**oidc_member(), **cognito_member()}],
            "memberDefinitions.2.member must have exactly one of CognitoMemberDefinition and "
            "OidcMemberDefinition.",
        ),
        (
            [oidc_member(), {}],
            "memberDefinitions.2.member must have exactly one of CognitoMemberDefinition and "
            "OidcMemberDefinition.",
        ),
        (
            [oidc_member(), cognito_member()],
            "MemberDefinitions cannot mix CognitoMemberDefinition and OidcMemberDefinition.",
        ),
        (
            [cognito_member()],
            "Workforce 'default' uses OIDC; CognitoMemberDefinition is only allowed on a "
            "Cognito workforce.",
        ),
        (
            [{"OidcMemberDefinition": {}}],
            "OidcMemberDefinition needs Groups (1 to 10 group names).",
        ),
    ],
    ids=["both kinds", "neither kind", "mixed", "cognito on oidc", "no groups"],
)
def test_member_definition_rules(
    unchecked: Any, oidc_workforce: str, members: list[dict[str, Any]], message: str
) -> None:
    # Given an OIDC workforce
    # When a work team is created with member definitions the API reference rules out
    answer = refused(
        unchecked.create_workteam, WorkteamName="team", Description="d", MemberDefinitions=members
    )
    # Then the message says which rule
    assert answer == message


def test_oidc_members_on_a_cognito_workforce(unchecked: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When a work team is created with an OIDC member definition
    answer = refused(
        unchecked.create_workteam,
        WorkteamName="team",
        Description="d",
        MemberDefinitions=[oidc_member()],
    )
    # Then the workforce's kind is named
    assert answer == (
        "Workforce 'default' uses Cognito; OidcMemberDefinition is only allowed on an OIDC "
        "workforce."
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"workers_per_data_object": 10},
            "1 validation error detected: Value '10' at 'numberOfHumanWorkersPerDataObject' "
            "failed to satisfy constraint: Member must have value less than or equal to 9",
        ),
        (
            {"label_counters": {"HumanLabeled": -1}},
            "1 validation error detected: Value '-1' at 'labelCounters.humanLabeled' failed to "
            "satisfy constraint: Member must have value greater than or equal to 0",
        ),
    ],
)
def test_add_labeling_job_checks_the_summary_shape(
    sagemaker: Any, oidc_workforce: str, options: dict[str, Any], message: str
) -> None:
    # Given a work team
    sagemaker.create_workteam(
        WorkteamName="team", Description="d", MemberDefinitions=[oidc_member()]
    )
    # When a labeling job is added with a value the model's summary cannot hold
    with pytest.raises(controls.ControlError) as excinfo:
        controls.add_labeling_job("team", "job", **options)
    # Then the control refuses it in AWS's words
    assert str(excinfo.value) == message
