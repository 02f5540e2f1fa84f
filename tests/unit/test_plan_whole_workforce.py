"""The plans that create, replace or leave alone the whole workforce, in full.

Pure data in, a plan out: the exact requests apply sends, in which workforce statuses each
step may be sent and which failures hold the rest back, the lines a person reads in the
plan (field, before, after), and the findings (what is wrong and what to do about it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.observe import Observed
from workforce_reconciler.plan import (
    Action,
    Classification,
    FieldChange,
    Finding,
    LiveWorkforce,
    Operation,
    Plan,
    ResourceType,
    SecretSource,
    Severity,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

ROOT = Path(__file__).resolve().parents[2]
ARN = "arn:aws:sagemaker:eu-west-1:111122223333"
POOL = "us-east-1_AbCdEfGhI"
CLIENT = "4d5e6f7g8h9i0j1k2l3m4n5o6p"
SECRET_ARN = (
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:workforce/oidc-client-secret-a1B2c3"
)
ACTIVE = ("Active",)
ACTIVE_OR_FAILED = ("Active", "Failed")
NOT_TRACKED = Finding(
    Code="SecretRotationNotTracked",
    Severity=Severity.INFO,
    Message="no state store: a rotated OIDC client secret is not detected "
    "(the Lambda deployment tracks it; the CLI does with --state-table)",
    ResourceName="labeling-oidc",
)


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    return loaded


def plan_for(doc: dict[str, Any], observed: Observed, guardrails: Guardrails | None = None) -> Plan:
    return diff(parse_document(json.dumps(doc)), observed, guardrails)


def cognito_workforce(**overrides: Any) -> WorkforceTypeDef:
    """DescribeWorkforce's answer for the Cognito example's workforce, as SageMaker made it."""
    workforce: dict[str, Any] = {
        "WorkforceName": "labeling-cognito",
        "WorkforceArn": f"{ARN}:workforce/labeling-cognito",
        "CognitoConfig": {"UserPool": POOL, "ClientId": CLIENT},
        "SourceIpConfig": {"Cidrs": ["192.0.2.0/24"]},
        "WorkforceVpcConfig": {
            "VpcId": "vpc-0a1b2c3d4e5f67890",
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "Subnets": ["subnet-0ee55ff66aa77bb88", "subnet-0aa11bb22cc33dd44"],
            "VpcEndpointId": "vpce-0123456789abcdef0",
        },
        "IpAddressType": "ipv4",
        "Status": "Active",
    }
    workforce.update(overrides)
    return cast("WorkforceTypeDef", workforce)


def teams_of(doc: dict[str, Any]) -> dict[str, WorkteamTypeDef]:
    """ListWorkteams' answer for the document's teams, as SageMaker made them."""
    name = doc["Workforce"]["WorkforceName"]
    teams: dict[str, WorkteamTypeDef] = {}
    for team in doc["Workteams"]:
        live = {k: copy.deepcopy(v) for k, v in team.items() if k != "Tags"}
        live["WorkteamArn"] = f"{ARN}:workteam/private-crowd/{team['WorkteamName']}"
        live["WorkforceArn"] = f"{ARN}:workforce/{name}"
        teams[team["WorkteamName"]] = cast("WorkteamTypeDef", live)
    return teams


def team_tags(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """ListTags' answers for the teams whose tags the document manages, as it set them."""
    teams = teams_of(doc)
    return {
        teams[team["WorkteamName"]]["WorkteamArn"]: {t["Key"]: t["Value"] for t in team["Tags"]}
        for team in doc["Workteams"]
        if "Tags" in team
    }


COGNITO_CREATE = {
    "WorkforceName": "labeling-cognito",
    "CognitoConfig": {"UserPool": POOL, "ClientId": CLIENT},
    "SourceIpConfig": {"Cidrs": ["192.0.2.0/24"]},
    "WorkforceVpcConfig": {
        "VpcId": "vpc-0a1b2c3d4e5f67890",
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
        "Subnets": ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    },
    "IpAddressType": "ipv4",
}


