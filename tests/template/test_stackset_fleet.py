"""The StackSet form deployed to an organizational unit on moto: two accounts x two Regions
with service-managed permissions, every stack publishing to one central topic in an
operations account; the real handler run in each stack instance against its own workforce."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from engine.accounts import attributes
from engine.world import example
from template.fleet import (
    CODE_KEY,
    STACK_SET,
    TOPIC_REGION,
    Fleet,
    Target,
    code_zip,
    sha256_base64,
)
from workforce_reconciler import cli

REGIONS = ["us-east-1", "eu-west-1"]

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


@pytest.fixture
def fleet(aws: None, aws_credentials: None) -> Fleet:
    """The organization, the central topic with the docs' policies, the StackSet deployed."""
    return Fleet.deploy(REGIONS)


def document_for(target: Target) -> dict[str, Any]:
    """Each account and Region has its own workforce, so its own document."""
    document = example("cognito")
    document["Workforce"]["WorkforceName"] = f"labeling-{target.account}-{target.region}"
    document["Workteams"] = document["Workteams"][:1]
    document["Workteams"][0]["Description"] = f"Segments CT scans ({target.region})"
    document["Policy"] = {"Mode": "enforce"}
    return document


def workforces(target: Target) -> list[str]:
    sagemaker = target.session.client("sagemaker")
    return [w["WorkforceName"] for w in sagemaker.list_workforces()["Workforces"]]


def test_the_stackset_creates_one_stack_per_account_and_region(fleet: Fleet) -> None:
    # Given the StackSet deployed to the OU in two Regions
    cloudformation = boto3.client("cloudformation", region_name=TOPIC_REGION)

    # When listing its instances, and looking into each account and Region
    instances = cloudformation.list_stack_instances(StackSetName=STACK_SET)["Summaries"]
    operation = cloudformation.describe_stack_set_operation(
        StackSetName=STACK_SET, OperationId=fleet.operation_id
    )["StackSetOperation"]

    # Then every account of the OU has one current stack in every Region, and nothing else
    assert operation["Status"] == "SUCCEEDED"
    assert sorted((i["Account"], i["Region"], i["Status"]) for i in instances) == sorted(
        (account, region, "CURRENT") for account in fleet.members for region in REGIONS
    )
    for target in fleet.all_targets():
        # each function's code came from its own Region's bucket, at CodeKey
        assert target.function["CodeSha256"] == sha256_base64(code_zip(target.region))
        assert target.function["FunctionArn"].startswith(
            f"arn:aws:lambda:{target.region}:{target.account}:function:"
        )
        # and publishes to the central topic: no topic of its own
        assert target.environment["TOPIC_ARN"] == fleet.topic.arn
        assert target.session.client("sns").list_topics()["Topics"] == []
    assert CODE_KEY.startswith("workforce-reconciler/")


def test_each_stack_reconciles_its_own_workforce_and_reports_to_the_central_topic(
    fleet: Fleet,
) -> None:
    # Given each account and Region's own document, put in its own parameter
    targets = fleet.all_targets()
    for target in targets:
        target.put_document(document_for(target))

    # When the schedule runs each stack instance's function
    results = [target.run_schedule()["Status"] for target in targets]

    # Then each one created its own workforce, in its own account and Region only
    assert results == ["Corrected"] * 4
    for target in targets:
        assert workforces(target) == [f"labeling-{target.account}-{target.region}"]
    # and the operations account heard of all four on its one topic, each message saying
    # which account and Region it is about
    messages = fleet.topic.messages()
    told = sorted(
        (attributes(m)["event_type"], attributes(m)["account"], attributes(m)["region"])
        for m in messages
    )
    assert told == sorted(("DriftCorrected", t.account, t.region) for t in targets)


def test_a_second_run_in_sync_tells_nobody(fleet: Fleet) -> None:
    # Given the fleet converged
    for target in fleet.all_targets():
        target.put_document(document_for(target))
        target.run_schedule()
    fleet.topic.messages()

    # When the schedule runs again everywhere
    results = [target.run_schedule()["Status"] for target in fleet.all_targets()]

    # Then every stack is in sync and the central topic stays quiet
    assert results == ["InSync"] * 4
    assert fleet.topic.messages() == []


def test_the_operators_fleet_plan_reports_all_four(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the fleet converged, then a console edit in one account and Region
    for target in fleet.all_targets():
        target.put_document(document_for(target))
        target.run_schedule()
    edited = fleet.target(fleet.members[1], "eu-west-1")
    edited.session.client("sagemaker").update_workteam(
        WorkteamName="medical-annotators", Description="edited in the console"
    )

    # When the operator (management account credentials) plans the fleet through the role
    # the organization gives it in each member account
    capsys.readouterr()
    code = cli.main(
        [
            "plan",
            "--parameter",
            "/workforce-reconciler/desired-state",
            *[arg for region in REGIONS for arg in ("--region", region)],
            *[arg for account in fleet.members for arg in ("--account", account)],
            "--role-arn-template",
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            "--output",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)

    # Then all four are reported, each from its own account and Region, the edited one with
    # its change, and the exit code says drift somewhere
    assert code == 2
    expected = {(t.account, t.region): "InSync" for t in fleet.all_targets()}
    expected[edited.account, edited.region] = "DriftDetected"
    assert [(t["Account"], t["Region"], t["Status"]) for t in out["Targets"]] == [
        (account, region, status) for (account, region), status in expected.items()
    ]
    [drifted] = [t for t in out["Targets"] if t["Status"] == "DriftDetected"]
    [action] = drifted["Report"]["Plan"]["Actions"]
    assert (action["Operation"], action["ResourceName"]) == ("UpdateWorkteam", "medical-annotators")
    assert drifted["Report"]["WorkforceName"] == f"labeling-{edited.account}-eu-west-1"
