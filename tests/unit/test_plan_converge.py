"""Plans that converge an existing workforce and its teams, in full.

Pure data in, a plan out: the exact UpdateWorkforce / team / tag requests apply sends and
their order, the lines a person reads (field, before, after), why a step is blocked and the
ways out, and the re-creation of teams for an OIDC change (from the live teams, or from
what an earlier run recorded before it deleted them).
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
from workforce_reconciler.engine.memory import Memory
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
ARN = "arn:aws:sagemaker:us-east-1:111122223333"
WORKFORCE_ARN = f"{ARN}:workforce/labeling-oidc"
SECRET_ARN = (
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:workforce/oidc-client-secret-a1B2c3"
)
TOPIC = "arn:aws:sns:us-east-1:111122223333:labeling-work-available"
CIDRS = ["198.51.100.16/28", "203.0.113.0/24", "2001:db8:4000::/48"]
ACTIVE = ("Active",)
ACTIVE_OR_FAILED = ("Active", "Failed")
CORRECTABLE = Classification.CORRECTABLE
DISRUPTIVE = Classification.DISRUPTIVE
BLOCKED = Classification.BLOCKED
OIDC_RULE = (
    "SageMaker updates an OIDC configuration (the client secret included) only while the "
    "workforce has no work teams (UpdateWorkforce API reference)"
)
RECORDED = (
    "re-creating a work team that an earlier run deleted for an OIDC change, as the state "
    "table recorded it"
)


def oidc_document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())
    return loaded


def team_arn(name: str) -> str:
    return f"{ARN}:workteam/private-crowd/{name}"


def live_workforce(**overrides: Any) -> WorkforceTypeDef:
    """DescribeWorkforce's answer for the OIDC example's workforce, as SageMaker made it."""
    oidc = {
        k: v
        for k, v in oidc_document()["Workforce"]["OidcConfig"].items()
        if not k.startswith("ClientSecret")
    }
    workforce: dict[str, Any] = {
        "WorkforceName": "labeling-oidc",
        "WorkforceArn": WORKFORCE_ARN,
        "OidcConfig": oidc,
        "SourceIpConfig": {"Cidrs": list(reversed(CIDRS))},
        "IpAddressType": "dualstack",
        "Status": "Active",
    }
    workforce.update(overrides)
    return cast("WorkforceTypeDef", workforce)


def live_team(name: str, **fields: Any) -> WorkteamTypeDef:
    team = {"WorkteamName": name, "WorkteamArn": team_arn(name), "WorkforceArn": WORKFORCE_ARN}
    return cast("WorkteamTypeDef", {**team, **fields})


def live_teams(doc: dict[str, Any]) -> dict[str, WorkteamTypeDef]:
    return {
        t["WorkteamName"]: live_team(
            t["WorkteamName"], **{k: copy.deepcopy(v) for k, v in t.items() if k != "Tags"}
        )
        for t in doc["Workteams"]
    }


def in_sync(doc: dict[str, Any], **changes: Any) -> Observed:
    """SageMaker and the state store as the document left them, with some fields replaced."""
    tags = {
        team_arn(t["WorkteamName"]): tag_map(t["Tags"]) for t in doc["Workteams"] if "Tags" in t
    }
    tags[WORKFORCE_ARN] = tag_map(doc["Workforce"]["Tags"])
    observed: dict[str, Any] = {
        "workforce": live_workforce(),
        "workteams": live_teams(doc),
        "tags": tags,
        "secret_version_applied": "v1",
        "secret_version_current": "v1",
    }
    return Observed(**{**observed, **changes})


def tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def plan_for(doc: dict[str, Any], observed: Observed, guardrails: Guardrails | None = None) -> Plan:
    return diff(parse_document(json.dumps(doc)), observed, guardrails)


def wanted_oidc(**changes: str) -> dict[str, Any]:
    oidc = {
        k: v
        for k, v in oidc_document()["Workforce"]["OidcConfig"].items()
        if not k.startswith("ClientSecret")
    }
    return {**oidc, **changes}


def test_network_and_oidc_drift_without_teams_is_one_update_in_the_documents_order() -> None:
    # Given a workforce without teams whose allow-list, scope, security groups and IP
    # address type differ from the document (its subnets only listed in another order)
    doc = oidc_document()
    doc["Workteams"] = []
    doc["Workforce"]["OidcConfig"]["Scope"] = "openid"
    doc["Workforce"]["WorkforceVpcConfig"] = {
        "VpcId": "vpc-0a1b2c3d4e5f67890",
        "SecurityGroupIds": ["sg-0000000000000000a", "sg-0000000000000000b"],
        "Subnets": ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    }
    live = live_workforce(
        SourceIpConfig={"Cidrs": ["10.0.0.0/8"]},
        WorkforceVpcConfig={
            "VpcId": "vpc-0a1b2c3d4e5f67890",
            "SecurityGroupIds": ["sg-0000000000000000b"],
            "Subnets": ["subnet-0ee55ff66aa77bb88", "subnet-0aa11bb22cc33dd44"],
            "VpcEndpointId": "vpce-0123456789abcdef0",
        },
    )
    del live["IpAddressType"]  # (SageMaker's default: ipv4)

    # When the plan is made
    plan = plan_for(doc, in_sync(doc, workforce=live, workteams={}))

    # Then one UpdateWorkforce carries every section that differs (the OIDC one whole, with
    # the secret read from the reference), and the plan shows each field that changes
    assert plan.Actions == (
        Action(
            Operation=Operation.UPDATE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-oidc",
            Classification=CORRECTABLE,
            Reason="the workforce differs from the document",
            Request={
                "WorkforceName": "labeling-oidc",
                "SourceIpConfig": {"Cidrs": CIDRS},
                "OidcConfig": wanted_oidc(Scope="openid"),
                "WorkforceVpcConfig": doc["Workforce"]["WorkforceVpcConfig"],
                "IpAddressType": "dualstack",
            },
            Changes=(
                FieldChange(Field="SourceIpConfig.Cidrs", Before=["10.0.0.0/8"], After=CIDRS),
                FieldChange(
                    Field="OidcConfig.Scope", Before="openid email profile groups", After="openid"
                ),
                FieldChange(
                    Field="WorkforceVpcConfig.SecurityGroupIds",
                    Before=["sg-0000000000000000b"],
                    After=["sg-0000000000000000a", "sg-0000000000000000b"],
                ),
                FieldChange(Field="IpAddressType", Before="ipv4", After="dualstack"),
            ),
            NeedsClientSecret=True,
            ProceedWhen=ACTIVE,
        ),
    )
    assert plan.Secret == SecretSource(SecretArn=SECRET_ARN)
    assert plan.SecretVersion == "v1"
    assert plan.SecretFirst is False


def test_a_workforce_moved_to_another_vpc_or_out_of_it() -> None:
    doc = oidc_document()
    old_vpc = {
        "VpcId": "vpc-0000000000000000a",
        "SecurityGroupIds": ["sg-0000000000000000b"],
        "Subnets": ["subnet-0aa11bb22cc33dd44"],
    }
    new_vpc = {**old_vpc, "VpcId": "vpc-0000000000000000c"}

    # Given another VpcId in the document
    doc["Workforce"]["WorkforceVpcConfig"] = new_vpc
    moved = plan_for(doc, in_sync(doc, workforce=live_workforce(WorkforceVpcConfig=old_vpc)))

    # Then only the VPC id changes, and the request carries the whole configuration
    (update,) = moved.Actions
    assert update.Changes == (
        FieldChange(
            Field="WorkforceVpcConfig.VpcId",
            Before="vpc-0000000000000000a",
            After="vpc-0000000000000000c",
        ),
    )
    assert update.Request == {"WorkforceName": "labeling-oidc", "WorkforceVpcConfig": new_vpc}
    assert update.Reason == "the workforce differs from the document"
    assert update.NeedsClientSecret is False
    assert moved.Secret is None

    # Given an empty VPC configuration: the workforce leaves its VPC
    doc["Workforce"]["WorkforceVpcConfig"] = {}
    detached = plan_for(doc, in_sync(doc, workforce=live_workforce(WorkforceVpcConfig=old_vpc)))
    (update,) = detached.Actions
    assert update.Changes == (FieldChange(Field="WorkforceVpcConfig", Before=old_vpc),)
    assert update.Request == {"WorkforceName": "labeling-oidc", "WorkforceVpcConfig": {}}


@pytest.mark.parametrize(
    ("ip_address_type", "everything"),
    [("dualstack", '["0.0.0.0/0", "::/0"]'), ("ipv4", '["0.0.0.0/0"]'), (None, '["0.0.0.0/0"]')],
)
def test_an_empty_allow_list_is_sent_with_advice_for_when_sagemaker_refuses_it(
    ip_address_type: str | None, everything: str
) -> None:
    doc = oidc_document()
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = []
    if ip_address_type is None:
        del doc["Workforce"]["IpAddressType"]
    else:
        doc["Workforce"]["IpAddressType"] = ip_address_type
    live = live_workforce(
        IpAddressType=ip_address_type or "ipv4", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )

    (update,) = plan_for(doc, in_sync(doc, workforce=live)).Actions

    assert update.Request == {"WorkforceName": "labeling-oidc", "SourceIpConfig": {"Cidrs": []}}
    assert update.Advice == (
        "SageMaker takes 1-10 CIDRs: for no restriction, put "
        f"SourceIpConfig.Cidrs {everything} in the document instead of []"
    )


def test_an_allow_list_that_is_not_empty_gets_no_advice() -> None:
    doc = oidc_document()
    (update,) = plan_for(
        doc, in_sync(doc, workforce=live_workforce(SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}))
    ).Actions
    assert update.Advice is None


OIDC_BLOCKED = (
    f"{OIDC_RULE}, and it has 2 work teams (image-labelers, text-reviewers). Ways out: "
    "(a) set Policy.RecreateWorkteamsForOidcChanges to true: the reconciler deletes the "
    "teams, updates the workforce and re-creates each team as it was (their workers are cut "
    "off meanwhile); (b) if SageMaker already holds this configuration (you made the change "
    "yourself, with the teams removed), adopt it: `workforce-reconciler apply --parameter "
    "<parameter> --state-table <table> --secret-already-applied` records the client "
    "secret's version without sending it; (c) delete the work teams (and remove them from "
    "the document): the next run updates the workforce"
)


def test_with_teams_an_oidc_change_is_blocked_and_the_network_goes_on_its_own() -> None:
    # Given a workforce with teams, a changed scope and a changed allow-list
    doc = oidc_document()
    doc["Workforce"]["OidcConfig"]["Scope"] = "openid"
    live = live_workforce(SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})

    # When the plan is made
    plan = plan_for(doc, in_sync(doc, workforce=live))

    # Then the allow-list is updated by itself (no secret needed), and the OIDC change is
    # blocked before any call, with SageMaker's rule and every way out
    assert plan.Actions == (
        Action(
            Operation=Operation.UPDATE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-oidc",
            Classification=CORRECTABLE,
            Reason="the workforce's network settings differ from the document",
            Request={"WorkforceName": "labeling-oidc", "SourceIpConfig": {"Cidrs": CIDRS}},
            Changes=(
                FieldChange(Field="SourceIpConfig.Cidrs", Before=["10.0.0.0/8"], After=CIDRS),
            ),
            ProceedWhen=ACTIVE,
        ),
        Action(
            Operation=Operation.UPDATE_WORKFORCE,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-oidc",
            Classification=BLOCKED,
            Reason=OIDC_BLOCKED,
            Request={"WorkforceName": "labeling-oidc", "OidcConfig": wanted_oidc(Scope="openid")},
            Changes=(
                FieldChange(
                    Field="OidcConfig.Scope", Before="openid email profile groups", After="openid"
                ),
            ),
            NeedsClientSecret=True,
            ProceedWhen=ACTIVE,
        ),
    )
    assert plan.Secret is not None  # (a plan's blocked steps still say what they would need)


def test_re_creating_the_teams_that_the_stack_does_not_allow_is_blocked_with_a_note() -> None:
    doc = oidc_document()
    doc["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    observed = in_sync(doc, secret_version_current="v2")

    plan = plan_for(doc, observed, Guardrails(allow_recreate_workteams=False))

    (update,) = plan.Actions
    assert update.Classification is BLOCKED
    assert update.Reason == (
        f"{OIDC_BLOCKED}. Note: Policy.RecreateWorkteamsForOidcChanges is true in the "
        "document, but the stack's DocumentMayRecreateWorkteams parameter is false: whoever "
        "deploys the stack sets what the document may allow"
    )
    assert update.Changes == (
        FieldChange(
            Field="OidcConfig.ClientSecretVersion", Before="version v1", After="version v2"
        ),
    )


def test_re_creating_the_teams_waits_while_labeling_jobs_are_in_progress() -> None:
    doc = oidc_document()
    doc["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    jobs = {"text-reviewers": ("tickets-7", "tickets-8"), "image-labelers": ("photos-1",)}
    observed = in_sync(doc, secret_version_current="v2", labeling_jobs=jobs)

    (update,) = plan_for(doc, observed).Actions

    assert update.Classification is BLOCKED
    assert update.Reason == (
        f"{OIDC_RULE}. Policy.RecreateWorkteamsForOidcChanges allows re-creating the teams, "
        "but labeling jobs are in progress (team image-labelers: photos-1; team "
        "text-reviewers: tickets-7, tickets-8): deleting a team now would stop its job. The "
        "change waits until no job is in progress (or stop the job)"
    )


def carried(name: str, **fields: Any) -> dict[str, Any]:
    return {"WorkteamName": name, "WorkforceName": "labeling-oidc", **fields}


def recreation_world(drop_unlisted: bool) -> tuple[dict[str, Any], Observed]:
    """A rotated secret with the opt-in, a changed allow-list and workforce tag, a live team
    the document does not list, and a team the document adds."""
    doc = oidc_document()
    doc["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    doc["Policy"]["DeleteUnlistedWorkteams"] = drop_unlisted
    doc["Workforce"]["Tags"] = [{"Key": "team", "Value": "ml-platform"}]
    del doc["Workteams"][0]["Tags"]  # (image-labelers' tags: not managed, carried over)
    doc["Workteams"][1]["Description"] = "Reviews labels"  # (the document's word wins)
    doc["Workteams"].append(
        {
            "WorkteamName": "new-team",
            "Description": "New",
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["new"]}}],
        }
    )
    teams = live_teams(oidc_document())
    teams["old-team"] = live_team(
        "old-team",
        Description="Kept by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["old"]}}],
        NotificationConfiguration={},  # (empty: not carried over)
    )
    tags = {
        WORKFORCE_ARN: {"team": "ml-data"},
        team_arn("image-labelers"): {"team": "vision", "aws:cloudformation:stack-name": "s"},
        team_arn("text-reviewers"): {},
        team_arn("old-team"): {"owner": "ops"},
    }
    live = live_workforce(SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
    return doc, in_sync(
        doc, workforce=live, workteams=teams, tags=tags, secret_version_current="v2"
    )


def test_an_oidc_change_with_the_opt_in_deletes_updates_and_re_creates_every_team() -> None:
    # Given the rotation, and a live team the document does not list (kept by default)
    doc, observed = recreation_world(drop_unlisted=False)

    # When the plan is made
    plan = plan_for(doc, observed)

    # Then: the network first, each team deleted (only once the workforce can be changed,
    # holding the rest back), the OIDC update with the secret, each team re-created as it
    # was with the document's fields on top, the new team, then the workforce's tags
    why = (
        f"{OIDC_RULE}: the team is deleted, the workforce updated, and the team re-created "
        "as it was (Policy.RecreateWorkteamsForOidcChanges; 3 teams)"
    )
    recreated = (
        carried(
            "image-labelers",
            Description="Draws bounding boxes on product photos",
            MemberDefinitions=[
                {"OidcMemberDefinition": {"Groups": ["labelers-images", "labelers-leads"]}}
            ],
            NotificationConfiguration={"NotificationTopicArn": TOPIC},
            WorkerAccessConfiguration={
                "S3Presign": {
                    "IamPolicyConstraints": {"SourceIp": "Enabled", "VpcSourceIp": "Disabled"}
                }
            },
            Tags=[{"Key": "team", "Value": "vision"}],
        ),
        carried(
            "old-team",
            Description="Kept by hand",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["old"]}}],
            Tags=[{"Key": "owner", "Value": "ops"}],
        ),
        carried(
            "text-reviewers",
            Description="Reviews labels",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}],
        ),
    )
    assert plan.Recreation == recreated
    assert plan.SecretFirst is True
    assert [(a.Operation.value, a.ResourceName, a.Reason) for a in plan.Actions] == [
        (
            "UpdateWorkforce",
            "labeling-oidc",
            "the workforce's network settings differ from the document",
        ),
        ("DeleteWorkteam", "image-labelers", why),
        ("DeleteWorkteam", "old-team", why),
        ("DeleteWorkteam", "text-reviewers", why),
        (
            "UpdateWorkforce",
            "labeling-oidc",
            "the workforce's OIDC configuration differs from the document",
        ),
        ("CreateWorkteam", "image-labelers", why),
        ("CreateWorkteam", "old-team", why),
        ("CreateWorkteam", "text-reviewers", why),
        ("CreateWorkteam", "new-team", "the work team does not exist"),
        ("AddTags", "labeling-oidc", "tags differ from the document"),
    ]
    deletions, update = plan.Actions[1:4], plan.Actions[4]
    assert {(a.Classification, a.ProceedWhen, a.HoldsBack) for a in deletions} == {
        (DISRUPTIVE, ACTIVE_OR_FAILED, True)
    }
    assert [a.Request for a in deletions] == [
        {"WorkteamName": n} for n in ("image-labelers", "old-team", "text-reviewers")
    ]
    assert update.Request == {"WorkforceName": "labeling-oidc", "OidcConfig": wanted_oidc()}
    assert (update.Classification, update.NeedsClientSecret) == (CORRECTABLE, True)
    assert [a.Request for a in plan.Actions[5:8]] == list(recreated)
    assert [a.Classification for a in plan.Actions[5:9]] == [DISRUPTIVE] * 3 + [CORRECTABLE]
    assert plan.Actions[8].Request == carried(
        "new-team",
        Description="New",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["new"]}}],
    )


def test_with_delete_unlisted_the_re_creation_leaves_the_unlisted_team_out() -> None:
    doc, observed = recreation_world(drop_unlisted=True)

    plan = plan_for(doc, observed)

    assert [t["WorkteamName"] for t in plan.Recreation] == ["image-labelers", "text-reviewers"]
    deletions = {
        a.ResourceName: a.Reason for a in plan.Actions if a.Operation.value == "DeleteWorkteam"
    }
    assert deletions["old-team"] == "the document does not list this work team"
    assert deletions["image-labelers"].endswith("(Policy.RecreateWorkteamsForOidcChanges; 2 teams)")
    assert [a.ResourceName for a in plan.Actions if a.Operation.value == "CreateWorkteam"] == [
        "image-labelers",
        "text-reviewers",
        "new-team",
    ]


def test_teams_an_earlier_run_deleted_for_an_oidc_change_are_re_created_as_recorded() -> None:
    # Given an earlier run that deleted two teams for an OIDC change, updated the workforce
    # and died before re-creating them (one is listed by the document, one is not), and a
    # recorded team that exists again
    doc = oidc_document()
    doc["Workteams"][0]["Description"] = "Boxes on photos"
    recorded = (
        carried(
            "image-labelers",
            Description="Draws bounding boxes on product photos",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["labelers-images"]}}],
            Tags=[{"Key": "team", "Value": "old"}, {"Key": "owner", "Value": "vision"}],
        ),
        {
            "WorkteamName": "by-hand",
            "WorkforceName": "an-older-name",
            "Description": "Made by hand",
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["hand"]}}],
        },
        carried("text-reviewers", Description="Recorded"),
    )
    teams = live_teams(doc)
    del teams["image-labelers"]
    observed = in_sync(doc, workteams=teams, memory=Memory(recreation=recorded))

    # When the plan is made
    plan = plan_for(doc, observed)

    # Then the missing teams are re-created as recorded, the document's fields on top (its
    # tags replace the recorded ones), under this workforce's name; the existing one is
    # left alone
    image = carried(
        "image-labelers",
        Description="Boxes on photos",
        MemberDefinitions=[
            {"OidcMemberDefinition": {"Groups": ["labelers-images", "labelers-leads"]}}
        ],
        NotificationConfiguration={"NotificationTopicArn": TOPIC},
        WorkerAccessConfiguration={
            "S3Presign": {
                "IamPolicyConstraints": {"SourceIp": "Enabled", "VpcSourceIp": "Disabled"}
            }
        },
        Tags=[{"Key": "team", "Value": "ml-data"}],
    )
    by_hand = {**recorded[1], "WorkforceName": "labeling-oidc"}
    assert plan.Recreation == ({**image, "WorkforceName": "labeling-oidc"}, recorded[1])
    assert [
        (a.Operation.value, a.ResourceName, a.Classification, a.Reason, a.Request)
        for a in plan.Actions
    ] == [
        ("CreateWorkteam", "image-labelers", CORRECTABLE, RECORDED, image),
        ("CreateWorkteam", "by-hand", CORRECTABLE, RECORDED, by_hand),
    ]
    assert plan.Actions[1].Changes == (
        FieldChange(Field="WorkteamName", After="by-hand"),
        FieldChange(Field="Description", After="Made by hand"),
        FieldChange(Field="MemberDefinitions", After=by_hand["MemberDefinitions"]),
    )
    assert plan.Actions[1].ProceedWhen == ACTIVE


@pytest.mark.parametrize(
    ("policy", "guardrails", "classification", "reason"),
    [
        (
            False,
            Guardrails(),
            BLOCKED,
            "the document does not list this work team; deleting it cuts its workers off, so "
            "set Policy.DeleteUnlistedWorkteams to allow it, or add it to the document",
        ),
        (
            True,
            Guardrails(allow_delete_unlisted_workteams=False),
            BLOCKED,
            "the document does not list this work team; deleting it cuts its workers off, so "
            "Policy.DeleteUnlistedWorkteams is true in the document, but the stack's "
            "DocumentMayDeleteUnlistedWorkteams parameter is false: whoever deploys the stack "
            "sets what the document may allow, or add it to the document",
        ),
        (
            True,
            Guardrails(),
            DISRUPTIVE,
            "the document does not list this work team (Policy.DeleteUnlistedWorkteams)",
        ),
    ],
)
def test_a_team_the_document_does_not_list_is_deleted_only_as_the_policy_allows(
    policy: bool, guardrails: Guardrails, classification: Classification, reason: str
) -> None:
    doc = oidc_document()
    doc["Policy"]["DeleteUnlistedWorkteams"] = policy
    observed = in_sync(doc)
    doc["Workteams"] = doc["Workteams"][:1]

    plan = plan_for(doc, observed, guardrails)

    assert plan.Actions == (
        Action(
            Operation=Operation.DELETE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="text-reviewers",
            Classification=classification,
            Reason=reason,
            Request={"WorkteamName": "text-reviewers"},
            Changes=(FieldChange(Field="WorkteamName", Before="text-reviewers"),),
        ),
    )


def test_tag_drift_is_set_and_removed_with_aws_tags_left_alone() -> None:
    # Given a workforce and a team whose tags differ: a value changed, one missing, one
    # extra, and AWS's own
    doc = oidc_document()
    observed = in_sync(doc)
    observed.tags[WORKFORCE_ARN] = {"team": "ml-data", "stale": "1", "aws:createdBy": "x"}
    observed.tags[team_arn("image-labelers")] = {"team": "other", "AWS:x": "y"}

    # When the plan is made
    plan = plan_for(doc, observed)

    # Then each resource gets one AddTags and one DeleteTags, with what they change
    assert plan.Actions == (
        Action(
            Operation=Operation.ADD_TAGS,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-oidc",
            Classification=CORRECTABLE,
            Reason="tags differ from the document",
            Request={
                "ResourceArn": WORKFORCE_ARN,
                "Tags": [{"Key": "cost-center", "Value": "CC-1234"}],
            },
            Changes=(FieldChange(Field="Tags.cost-center", After="CC-1234"),),
        ),
        Action(
            Operation=Operation.DELETE_TAGS,
            ResourceType=ResourceType.WORKFORCE,
            ResourceName="labeling-oidc",
            Classification=CORRECTABLE,
            Reason="tags the document does not list",
            Request={"ResourceArn": WORKFORCE_ARN, "TagKeys": ["stale"]},
            Changes=(FieldChange(Field="Tags.stale", Before="1"),),
        ),
        Action(
            Operation=Operation.ADD_TAGS,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="image-labelers",
            Classification=CORRECTABLE,
            Reason="tags differ from the document",
            Request={
                "ResourceArn": team_arn("image-labelers"),
                "Tags": [{"Key": "team", "Value": "ml-data"}],
            },
            Changes=(FieldChange(Field="Tags.team", Before="other", After="ml-data"),),
        ),
    )
    assert plan.Secret is None


def test_a_workforce_whose_tags_cannot_be_read_gets_a_finding_instead_of_tag_steps() -> None:
    doc = oidc_document()
    observed = in_sync(doc, workforce_tags_readable=False)
    del observed.tags[WORKFORCE_ARN]

    plan = plan_for(doc, observed)

    assert plan.Actions == ()
    assert plan.Findings == (
        Finding(
            Code="WorkforceTagsUnverifiable",
            Severity=Severity.INFO,
            Message="SageMaker does not list this workforce's tags, so tag drift on the "
            "workforce cannot be seen; tags are applied at creation only",
            ResourceName="labeling-oidc",
        ),
    )


def test_a_document_without_workforce_tags_leaves_them_alone_even_unreadable() -> None:
    doc = oidc_document()
    observed = in_sync(doc, workforce_tags_readable=False)
    observed.tags[WORKFORCE_ARN] = {"anything": "x"}
    del doc["Workforce"]["Tags"]

    assert plan_for(doc, observed) == Plan(
        WorkforceName="labeling-oidc",
        SecretVersion="v1",
        LiveWorkforce=LiveWorkforce(Name="labeling-oidc", Status="Active"),
    )


def test_a_team_that_differs_is_updated_with_only_what_differs() -> None:
    # Given a team whose description and member groups differ, and a team whose live
    # topic is missing
    doc = oidc_document()
    observed = in_sync(doc)
    observed.workteams["text-reviewers"] = live_team(
        "text-reviewers",
        Description="Old words",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["someone-else"]}}],
    )
    image = dict(observed.workteams["image-labelers"])
    del image["NotificationConfiguration"]
    observed.workteams["image-labelers"] = cast("WorkteamTypeDef", image)

    # When the plan is made
    plan = plan_for(doc, observed)

    # Then each team gets one UpdateWorkteam with the fields that differ
    assert plan.Actions == (
        Action(
            Operation=Operation.UPDATE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="image-labelers",
            Classification=CORRECTABLE,
            Reason="the work team differs from the document",
            Request={
                "WorkteamName": "image-labelers",
                "NotificationConfiguration": {"NotificationTopicArn": TOPIC},
            },
            Changes=(
                FieldChange(
                    Field="NotificationConfiguration",
                    After={"NotificationTopicArn": TOPIC},
                ),
            ),
            ProceedWhen=ACTIVE,
        ),
        Action(
            Operation=Operation.UPDATE_WORKTEAM,
            ResourceType=ResourceType.WORKTEAM,
            ResourceName="text-reviewers",
            Classification=CORRECTABLE,
            Reason="the work team differs from the document",
            Request={
                "WorkteamName": "text-reviewers",
                "Description": "Reviews sentiment labels on support tickets",
                "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}],
            },
            Changes=(
                FieldChange(
                    Field="Description",
                    Before="Old words",
                    After="Reviews sentiment labels on support tickets",
                ),
                FieldChange(
                    Field="MemberDefinitions",
                    Before=[{"OidcMemberDefinition": {"Groups": ["someone-else"]}}],
                    After=[{"OidcMemberDefinition": {"Groups": ["reviewers-text"]}}],
                ),
            ),
            ProceedWhen=ACTIVE,
        ),
    )