def member(group: str) -> dict[str, Any]:
    return {"CognitoMemberDefinition": {"UserPool": POOL, "UserGroup": group, "ClientId": CLIENT}}


def cognito_creations(classification: Classification, reason: str) -> tuple[Action, ...]:
    """The Cognito example created from nothing: the workforce, then each team."""
    annotators = {
        "WorkteamName": "medical-annotators",
        "WorkforceName": "labeling-cognito",
        "Description": "Segments organs in de-identified CT scans",
        "MemberDefinitions": [member("radiologists"), member("radiology-residents")],
        "NotificationConfiguration": {
            "NotificationTopicArn": "arn:aws:sns:us-east-1:111122223333:medical-labeling-jobs"
        },
        "Tags": [{"Key": "data-classification", "Value": "phi"}],
    }
    auditors = {
        "WorkteamName": "quality-auditors",
        "WorkforceName": "labeling-cognito",
        "Description": "Audits a sample of finished annotations",
        "MemberDefinitions": [member("auditors")],
    }
    return (
        Action(
            Operation=Operation.CREATE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-cognito",
            Classification=classification,
            Reason=reason,
            Request=COGNITO_CREATE,
            Changes=(
                FieldChange(Field="WorkforceName", After="labeling-cognito"),
                FieldChange(Field="CognitoConfig.UserPool", After=POOL),
                FieldChange(Field="CognitoConfig.ClientId", After=CLIENT),
                FieldChange(Field="SourceIpConfig.Cidrs", After=["192.0.2.0/24"]),
                FieldChange(Field="WorkforceVpcConfig.VpcId", After="vpc-0a1b2c3d4e5f67890"),
                FieldChange(
                    Field="WorkforceVpcConfig.SecurityGroupIds", After=["sg-0123456789abcdef0"]
                ),
                FieldChange(
                    Field="WorkforceVpcConfig.Subnets",
                    After=["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
                ),
                FieldChange(Field="IpAddressType", After="ipv4"),
            ),
            HoldsBack=True,
        ),
        Action(
            Operation=Operation.CREATE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="medical-annotators",
            Classification=classification,
            Reason=reason,
            Request=annotators,
            Changes=(
                FieldChange(Field="WorkteamName", After="medical-annotators"),
                FieldChange(Field="Description", After=annotators["Description"]),
                FieldChange(Field="MemberDefinitions", After=annotators["MemberDefinitions"]),
                FieldChange(
                    Field="NotificationConfiguration.NotificationTopicArn",
                    After="arn:aws:sns:us-east-1:111122223333:medical-labeling-jobs",
                ),
                FieldChange(Field="Tags", After=annotators["Tags"]),
            ),
            ProceedWhen=ACTIVE,
        ),
        Action(
            Operation=Operation.CREATE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="quality-auditors",
            Classification=classification,
            Reason=reason,
            Request=auditors,
            Changes=(
                FieldChange(Field="WorkteamName", After="quality-auditors"),
                FieldChange(Field="Description", After=auditors["Description"]),
                FieldChange(Field="MemberDefinitions", After=auditors["MemberDefinitions"]),
            ),
            ProceedWhen=ACTIVE,
        ),
    )


def test_an_empty_account_gets_the_cognito_workforce_then_its_teams() -> None:
    # Given an account without a workforce and the Cognito example (its Tags: [] manage
    # tags, and there are none to set)
    plan = plan_for(example("cognito"), Observed(workforce=None))

    # Then the plan creates exactly what the document says: the workforce first (nothing
    # after it is tried if it fails), then each team once the workforce is Active
    assert plan == Plan(
        WorkforceName="labeling-cognito",
        Actions=cognito_creations(Classification.CORRECTABLE, "the workforce does not exist"),
    )


def test_a_created_oidc_workforce_reads_its_secret_from_the_reference_and_shows_its_version() -> (
    None
):
    # Given an empty account, the OIDC example and a state store that knows the version
    # of the secret the document references
    plan = plan_for(example("oidc"), Observed(workforce=None, secret_version_current="v3"))

    # Then the create request carries the OIDC configuration without any secret, the step
    # needs the secret read from the document's reference, and the plan shows its version
    create = plan.Actions[0]
    assert create.Request["OidcConfig"] == {
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
    assert create.Request["Tags"] == [
        {"Key": "team", "Value": "ml-data"},
        {"Key": "cost-center", "Value": "CC-1234"},
    ]
    assert create.NeedsClientSecret is True
    assert create.Changes[-1] == FieldChange(
        Field="OidcConfig.ClientSecretVersion", After="version v3"
    )
    assert [c.Field for c in create.Changes if c.Field.startswith("OidcConfig.")][:2] == [
        "OidcConfig.ClientId",
        "OidcConfig.Issuer",
    ]
    assert plan.Secret == SecretSource(SecretArn=SECRET_ARN)
    assert plan.SecretVersion == "v3"
    assert plan.Findings == ()
    assert [a.NeedsClientSecret for a in plan.Actions[1:]] == [False, False]


def test_without_a_state_store_the_created_secret_is_named_by_its_reference() -> None:
    # Given an OIDC document whose secret is an SSM parameter, and no state store
    doc = example("oidc")
    del doc["Workforce"]["OidcConfig"]["ClientSecretArn"]
    doc["Workforce"]["OidcConfig"]["ClientSecretParameter"] = "/labeling/oidc-client-secret"
    plan = plan_for(doc, Observed(workforce=None))

    # Then the secret is read from the parameter, its version is unknown, and the plan
    # says that a rotation would go unnoticed
    assert plan.Secret == SecretSource(ParameterName="/labeling/oidc-client-secret")
    assert plan.Actions[0].Changes[-1] == FieldChange(
        Field="OidcConfig.ClientSecretVersion", After="(from the reference)"
    )
    assert plan.SecretVersion is None
    assert plan.Findings == (NOT_TRACKED,)


def test_a_cognito_workforce_in_sync_gives_an_empty_plan_that_names_the_live_workforce() -> None:
    # Given the Cognito example as SageMaker made it (subnets listed in another order,
    # a VPC endpoint SageMaker added, no tags)
    doc = example("cognito")
    observed = Observed(workforce=cognito_workforce(), workteams=teams_of(doc), tags=team_tags(doc))

    # Then there is nothing to do, no secret to read, and no finding
    assert plan_for(doc, observed) == Plan(
        WorkforceName="labeling-cognito",
        LiveWorkforce=LiveWorkforce(Name="labeling-cognito", Status="Active"),
    )


def test_a_partial_answer_without_either_login_configuration_is_not_a_replacement() -> None:
    # Given a Cognito document and a workforce whose answer shows neither Cognito nor OIDC
    doc = example("cognito")
    live = cognito_workforce()
    del live["CognitoConfig"]
    observed = Observed(workforce=live, workteams=teams_of(doc), tags=team_tags(doc))

    # Then nothing is replaced: only positive evidence of another configuration counts
    assert plan_for(doc, observed).Actions == ()


REPLACED_BECAUSE = [
    pytest.param(
        {"CognitoConfig": {"UserPool": "us-east-1_Other0000", "ClientId": CLIENT}},
        True,
        "UpdateWorkforce cannot change the Cognito user pool or app client",
        id="another user pool",
    ),
    pytest.param(
        {"CognitoConfig": {"UserPool": POOL, "ClientId": "another-app-client"}},
        True,
        "UpdateWorkforce cannot change the Cognito user pool or app client",
        id="another app client",
    ),
    pytest.param(
        {
            "CognitoConfig": None,
            "OidcConfig": {"ClientId": "x", "Issuer": "https://idp.example.com"},
        },
        True,
        "the workforce uses OIDC, the document asks for Amazon Cognito",
        id="OIDC to Cognito",
    ),
    pytest.param(
        {"WorkforceName": "older-workforce", "WorkforceArn": f"{ARN}:workforce/older-workforce"},
        False,
        "the account's workforce is named 'older-workforce', the document names "
        "'labeling-cognito'; there can be only one per account and region",
        id="another name",
    ),
]


def replaced_workforce(changes: dict[str, Any]) -> WorkforceTypeDef:
    live = cognito_workforce(**changes)
    if live.get("CognitoConfig") is None:
        del live["CognitoConfig"]
    return live


@pytest.mark.parametrize(("changes", "name_matches", "why"), REPLACED_BECAUSE)
def test_a_replacement_is_blocked_without_the_policy_and_says_why(
    changes: dict[str, Any], name_matches: bool, why: str
) -> None:
    # Given a live workforce that UpdateWorkforce cannot turn into the document's
    doc = example("cognito")
    live = replaced_workforce(changes)
    observed = Observed(
        workforce=live, workforce_name_matches=name_matches, workteams=teams_of(doc)
    )

    # When the plan is made without Policy.AllowDisruptiveChanges
    plan = plan_for(doc, observed)

    # Then every step is planned and blocked, each saying why and how to allow it
    reason = (
        f"replacing the workforce: {why}. It deletes the workforce and its 2 work team(s), "
        "cutting every worker off; set Policy.AllowDisruptiveChanges to allow it"
    )
    blocked = Classification.BLOCKED
    old = live["WorkforceName"]
    assert plan.Actions == (
        *(
            Action(
                Operation=Operation.DELETE_WORKTEAM,
                ResourceType=ResourceType.WORKTEAM,
                ResourceName=team,
                Classification=blocked,
                Reason=reason,
                Request={"WorkteamName": team},
                Changes=(FieldChange(Field="WorkteamName", Before=team),),
            )
            for team in ("medical-annotators", "quality-auditors")
        ),
        Action(
            Operation=Operation.DELETE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName=old,
            Classification=blocked,
            Reason=reason,
            Request={"WorkforceName": old},
            Changes=(FieldChange(Field="WorkforceName", Before=old),),
            ProceedWhen=ACTIVE_OR_FAILED,
            HoldsBack=True,
        ),
        *cognito_creations(blocked, reason),
    )
    assert plan.SecretFirst is False
    assert plan.LiveWorkforce == LiveWorkforce(Name=old, Status="Active")


def test_an_allowed_replacement_deletes_the_teams_only_once_the_workforce_can_go_too() -> None:
    # Given another user pool and Policy.AllowDisruptiveChanges
    doc = example("cognito")
    doc["Policy"]["AllowDisruptiveChanges"] = True
    live = cognito_workforce(CognitoConfig={"UserPool": "us-east-1_Other0000", "ClientId": CLIENT})

    # When the plan is made
    plan = plan_for(doc, Observed(workforce=live, workteams=teams_of(doc)))

    # Then the team deletions wait for Active or Failed and hold the rest back, and the
    # secret (here: none) is settled before the first step
    reason = (
        "replacing the workforce: UpdateWorkforce cannot change the Cognito user pool or app "
        "client. It deletes the workforce and its 2 work team(s), cutting every worker off"
    )
    disruptive = Classification.DISRUPTIVE
    assert plan.Actions[:3] == (
        *(
            Action(
                Operation=Operation.DELETE_WORKTEAM,
                ResourceType=ResourceType.WORKTEAM,
                ResourceName=team,
                Classification=disruptive,
                Reason=reason,
                Request={"WorkteamName": team},
                Changes=(FieldChange(Field="WorkteamName", Before=team),),
                ProceedWhen=ACTIVE_OR_FAILED,
                HoldsBack=True,
            )
            for team in ("medical-annotators", "quality-auditors")
        ),
        Action(
            Operation=Operation.DELETE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-cognito",
            Classification=disruptive,
            Reason=reason,
            Request={"WorkforceName": "labeling-cognito"},
            Changes=(FieldChange(Field="WorkforceName", Before="labeling-cognito"),),
            ProceedWhen=ACTIVE_OR_FAILED,
            HoldsBack=True,
        ),
    )
    assert plan.Actions[3:] == cognito_creations(disruptive, reason)
    assert plan.SecretFirst is True
    assert plan.Secret is None


def test_a_replacement_the_stack_does_not_allow_names_the_stack_parameter() -> None:
    # Given a document that allows disruptive changes, under a stack that does not
    doc = example("oidc")
    doc["Policy"]["AllowDisruptiveChanges"] = True
    live = cognito_workforce(WorkforceName="labeling-oidc")
    guardrails = Guardrails(allow_disruptive_changes=False)

    # When the plan is made
    plan = plan_for(doc, Observed(workforce=live, secret_version_current="v1"), guardrails)

    # Then the replacement is blocked, and the reason says who decides
    assert {a.Classification for a in plan.Actions} == {Classification.BLOCKED}
    assert plan.Actions[0].Reason == (
        "replacing the workforce: the workforce uses Amazon Cognito, the document asks for "
        "OIDC. It deletes the workforce and its 0 work team(s), cutting every worker off; "
        "Policy.AllowDisruptiveChanges is true in the document, but the stack's "
        "DocumentMayAllowDisruptiveChanges parameter is false: whoever deploys the stack "
        "sets what the document may allow"
    )
    assert plan.SecretFirst is False
    # (a blocked plan reads no secret: nothing it may send needs it)
    assert plan.Actions[1].NeedsClientSecret is True


def failed_advice(policy: str) -> str:
    return (
        "SageMaker cannot change a Failed workforce; it must be deleted and created again, "
        f"which cuts every worker off. Either let the reconciler do it ({policy}: the next "
        "run re-creates it and its teams from the document), or delete it yourself and the "
        "next run creates it again:\n"
        "  aws sagemaker delete-workteam --region eu-west-1 --workteam-name medical-annotators\n"
        "  aws sagemaker delete-workteam --region eu-west-1 --workteam-name quality-auditors\n"
        "  aws sagemaker delete-workforce --region eu-west-1 --workforce-name labeling-cognito"
    )


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (
            {"FailureReason": "the VPC endpoint could not be created"},
            "the VPC endpoint could not be created",
        ),
        ({}, "no FailureReason given"),
    ],
)
def test_a_failed_workforce_gets_no_writes_and_a_critical_finding_with_the_way_out(
    failure: dict[str, str], said: str
) -> None:
    # Given a Failed workforce, its teams listed in another order, and no policy
    doc = example("cognito")
    live = cognito_workforce(Status="Failed", **failure)
    teams = dict(reversed(teams_of(doc).items()))

    # When the plan is made
    plan = plan_for(doc, Observed(workforce=live, workteams=teams, region="eu-west-1"))

    # Then nothing is sent, and the finding says what failed and both ways out, with the
    # AWS CLI commands for the Region in the order they must run
    assert plan.Actions == ()
    assert plan.Findings == (
        Finding(
            Code="WorkforceFailed",
            Severity=Severity.CRITICAL,
            Message=f"workforce labeling-cognito has Status Failed: {said}",
            ResourceName="labeling-cognito",
            Advice=failed_advice("set Policy.AllowDisruptiveChanges to allow it"),
        ),
    )
    assert plan.LiveWorkforce == LiveWorkforce(Name="labeling-cognito", Status="Failed")


