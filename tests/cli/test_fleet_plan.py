"""``plan`` over a fleet: several accounts (through a role in each) and Regions at once, one
section per target, one exit code (0 all in sync, 2 drift anywhere, 1 an error anywhere)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from cli.helpers import Cli, program
from engine.accounts import session_in
from engine.world import PARAMETER, example
from workforce_emulator import controls
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.reconcile import Reconciler

DEV, PROD = "444455556666", "777788889999"
CALLER = "123456789012"  # the account of the test's credentials (moto's default)
REGIONS = ("us-east-1", "eu-west-1")
TEMPLATE = "arn:aws:iam::{account}:role/WorkforceReconcilerPlan"


def document(account: str, region: str) -> dict[str, Any]:
    """Each account and Region has its own workforce, hence its own document."""
    doc = example("cognito")
    doc["Workforce"]["WorkforceName"] = f"labeling-{account}-{region}"
    doc["Workteams"] = doc["Workteams"][:1]
    doc["Policy"] = {"Mode": "enforce"}
    return doc


def converge(account: str, region: str) -> None:
    """Put the target's document in its account and Region, and apply it there."""
    session = session_in(account, region)
    ssm = session.client("ssm")
    ssm.put_parameter(
        Name=PARAMETER, Value=json.dumps(document(account, region)), Type="String", Overwrite=True
    )
    reconciler = Reconciler(
        SageMakerGateway(session.client("sagemaker")),
        wait=WaitSettings(timeout_seconds=5, poll_seconds=0.01),
    )
    report = reconciler.run(SsmDocumentSource(ssm, PARAMETER), "test")
    assert report.status.value == "Corrected", report


def drift(account: str, region: str) -> None:
    """Someone edits a team in the console of that account and Region."""
    session_in(account, region).client("sagemaker").update_workteam(
        WorkteamName="medical-annotators", Description="edited in the console"
    )


def fleet_plan(cli: Cli, *extra: str) -> Any:
    regions = [arg for region in REGIONS for arg in ("--region", region)]
    accounts = ["--account", DEV, "--account", PROD, "--role-arn-template", TEMPLATE]
    return cli("plan", "--parameter", PARAMETER, *regions, *accounts, *extra)


@pytest.fixture
def converged(aws: None) -> None:
    for account in (DEV, PROD):
        for region in REGIONS:
            converge(account, region)
    controls.clear_calls()


def headers(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("=== ")]


def test_a_fleet_in_sync_exits_0_with_a_section_per_account_and_region(
    cli: Cli, converged: None
) -> None:
    # Given two accounts in two Regions, each converged to its own document
    # When the operator plans the fleet through the role in each account
    ran = fleet_plan(cli)

    # Then exit 0, one section per target in the order asked, each in sync, and a summary
    assert ran.code == 0, ran.printed
    assert headers(ran.out) == [
        f"=== {account} {region} (as arn:aws:iam::{account}:role/WorkforceReconcilerPlan) ==="
        for account in (DEV, PROD)
        for region in REGIONS
    ]
    for account in (DEV, PROD):
        for region in REGIONS:
            assert f"No changes. Workforce labeling-{account}-{region} matches" in ran.out
    assert "Fleet: 4 target(s): 4 in sync, 0 with changes pending, 0 failed." in ran.out
    assert f"  {PROD}  eu-west-1       InSync  exit 0" in ran.out
    assert ran.err == ""


