"""diff(desired, observed) as a table: pure data in, a plan out, no AWS at all."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from workforce_reconciler.document import parse_document
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.observe import Observed
from workforce_reconciler.plan import Finding, Severity

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

ROOT = Path(__file__).resolve().parents[2]
ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def oidc_document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())
    for path, value in changes.items():
        target: Any = doc
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return doc


_DELETE = object()


def live_workforce(doc: dict[str, Any], **overrides: Any) -> WorkforceTypeDef:
    """What DescribeWorkforce answers for a workforce created from ``doc``."""
    spec = doc["Workforce"]
    oidc = {k: v for k, v in spec["OidcConfig"].items() if not k.startswith("ClientSecret")}
    workforce = {
        "WorkforceName": spec["WorkforceName"],
        "WorkforceArn": f"{ARN}:workforce/{spec['WorkforceName']}",
        "OidcConfig": oidc,
        "SourceIpConfig": {"Cidrs": list(reversed(spec["SourceIpConfig"]["Cidrs"]))},
        "IpAddressType": spec["IpAddressType"],
        "Status": "Active",
        "SubDomain": "abc.labeling.us-east-1.sagemaker.aws",
    }
    workforce.update(overrides)
    return cast("WorkforceTypeDef", workforce)


def live_teams(doc: dict[str, Any]) -> dict[str, WorkteamTypeDef]:
    teams: dict[str, WorkteamTypeDef] = {}
    for team in doc["Workteams"]:
        live = {k: copy.deepcopy(v) for k, v in team.items() if k != "Tags"}
        live["WorkteamArn"] = f"{ARN}:workteam/private-crowd/{team['WorkteamName']}"
        live["WorkforceArn"] = f"{ARN}:workforce/{doc['Workforce']['WorkforceName']}"
        teams[team["WorkteamName"]] = cast("WorkteamTypeDef", live)
    return teams


def in_sync(doc: dict[str, Any]) -> Observed:
    teams = live_teams(doc)
    tags = {
        teams[t["WorkteamName"]]["WorkteamArn"]: {x["Key"]: x["Value"] for x in t["Tags"]}
        for t in doc["Workteams"]
        if "Tags" in t
    }
    tags[f"{ARN}:workforce/labeling-oidc"] = {
        x["Key"]: x["Value"] for x in doc["Workforce"]["Tags"]
    }
    return Observed(
        workforce=live_workforce(doc),
        workteams=teams,
        tags=tags,
        secret_version_applied="v1",
        secret_version_current="v1",
    )


def summary(doc: dict[str, Any], observed: Observed) -> list[tuple[str, str, str, list[str]]]:
    plan = diff(parse_document(json.dumps(doc)), observed)
    return [
        (a.Operation.value, a.ResourceName, a.Classification.value, [c.Field for c in a.Changes])
        for a in plan.Actions
    ]


def test_in_sync_gives_an_empty_plan() -> None:
    doc = oidc_document()
    assert summary(doc, in_sync(doc)) == []


def _observed_with(_doc: dict[str, Any], **fields: Any) -> Observed:
    """SageMaker as created from the unchanged example, with some fields replaced."""
    base = in_sync(oidc_document())
    return Observed(**{**base.__dict__, **fields})


def unchanged(_doc: dict[str, Any]) -> Observed:
    return in_sync(oidc_document())


# (name, document changes, observe(doc) -> Observed, expected actions: fields or None)
CASES: list[tuple[str, dict[str, Any], Any, list[tuple[str, str, str, list[str] | None]]]] = [
    (
        "nothing exists: create workforce then teams",
        {},
        lambda doc: Observed(workforce=None),
        [
            ("CreateWorkforce", "labeling-oidc", "correctable", None),
            ("CreateWorkteam", "image-labelers", "correctable", None),
            ("CreateWorkteam", "text-reviewers", "correctable", None),
        ],
    ),
    (
        "without teams a changed scope is one UpdateWorkforce carrying the whole OidcConfig",
        {"Workforce__OidcConfig__Scope": "openid", "Workteams": []},
        lambda doc: _observed_with(doc, workteams={}),
        [("UpdateWorkforce", "labeling-oidc", "correctable", ["OidcConfig.Scope"])],
    ),
    (
        "with teams a changed scope is blocked in the plan (SageMaker's documented rule)",
        {"Workforce__OidcConfig__Scope": "openid"},
        unchanged,
        [("UpdateWorkforce", "labeling-oidc", "blocked", ["OidcConfig.Scope"])],
    ),
    (
        "without teams a rotated secret is one UpdateWorkforce",
        {"Workteams": []},
        lambda doc: _observed_with(doc, workteams={}, secret_version_current="v2"),
        [("UpdateWorkforce", "labeling-oidc", "correctable", ["OidcConfig.ClientSecretVersion"])],
    ),
    (
        "with teams a rotated secret is blocked",
        {},
        lambda doc: _observed_with(doc, secret_version_current="v2"),
        [("UpdateWorkforce", "labeling-oidc", "blocked", ["OidcConfig.ClientSecretVersion"])],
    ),
    (
        "with teams and the opt-in, a rotation deletes, updates and re-creates every team",
        {"Policy__RecreateWorkteamsForOidcChanges": True},
        lambda doc: _observed_with(doc, secret_version_current="v2"),
        [
            ("DeleteWorkteam", "image-labelers", "disruptive", ["WorkteamName"]),
            ("DeleteWorkteam", "text-reviewers", "disruptive", ["WorkteamName"]),
            ("UpdateWorkforce", "labeling-oidc", "correctable", ["OidcConfig.ClientSecretVersion"]),
            ("CreateWorkteam", "image-labelers", "disruptive", None),
            ("CreateWorkteam", "text-reviewers", "disruptive", None),
        ],
    ),
    (
        "the opt-in waits while a team has a labeling job in progress",
        {"Policy__RecreateWorkteamsForOidcChanges": True},
        lambda doc: _observed_with(
            doc, secret_version_current="v2", labeling_jobs={"text-reviewers": ("job-1",)}
        ),
        [("UpdateWorkforce", "labeling-oidc", "blocked", ["OidcConfig.ClientSecretVersion"])],
    ),
    (
        "an unknown last-applied secret version is applied once to set a baseline",
        {"Workteams": []},
        lambda doc: _observed_with(doc, workteams={}, secret_version_applied=None),
        [("UpdateWorkforce", "labeling-oidc", "correctable", ["OidcConfig.ClientSecretVersion"])],
    ),
    (
        "no state store: secret not tracked, nothing to do",
        {},
        lambda doc: _observed_with(doc, secret_version_applied=None, secret_version_current=None),
        [],
    ),
    (
        "CIDRs in another order and spelling are the same networks",
        {
            "Workforce__SourceIpConfig__Cidrs": [
                "2001:db8:4000::/48",
                "198.51.100.17/28",
                "203.0.113.0/24",
            ]
        },
        in_sync,
        [],
    ),
    (
        "an omitted SourceIpConfig is not managed",
        {"Workforce__SourceIpConfig": _DELETE},
        lambda doc: _observed_with(
            doc, workforce=live_workforce(oidc_document(), SourceIpConfig={"Cidrs": ["10.0.0.0/8"]})
        ),
        [],
    ),
    (
        "IpAddressType back to ipv4 (without the IPv6 block, which needs dualstack)",
        {
            "Workforce__IpAddressType": "ipv4",
            "Workforce__SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "198.51.100.16/28"]},
        },
        unchanged,
        [
            (
                "UpdateWorkforce",
                "labeling-oidc",
                "correctable",
                ["SourceIpConfig.Cidrs", "IpAddressType"],
            )
        ],
    ),
    (
        "member definitions in another order are not drift",
        {
            "Workteams__0__MemberDefinitions": [
                {"OidcMemberDefinition": {"Groups": ["labelers-images", "labelers-leads"]}}
            ]
        },
        in_sync,
        [],
    ),
    (
        "a team missing from the document is blocked by default",
        {"Workteams": []},
        lambda doc: _observed_with(doc, workteams=live_teams(oidc_document())),
        [
            ("DeleteWorkteam", "image-labelers", "blocked", ["WorkteamName"]),
            ("DeleteWorkteam", "text-reviewers", "blocked", ["WorkteamName"]),
        ],
    ),
    (
        "a team missing from the document is deleted when the policy says so",
        {"Workteams": [], "Policy__DeleteUnlistedWorkteams": True},
        lambda doc: _observed_with(doc, workteams=live_teams(oidc_document())),
        [
            ("DeleteWorkteam", "image-labelers", "disruptive", ["WorkteamName"]),
            ("DeleteWorkteam", "text-reviewers", "disruptive", ["WorkteamName"]),
        ],
    ),
    (
        "managed team tags: change one, remove one, keep aws: ones",
        {},
        lambda doc: _observed_with(
            doc,
            tags={
                **in_sync(doc).tags,
                f"{ARN}:workteam/private-crowd/image-labelers": {
                    "team": "other",
                    "stale": "x",
                    "aws:cloudformation:stack-name": "s",
                },
            },
        ),
        [
            ("AddTags", "image-labelers", "correctable", ["Tags.team"]),
            ("DeleteTags", "image-labelers", "correctable", ["Tags.stale"]),
        ],
    ),
    (
        "a Failed workforce gets no writes",
        {"Workforce__OidcConfig__Scope": "openid"},
        lambda doc: _observed_with(
            doc, workforce=live_workforce(oidc_document(), Status="Failed", FailureReason="x")
        ),
        [],
    ),
    (
        "a Failed workforce is re-created when disruptive changes are allowed",
        {"Policy__AllowDisruptiveChanges": True},
        lambda doc: _observed_with(
            doc, workforce=live_workforce(oidc_document(), Status="Failed", FailureReason="x")
        ),
        [
            ("DeleteWorkteam", "image-labelers", "disruptive", ["WorkteamName"]),
            ("DeleteWorkteam", "text-reviewers", "disruptive", ["WorkteamName"]),
            ("DeleteWorkforce", "labeling-oidc", "disruptive", ["WorkforceName"]),
            ("CreateWorkforce", "labeling-oidc", "disruptive", None),
            ("CreateWorkteam", "image-labelers", "disruptive", None),
            ("CreateWorkteam", "text-reviewers", "disruptive", None),
        ],
    ),
    (
        "an empty VPC configuration detaches the workforce from its VPC",
        {"Workforce__WorkforceVpcConfig": {}},
        lambda doc: _observed_with(
            doc,
            workforce=live_workforce(
                oidc_document(),
                WorkforceVpcConfig={
                    "VpcId": "vpc-0a1b2c3d4e5f67890",
                    "SecurityGroupIds": ["sg-0123456789abcdef0"],
                    "Subnets": ["subnet-0aa11bb22cc33dd44"],
                    "VpcEndpointId": "vpce-0123",
                },
            ),
        ),
        [("UpdateWorkforce", "labeling-oidc", "correctable", ["WorkforceVpcConfig"])],
    ),
    (
        "an empty VPC configuration on a workforce without one is in sync",
        {"Workforce__WorkforceVpcConfig": {}},
        in_sync,
        [],
    ),
    (
        "defaults SageMaker fills in beside what the document states are not drift",
        {},
        lambda doc: _observed_with(
            doc,
            workteams={
                name: {
                    **team,
                    "WorkerAccessConfiguration": {
                        "S3Presign": {
                            "IamPolicyConstraints": {
                                "SourceIp": "Enabled",
                                "VpcSourceIp": "Disabled",
                            }
                        }
                    },
                }
                if name == "image-labelers"
                else team
                for name, team in live_teams(oidc_document()).items()
            },
        ),
        [],
    ),
    (
        "a stated member the live team lacks is drift",
        {},
        lambda doc: _observed_with(
            doc,
            workteams={
                name: {k: v for k, v in team.items() if k != "NotificationConfiguration"}
                for name, team in live_teams(oidc_document()).items()
            },
        ),
        [("UpdateWorkteam", "image-labelers", "correctable", ["NotificationConfiguration"])],
    ),
    (
        "a Cognito workforce where the document says OIDC is a blocked replacement",
        {"Workteams": []},
        lambda doc: Observed(
            workforce={
                "WorkforceName": "labeling-oidc",
                "WorkforceArn": f"{ARN}:workforce/labeling-oidc",
                "CognitoConfig": {"UserPool": "us-east-1_AbCdEfGhI", "ClientId": "abc"},
                "Status": "Active",
            },
            secret_version_current="v1",
        ),
        [
            ("DeleteWorkforce", "labeling-oidc", "blocked", ["WorkforceName"]),
            ("CreateWorkforce", "labeling-oidc", "blocked", None),
        ],
    ),
]


@pytest.mark.parametrize(
    ("changes", "observe", "expected"),
    [pytest.param(c, o, e, id=name) for name, c, o, e in CASES],
)
def test_plan(
    changes: dict[str, Any],
    observe: Any,
    expected: list[tuple[str, str, str, list[str] | None]],
) -> None:
    # Given a document and what SageMaker holds
    doc = oidc_document(**changes)
    observed = observe(doc)

    # When the plan is made
    got = summary(doc, observed)

    # Then it has exactly these actions, in this order (fields where they matter)
    assert [(op, name, cls) for op, name, cls, _ in got] == [
        (op, name, cls) for op, name, cls, _ in expected
    ]
    for (_, _, _, fields), (_, _, _, want) in zip(got, expected, strict=True):
        if want is not None:
            assert fields == want


def test_the_blocked_oidc_change_names_every_way_out() -> None:
    # Given a rotated secret on a workforce with teams
    doc = oidc_document()
    plan = diff(parse_document(json.dumps(doc)), _observed_with(doc, secret_version_current="v2"))

    # Then the blocked step says why, and each way out a person can take
    (action,) = plan.Actions
    assert "only while the workforce has no work teams" in action.Reason
    assert "Policy.RecreateWorkteamsForOidcChanges" in action.Reason
    assert "--secret-already-applied" in action.Reason
    assert "delete the work teams" in action.Reason


def test_a_recreation_carries_over_what_the_document_does_not_manage() -> None:
    # Given a team whose tags and notification topic the document leaves alone
    doc = oidc_document(Policy__RecreateWorkteamsForOidcChanges=True)
    del doc["Workteams"][0]["Tags"]
    del doc["Workteams"][0]["NotificationConfiguration"]
    teams = live_teams(oidc_document())
    arn = teams["image-labelers"]["WorkteamArn"]
    observed = _observed_with(
        doc,
        secret_version_current="v2",
        tags={arn: {"team": "ml-data", "owner": "vision", "aws:cloudformation:stack-name": "s"}},
    )

    # When the rotation is planned
    plan = diff(parse_document(json.dumps(doc)), observed)

    # Then the team is re-created with its live topic and tags (not AWS's own), recorded
    # in the plan before anything is deleted, and the secret is read first
    recreated = {t["WorkteamName"]: t for t in plan.Recreation}
    assert recreated["image-labelers"]["NotificationConfiguration"] == {
        "NotificationTopicArn": "arn:aws:sns:us-east-1:111122223333:labeling-work-available"
    }
    assert recreated["image-labelers"]["Tags"] == [
        {"Key": "owner", "Value": "vision"},
        {"Key": "team", "Value": "ml-data"},
    ]
    assert plan.SecretFirst is True
    deletions = [a for a in plan.Actions if a.Operation.value == "DeleteWorkteam"]
    assert all(a.HoldsBack for a in deletions)


def test_an_empty_allow_list_carries_the_advice_sagemaker_needs() -> None:
    doc = oidc_document(Workforce__SourceIpConfig__Cidrs=[])
    (action,) = diff(parse_document(json.dumps(doc)), unchanged(doc)).Actions
    assert action.Request["SourceIpConfig"] == {"Cidrs": []}
    assert action.Advice is not None
    assert '["0.0.0.0/0", "::/0"]' in action.Advice  # the example is dualstack


def test_an_allow_list_open_to_every_address_is_planned_with_a_warning() -> None:
    # Given a document whose allow-list lets every IPv4 and IPv6 address in
    doc = oidc_document(Workforce__SourceIpConfig__Cidrs=["0.0.0.0/0", "::/0"])

    # When the plan is made, for a new workforce and for one in sync
    plans = [
        diff(parse_document(json.dumps(doc)), observed)
        for observed in (Observed(workforce=None), in_sync(doc))
    ]

    # Then the change is planned as ever, and a WARNING finding says what it does
    assert [a.Operation.value for a in plans[0].Actions][:1] == ["CreateWorkforce"]
    for plan in plans:
        assert [f for f in plan.Findings if f.Severity is Severity.WARNING] == [
            Finding(
                Code="OpenAllowList",
                Severity=Severity.WARNING,
                Message="$.Workforce.SourceIpConfig.Cidrs: allows every address (0.0.0.0/0 "
                "and ::/0), so it keeps out no worker: fine if you meant no restriction, "
                "otherwise list only your own networks",
                ResourceName="labeling-oidc",
            )
        ]


def test_team_names_that_differ_only_in_case_are_planned_as_two_teams_with_a_warning() -> None:
    # Given a document with "text-reviewers" and "Text-Reviewers"
    doc = oidc_document()
    doc["Workteams"].append({**doc["Workteams"][1], "WorkteamName": "Text-Reviewers"})

    # When the plan is made against the workforce as the example made it
    plan = diff(parse_document(json.dumps(doc)), in_sync(oidc_document()))

    # Then the second team is created, and a WARNING finding says why that may not be meant
    assert [(a.Operation.value, a.ResourceName) for a in plan.Actions] == [
        ("CreateWorkteam", "Text-Reviewers")
    ]
    assert [f for f in plan.Findings if f.Severity is Severity.WARNING] == [
        Finding(
            Code="WorkteamNamesDifferInCase",
            Severity=Severity.WARNING,
            Message='$.Workteams[2].WorkteamName: "Text-Reviewers" differs from '
            '"text-reviewers" ($.Workteams[1]) only in case: SageMaker\'s WorkteamName '
            "pattern admits both cases, so these are two teams with their own workers; if you "
            "meant one team, keep one of them",
            ResourceName="Text-Reviewers",
        )
    ]


def test_team_deletions_come_first_and_creations_after_updates() -> None:
    # Given a live team that the document drops, one it changes, and one it adds
    doc = oidc_document(Policy__DeleteUnlistedWorkteams=True)
    live = live_teams(doc)
    doc["Workteams"][0]["WorkteamName"] = "new-team"
    doc["Workteams"][1]["Description"] = "changed"
    observed = _observed_with(doc, workteams=live)

    # When the plan is made
    got = [(op, name) for op, name, _, _ in summary(doc, observed)]

    # Then the deletion frees its place first, then updates, then the creation
    assert got == [
        ("DeleteWorkteam", "image-labelers"),
        ("UpdateWorkteam", "text-reviewers"),
        ("CreateWorkteam", "new-team"),
    ]


def test_the_plan_never_contains_the_client_secret_or_its_reference_value() -> None:
    # Given an empty account and an OIDC document
    doc = oidc_document()
    plan = diff(parse_document(json.dumps(doc)), Observed(workforce=None))

    # Then the create request has the API's OidcConfig without any secret field
    create = plan.Actions[0]
    assert create.NeedsClientSecret is True
    assert not any(k.startswith("ClientSecret") for k in create.Request["OidcConfig"])