def test_a_failed_workforce_is_replaced_when_the_policy_allows_it() -> None:
    doc = example("cognito")
    doc["Policy"]["AllowDisruptiveChanges"] = True
    live = cognito_workforce(Status="Failed", FailureReason="quota")
    plan = plan_for(doc, Observed(workforce=live, workteams=teams_of(doc), region="eu-west-1"))

    assert [(a.Operation.value, a.Classification.value) for a in plan.Actions] == [
        ("DeleteWorkteam", "disruptive"),
        ("DeleteWorkteam", "disruptive"),
        ("DeleteWorkforce", "disruptive"),
        ("CreateWorkforce", "disruptive"),
        ("CreateWorkteam", "disruptive"),
        ("CreateWorkteam", "disruptive"),
    ]
    assert plan.Actions[0].Reason == (
        "replacing the workforce: the workforce is Failed (quota). It deletes the workforce "
        "and its 2 work team(s), cutting every worker off"
    )
    # (and the finding does not claim that the stack forbids what this plan does)
    (finding,) = plan.Findings
    assert finding.Advice == failed_advice("Policy.AllowDisruptiveChanges is true")


def test_a_failed_workforce_under_a_stack_that_forbids_replacing_it_says_so() -> None:
    doc = example("cognito")
    doc["Policy"]["AllowDisruptiveChanges"] = True
    live = cognito_workforce(Status="Failed", FailureReason="quota")
    observed = Observed(workforce=live, workteams=teams_of(doc), region="eu-west-1")

    plan = plan_for(doc, observed, Guardrails(allow_disruptive_changes=False))

    assert plan.Actions == ()
    (finding,) = plan.Findings
    assert finding.Advice == failed_advice(
        "Policy.AllowDisruptiveChanges is true in the document, but the stack's "
        "DocumentMayAllowDisruptiveChanges parameter is false: whoever deploys the stack "
        "sets what the document may allow"
    )


