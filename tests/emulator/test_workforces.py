"""Workforce semantics, in-process (boto3 under mock_aws)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from workforce_emulator import controls

from .helpers import COGNITO, SECRET, cognito_member, oidc, oidc_member


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_created_workforce_is_described_with_aws_fields(sagemaker: Any) -> None:
    # Given no workforce
    # When one is created with Cognito, CIDRs, a VPC and tags
    arn = sagemaker.create_workforce(
        WorkforceName="default",
        CognitoConfig=COGNITO,
        SourceIpConfig={"Cidrs": ["10.0.0.0/16", "192.168.1.0/24"]},
        WorkforceVpcConfig={
            "VpcId": "vpc-0abc",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1", "subnet-2"],
        },
        IpAddressType="dualstack",
    )["WorkforceArn"]
    workforce = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # Then DescribeWorkforce returns it as AWS does
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:workforce/default"
    assert workforce["WorkforceArn"] == arn
    assert workforce["CognitoConfig"] == COGNITO
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/16", "192.168.1.0/24"]}
    assert workforce["IpAddressType"] == "dualstack"
    assert workforce["Status"] == "Active"
    assert workforce["SubDomain"].endswith(".labeling.us-east-1.sagemaker.aws")
    assert workforce["WorkforceVpcConfig"]["VpcId"] == "vpc-0abc"
    assert workforce["WorkforceVpcConfig"]["VpcEndpointId"].startswith("vpce-")
    assert workforce["CreateDate"] == workforce["LastUpdatedDate"]
    assert "OidcConfig" not in workforce


def test_second_workforce_in_the_region_is_refused(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a workforce
    # When another is created in the same account and region
    with pytest.raises(ClientError) as excinfo:
        sagemaker.create_workforce(WorkforceName="other", CognitoConfig=COGNITO)
    # Then the service refuses as the real one does
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert message.startswith(
        "Cannot create more than one workforce for account 123456789012 in region us-east-1"
    )


def test_workforces_are_per_region(sagemaker: Any, boto_session: boto3.session.Session) -> None:
    # Given a workforce in us-east-1
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When one is created in eu-west-1
    west = boto_session.client("sagemaker", region_name="eu-west-1")
    west.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # Then each region has its own
    described = west.describe_workforce(WorkforceName="default")["Workforce"]
    assert described["WorkforceArn"].startswith("arn:aws:sagemaker:eu-west-1:")


@pytest.mark.parametrize(
    ("configs", "word"),
    [({}, "neither"), ({"CognitoConfig": COGNITO, "OidcConfig": oidc()}, "both")],
)
def test_exactly_one_identity_provider(sagemaker: Any, configs: dict[str, Any], word: str) -> None:
    # Given a request with neither or both of CognitoConfig and OidcConfig
    # When it is sent
    with pytest.raises(ClientError) as excinfo:
        sagemaker.create_workforce(WorkforceName="default", **configs)
    # Then it is refused with a message naming both fields
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert message == (
        f"Exactly one of CognitoConfig and OidcConfig must be specified (got {word})."
    )


def test_client_secret_is_accepted_and_never_returned(sagemaker: Any) -> None:
    # Given an OIDC workforce created and updated with a client secret
    created = sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    updated = sagemaker.update_workforce(
        WorkforceName="default", OidcConfig=oidc(ClientSecret=SECRET + "-2")
    )
    described = sagemaker.describe_workforce(WorkforceName="default")
    listed = sagemaker.list_workforces()
    # When every response is inspected
    responses = json.dumps([created, updated, described, listed], default=str)
    # Then the OIDC settings are there but the secret appears nowhere
    assert described["Workforce"]["OidcConfig"] == {
        k: v for k, v in oidc().items() if k != "ClientSecret"
    }
    assert SECRET not in responses
    assert "ClientSecret" not in responses
    assert SECRET not in json.dumps(controls.calls())


def test_status_lifecycle_counts_describes(sagemaker: Any) -> None:
    # Given a workforce becomes Active after two DescribeWorkforce calls
    controls.configure(activation_describes=2)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When it is described four times, updated, and described again
    seen = [
        sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
        for _ in range(3)
    ]
    sagemaker.update_workforce(WorkforceName="default", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    after_update = [
        sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
        for _ in range(3)
    ]
    # Then it is Initializing, then Active; Updating, then Active
    assert seen == ["Initializing", "Initializing", "Active"]
    assert after_update == ["Updating", "Updating", "Active"]


def test_status_lifecycle_by_seconds(sagemaker: Any) -> None:
    # Given a workforce that becomes Active a minute after it is created
    controls.configure(activation_seconds=60)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    first = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
    # When the delay is shortened to 0.2 s and that much time passes
    controls.configure(activation_seconds=0.2)
    time.sleep(0.25)
    later = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]["Status"]
    # Then it was Initializing, then Active
    assert (first, later) == ("Initializing", "Active")


def test_update_while_changing_is_a_conflict(sagemaker: Any) -> None:
    # Given a workforce still Initializing
    controls.configure(activation_describes=5)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When it is updated
    with pytest.raises(ClientError) as excinfo:
        sagemaker.update_workforce(
            WorkforceName="default", SourceIpConfig={"Cidrs": ["1.2.3.4/32"]}
        )
    # Then the service answers ConflictException and nothing changed
    code, message = error_of(excinfo)
    assert code == "ConflictException"
    assert (
        message
        == "Workforce 'default' is Initializing; wait until it is Active before updating it."
    )
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    assert described["SourceIpConfig"] == {"Cidrs": []}


def test_update_changes_only_what_is_given(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a workforce with CIDRs
    sagemaker.update_workforce(WorkforceName="default", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    before = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # When only IpAddressType is updated
    after = sagemaker.update_workforce(WorkforceName="default", IpAddressType="dualstack")[
        "Workforce"
    ]
    # Then the CIDRs stay and LastUpdatedDate moves, CreateDate does not
    assert after["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/8"]}
    assert after["IpAddressType"] == "dualstack"
    assert after["CreateDate"] == before["CreateDate"]
    assert after["LastUpdatedDate"] >= before["LastUpdatedDate"]


def test_oidc_update_with_workteams_conflicts_by_default(
    sagemaker: Any, oidc_workforce: str
) -> None:
    # Given an OIDC workforce with a work team
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="A", MemberDefinitions=[oidc_member("g1")]
    )
    # When its OIDC configuration is updated
    with pytest.raises(ClientError) as excinfo:
        sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc(ClientId="new"))
    # Then the service answers ConflictException (as the older API text says)
    code, message = error_of(excinfo)
    assert code == "ConflictException"
    assert message == (
        "Workforce 'default' has work teams (team-a); "
        "OidcConfig cannot be updated while work teams exist."
    )


def test_oidc_update_with_workteams_allowed_when_switched_off(
    sagemaker: Any, oidc_workforce: str
) -> None:
    # Given the newer API text's behaviour and an OIDC workforce with a work team
    controls.configure(oidc_update_conflicts_with_workteams=False)
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="A", MemberDefinitions=[oidc_member("g1")]
    )
    # When its OIDC configuration is updated
    sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc(ClientId="new"))
    # Then the change is applied
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    assert described["OidcConfig"]["ClientId"] == "new"


def test_oidc_config_cannot_be_set_on_a_cognito_workforce(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given a Cognito workforce
    # When OidcConfig is sent to UpdateWorkforce
    with pytest.raises(ClientError) as excinfo:
        sagemaker.update_workforce(WorkforceName="default", OidcConfig=oidc())
    # Then it is refused: switching needs delete and create
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert "uses CognitoConfig; OidcConfig cannot be set" in message


def test_delete_with_workteams_is_resource_in_use(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a workforce with a work team
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="A", MemberDefinitions=[cognito_member()]
    )
    # When the workforce is deleted
    with pytest.raises(ClientError) as excinfo:
        sagemaker.delete_workforce(WorkforceName="default")
    # Then ResourceInUse, and both still exist
    code, message = error_of(excinfo)
    assert code == "ResourceInUse"
    assert "delete them with DeleteWorkteam first" in message
    assert sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]["WorkteamName"]


def test_delete_with_workteams_when_switched_on(sagemaker: Any, cognito_workforce: str) -> None:
    # Given deletion with work teams allowed, and a workforce with a work team
    controls.configure(delete_workforce_with_workteams=True)
    sagemaker.create_workteam(
        WorkteamName="team-a", Description="A", MemberDefinitions=[cognito_member()]
    )
    # When the workforce is deleted
    sagemaker.delete_workforce(WorkforceName="default")
    # Then the workforce and its work teams are gone
    assert sagemaker.list_workforces()["Workforces"] == []
    assert sagemaker.list_workteams()["Workteams"] == []


def test_delete_then_create_with_the_other_provider(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When it is deleted and re-created with OIDC
    sagemaker.delete_workforce(WorkforceName="default")
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    # Then the new one uses OIDC
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    assert "CognitoConfig" not in described
    assert described["OidcConfig"]["ClientId"] == "oidc-client"


@pytest.mark.parametrize(
    "operation", ["describe_workforce", "update_workforce", "delete_workforce"]
)
def test_missing_workforce(sagemaker: Any, operation: str) -> None:
    # Given no workforce
    # When it is described, updated or deleted
    with pytest.raises(ClientError) as excinfo:
        getattr(sagemaker, operation)(WorkforceName="default")
    # Then ValidationException "No workforce ..." as the real service answers
    assert error_of(excinfo) == ("ValidationException", "No workforce found with name 'default'.")


def test_state_is_reset_between_mocks(boto_session: boto3.session.Session) -> None:
    # Given a workforce created under one mock
    client = boto_session.client("sagemaker")
    with moto.mock_aws():
        client.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    # When the next mock starts
    with moto.mock_aws():
        listed = client.list_workforces()["Workforces"]
    # Then it starts empty, as moto's own services do
    assert listed == []


def test_empty_vpc_config_removes_it(sagemaker: Any) -> None:
    # Given a workforce in a VPC
    sagemaker.create_workforce(
        WorkforceName="default",
        CognitoConfig=COGNITO,
        WorkforceVpcConfig={
            "VpcId": "vpc-1",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1"],
        },
    )
    # When UpdateWorkforce sends an empty WorkforceVpcConfig (what the Terraform provider
    # sends when the block is removed: every member of WorkforceVpcConfigRequest is optional)
    updated = sagemaker.update_workforce(WorkforceName="default", WorkforceVpcConfig={})
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # Then the workforce has no VPC configuration any more
    assert "WorkforceVpcConfig" not in updated["Workforce"]
    assert "WorkforceVpcConfig" not in described
    assert described["Status"] == "Active"


def test_update_without_vpc_config_keeps_it(sagemaker: Any) -> None:
    # Given a workforce in a VPC
    vpc = {"VpcId": "vpc-1", "SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}
    sagemaker.create_workforce(
        WorkforceName="default", CognitoConfig=COGNITO, WorkforceVpcConfig=vpc
    )
    # When UpdateWorkforce changes something else and leaves WorkforceVpcConfig out
    sagemaker.update_workforce(WorkforceName="default", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    described = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # Then the VPC configuration is unchanged
    kept = {k: v for k, v in described["WorkforceVpcConfig"].items() if k != "VpcEndpointId"}
    assert kept == vpc


def test_installing_twice_changes_nothing(sagemaker: Any) -> None:
    # Given the emulator installed again
    import workforce_emulator

    workforce_emulator.install()
    # When one call is made
    sagemaker.list_workforces()
    # Then it is served and logged once
    assert [c["Operation"] for c in controls.calls()] == ["ListWorkforces"]
