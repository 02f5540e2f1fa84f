"""The conditions a report raises and the new/reminder/silent/resolved decisions: no words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workforce_reconciler.notifications import (
    DOCUMENT_CONDITIONS,
    Condition,
    EventType,
    Notice,
    Raised,
    decide,
    raised_by,
)
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
    Severity,
)
from workforce_reconciler.ports import ConditionRecord

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SOURCE = "ssm:/workforce-reconciler/desired-state"

NEW_TEAM = Action(
    Operation=Operation.CREATE_WORKTEAM,
    ResourceType=ResourceType.WORKTEAM,
    ResourceName="labelers",
    Classification=Classification.CORRECTABLE,
    Reason="not in SageMaker",
)
OTHER_TEAM = NEW_TEAM.model_copy(update={"ResourceName": "reviewers"})
DELETE_OLD = Action(
    Operation=Operation.DELETE_WORKTEAM,
    ResourceType=ResourceType.WORKTEAM,
    ResourceName="old",
    Classification=Classification.BLOCKED,
    Reason="not in the document",
)


def report(
    *actions: Action,
    mode: Mode = Mode.ENFORCE,
    results: tuple[ActionResult, ...] = (),
    status: str = "Active",
) -> Report:
    return Report(
        Trigger="schedule",
        Mode=mode,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=actions),
        Results=results,
        WorkforceStatus=status,
        DocumentSource=SOURCE,
    )


def result(action: Action, outcome: Outcome) -> ActionResult:
    code = "ValidationException" if outcome is Outcome.FAILED else None
    return ActionResult(Action=action, Outcome=outcome, ErrorCode=code)


def condition(key: EventType, fingerprint: str = "f1") -> Condition:
    return Condition(key=key, severity=Severity.WARNING, fingerprint=fingerprint)


def record(key: str, fingerprint: str = "f1", last_notified: datetime = T0) -> ConditionRecord:
    return ConditionRecord(
        key=key,
        fingerprint=fingerprint,
        first_seen=T0,
        last_notified=last_notified,
        summary=f"sent about {key}",
    )


def raised(*conditions: Condition, evaluated: frozenset[EventType] | None = None) -> Raised:
    every = frozenset(EventType) if evaluated is None else evaluated
    return Raised(conditions={c.key: c for c in conditions}, evaluated=every)


def summary(c: Condition) -> str:
    return f"new {c.key.value}"


# -------------------------------------------------------------------------- raised_by


def test_invalid_document_raises_only_itself_with_its_problems_in_document_order() -> None:
    # Given a document with two problems, the later path first
    problems = (
        DocumentProblem(Path="Workteams", Message="at most 25 work teams"),
        DocumentProblem(Path="Workforce.Name", Message="required"),
    )
    given = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        DocumentSource=SOURCE,
        DocumentProblems=problems,
    )

    # When its conditions are raised
    raised = raised_by(given)

    # Then one InvalidDocument carries the problems as found, and only the document
    # conditions can be resolved by it (it says nothing about the workforce)
    assert list(raised.conditions) == [EventType.INVALID_DOCUMENT]
    assert raised.conditions[EventType.INVALID_DOCUMENT].problems == problems
    assert raised.evaluated == DOCUMENT_CONDITIONS


def test_a_stopped_run_raises_its_error_and_evaluates_nothing_else() -> None:
    # Given a run that stopped before it could compare anything
    given = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        DocumentSource=SOURCE,
        Error=RunError(Code="AccessDenied", Message="not allowed"),
    )

    # When its conditions are raised
    raised = raised_by(given)

    # Then a ReconcileError about the workforce, and nothing else can be resolved
    [error] = raised.conditions.values()
    assert (error.key, error.severity, error.workforce) == (
        EventType.RECONCILE_ERROR,
        Severity.ERROR,
        "default",
    )
    assert error.error == given.Error
    assert raised.evaluated == {EventType.RECONCILE_ERROR}


def test_failed_workforce_apply_failure_and_blocked_drift_are_raised_together() -> None:
    # Given a Failed workforce, a failed create, one create never tried, a blocked delete
    failed = result(NEW_TEAM, Outcome.FAILED)
    not_tried = result(OTHER_TEAM, Outcome.SKIPPED)
    given = report(
        NEW_TEAM,
        OTHER_TEAM,
        DELETE_OLD,
        results=(failed, not_tried, result(DELETE_OLD, Outcome.SKIPPED)),
        status="Failed",
    )

    # When its conditions are raised
    raised = raised_by(given)

    # Then each carries its facts: the failures, what was not attempted, the blocked
    assert list(raised.conditions) == [
        EventType.WORKFORCE_FAILED,
        EventType.APPLY_FAILED,
        EventType.BLOCKED_DRIFT,
    ]
    apply_failed = raised.conditions[EventType.APPLY_FAILED]
    assert (apply_failed.failed, apply_failed.not_attempted) == ((failed,), (not_tried,))
    assert raised.conditions[EventType.BLOCKED_DRIFT].actions == (DELETE_OLD,)
    assert {c.workforce for c in raised.conditions.values()} == {"default"}
    assert raised.corrected == ()


@pytest.mark.parametrize(
    ("given", "evaluates_apply"),
    [
        (report(NEW_TEAM, mode=Mode.DETECT), False),
        (report(NEW_TEAM, results=(result(NEW_TEAM, Outcome.SKIPPED),)), False),
        (report(NEW_TEAM, results=(result(NEW_TEAM, Outcome.APPLIED),)), True),
        (report(DELETE_OLD, results=(result(DELETE_OLD, Outcome.SKIPPED),)), True),
    ],
    ids=["detect-mode", "applicable-skipped", "applied", "blocked-skipped"],
)
def test_only_a_run_that_tried_every_applicable_action_evaluates_apply_failed(
    given: Report, evaluates_apply: bool
) -> None:
    # When a run without failures is raised
    raised = raised_by(given)

    # Then ApplyFailed can be resolved only if the run tried what it could apply
    assert (EventType.APPLY_FAILED in raised.evaluated) is evaluates_apply
    assert EventType.APPLY_FAILED not in raised.conditions


def test_detect_mode_raises_drift_and_an_apply_raises_the_corrected_event() -> None:
    # Given the same change, once detected and once applied
    applied = result(NEW_TEAM, Outcome.APPLIED)
    detected = raised_by(report(NEW_TEAM, mode=Mode.DETECT))
    corrected = raised_by(report(NEW_TEAM, results=(applied,)))

    # Then detection is a condition, correction an event (no condition)
    assert detected.conditions[EventType.DRIFT_DETECTED].actions == (NEW_TEAM,)
    assert detected.corrected == ()
    assert corrected.conditions == {}
    assert corrected.corrected == (applied,)


def test_fingerprint_is_about_the_actions_not_their_order_or_reason() -> None:
    # Given the same blocked actions, reordered and reworded
    delete_legacy = DELETE_OLD.model_copy(update={"ResourceName": "legacy"})
    reworded = DELETE_OLD.model_copy(update={"Reason": "another wording"})
    first = raised_by(report(DELETE_OLD, delete_legacy))
    second = raised_by(report(delete_legacy, reworded))

    # Then the fingerprints agree; another set of actions does not
    key = EventType.BLOCKED_DRIFT
    assert first.conditions[key].fingerprint == second.conditions[key].fingerprint
    fewer = raised_by(report(DELETE_OLD))
    assert fewer.conditions[key].fingerprint != first.conditions[key].fingerprint


# ----------------------------------------------------------------------------- decide


def test_a_condition_with_no_record_is_new_and_gets_a_record() -> None:
    # Given blocked drift and nothing open
    blocked = condition(EventType.BLOCKED_DRIFT)

    # When it is decided
    decisions = decide(raised(blocked), {}, now=T0, reminder_interval=DAY, summary=summary)

    # Then it is new, first seen now, with a record that keeps the given summary
    [decision] = decisions.raised
    assert (decision.condition, decision.notice, decision.first_seen) == (blocked, Notice.NEW, T0)
    assert decision.record == ConditionRecord(
        key="BlockedDrift",
        fingerprint="f1",
        first_seen=T0,
        last_notified=T0,
        summary="new BlockedDrift",
    )
    assert decisions.notified == (decision,)
    assert decisions.updates == {"BlockedDrift": decision.record}
    assert decisions.resolved == ()


def test_another_fingerprint_is_a_new_condition() -> None:
    # Given blocked drift open with another fingerprint, notified a minute ago
    later = T0 + timedelta(minutes=1)
    open_conditions = {"BlockedDrift": record("BlockedDrift", "f0")}

    # When it is decided
    decisions = decide(
        raised(condition(EventType.BLOCKED_DRIFT, "f1")),
        open_conditions,
        now=later,
        reminder_interval=DAY,
        summary=summary,
    )

    # Then it is new at once, first seen now
    [decision] = decisions.raised
    assert (decision.notice, decision.first_seen) == (Notice.NEW, later)
    assert decision.record is not None
    assert (decision.record.fingerprint, decision.record.first_seen) == ("f1", later)


@pytest.mark.parametrize(
    ("elapsed", "notice"),
    [(DAY - timedelta(seconds=1), Notice.SILENT), (DAY, Notice.REMINDER)],
    ids=["before-interval", "at-interval"],
)
def test_the_same_condition_is_silent_until_the_interval_then_reminded(
    elapsed: timedelta, notice: Notice
) -> None:
    # Given blocked drift notified at T0
    open_conditions = {"BlockedDrift": record("BlockedDrift")}
    now = T0 + elapsed

    def no_summary(c: Condition) -> str:
        raise AssertionError("only a new condition gets a new summary")

    # When the same condition is decided after `elapsed`
    decisions = decide(
        raised(condition(EventType.BLOCKED_DRIFT)),
        open_conditions,
        now=now,
        reminder_interval=DAY,
        summary=no_summary,
    )

    # Then it is silent (nothing to put), or a reminder that moves last_notified only
    [decision] = decisions.raised
    assert (decision.notice, decision.first_seen) == (notice, T0)
    if notice is Notice.SILENT:
        assert decision.record is None
        assert (decisions.notified, decisions.updates) == ((), {})
    else:
        assert decision.record == ConditionRecord(
            key="BlockedDrift",
            fingerprint="f1",
            first_seen=T0,
            last_notified=now,
            summary="sent about BlockedDrift",
        )
        assert decisions.updates == {"BlockedDrift": decision.record}


def test_open_conditions_are_resolved_only_where_the_report_could_evaluate_them() -> None:
    # Given three conditions open, and a report that evaluates two and raises one
    open_conditions = {
        key: record(key) for key in ("WorkforceFailed", "BlockedDrift", "InvalidDocument")
    }
    given = raised(
        condition(EventType.INVALID_DOCUMENT),
        evaluated=frozenset({EventType.INVALID_DOCUMENT, EventType.BLOCKED_DRIFT}),
    )

    # When it is decided
    decisions = decide(given, open_conditions, now=T0 + DAY, reminder_interval=DAY, summary=summary)

    # Then only the evaluated one it no longer raises is resolved (deleted after the
    # puts); the one it could not see stays open
    assert decisions.resolved == (open_conditions["BlockedDrift"],)
    assert decisions.updates == {
        "InvalidDocument": decisions.raised[0].record,
        "BlockedDrift": None,
    }
    assert list(decisions.updates) == ["InvalidDocument", "BlockedDrift"]


def test_decisions_follow_the_conditions_order_and_resolutions_the_key_order() -> None:
    # Given conditions raised in another order, and two open ones to resolve
    given = raised(condition(EventType.DRIFT_DETECTED), condition(EventType.WORKFORCE_FAILED))
    open_conditions = {
        "ReconcileError": record("ReconcileError"),
        "ApplyFailed": record("ApplyFailed"),
    }

    # When they are decided
    decisions = decide(given, open_conditions, now=T0, reminder_interval=DAY, summary=summary)

    # Then WorkforceFailed comes before DriftDetected, ApplyFailed before ReconcileError
    assert [d.condition.key for d in decisions.raised] == [
        EventType.WORKFORCE_FAILED,
        EventType.DRIFT_DETECTED,
    ]
    assert [r.key for r in decisions.resolved] == ["ApplyFailed", "ReconcileError"]


# -- deferred conditions: a transient failure is told only when the next run repeats it --


def throttled(action: Action) -> ActionResult:
    return ActionResult(
        Action=action, Outcome=Outcome.FAILED, ErrorCode="ThrottlingException", Retryable=True
    )


def test_an_apply_that_failed_only_transiently_is_deferred_and_a_mixed_one_is_not() -> None:
    only_transient = raised_by(report(NEW_TEAM, results=(throttled(NEW_TEAM),)))
    mixed = raised_by(
        report(
            NEW_TEAM,
            OTHER_TEAM,
            results=(throttled(NEW_TEAM), result(OTHER_TEAM, Outcome.FAILED)),
        )
    )
    assert only_transient.conditions[EventType.APPLY_FAILED].deferred
    assert not mixed.conditions[EventType.APPLY_FAILED].deferred


def test_a_deferred_condition_is_silent_once_then_told_when_the_next_run_repeats_it() -> None:
    # Given a run whose only failure was throttling
    raised = raised_by(report(NEW_TEAM, results=(throttled(NEW_TEAM),)))

    # When it is decided with nothing open
    first = decide(raised, {}, now=T0, reminder_interval=DAY, summary=lambda c: "subject")

    # Then nothing is sent, and a record that was not notified is kept
    assert first.notified == ()
    stored = first.updates["ApplyFailed"]
    assert stored is not None
    assert not stored.notified

    # When the next run raises the same failure
    second = decide(
        raised,
        {"ApplyFailed": stored},
        now=T0 + timedelta(minutes=15),
        reminder_interval=DAY,
        summary=lambda c: "subject",
    )

    # Then it is told now, as new, since when it was first seen
    (decision,) = second.notified
    assert decision.notice is Notice.NEW
    assert decision.first_seen == T0
    told = second.updates["ApplyFailed"]
    assert told is not None
    assert told.notified


def test_a_deferred_condition_that_clears_goes_without_a_word() -> None:
    # Given a record kept for a transient failure nobody was told about
    pending = ConditionRecord(
        key="ApplyFailed",
        fingerprint="f1",
        first_seen=T0,
        last_notified=T0,
        summary="subject",
        notified=False,
    )

    # When the next run applies everything
    cleared = decide(
        raised_by(report(NEW_TEAM, results=(result(NEW_TEAM, Outcome.APPLIED),))),
        {"ApplyFailed": pending},
        now=T0 + timedelta(minutes=15),
        reminder_interval=DAY,
        summary=lambda c: "subject",
    )

    # Then no Resolved message, and the record is deleted
    assert cleared.resolved == ()
    assert cleared.forgotten == (pending,)
    assert cleared.updates == {"ApplyFailed": None}
