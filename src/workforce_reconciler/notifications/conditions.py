"""Which conditions a report raises, and what to do about each: data in, data out, no words.

A condition is a problem that lasts until something changes (a Failed workforce,
blocked drift, an invalid document...). Each has a key (its ``EventType`` value) and a
fingerprint, a stable hash of what it is about: the same key and fingerprint is the
same condition.

``raised_by(report)`` gives the conditions a report raises, each with the facts a
message about it tells, and the conditions the report could evaluate at all (a run
that could not read its document says nothing about the workforce). ``decide`` then
compares them with the records earlier runs stored:

* no record, or a record of another fingerprint: **new**, notify at once and put a
  fresh record;
* the same fingerprint: **silent** until ``reminder_interval`` has passed since it was
  last notified, then a **reminder** (the record keeps its first_seen and summary);
* an open record whose condition the report could evaluate and does not raise:
  **resolved**, notify once and delete the record.

A **deferred** condition (an apply that failed only transiently: throttling, a 5xx) is
told only when two consecutive runs raise it: the first run stores a record that is not
notified, and if the next run clears it the record goes without a word. A throttled step
that the next run (or Lambda's own retry) does is nobody's business.

``DriftCorrected`` is an event, not a condition: ``Raised.corrected`` is what the run
applied, told every time. The words of every message are in ``messages.py``.

Fingerprints are stored in the state table, which outlives deployments: a change to
what they hash re-notifies every open condition as new. They hash what a condition is
about (resources, fields, values, error codes), never wording (an action's Reason, an
error's message, which carry request ids).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from workforce_reconciler.plan import (
    Action,
    ActionResult,
    DocumentProblem,
    Mode,
    Outcome,
    Plan,
    Report,
    RunError,
    Severity,
)
from workforce_reconciler.ports import ConditionRecord
from workforce_reconciler.render import change_dicts


class EventType(StrEnum):
    INVALID_DOCUMENT = "InvalidDocument"
    DOCUMENT_MISSING = "DocumentMissing"
    WORKFORCE_FAILED = "WorkforceFailed"
    BLOCKED_DRIFT = "BlockedDrift"
    DRIFT_DETECTED = "DriftDetected"
    APPLY_FAILED = "ApplyFailed"
    RECONCILE_ERROR = "ReconcileError"
    DRIFT_CORRECTED = "DriftCorrected"
    RESOLVED = "Resolved"


# The conditions, in the order their messages are sent.
CONDITIONS: tuple[EventType, ...] = (
    EventType.INVALID_DOCUMENT,
    EventType.DOCUMENT_MISSING,
    EventType.WORKFORCE_FAILED,
    EventType.APPLY_FAILED,
    EventType.BLOCKED_DRIFT,
    EventType.DRIFT_DETECTED,
    EventType.RECONCILE_ERROR,
)
DOCUMENT_CONDITIONS = frozenset({EventType.INVALID_DOCUMENT, EventType.DOCUMENT_MISSING})


@dataclass(frozen=True)
class Condition:
    """A condition a report raises: what it is, and the facts its message tells.

    Only the facts of its ``key`` are set; the others keep their empty defaults.
    """

    key: EventType
    severity: Severity
    fingerprint: str
    workforce: str = ""  # the workforce it is about; "" when the run could not tell
    problems: tuple[DocumentProblem, ...] = ()  # InvalidDocument, in the document's order
    problems_omitted: int = 0  # InvalidDocument: beyond the ones listed
    failure_reason: str | None = None  # WorkforceFailed: SageMaker's FailureReason
    advice: str | None = None  # WorkforceFailed: the ways out the plan names (wording only)
    actions: tuple[Action, ...] = ()  # BlockedDrift, DriftDetected
    failed: tuple[ActionResult, ...] = ()  # ApplyFailed
    not_attempted: tuple[ActionResult, ...] = ()  # ApplyFailed: applicable, then skipped
    error: RunError | None = None  # ReconcileError
    deferred: bool = False  # told only when the next run raises it again (transient)


@dataclass(frozen=True)
class Raised:
    """What one report raises."""

    conditions: dict[EventType, Condition]
    # The conditions the report could evaluate at all: only these can be resolved.
    evaluated: frozenset[EventType]
    # The DriftCorrected event: what the run applied (empty: nothing to tell).
    corrected: tuple[ActionResult, ...] = ()


class Notice(StrEnum):
    """What to tell about a raised condition."""

    NEW = "new"  # notify at once
    REMINDER = "reminder"  # still there, and the reminder interval has passed
    SILENT = "silent"  # still there, notified recently enough


@dataclass(frozen=True)
class Decision:
    """What to do about one raised condition."""

    condition: Condition
    notice: Notice
    first_seen: datetime  # ``now`` for a new condition, else the stored record's
    record: ConditionRecord | None  # to put once its message is sent; None when silent


@dataclass(frozen=True)
class Decisions:
    """Everything ``decide`` decided for one report."""

    raised: tuple[Decision, ...]  # every raised condition, in ``CONDITIONS`` order
    resolved: tuple[ConditionRecord, ...]  # open, notified records the report clears
    forgotten: tuple[ConditionRecord, ...] = ()  # cleared before anyone was told

    @property
    def notified(self) -> tuple[Decision, ...]:
        """The raised conditions to send a message about (new ones and reminders)."""
        return tuple(d for d in self.raised if d.notice is not Notice.SILENT)

    @property
    def updates(self) -> dict[str, ConditionRecord | None]:
        """The records to put, then the ones to delete (None), by condition key."""
        updates: dict[str, ConditionRecord | None] = {
            d.condition.key.value: d.record for d in self.raised if d.record is not None
        }
        updates.update((record.key, None) for record in (*self.resolved, *self.forgotten))
        return updates


# ------------------------------------------------------------------------ fingerprints


def fingerprint(what: Any) -> str:
    """A short stable hash of ``what`` (any JSON-able value; key order does not matter)."""
    canonical = json.dumps(what, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def action_key(action: Action) -> dict[str, Any]:
    """What an action is about, for fingerprints: never its Reason or Classification.

    Change values are redacted as in every message, so nothing secret is hashed.
    """
    # The key order matters: the sort in _actions_fingerprint reads it.
    return {
        "Operation": action.Operation.value,
        "ResourceType": action.ResourceType.value,
        "ResourceName": action.ResourceName,
        "Changes": change_dicts(action),
    }


def _actions_fingerprint(actions: Iterable[Action]) -> str:
    """What a set of actions is about, whatever their order or wording."""
    return fingerprint(sorted((action_key(a) for a in actions), key=json.dumps))


def _failures_fingerprint(results: Iterable[ActionResult]) -> str:
    """The failed actions and their error codes, not the messages (they carry request ids)."""
    what = sorted(([action_key(r.Action), r.ErrorCode] for r in results), key=json.dumps)
    return fingerprint(what)


# -------------------------------------------------------------------------- conditions


def workforce_name(report: Report) -> str | None:
    """The workforce the report is about, when the run got as far as knowing it."""
    if report.WorkforceName:
        return report.WorkforceName
    return report.Plan.WorkforceName if report.Plan is not None else None


def _reconcile_error(report: Report) -> Condition:
    assert report.Error is not None
    return Condition(
        key=EventType.RECONCILE_ERROR,
        severity=Severity.ERROR,
        # The code and what it is about (another unreadable secret is a new condition),
        # not the message: messages carry request ids.
        fingerprint=fingerprint(
            [report.DocumentSource, report.Error.Code]
            + ([report.Error.Subject] if report.Error.Subject else [])
        ),
        workforce=workforce_name(report) or "",
        error=report.Error,
    )


def _invalid_document(report: Report) -> Condition:
    problems = sorted((p.where, p.Message) for p in report.DocumentProblems)
    return Condition(
        key=EventType.INVALID_DOCUMENT,
        severity=Severity.ERROR,
        # (the count joins only when problems were left out, so stored fingerprints of
        # documents with few problems stay as they were)
        fingerprint=fingerprint(
            [report.DocumentSource, problems]
            + ([report.DocumentProblemsOmitted] if report.DocumentProblemsOmitted else [])
        ),
        problems=report.DocumentProblems,
        problems_omitted=report.DocumentProblemsOmitted,
    )


def _document_missing(report: Report) -> Condition:
    return Condition(
        key=EventType.DOCUMENT_MISSING,
        severity=Severity.WARNING,
        fingerprint=fingerprint([report.DocumentSource]),
    )


def _skipped_applicable(report: Report) -> tuple[ActionResult, ...]:
    """Applicable actions the run skipped (blocked ones are always skipped: not these)."""
    return tuple(r for r in report.Results if r.Outcome is Outcome.SKIPPED and r.Action.applicable)


def _workforce_failed(report: Report, plan: Plan, name: str) -> Condition:
    advice = [f.Advice for f in plan.Findings if f.Code == "WorkforceFailed" and f.Advice]
    return Condition(
        key=EventType.WORKFORCE_FAILED,
        severity=Severity.CRITICAL,
        fingerprint=fingerprint([name, report.FailureReason]),
        workforce=name,
        failure_reason=report.FailureReason,
        advice=advice[0] if advice else None,
    )


def _apply_failed(report: Report, name: str) -> Condition:
    return Condition(
        key=EventType.APPLY_FAILED,
        severity=Severity.ERROR,
        fingerprint=_failures_fingerprint(report.failed),
        workforce=name,
        failed=report.failed,
        not_attempted=_skipped_applicable(report),
        deferred=all(r.Retryable for r in report.failed),
    )


def _drift(key: EventType, actions: tuple[Action, ...], name: str) -> Condition:
    """BlockedDrift or DriftDetected: the actions the reconciler did not make."""
    return Condition(
        key=key,
        severity=Severity.WARNING,
        fingerprint=_actions_fingerprint(actions),
        workforce=name,
        actions=actions,
    )


def _workforce_conditions(report: Report, plan: Plan) -> list[Condition]:
    """The conditions of a run that read its document and the workforce."""
    name = workforce_name(report) or plan.WorkforceName
    raised: list[Condition] = []
    if report.WorkforceStatus == "Failed":
        raised.append(_workforce_failed(report, plan, name))
    if report.failed:
        raised.append(_apply_failed(report, name))
    if plan.blocked_actions:
        raised.append(_drift(EventType.BLOCKED_DRIFT, plan.blocked_actions, name))
    if report.Mode is Mode.DETECT and plan.applicable_actions:
        raised.append(_drift(EventType.DRIFT_DETECTED, plan.applicable_actions, name))
    return raised


def _workforce_evaluated(report: Report) -> frozenset[EventType]:
    """Every condition, except ApplyFailed when the run did not try every applicable action.

    Nothing was attempted (detect mode), or applicable actions were skipped after an
    earlier step stopped the run: that says nothing about whether they would fail now.
    """
    if not report.failed and (report.Mode is Mode.DETECT or _skipped_applicable(report)):
        return frozenset(CONDITIONS) - {EventType.APPLY_FAILED}
    return frozenset(CONDITIONS)


def _raised_conditions(report: Report) -> tuple[list[Condition], frozenset[EventType]]:
    if report.Error is not None and report.Error.Retryable:
        # Throttling or a 5xx before anything was compared: Lambda retries the event,
        # and what still fails after its retries lands in the DLQ (whose alarm pages).
        # Nothing to tell a person yet, and nothing was evaluated.
        return [], frozenset()
    if report.Error is not None:
        return [_reconcile_error(report)], frozenset({EventType.RECONCILE_ERROR})
    if report.DocumentProblems:
        return [_invalid_document(report)], DOCUMENT_CONDITIONS
    if report.Plan is None:
        return [_document_missing(report)], DOCUMENT_CONDITIONS
    return _workforce_conditions(report, report.Plan), _workforce_evaluated(report)


def raised_by(report: Report) -> Raised:
    """The conditions the report raises, the ones it could evaluate, and what it corrected."""
    conditions, evaluated = _raised_conditions(report)
    return Raised(
        conditions={c.key: c for c in conditions},
        evaluated=evaluated,
        corrected=report.applied,
    )


# ----------------------------------------------------------------------- state machine


def _decide_one(
    condition: Condition,
    record: ConditionRecord | None,
    *,
    now: datetime,
    reminder_interval: timedelta,
    summary: Callable[[Condition], str],
) -> Decision:
    if record is None or record.fingerprint != condition.fingerprint:
        new = ConditionRecord(
            key=condition.key.value,
            fingerprint=condition.fingerprint,
            first_seen=now,
            last_notified=now,
            summary=summary(condition),
            notified=not condition.deferred,
        )
        if condition.deferred:
            return Decision(condition, Notice.SILENT, now, new)
        return Decision(condition, Notice.NEW, now, new)
    if not record.notified or now - record.last_notified >= reminder_interval:
        told = ConditionRecord(
            key=condition.key.value,
            fingerprint=record.fingerprint,
            first_seen=record.first_seen,
            last_notified=now,
            summary=record.summary,
        )
        notice = Notice.REMINDER if record.notified else Notice.NEW
        return Decision(condition, notice, record.first_seen, told)
    return Decision(condition, Notice.SILENT, record.first_seen, None)


def decide(
    raised: Raised,
    open_conditions: Mapping[str, ConditionRecord],
    *,
    now: datetime,
    reminder_interval: timedelta,
    summary: Callable[[Condition], str],
) -> Decisions:
    """New, reminder or silent for each raised condition; the open records it resolves.

    ``open_conditions`` are the records earlier runs stored, by condition key.
    ``summary`` gives a new condition's record its summary: the subject line its
    message is sent with (``messages.first_subject``), which a Resolved message quotes.
    """
    decisions = tuple(
        _decide_one(
            raised.conditions[key],
            open_conditions.get(key.value),
            now=now,
            reminder_interval=reminder_interval,
            summary=summary,
        )
        for key in CONDITIONS
        if key in raised.conditions
    )
    cleared = [
        record
        for key, record in sorted(open_conditions.items())
        if key in raised.evaluated and key not in raised.conditions
    ]
    return Decisions(
        raised=decisions,
        resolved=tuple(r for r in cleared if r.notified),
        forgotten=tuple(r for r in cleared if not r.notified),
    )