def test_a_workforce_being_deleted_is_left_alone_with_a_warning() -> None:
    # Given a workforce someone is deleting, which differs from the document
    doc = example("cognito")
    live = cognito_workforce(Status="Deleting", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})

    # Then nothing is planned until it is gone
    assert plan_for(doc, Observed(workforce=live, workteams=teams_of(doc))) == Plan(
        WorkforceName="labeling-cognito",
        Findings=(
            Finding(
                Code="WorkforceDeleting",
                Severity=Severity.WARNING,
                Message="workforce labeling-cognito is being deleted; the run after it is "
                "gone creates it again from the document",
                ResourceName="labeling-cognito",
            ),
        ),
        LiveWorkforce=LiveWorkforce(Name="labeling-cognito", Status="Deleting"),
    )


def test_an_oidc_workforce_with_only_the_required_fields_is_created_with_only_those() -> None:
    # Given an OIDC document with its secret in SSM and none of the optional OIDC fields
    doc = example("oidc")
    oidc = doc["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"], oidc["Scope"], oidc["AuthenticationRequestExtraParams"]
    oidc["ClientSecretParameter"] = "/labeling/oidc-client-secret"

    # When it is planned on an empty account
    plan = plan_for(doc, Observed(workforce=None))

    # Then CreateWorkforce gets the required fields only: no empty optional field, and no
    # reference (SageMaker has no such member; apply adds the secret itself)
    assert plan.Actions[0].Request["OidcConfig"] == {
        "ClientId": "0oa8x2kq1bTz7wHnS5d7",
        "Issuer": "https://example-corp.okta.com/oauth2/default",
        "AuthorizationEndpoint": "https://example-corp.okta.com/oauth2/default/v1/authorize",
        "TokenEndpoint": "https://example-corp.okta.com/oauth2/default/v1/token",
        "UserInfoEndpoint": "https://example-corp.okta.com/oauth2/default/v1/userinfo",
        "LogoutEndpoint": "https://example-corp.okta.com/oauth2/default/v1/logout",
        "JwksUri": "https://example-corp.okta.com/oauth2/default/v1/keys",
    }
