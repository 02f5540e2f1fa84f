"""A fleet's plan when a target fails in ways the emulator cannot provoke: a role that cannot
be assumed (moto's STS assumes any role), a bug in one target. What the operator reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from workforce_reconciler import fleet
from workforce_reconciler.plan import Mode, Plan, Report

ROLE = "arn:aws:iam::{account}:role/WorkforceReconcilerPlan"
TARGETS = fleet.targets(["us-east-1"], ["444455556666", "777788889999"], ROLE)


def in_sync(target: fleet.Target) -> Report:
    return Report(
        Trigger="cli-plan",
        Mode=Mode.ENFORCE,
        Region=target.region,
        WorkforceName="labeling",
        Plan=Plan(WorkforceName="labeling"),
    )


def refused_for_prod(target: fleet.Target) -> Report:
    if target.account == "777788889999":
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform AssumeRole"}},
            "AssumeRole",
        )
    return in_sync(target)


def planner(plan: Callable[[fleet.Target], Report], debug: bool = False) -> fleet.Planner:
    return fleet.Planner(plan=plan, exit_code=lambda report: 0, debug=debug)


def test_a_role_that_cannot_be_assumed_fails_its_target_only() -> None:
    # Given production's role refusing to be assumed
    # When the fleet is planned
    results = fleet.run(TARGETS, planner(refused_for_prod))

    # Then that target says which role and why, the other is planned, and the fleet fails
    text = fleet.format_fleet(results)
    assert (
        "error: cannot assume arn:aws:iam::777788889999:role/WorkforceReconcilerPlan: "
        "AccessDenied: not authorized to perform AssumeRole"
    ) in text
    assert "No changes. Workforce labeling matches the document." in text
    assert "Fleet: 2 target(s): 1 in sync, 0 with changes pending, 1 failed." in text
    assert fleet.exit_code(results) == 1
    assert results[0].report is not None
    assert results[0].report.Account == "444455556666"


def test_a_bug_in_one_target_is_reported_there_unless_debugging() -> None:
    # Given a plan that breaks on one target
    def broken(target: fleet.Target) -> Report:
        if target.account == "444455556666":
            raise KeyError("Workforce")
        return in_sync(target)

    # When the fleet is planned, then planned with --debug
    results = fleet.run(TARGETS, planner(broken))

    # Then the other target is still planned, and the broken one says what broke
    assert [r.problem for r in results] == ["unexpected KeyError: 'Workforce'", None]
    with pytest.raises(KeyError):
        fleet.run(TARGETS, planner(broken, debug=True))


@pytest.mark.parametrize(
    ("codes", "fleet_code"),
    [((0, 0), 0), ((0, 2), 2), ((2, 1), 1), ((1, 0), 1)],
)
def test_the_fleets_exit_code_is_the_worst_of_its_targets(
    codes: tuple[int, int], fleet_code: int
) -> None:
    # Given targets ending with these exit codes
    results = [
        fleet.Result(t, error=None, exit_code=c) for t, c in zip(TARGETS, codes, strict=True)
    ]

    # When the fleet's exit code is read
    # Then an error anywhere is 1, else drift anywhere is 2, else 0
    assert fleet.exit_code(results) == fleet_code