def test_drift_in_one_account_and_region_exits_2_and_shows_it_in_its_section(
    cli: Cli, converged: None
) -> None:
    # Given a console edit in production, eu-west-1 only
    drift(PROD, "eu-west-1")
    controls.clear_calls()

    # When the fleet is planned
    ran = fleet_plan(cli)

    # Then exit 2, and only that section shows the change, before -> after
    assert ran.code == 2, ran.printed
    sections = ran.out.split("=== ")[1:]
    changed = [s for s in sections if "~ Workteam/medical-annotators (UpdateWorkteam)" in s]
    assert [s.splitlines()[0] for s in changed] == [
        f"{PROD} eu-west-1 (as arn:aws:iam::{PROD}:role/WorkforceReconcilerPlan) ==="
    ]
    assert "    Description: 'edited in the console' -> " in changed[0]
    assert "Fleet: 4 target(s): 3 in sync, 1 with changes pending, 0 failed." in ran.out
    assert f"  {PROD}  eu-west-1       DriftDetected  exit 2" in ran.out
    # and nothing was written anywhere: a plan reads
    assert [
        c["Operation"]
        for c in controls.calls()
        if not c["Operation"].startswith(("Describe", "List"))
    ] == []


def test_an_error_anywhere_exits_1_and_every_other_target_is_still_planned(
    cli: Cli, converged: None
) -> None:
    # Given drift in one target, and SageMaker refusing the first target's read
    drift(PROD, "us-east-1")
    controls.add_fault("DescribeWorkforce", error="AccessDeniedException", message="no access")

    # When the fleet is planned one target at a time (the first gets the refusal)
    ran = fleet_plan(cli, "--parallelism", "1")

    # Then exit 1; the failed target says why, on stdout and stderr; the others are planned
    assert ran.code == 1, ran.printed
    assert "Fleet: 4 target(s): 2 in sync, 1 with changes pending, 1 failed." in ran.out
    assert f"  {DEV}  us-east-1       Error          exit 1" in ran.out
    assert f"  {PROD}  us-east-1       DriftDetected  exit 2" in ran.out
    assert ran.err.startswith(f"error: {DEV} us-east-1: ")
    assert "no access" in ran.err
    assert "Traceback" not in ran.printed


def test_a_missing_document_in_one_target_fails_the_fleet(cli: Cli, converged: None) -> None:
    # Given one account whose eu-west-1 document was deleted
    session_in(DEV, "eu-west-1").client("ssm").delete_parameter(Name=PARAMETER)

    # When the fleet is planned
    ran = fleet_plan(cli)

    # Then exit 1, naming the target and what is missing
    assert ran.code == 1, ran.printed
    assert ran.err == f"error: {DEV} eu-west-1: ssm:{PARAMETER} does not exist\n"


def test_without_accounts_the_callers_regions_are_planned(aws: None, cli: Cli) -> None:
    # Given the caller's own account converged in two Regions
    for region in REGIONS:
        converge(CALLER, region)

    # When only Regions are given
    ran = cli("plan", "--parameter", PARAMETER, "--region", REGIONS[0], "--region", REGIONS[1])

    # Then each Region of the credentials' account (STS tells which) is a section
    assert ran.code == 0, ran.printed
    assert headers(ran.out) == [f"=== {CALLER} {region} ===" for region in REGIONS]


def test_json_gives_every_target_its_report_and_the_fleets_exit_code(
    cli: Cli, converged: None
) -> None:
    # Given drift in one target
    drift(DEV, "eu-west-1")

    # When the fleet is planned as JSON
    ran = fleet_plan(cli, "--output", "json")

    # Then one document: each target with its account, Region, role, status and report
    assert ran.code == 2, ran.printed
    out = ran.json
    assert out["ExitCode"] == 2
    assert [(t["Account"], t["Region"], t["Status"], t["ExitCode"]) for t in out["Targets"]] == [
        (DEV, "us-east-1", "InSync", 0),
        (DEV, "eu-west-1", "DriftDetected", 2),
        (PROD, "us-east-1", "InSync", 0),
        (PROD, "eu-west-1", "InSync", 0),
    ]
    first = out["Targets"][0]
    assert first["RoleArn"] == f"arn:aws:iam::{DEV}:role/WorkforceReconcilerPlan"
    assert first["Error"] is None
    assert (first["Report"]["Account"], first["Report"]["Region"]) == (DEV, "us-east-1")
    assert first["Report"]["Status"] == "InSync"


