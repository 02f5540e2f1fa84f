"""Which conditions a report raises, which of them to tell people about, and the messages.

Pure: no I/O and no clock. ``adapters/sns.py`` reads the open conditions from the
state store, calls ``messages_for`` and publishes what it returns.

Conditions are problems that last until something changes (a Failed workforce, blocked
drift, an invalid document...). Each has a key (its ``EventType`` value) and a
fingerprint, a stable hash of what it is about: the same key and fingerprint is the
same condition, which notifies once and then at most once per reminder interval; a
new fingerprint is a new condition and notifies at once. A condition that was open
and is absent from a report that could evaluate it is resolved: one ``Resolved``
message, and its record is deleted. ``DriftCorrected`` is an event, not a condition:
it is sent whenever a run applied something.

Every subject is ASCII, one line and at most 99 characters (SNS refuses others).
No message ever carries the OIDC client secret (see ``render.redact``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Mode,
    Outcome,
    Report,
    Severity,
)
from workforce_reconciler.ports import ConditionRecord
from workforce_reconciler.redaction import redact, redact_text
from workforce_reconciler.render import (
    change_values,
    format_action,
    format_result,
)
from workforce_reconciler.text import count

SUBJECT_PREFIX = "[workforce-reconciler] "
SUBJECT_MAX = 99  # SNS: "must be less than 100 characters long"
JSON_VERSION = 1


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


CONDITIONS: tuple[EventType, ...] = (
    EventType.INVALID_DOCUMENT,
    EventType.DOCUMENT_MISSING,
    EventType.WORKFORCE_FAILED,
    EventType.APPLY_FAILED,
    EventType.BLOCKED_DRIFT,
    EventType.DRIFT_DETECTED,
    EventType.RECONCILE_ERROR,
)
_DOCUMENT_CONDITIONS = frozenset({EventType.INVALID_DOCUMENT, EventType.DOCUMENT_MISSING})


@dataclass(frozen=True)
class Message:
    """One SNS message: the email text, the JSON form, and the filterable attributes."""

    event_type: EventType
    severity: Severity
    subject: str
    text: str
    document: dict[str, Any]
    attributes: dict[str, str]
    # The condition whose record is written or deleted once this message is sent
    # (None for DriftCorrected), so a failed publish leaves that record untouched.
    condition_key: str | None = None


@dataclass(frozen=True)
class _Raised:
    """A condition a report raises, before dedup decides whether to send it."""

    key: EventType
    severity: Severity
    fingerprint: str
    lead: str  # subject text before the workforce name
    name: str  # the part of the subject that is shortened when it is too long
    tail: str  # subject text after it
    headline: str  # the first sentence of the body
    sections: list[tuple[str, list[str]]]
    next_steps: str
    details: dict[str, Any] = field(default_factory=dict)
    reminder_tail: str = ""  # what of ``tail`` a reminder keeps (it adds "since when")


# --------------------------------------------------------------------------- helpers


def _fingerprint(what: Any) -> str:
    canonical = json.dumps(what, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")


def _ascii_line(text: str) -> str:
    """One line of printable ASCII: whitespace becomes a space, anything else ``?``."""
    return _NOT_PRINTABLE_ASCII.sub(lambda m: " " if m.group().isspace() else "?", text)


def fit_subject(lead: str, name: str = "", tail: str = "") -> str:
    """``SUBJECT_PREFIX + lead + name + tail``, shortening ``name`` to fit SUBJECT_MAX."""
    lead, name, tail = _ascii_line(lead), _ascii_line(name), _ascii_line(tail)
    fixed = len(SUBJECT_PREFIX) + len(lead) + len(tail)
    if fixed + len(name) > SUBJECT_MAX:
        room = SUBJECT_MAX - fixed
        if room >= 4:
            name = name[: room - 3] + "..."
    subject = redact_text(SUBJECT_PREFIX + lead + name + tail)
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 3] + "..."
    return subject


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return count(seconds // size, unit)
    return count(seconds, "second")


def _workforce(report: Report) -> str | None:
    if report.WorkforceName:
        return report.WorkforceName
    return report.Plan.WorkforceName if report.Plan is not None else None


def _action_json(action: Action) -> dict[str, Any]:
    changes = []
    for change in action.Changes:
        before, after = change_values(change)
        changes.append({"Field": change.Field, "Before": before, "After": after})
    return {
        "Operation": action.Operation.value,
        "ResourceType": action.ResourceType.value,
        "ResourceName": action.ResourceName,
        "Classification": action.Classification.value,
        "Reason": redact_text(action.Reason),
        "Changes": changes,
    }


def _result_json(result: ActionResult) -> dict[str, Any]:
    return {
        **_action_json(result.Action),
        "Outcome": result.Outcome.value,
        "ErrorCode": result.ErrorCode,
        "ErrorMessage": redact_text(result.ErrorMessage) if result.ErrorMessage else None,
    }


def _action_key(action: Action) -> dict[str, Any]:
    """What an action is about, for fingerprints: never its Reason (display only)."""
    data = _action_json(action)
    del data["Reason"], data["Classification"]
    return data


def _action_lines(actions: Iterable[Action]) -> list[str]:
    return [line for action in actions for line in format_action(action)]


def _result_lines(results: Iterable[ActionResult]) -> list[str]:
    lines: list[str] = []
    for result in results:
        lines.append(format_result(result))
        lines.extend(format_action(result.Action)[1:])
    return lines


# ------------------------------------------------------------------------ conditions


def _invalid_document(report: Report) -> _Raised:
    problems = sorted((p.Path, p.Message) for p in report.DocumentProblems)
    n = count(len(problems), "problem")
    return _Raised(
        key=EventType.INVALID_DOCUMENT,
        severity=Severity.ERROR,
        fingerprint=_fingerprint([report.DocumentSource, problems]),
        lead="Invalid desired-state document",
        name="",
        tail=f" ({n}), nothing changed",
        headline=f"The desired-state document is invalid ({n}). Nothing was changed.",
        sections=[("Problems", [f"  {p.Path}: {p.Message}" for p in report.DocumentProblems])],
        next_steps=(
            "Fix each problem at the path shown and put the document again "
            "(aws ssm put-parameter --overwrite). `workforce-reconciler validate FILE` "
            "checks a file offline. Until then the workforce and its work teams are "
            "left as they are."
        ),
        details={
            "DocumentProblems": [
                {"Path": p.Path, "Message": redact_text(p.Message)} for p in report.DocumentProblems
            ]
        },
    )


def _document_missing(report: Report) -> _Raised:
    return _Raised(
        key=EventType.DOCUMENT_MISSING,
        severity=Severity.WARNING,
        fingerprint=_fingerprint([report.DocumentSource]),
        lead="Desired-state document missing",
        name="",
        tail=", nothing changed",
        headline=(
            "The desired-state document does not exist (the parameter was deleted?). "
            "Nothing was changed, and nothing was deleted because of it."
        ),
        sections=[],
        next_steps=(
            "Put the document back (aws ssm put-parameter) to resume reconciling. "
            "The workforce and its work teams stay as they are until then; to remove "
            "them, delete them yourself."
        ),
    )


def _workforce_failed(report: Report, name: str) -> _Raised:
    reason = report.FailureReason or "no reason given"
    return _Raised(
        key=EventType.WORKFORCE_FAILED,
        severity=Severity.CRITICAL,
        fingerprint=_fingerprint([name, report.FailureReason]),
        lead="Workforce ",
        name=name,
        tail=" is Failed",
        reminder_tail=" is Failed",
        headline=f"SageMaker reports workforce {name} as Failed: {reason}",
        sections=[],
        next_steps=(
            "Workers may not be able to sign in. Fix the cause SageMaker names above "
            "(for example the OIDC endpoints or the VPC configuration in the document), "
            "then let the next run check again."
        ),
        details={"FailureReason": reason},
    )


def _actions_fingerprint(actions: Iterable[Action]) -> str:
    """What a set of actions is about, whatever their order or wording."""
    return _fingerprint(sorted((_action_key(a) for a in actions), key=json.dumps))


def _blocked_drift(actions: tuple[Action, ...], name: str) -> _Raised:
    n = count(len(actions), "change")
    return _Raised(
        key=EventType.BLOCKED_DRIFT,
        severity=Severity.WARNING,
        fingerprint=_actions_fingerprint(actions),
        lead="Blocked drift on workforce ",
        name=name,
        tail=f" needs a person ({n})",
        headline=(
            f"Workforce {name} differs from the document in {n} that the reconciler "
            "may not make on its own. Nothing was changed for them."
        ),
        sections=[("Needs a person", _action_lines(actions))],
        next_steps=(
            "Each change says why it is blocked. Either make it yourself at a time that "
            "suits the workers, allow it in the document's Policy, or change the "
            "document to match what exists."
        ),
        details={"Actions": [_action_json(a) for a in actions]},
    )


def _drift_detected(actions: tuple[Action, ...], name: str) -> _Raised:
    n = count(len(actions), "change")
    return _Raised(
        key=EventType.DRIFT_DETECTED,
        severity=Severity.WARNING,
        fingerprint=_actions_fingerprint(actions),
        lead="Drift detected on workforce ",
        name=name,
        tail=f" ({n}, not applied)",
        headline=(
            f"Workforce {name} differs from the document in {n}. "
            "The reconciler runs in detect mode, so nothing was changed."
        ),
        sections=[("Differences", _action_lines(actions))],
        next_steps=(
            "If the document is right, apply it (`workforce-reconciler apply`) or set "
            "Mode to enforce. If the live state is right, update the document."
        ),
        details={"Actions": [_action_json(a) for a in actions]},
    )


def _apply_failed(
    results: tuple[ActionResult, ...], name: str, skipped: tuple[ActionResult, ...] = ()
) -> _Raised:
    n = count(len(results), "change")
    what = sorted(
        ([_action_key(r.Action), r.ErrorCode] for r in results), key=lambda x: json.dumps(x)
    )
    return _Raised(
        key=EventType.APPLY_FAILED,
        severity=Severity.ERROR,
        # The error code, not the message: messages carry request ids and would make
        # every run look like a new condition.
        fingerprint=_fingerprint(what),
        lead="Apply failed on workforce ",
        name=name,
        tail=f" ({n} failed)",
        headline=f"{n} to workforce {name} failed.",
        sections=[("Failed", _result_lines(results))]
        + (
            [("Not attempted (they depend on a failed step)", _result_lines(skipped))]
            if skipped
            else []
        ),
        next_steps=(
            "Read each error above. The next run retries whatever still differs; if an "
            "error repeats, fix its cause (permissions, service limits, the document)."
        ),
        details={
            "Results": [_result_json(r) for r in results],
            "NotAttempted": [_result_json(r) for r in skipped],
        },
    )


def _reconcile_error(report: Report) -> _Raised:
    assert report.Error is not None
    name = _workforce(report) or ""
    return _Raised(
        key=EventType.RECONCILE_ERROR,
        severity=Severity.ERROR,
        # The code, not the message: messages carry request ids.
        fingerprint=_fingerprint([report.DocumentSource, report.Error.Code]),
        lead="Reconcile stopped" + (" on workforce " if name else ""),
        name=name,
        tail=f": {report.Error.Code}",
        headline=(
            "The reconciler could not read what it needs, so it compared and changed "
            f"nothing: {redact_text(report.Error.Message)}"
        ),
        sections=[],
        next_steps=(
            "Fix the cause named above (often a permission of the function's role, or a "
            "client-secret reference that does not exist); the next run retries."
        ),
        details={
            "Error": {"Code": report.Error.Code, "Message": redact_text(report.Error.Message)}
        },
    )


def _raised(report: Report) -> tuple[dict[EventType, _Raised], frozenset[EventType]]:
    """The conditions the report raises, and the ones it could evaluate at all."""
    if report.Error is not None:
        return {EventType.RECONCILE_ERROR: _reconcile_error(report)}, frozenset(
            {EventType.RECONCILE_ERROR}
        )
    if report.DocumentProblems:
        return {EventType.INVALID_DOCUMENT: _invalid_document(report)}, _DOCUMENT_CONDITIONS
    if report.Plan is None:
        return {EventType.DOCUMENT_MISSING: _document_missing(report)}, _DOCUMENT_CONDITIONS
    plan = report.Plan
    name = _workforce(report) or plan.WorkforceName
    evaluated = set(CONDITIONS)
    raised: dict[EventType, _Raised] = {}
    if report.WorkforceStatus == "Failed":
        raised[EventType.WORKFORCE_FAILED] = _workforce_failed(report, name)
    if report.failed:
        skipped = tuple(
            r for r in report.Results if r.Outcome is Outcome.SKIPPED and r.Action.applicable
        )
        raised[EventType.APPLY_FAILED] = _apply_failed(report.failed, name, skipped)
    elif report.Mode is Mode.DETECT or any(
        r.Outcome is Outcome.SKIPPED and r.Action.applicable for r in report.Results
    ):
        # Nothing was attempted (detect mode), or applicable actions were skipped after
        # an earlier step stopped the run: it says nothing about whether they would
        # fail now. (Blocked actions are always skipped; they do not count.)
        evaluated.discard(EventType.APPLY_FAILED)
    if plan.blocked_actions:
        raised[EventType.BLOCKED_DRIFT] = _blocked_drift(plan.blocked_actions, name)
    if report.Mode is Mode.DETECT and plan.applicable_actions:
        raised[EventType.DRIFT_DETECTED] = _drift_detected(plan.applicable_actions, name)
    return raised, frozenset(evaluated)


# -------------------------------------------------------------------------- messages


def _context(report: Report) -> list[str]:
    workforce = _workforce(report) or "(unknown: the document could not be read)"
    if report.WorkforceStatus and report.WorkforceStatus != "Active":
        workforce += f" (SageMaker status {report.WorkforceStatus})"
    rows = [
        ("Workforce", workforce),
        ("Region", report.Region),
        ("Trigger", report.Trigger),
        ("Mode", report.Mode.value),
        ("Document", report.DocumentSource or "(unknown)"),
        ("Status", report.status.value),
    ]
    return [f"{label + ':':<11}{value}" for label, value in rows]


def _base_document(
    report: Report, event_type: EventType, severity: Severity, subject: str, now: datetime
) -> dict[str, Any]:
    return {
        "Source": "workforce-reconciler",
        "Version": JSON_VERSION,
        "EventType": event_type.value,
        "Severity": severity.value,
        "Subject": subject,
        "Time": now.astimezone(UTC).isoformat(),
        "Workforce": _workforce(report),
        "WorkforceStatus": report.WorkforceStatus,
        "Region": report.Region,
        "Trigger": report.Trigger,
        "Mode": report.Mode.value,
        "DocumentSource": report.DocumentSource,
        "Status": report.status.value,
    }


def _attributes(
    report: Report, event_type: EventType, severity: Severity, condition: str | None
) -> dict[str, str]:
    attributes = {
        "event_type": event_type.value,
        "severity": severity.value,
        # SNS refuses empty attribute values; an unreadable document has no workforce.
        "workforce": _workforce(report) or "unknown",
        "region": report.Region,
    }
    if condition is not None:
        attributes["condition"] = condition
    return attributes


def _text(
    headline: str,
    report: Report,
    sections: list[tuple[str, list[str]]],
    next_steps: str,
    footer: str,
) -> str:
    parts = [headline, "\n".join(_context(report))]
    for title, lines in sections:
        parts.append("\n".join([f"{title}:", *lines]))
    parts.append(f"What to do next:\n{next_steps}")
    parts.append(f"-- \n{footer}")
    return redact_text("\n\n".join(parts) + "\n")


def _condition_message(
    report: Report,
    raised: _Raised,
    *,
    first_seen: datetime,
    reminder: bool,
    now: datetime,
    interval: timedelta,
) -> Message:
    if reminder:
        # The tail (counts) goes: a reminder is about the very condition sent before.
        subject = fit_subject(
            f"Reminder: {raised.lead}",
            raised.name,
            f"{raised.reminder_tail} (since {_when(first_seen)})",
        )
        headline = f"Reminder: still unresolved since {_when(first_seen)}. {raised.headline}"
    else:
        subject = fit_subject(raised.lead, raised.name, raised.tail)
        headline = raised.headline
    footer = (
        f"Condition {raised.key.value} (fingerprint {raised.fingerprint}), first seen "
        f"{_when(first_seen)}. You are reminded every {_duration(interval)} while it "
        "lasts, and told once when it is resolved."
    )
    document = _base_document(report, raised.key, raised.severity, subject, now)
    document["Condition"] = {
        "Key": raised.key.value,
        "Fingerprint": raised.fingerprint,
        "FirstSeen": first_seen.astimezone(UTC).isoformat(),
        "Reminder": reminder,
    }
    document.update(raised.details)
    return Message(
        event_type=raised.key,
        severity=raised.severity,
        subject=subject,
        text=_text(headline, report, raised.sections, raised.next_steps, footer),
        document=redact(document),
        attributes=_attributes(report, raised.key, raised.severity, raised.key.value),
        condition_key=raised.key.value,
    )


def _resolved_message(report: Report, record: ConditionRecord, now: datetime) -> Message:
    was = record.summary.removeprefix(SUBJECT_PREFIX).removeprefix("Reminder: ")
    subject = fit_subject("Resolved: ", was)
    headline = (
        f"Resolved: {record.key} is no longer present (open since "
        f"{_when(record.first_seen)}). It was reported as:\n  {record.summary}"
    )
    document = _base_document(report, EventType.RESOLVED, Severity.INFO, subject, now)
    document["Condition"] = {
        "Key": record.key,
        "Fingerprint": record.fingerprint,
        "FirstSeen": record.first_seen.astimezone(UTC).isoformat(),
        "Summary": record.summary,
        "ResolvedAt": now.astimezone(UTC).isoformat(),
    }
    return Message(
        event_type=EventType.RESOLVED,
        severity=Severity.INFO,
        subject=subject,
        text=_text(headline, report, [], "Nothing.", "Sent once when a condition clears."),
        document=redact(document),
        attributes=_attributes(report, EventType.RESOLVED, Severity.INFO, record.key),
        condition_key=record.key,
    )


def _drift_corrected_message(report: Report, now: datetime) -> Message:
    applied = report.applied
    name = _workforce(report) or "unknown"
    n = count(len(applied), "change")
    subject = fit_subject("Drift corrected on workforce ", name, f" ({n})")
    headline = (
        f"Workforce {name} differed from the document; the reconciler made {n} "
        "so that it matches again."
    )
    document = _base_document(report, EventType.DRIFT_CORRECTED, Severity.INFO, subject, now)
    document["Results"] = [_result_json(r) for r in applied]
    return Message(
        event_type=EventType.DRIFT_CORRECTED,
        severity=Severity.INFO,
        subject=subject,
        text=_text(
            headline,
            report,
            [("Changes applied", _action_lines(r.Action for r in applied))],
            "Nothing is required. If someone made the reverted changes on purpose, put them "
            "in the desired-state document, or the reconciler will undo them again.",
            "Sent whenever a run changes something.",
        ),
        document=redact(document),
        attributes=_attributes(report, EventType.DRIFT_CORRECTED, Severity.INFO, None),
    )


def messages_for(
    report: Report,
    open_conditions: dict[str, ConditionRecord],
    *,
    now: datetime,
    reminder_interval: timedelta,
) -> tuple[list[Message], dict[str, ConditionRecord | None]]:
    """The messages this report calls for, and the condition records to put (or delete: None).

    ``open_conditions`` are the records stored by earlier runs, keyed by condition key.
    """
    raised, evaluated = _raised(report)
    messages: list[Message] = []
    updates: dict[str, ConditionRecord | None] = {}

    for key in CONDITIONS:
        if key not in raised:
            continue
        condition = raised[key]
        record = open_conditions.get(key.value)
        if record is None or record.fingerprint != condition.fingerprint:
            message = _condition_message(
                report,
                condition,
                first_seen=now,
                reminder=False,
                now=now,
                interval=reminder_interval,
            )
            updates[key.value] = ConditionRecord(
                key=key.value,
                fingerprint=condition.fingerprint,
                first_seen=now,
                last_notified=now,
                summary=message.subject,
            )
        elif now - record.last_notified >= reminder_interval:
            message = _condition_message(
                report,
                condition,
                first_seen=record.first_seen,
                reminder=True,
                now=now,
                interval=reminder_interval,
            )
            updates[key.value] = ConditionRecord(
                key=key.value,
                fingerprint=record.fingerprint,
                first_seen=record.first_seen,
                last_notified=now,
                summary=record.summary,
            )
        else:
            continue
        messages.append(message)

    if report.applied:
        messages.append(_drift_corrected_message(report, now))

    for key_text, record in sorted(open_conditions.items()):
        if key_text in evaluated and key_text not in raised:
            messages.append(_resolved_message(report, record, now))
            updates[key_text] = None

    return messages, updates
