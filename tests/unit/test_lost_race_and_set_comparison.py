"""When what SageMaker holds already is what a create request asks for (a lost race), and
which differences in SageMaker's answers are no drift at all.

Pure data: the requests are the ones the planner makes for apply; the live objects are
what DescribeWorkforce / ListWorkteams answer, with the spellings and defaults SageMaker
adds. ``request_met`` is how apply tells "another run created it first" (done) from
"someone created something else" (a failure to report).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.compare import request_met
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.observe import Observed

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

ROOT = Path(__file__).resolve().parents[2]
ARN = "arn:aws:sagemaker:us-east-1:111122223333"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    return loaded


def create_requests(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The create requests the plan for an empty account sends, by resource name (with the
    client secret apply adds to an OIDC workforce's)."""
    plan = diff(parse_document(json.dumps(doc)), Observed(workforce=None))
    requests = {a.ResourceName: dict(a.Request) for a in plan.Actions}
    for request in requests.values():
        if "OidcConfig" in request:
            request["OidcConfig"] = {**request["OidcConfig"], "ClientSecret": "s3cr3t"}
    return requests


def oidc_workforce_as_made() -> dict[str, Any]:
    """The OIDC example's workforce as DescribeWorkforce shows it: no secret, no tags, the
    CIDRs in SageMaker's order, and fields of its own."""
    spec = example("oidc")["Workforce"]
    return {
        "WorkforceName": spec["WorkforceName"],
        "WorkforceArn": f"{ARN}:workforce/{spec['WorkforceName']}",
        "OidcConfig": {k: v for k, v in spec["OidcConfig"].items() if "Secret" not in k},
        "SourceIpConfig": {"Cidrs": ["2001:db8:4000::/48", "203.0.113.0/24", "198.51.100.16/28"]},
        "IpAddressType": "dualstack",
        "Status": "Active",
        "SubDomain": "abc.labeling.us-east-1.sagemaker.aws",
    }


def cognito_workforce_as_made() -> dict[str, Any]:
    spec = example("cognito")["Workforce"]
    vpc = copy.deepcopy(spec["WorkforceVpcConfig"])
    vpc["Subnets"].reverse()
    vpc["VpcEndpointId"] = "vpce-0123456789abcdef0"
    return {
        "WorkforceName": spec["WorkforceName"],
        "WorkforceArn": f"{ARN}:workforce/{spec['WorkforceName']}",
        "CognitoConfig": {**spec["CognitoConfig"]},
        "SourceIpConfig": {"Cidrs": ["192.0.2.0/24"]},
        "WorkforceVpcConfig": vpc,
        "IpAddressType": "ipv4",
        "Status": "Initializing",
    }


def team_as_made(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """A team as ListWorkteams shows it: member definitions and groups in another order,
    keys in another order, and the defaults SageMaker fills in."""
    spec = next(t for t in doc["Workteams"] if t["WorkteamName"] == name)
    team = {k: copy.deepcopy(v) for k, v in spec.items() if k != "Tags"}
    team["MemberDefinitions"] = [
        {key: dict(reversed(list(value.items()))) for key, value in definition.items()}
        for definition in reversed(team["MemberDefinitions"])
    ]
    for definition in team["MemberDefinitions"]:
        groups = definition.get("OidcMemberDefinition", {}).get("Groups")
        if groups:
            groups.reverse()
    team["WorkteamArn"] = f"{ARN}:workteam/private-crowd/{name}"
    team["WorkforceArn"] = f"{ARN}:workforce/{doc['Workforce']['WorkforceName']}"
    team["SubDomain"] = "abc.labeling.us-east-1.sagemaker.aws"
    return team


@pytest.mark.parametrize(
    ("name", "live"),
    [
        ("oidc", oidc_workforce_as_made()),
        ("cognito", cognito_workforce_as_made()),
    ],
)
def test_a_workforce_another_run_created_from_the_same_document_meets_the_request(
    name: str, live: dict[str, Any]
) -> None:
    doc = example(name)
    request = create_requests(doc)[doc["Workforce"]["WorkforceName"]]
    assert request_met(request, live) is True


@pytest.mark.parametrize(
    ("change", "met"),
    [
        # Another scope, another identity provider: not what was asked
        (lambda w: w["OidcConfig"].update(Scope="openid"), False),
        (lambda w: w["OidcConfig"].update(Issuer="https://other.example"), False),
        (lambda w: w["OidcConfig"].pop("AuthenticationRequestExtraParams"), False),
        # Another allow-list, or none at all
        (lambda w: w.update(SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}), False),
        (lambda w: w.pop("SourceIpConfig"), False),
        # The same networks, spelled with host bits
        (
            lambda w: w.update(
                SourceIpConfig={
                    "Cidrs": ["203.0.113.9/24", "198.51.100.17/28", "2001:db8:4000::1/48"]
                }
            ),
            True,
        ),
        (lambda w: w.update(IpAddressType="ipv4"), False),
        # Tags are not listed by DescribeWorkforce, nor compared
        (lambda w: w.update(Tags=[{"Key": "other", "Value": "x"}]), True),
    ],
)
def test_a_live_oidc_workforce_that_differs_does_not_meet_the_request(
    change: Any, met: bool
) -> None:
    request = create_requests(example("oidc"))["labeling-oidc"]
    live = oidc_workforce_as_made()
    change(live)
    assert request_met(request, live) is met


