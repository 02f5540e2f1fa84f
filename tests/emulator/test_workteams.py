"""Work-team semantics, listing (pagination, sorting, NameContains) and tags, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from workforce_emulator import controls

from .helpers import POOL, cognito_member, oidc_member


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_created_workteam_carries_the_workforce(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    workforce = sagemaker.describe_workforce(WorkforceName="default")["Workforce"]
    # When a work team is created on it
    arn = sagemaker.create_workteam(
        WorkteamName="team-a",
        Description="Labelers",
        MemberDefinitions=[cognito_member("g1"), cognito_member("g2")],
        NotificationConfiguration={
            "NotificationTopicArn": "arn:aws:sns:us-east-1:123456789012:topic"
        },
    )["WorkteamArn"]
    team = sagemaker.describe_workteam(WorkteamName="team-a")["Workteam"]
    # Then its ARN, WorkforceArn, SubDomain and dates are as AWS returns them
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team-a"
    assert team["WorkteamArn"] == arn
    assert team["WorkforceArn"] == workforce["WorkforceArn"]
    assert team["SubDomain"] == workforce["SubDomain"]
    assert team["Description"] == "Labelers"
    assert team["MemberDefinitions"] == [cognito_member("g1"), cognito_member("g2")]
    assert team["NotificationConfiguration"]["NotificationTopicArn"].endswith(":topic")
    assert team["CreateDate"] == team["LastUpdatedDate"]


def test_duplicate_name_is_resource_in_use(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a work team
    sagemaker.create_workteam(
        WorkteamName="t", Description="d", MemberDefinitions=[cognito_member()]
    )
    # When another with the same name is created
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then ResourceInUse
    assert (code, message) == ("ResourceInUse", "Workteam 't' already exists.")


def test_at_most_25_workteams(sagemaker: Any, cognito_workforce: str) -> None:
    # Given 25 work teams
    for i in range(25):
        sagemaker.create_workteam(
            WorkteamName=f"t{i}", Description="d", MemberDefinitions=[cognito_member()]
        )
    # When a 26th is created
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t25",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then ResourceLimitExceeded
    assert code == "ResourceLimitExceeded"
    assert "is 25 work teams, with current utilization of 25 work teams" in message


def test_mixing_cognito_and_oidc_members_is_refused(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When a work team mixes Cognito and OIDC member definitions
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member(), oidc_member("g")],
    )
    # Then it is refused
    assert (code, message) == (
        "ValidationException",
        "MemberDefinitions cannot mix CognitoMemberDefinition and OidcMemberDefinition.",
    )


def test_cognito_members_must_share_pool_and_client(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When two member definitions name different clients
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member("a"), cognito_member("b", client="other")],
    )
    # Then it is refused
    assert (code, message) == (
        "ValidationException",
        "Every CognitoMemberDefinition must use the same UserPool and ClientId.",
    )


def test_cognito_members_must_match_the_workforce(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When a member definition names another user pool
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member(pool="us-east-1_Other1")],
    )
    # Then it is refused, naming both pools
    assert code == "ValidationException"
    assert "UserPool 'us-east-1_Other1'" in message
    assert f"UserPool '{POOL}'" in message


def test_oidc_members_only_on_an_oidc_workforce(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a Cognito workforce
    # When an OIDC work team is created on it
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[oidc_member("g")],
    )
    # Then it is refused
    assert code == "ValidationException"
    assert message == (
        "Workforce 'default' uses Cognito; OidcMemberDefinition is only allowed on an OIDC "
        "workforce."
    )


def test_cognito_members_only_on_a_cognito_workforce(sagemaker: Any, oidc_workforce: str) -> None:
    # Given an OIDC workforce
    # When a Cognito work team is created on it
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then it is refused
    assert code == "ValidationException"
    assert "uses OIDC; CognitoMemberDefinition is only allowed" in message


def test_workteam_needs_its_workforce(sagemaker: Any) -> None:
    # Given no workforce
    # When a work team is created
    code, message = error_of(
        sagemaker.create_workteam,
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member()],
    )
    # Then the missing workforce is named
    assert (code, message) == ("ValidationException", "No workforce found with name 'default'.")


def test_update_workteam_replaces_given_fields(sagemaker: Any, oidc_workforce: str) -> None:
    # Given an OIDC work team
    sagemaker.create_workteam(
        WorkteamName="t", Description="old", MemberDefinitions=[oidc_member("a")]
    )
    before = sagemaker.describe_workteam(WorkteamName="t")["Workteam"]
    # When its members are updated
    updated = sagemaker.update_workteam(
        WorkteamName="t", MemberDefinitions=[oidc_member("a", "b")]
    )["Workteam"]
    # Then members change, the description stays, LastUpdatedDate moves
    assert updated["MemberDefinitions"] == [oidc_member("a", "b")]
    assert updated["Description"] == "old"
    assert updated["CreateDate"] == before["CreateDate"]
    assert updated["LastUpdatedDate"] >= before["LastUpdatedDate"]


def test_update_workteam_checks_members(sagemaker: Any, oidc_workforce: str) -> None:
    # Given an OIDC work team
    sagemaker.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[oidc_member()])
    # When Cognito members are put on it
    code, _ = error_of(
        sagemaker.update_workteam, WorkteamName="t", MemberDefinitions=[cognito_member()]
    )
    # Then it is refused and the team is unchanged
    assert code == "ValidationException"
    team = sagemaker.describe_workteam(WorkteamName="t")["Workteam"]
    assert team["MemberDefinitions"] == [oidc_member()]


def test_delete_workteam(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a work team
    sagemaker.create_workteam(
        WorkteamName="t", Description="d", MemberDefinitions=[cognito_member()]
    )
    # When it is deleted
    answer = sagemaker.delete_workteam(WorkteamName="t")
    # Then Success and it is gone
    assert answer["Success"] is True
    assert sagemaker.list_workteams()["Workteams"] == []


@pytest.mark.parametrize("operation", ["describe_workteam", "update_workteam", "delete_workteam"])
def test_missing_workteam(sagemaker: Any, cognito_workforce: str, operation: str) -> None:
    # Given no work team
    # When one is described, updated or deleted
    code, message = error_of(getattr(sagemaker, operation), WorkteamName="ghost")
    # Then ValidationException "The work team ..." as the real service answers
    assert (code, message) == ("ValidationException", "The work team 'ghost' does not exist.")


def make_teams(sagemaker: Any, names: list[str]) -> None:
    for name in names:
        sagemaker.create_workteam(
            WorkteamName=name, Description="d", MemberDefinitions=[cognito_member()]
        )


def test_list_workteams_pages_in_creation_order(sagemaker: Any, cognito_workforce: str) -> None:
    # Given five work teams
    names = ["delta", "alpha", "echo", "bravo", "charlie"]
    make_teams(sagemaker, names)
    # When they are listed two at a time
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = sagemaker.list_workteams(**kwargs)
        pages += 1
        seen += [t["WorkteamName"] for t in page["Workteams"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    # Then three pages give all of them, oldest first
    assert pages == 3
    assert seen == names


def test_list_workteams_paginator(sagemaker: Any, cognito_workforce: str) -> None:
    # Given twelve work teams (more than the default page of 10)
    make_teams(sagemaker, [f"team-{i:02d}" for i in range(12)])
    # When botocore's paginator lists them
    pages = list(sagemaker.get_paginator("list_workteams").paginate())
    # Then it follows NextToken across two pages
    assert [len(p["Workteams"]) for p in pages] == [10, 2]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"SortBy": "Name"}, ["Bravo-team", "alpha", "charlie"]),
        ({"SortBy": "Name", "SortOrder": "Descending"}, ["charlie", "alpha", "Bravo-team"]),
        ({"SortBy": "CreateDate", "SortOrder": "Descending"}, ["Bravo-team", "alpha", "charlie"]),
        ({"NameContains": "BRAVO"}, ["Bravo-team"]),
        ({"NameContains": "A", "SortBy": "Name"}, ["Bravo-team", "alpha", "charlie"]),
        ({}, ["charlie", "alpha", "Bravo-team"]),
    ],
)
def test_list_workteams_sort_and_filter(
    sagemaker: Any, cognito_workforce: str, params: dict[str, Any], expected: list[str]
) -> None:
    # Given three work teams created in the order charlie, alpha, Bravo-team
    make_teams(sagemaker, ["charlie", "alpha", "Bravo-team"])
    # When they are listed with sorting or a name filter
    listed = [t["WorkteamName"] for t in sagemaker.list_workteams(**params)["Workteams"]]
    # Then the order and selection follow the request (Name sorts by code point)
    assert listed == expected


def test_name_contains_case_sensitive_when_switched(sagemaker: Any, cognito_workforce: str) -> None:
    # Given case-sensitive NameContains and a team "Bravo"
    controls.configure(name_contains_ignores_case=False)
    make_teams(sagemaker, ["Bravo"])
    # When it is searched in lower case, then as written
    lower = sagemaker.list_workteams(NameContains="bravo")["Workteams"]
    exact = sagemaker.list_workteams(NameContains="Bravo")["Workteams"]
    # Then only the exact case matches
    assert (len(lower), len(exact)) == (0, 1)


def test_changed_filter_invalidates_next_token(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a first page of work teams
    make_teams(sagemaker, ["a1", "a2", "a3"])
    token = sagemaker.list_workteams(MaxResults=1)["NextToken"]
    # When the token is reused with another filter
    code, message = error_of(sagemaker.list_workteams, MaxResults=1, NextToken=token, SortBy="Name")
    # Then it is refused as invalid
    assert code == "ValidationException"
    assert "NextToken" in message


def test_list_workforces(sagemaker: Any, cognito_workforce: str) -> None:
    # Given the workforce
    # When workforces are listed with and without a matching filter
    everything = sagemaker.list_workforces(SortBy="Name", SortOrder="Ascending")["Workforces"]
    matching = sagemaker.list_workforces(NameContains="defa")["Workforces"]
    nothing = sagemaker.list_workforces(NameContains="zzz")["Workforces"]
    # Then it is listed with its status, and filtered out by another name
    assert [w["WorkforceName"] for w in everything] == ["default"]
    assert everything[0]["Status"] == "Active"
    assert len(matching) == 1
    assert nothing == []


def test_tags_given_at_creation_are_listed_and_changed(
    sagemaker: Any, cognito_workforce: str
) -> None:
    # Given a work team created with tags
    arn = sagemaker.create_workteam(
        WorkteamName="t",
        Description="d",
        MemberDefinitions=[cognito_member()],
        Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "1"}],
    )["WorkteamArn"]
    # When a tag is overwritten, one added and one deleted
    sagemaker.add_tags(
        ResourceArn=arn, Tags=[{"Key": "cost", "Value": "2"}, {"Key": "new", "Value": "x"}]
    )
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    # Then ListTags shows the result
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "cost", "Value": "2"},
        {"Key": "new", "Value": "x"},
    ]


def test_workforce_tags(sagemaker: Any) -> None:
    # Given a workforce created with a tag
    arn = sagemaker.create_workforce(
        WorkforceName="default",
        CognitoConfig={"UserPool": POOL, "ClientId": "c"},
        Tags=[{"Key": "owner", "Value": "ml"}],
    )["WorkforceArn"]
    # When tags are added
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    # Then both are listed
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "owner", "Value": "ml"},
        {"Key": "env", "Value": "test"},
    ]


@pytest.mark.parametrize("operation", ["list_tags", "add_tags", "delete_tags"])
def test_workforce_tags_unlistable_when_switched(sagemaker: Any, operation: str) -> None:
    # Given workforce tags are not supported, as reported of the real service
    controls.configure(workforce_tags_listable=False)
    arn = sagemaker.create_workforce(
        WorkforceName="default", CognitoConfig={"UserPool": POOL, "ClientId": "c"}
    )["WorkforceArn"]
    params: dict[str, Any] = {"ResourceArn": arn}
    if operation == "add_tags":
        params["Tags"] = [{"Key": "k", "Value": "v"}]
    if operation == "delete_tags":
        params["TagKeys"] = ["k"]
    # When a tag operation targets the workforce
    code, message = error_of(getattr(sagemaker, operation), **params)
    # Then it answers as reported
    assert (code, message) == ("ValidationException", "Invalid resource type: workforce")


def test_tags_of_a_missing_workteam(sagemaker: Any) -> None:
    # Given no work team
    arn = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/ghost"
    # When its tags are listed
    code, message = error_of(sagemaker.list_tags, ResourceArn=arn)
    # Then the ARN is named
    assert (code, message) == ("ValidationException", f"Could not find resource {arn}.")


def test_moto_sagemaker_operations_still_work(sagemaker: Any) -> None:
    # Given the emulator installed
    # When moto's own SageMaker operations are used, tags included
    arn = sagemaker.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": "img"},
    )["ModelArn"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    # Then they behave as moto's
    assert sagemaker.describe_model(ModelName="m")["ModelName"] == "m"
    assert {"Key": "k", "Value": "v"} in sagemaker.list_tags(ResourceArn=arn)["Tags"]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sagemaker:us-east-1:123456789012:model/ghost",
        "arn:aws:sagemaker:us-east-1:123456789012:no-such-type/x",
    ],
)
def test_tags_of_unknown_resources_are_not_a_500(sagemaker: Any, arn: str) -> None:
    # Given an ARN of a model that does not exist, or of a type moto does not know
    # When its tags are listed
    code, message = error_of(sagemaker.list_tags, ResourceArn=arn)
    # Then ValidationException naming it, not an internal error
    assert (code, message) == ("ValidationException", f"Could not find resource {arn}.")


def test_garbage_next_token_is_refused(sagemaker: Any, cognito_workforce: str) -> None:
    # Given a NextToken no page produced
    # When it is used
    code, message = error_of(sagemaker.list_workteams, NextToken="not-a-token")
    # Then ValidationException, not an internal error
    assert code == "ValidationException"
    assert "NextToken" in message
