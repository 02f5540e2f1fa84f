"""What ``status`` says about conditions and runs that the CLI tests do not reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workforce_reconciler.adapters.state_store import InMemoryStateStore
from workforce_reconciler.notifications import CONDITIONS, raised_by
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    DocumentProblem,
    Mode,
    Operation,
    Outcome,
    Plan,
    Report,
    ResourceType,
    RunError,
)
from workforce_reconciler.status import (
    SEVERITY,
    format_standing,
    read_standing,
    record_run,
)

ACTION = Action(
    Operation=Operation.UPDATE_WORKTEAM,
    ResourceType=ResourceType.WORKTEAM,
    ResourceName="labelers",
    Classification=Classification.CORRECTABLE,
    Reason="differs",
)
BLOCKED = ACTION.model_copy(update={"Classification": Classification.BLOCKED})


def report(**fields: object) -> Report:
    return Report.model_validate(
        {"Trigger": "schedule", "Mode": Mode.ENFORCE, "Region": "us-east-1", **fields}
    )


def test_the_severity_status_shows_is_the_one_each_condition_is_notified_with() -> None:
    # Given a report raising each condition
    plan = Plan(WorkforceName="default", Actions=(ACTION,))
    reports = [
        report(DocumentProblems=(DocumentProblem(Path="$.Version", Message="is required"),)),
        report(),
        report(Plan=Plan(WorkforceName="default"), WorkforceStatus="Failed"),
        report(
            Plan=plan,
            Results=(ActionResult(Action=ACTION, Outcome=Outcome.FAILED, ErrorCode="Boom"),),
        ),
        report(Plan=Plan(WorkforceName="default", Actions=(BLOCKED,))),
        report(Plan=plan, Mode=Mode.DETECT),
        report(Error=RunError(Code="AccessDenied", Message="no")),
    ]

    # When the notifier's conditions are collected
    raised = {c.key.value: c.severity for r in reports for c in raised_by(r).conditions.values()}

    # Then every condition was raised, and status names the same severity
    assert set(raised) == {c.value for c in CONDITIONS}
    assert raised == SEVERITY


def test_a_run_without_a_plan_says_why() -> None:
    store = InMemoryStateStore()
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    scope = "us-east-1:/p"
    for run, summary in (
        (
            report(Error=RunError(Code="AccessDenied", Message="ClientSecret=hunter2 denied")),
            ("  Stopped before planning: AccessDenied: ClientSecret=(redacted) denied"),
        ),
        (
            report(DocumentProblems=(DocumentProblem(Path="$", Message="not JSON"),)),
            "  The document is invalid (1 problem).",
        ),
        (report(), "  The document does not exist."),
    ):
        record_run(store, scope, run, at=at, reminder_interval=timedelta(hours=6))
        text = format_standing(read_standing(store, "us-east-1", "/p"))
        assert text.splitlines()[2:4] == [
            f"Last run: 2026-11-23 15:00 UTC (schedule, mode enforce): {run.status.value}",
            summary,
        ]