def test_targets_are_read_concurrently_but_never_more_than_the_bound(aws: None, cli: Cli) -> None:
    # Given four Regions of the caller's account, each read slowly (1 s per DescribeWorkforce)
    regions = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")
    for region in regions:
        converge(CALLER, region)
    controls.clear_calls()

    def most_at_once(parallelism: int) -> int:
        controls.clear_calls()
        controls.add_fault("DescribeWorkforce", delay_ms=1000, count=len(regions))
        ran = cli(
            "plan",
            "--parameter",
            PARAMETER,
            *[arg for region in regions for arg in ("--region", region)],
            "--parallelism",
            str(parallelism),
        )
        assert ran.code == 0, ran.printed
        return overlap(controls.calls())

    # When the fleet is planned with a bound of 2, then of 4
    # Then the calls of no more than 2, then of all 4, targets were under way at once
    assert most_at_once(2) == 2
    assert most_at_once(4) == 4


def overlap(calls: list[dict[str, Any]]) -> int:
    """The most targets (Regions) whose SageMaker calls were under way at one moment: a
    target is under way from its first call to its last (the emulator logs each call as it
    starts; DescribeWorkforce, delayed, comes first)."""
    spans: dict[str, list[datetime]] = {}
    for call in calls:
        moment = datetime.fromisoformat(call["Time"].replace("Z", "+00:00"))
        spans.setdefault(call["Region"], []).append(moment)
    intervals = [(min(times), max(times)) for times in spans.values()]
    return max(sum(start <= moment < end for start, end in intervals) for moment, _ in intervals)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--account", DEV],
            "error: --account needs --role-arn-template: the role to assume in each account",
        ),
        (
            ["--role-arn-template", TEMPLATE],
            "error: --role-arn-template needs at least one --account",
        ),
        (
            ["--account", DEV, "--role-arn-template", "arn:aws:iam::111122223333:role/Plan"],
            "has no {account}: it would assume the same role for every account",
        ),
        (
            ["--account", DEV, "--role-arn-template", "{account}"],
            "not an IAM role ARN of that account",
        ),
        (["--account", "12345"], "argument --account: '12345' is not an AWS account ID"),
        (["--region", "us-east-1", "--parallelism", "0"], "is not a number from 1 to 64"),
        (
            ["--region", "us-east-1", "--region", "eu-west-1", "--state-table", "t"],
            "error: a plan of several accounts or Regions reads no state table",
        ),
    ],
)
def test_a_fleet_plan_asked_wrongly_says_what_and_exits_1(
    aws: None, cli: Cli, argv: list[str], message: str
) -> None:
    # Given a fleet plan with a mistake in its options
    # When it runs
    ran = cli("plan", "--parameter", PARAMETER, *argv)

    # Then exit 1 (never 2: that means drift), and the message says what is wrong
    assert ran.code == 1, ran.printed
    assert message in ran.err
    assert ran.out == ""
    assert "Traceback" not in ran.err


def test_the_installed_program_plans_a_fleet_over_http(emulator_server: str) -> None:
    # Given the emulator as a server, and one account's document in two Regions
    for region in REGIONS:
        session = session_in(DEV, region, endpoint_url=emulator_server)
        session.client("ssm", endpoint_url=emulator_server).put_parameter(
            Name=PARAMETER, Value=json.dumps(document(DEV, region)), Type="String"
        )

    # When the installed program plans them through the account's role
    done = program(
        "plan",
        "--parameter",
        PARAMETER,
        *[arg for region in REGIONS for arg in ("--region", region)],
        "--account",
        DEV,
        "--role-arn-template",
        TEMPLATE,
        "--endpoint-url",
        emulator_server,
    )

    # Then both are planned in that account (no workforce there yet: changes pending)
    assert done.returncode == 2, done.stdout + done.stderr
    assert headers(done.stdout) == [
        f"=== {DEV} {region} (as arn:aws:iam::{DEV}:role/WorkforceReconcilerPlan) ==="
        for region in REGIONS
    ]
    assert f"+ Workforce/labeling-{DEV}-eu-west-1 (CreateWorkforce)" in done.stdout
    assert done.stderr == ""