def test_a_live_cognito_workforce_in_another_vpc_or_pool_does_not_meet_the_request() -> None:
    request = create_requests(example("cognito"))["labeling-cognito"]
    other_vpc = cognito_workforce_as_made()
    other_vpc["WorkforceVpcConfig"]["SecurityGroupIds"] = ["sg-0000000000000000f"]
    other_pool = cognito_workforce_as_made()
    other_pool["CognitoConfig"]["UserPool"] = "us-east-1_Other0000"
    assert request_met(request, other_vpc) is False
    assert request_met(request, other_pool) is False


def test_a_team_another_run_created_meets_the_request_whatever_sagemaker_reorders() -> None:
    for name in ("oidc", "cognito"):
        doc = example(name)
        requests = create_requests(doc)
        for team in doc["Workteams"]:
            live = team_as_made(doc, team["WorkteamName"])
            assert request_met(requests[team["WorkteamName"]], live) is True, team


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.update(Description="Someone else's team"),
        lambda t: t.pop("NotificationConfiguration"),
        lambda t: t["MemberDefinitions"][0]["OidcMemberDefinition"]["Groups"].append("extra"),
        lambda t: t.update(
            WorkerAccessConfiguration={
                "S3Presign": {"IamPolicyConstraints": {"SourceIp": "Disabled"}}
            }
        ),
    ],
)
def test_a_live_team_that_differs_does_not_meet_the_request(change: Any) -> None:
    doc = example("oidc")
    request = create_requests(doc)["image-labelers"]
    live = team_as_made(doc, "image-labelers")
    change(live)
    assert request_met(request, live) is False


def test_reordered_member_definitions_groups_and_keys_are_no_drift() -> None:
    # Given teams that SageMaker lists with their definitions, groups and keys reordered,
    # and the CIDRs and subnets of the workforce in another order
    plans = []
    for name in ("oidc", "cognito"):
        doc = example(name)
        teams = {t["WorkteamName"]: team_as_made(doc, t["WorkteamName"]) for t in doc["Workteams"]}
        workforce = oidc_workforce_as_made() if name == "oidc" else cognito_workforce_as_made()
        workforce["Status"] = "Active"
        tags = {
            teams[t["WorkteamName"]]["WorkteamArn"]: {x["Key"]: x["Value"] for x in t["Tags"]}
            for t in doc["Workteams"]
            if "Tags" in t
        }
        tags[workforce["WorkforceArn"]] = {x["Key"]: x["Value"] for x in doc["Workforce"]["Tags"]}
        observed = Observed(
            workforce=cast("WorkforceTypeDef", workforce),
            workteams=cast("dict[str, WorkteamTypeDef]", teams),
            tags=tags,
            secret_version_applied="v1",
            secret_version_current="v1",
        )
        plans.append(diff(parse_document(json.dumps(doc)), observed))

    # Then neither plan has anything to do
    assert [plan.Actions for plan in plans] == [(), ()]


def test_a_member_definition_changed_inside_is_drift_even_in_another_order() -> None:
    # Given a Cognito team whose second group SageMaker lists under another user group
    doc = example("cognito")
    live = team_as_made(doc, "medical-annotators")
    live["MemberDefinitions"][0]["CognitoMemberDefinition"]["UserGroup"] = "interns"
    workforce = cognito_workforce_as_made()
    workforce["Status"] = "Active"
    observed = Observed(
        workforce=cast("WorkforceTypeDef", workforce),
        workteams=cast(
            "dict[str, WorkteamTypeDef]",
            {"medical-annotators": live, "quality-auditors": team_as_made(doc, "quality-auditors")},
        ),
        tags={live["WorkteamArn"]: {"data-classification": "phi"}},
    )

    plan = diff(parse_document(json.dumps(doc)), observed)

    (update,) = plan.Actions
    assert update.Request == {
        "WorkteamName": "medical-annotators",
        "MemberDefinitions": doc["Workteams"][0]["MemberDefinitions"],
    }
