"""The words: what ``conditions.decide`` decided, as SNS messages people and programs read.

Each ``Message`` has a subject, the email text (headline, the run's context, the
condition's sections, what to do next, a footer), the JSON form (``JSON_VERSION``) and
the attributes subscribers filter on. ``messages_for`` is the whole of it: raise,
decide, then word a message for every new condition and reminder, for what the run
corrected (``DriftCorrected``) and for every resolved condition (``Resolved``).

Every subject is ASCII, one line and at most 99 characters (SNS refuses others):
``fit_subject`` shortens the workforce name first. No message ever carries the OIDC
client secret: every text and JSON form goes through ``redaction``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from workforce_reconciler.notifications.conditions import (
    Condition,
    Decision,
    EventType,
    Notice,
    decide,
    raised_by,
    workforce_name,
)
from workforce_reconciler.notifications.links import links
from workforce_reconciler.plan import Action, ActionResult, Report, Severity
from workforce_reconciler.ports import ConditionRecord
from workforce_reconciler.redaction import redact, redact_text
from workforce_reconciler.render import change_dicts, format_action, format_result
from workforce_reconciler.text import count

SUBJECT_PREFIX = "[workforce-reconciler] "
SUBJECT_MAX = 99  # SNS: "must be less than 100 characters long"
JSON_VERSION = 1


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


# ---------------------------------------------------------------------------- helpers


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


def located(subject: str, report: Report) -> str:
    """``subject`` ending with `` [<account> <region>]`` when that fits whole within
    ``SUBJECT_MAX`` (the stacks of a fleet may share one topic); otherwise as it is. The
    body, the JSON form and the attributes always name the account and the region."""
    if not (report.Account and report.Region):
        return subject
    suffix = _ascii_line(f" [{report.Account} {report.Region}]")
    if suffix in subject or len(subject) + len(suffix) > SUBJECT_MAX:
        return subject
    return subject + suffix


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return count(seconds // size, unit)
    return count(seconds, "second")


def _action_json(action: Action) -> dict[str, Any]:
    return {
        "Operation": action.Operation.value,
        "ResourceType": action.ResourceType.value,
        "ResourceName": action.ResourceName,
        "Classification": action.Classification.value,
        "Reason": redact_text(action.Reason),
        "Changes": change_dicts(action),
    }


def _result_json(result: ActionResult) -> dict[str, Any]:
    return {
        **_action_json(result.Action),
        "Outcome": result.Outcome.value,
        "ErrorCode": result.ErrorCode,
        "ErrorMessage": redact_text(result.ErrorMessage) if result.ErrorMessage else None,
    }


def _action_lines(actions: Iterable[Action]) -> list[str]:
    return [line for action in actions for line in format_action(action)]


def _result_lines(results: Iterable[ActionResult]) -> list[str]:
    lines: list[str] = []
    for result in results:
        lines.append(format_result(result))
        lines.extend(format_action(result.Action)[1:])
    return lines


# ------------------------------------------------------------- what each condition says


@dataclass(frozen=True)
class _Wording:
    """What a condition's message says, before new/reminder decides the subject."""

    lead: str  # subject text before the workforce name
    name: str  # the part of the subject that is shortened when it is too long
    tail: str  # subject text after it
    headline: str  # the first sentence of the body
    sections: list[tuple[str, list[str]]]
    next_steps: str
    details: dict[str, Any] = field(default_factory=dict)  # added to the JSON form
    reminder_tail: str = ""  # what of ``tail`` a reminder keeps (it adds "since when")


def _invalid_document(condition: Condition) -> _Wording:
    problems = condition.problems
    n = count(len(problems) + condition.problems_omitted, "problem")
    listed = [f"  {p.where}: {p.Message}" for p in problems]
    if condition.problems_omitted:
        listed.append(f"  ... and {count(condition.problems_omitted, 'more problem')}")
    return _Wording(
        lead="Invalid desired-state document",
        name="",
        tail=f" ({n}), nothing changed",
        headline=f"The desired-state document is invalid ({n}). Nothing was changed.",
        sections=[("Problems", listed)],
        next_steps=(
            "Fix each problem at the path shown and put the document again "
            "(workforce-reconciler push, or aws ssm put-parameter --overwrite). "
            "`workforce-reconciler validate FILE` checks a file offline. Until then the "
            "workforce and its work teams are left as they are."
        ),
        details={
            "DocumentProblems": [
                {
                    **({"Part": p.Part} if p.Part else {}),
                    "Path": p.Path,
                    "Message": redact_text(p.Message),
                }
                for p in problems
            ],
            "DocumentProblemsOmitted": condition.problems_omitted,
        },
    )


def _document_missing(condition: Condition) -> _Wording:
    return _Wording(
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


def _workforce_failed(condition: Condition) -> _Wording:
    name = condition.workforce
    reason = condition.failure_reason or "no reason given"
    return _Wording(
        lead="Workforce ",
        name=name,
        tail=" is Failed",
        reminder_tail=" is Failed",
        headline=f"SageMaker reports workforce {name} as Failed: {reason}",
        sections=[],
        next_steps=(
            "Workers may not be able to sign in. "
            + (
                redact_text(condition.advice)  # the ways out the plan names, commands too
                if condition.advice
                else "SageMaker cannot change a Failed workforce: it must be deleted and "
                "created again (Policy.AllowDisruptiveChanges lets the reconciler do it)."
            )
        ),
        details={"FailureReason": reason, "Advice": condition.advice},
    )


def _blocked_drift(condition: Condition) -> _Wording:
    name, actions = condition.workforce, condition.actions
    n = count(len(actions), "change")
    return _Wording(
        lead="Blocked drift on workforce ",
        name=name,
        tail=f" needs a person ({n})",
        headline=(
            f"Workforce {name} differs from the document in {n} that the reconciler "
            "may not make on its own. Nothing was changed for them."
        ),
        sections=[("Needs a person", _action_lines(actions))],
        next_steps=(
            "Each change says why it is blocked and the ways out: make it yourself at a "
            "time that suits the workers, allow it in the document's Policy where one "
            "exists for it, or change the document to match what exists."
        ),
        details={"Actions": [_action_json(a) for a in actions]},
    )


def _drift_detected(condition: Condition) -> _Wording:
    name, actions = condition.workforce, condition.actions
    n = count(len(actions), "change")
    return _Wording(
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


def _apply_failed(condition: Condition) -> _Wording:
    name, failed, skipped = condition.workforce, condition.failed, condition.not_attempted
    n = count(len(failed), "change")
    sections = [("Failed", _result_lines(failed))]
    if skipped:
        sections.append(("Not attempted (they depend on a failed step)", _result_lines(skipped)))
    return _Wording(
        lead="Apply failed on workforce ",
        name=name,
        tail=f" ({n} failed)",
        headline=f"{n} to workforce {name} failed.",
        sections=sections,
        next_steps=(
            "Read each error above. The next run retries whatever still differs; if an "
            "error repeats, fix its cause (permissions, service limits, the document)."
        ),
        details={
            "Results": [_result_json(r) for r in failed],
            "NotAttempted": [_result_json(r) for r in skipped],
        },
    )


def _reconcile_error(condition: Condition) -> _Wording:
    error, name = condition.error, condition.workforce
    assert error is not None
    return _Wording(
        lead="Reconcile stopped" + (" on workforce " if name else ""),
        name=name,
        tail=f": {error.Code}",
        headline=(
            "The reconciler could not read what it needs, so it compared and changed "
            f"nothing: {redact_text(error.Message)}"
        ),
        sections=[],
        next_steps=(
            "Fix the cause named above (often a permission of the function's role, or a "
            "client-secret reference that does not exist); the next run retries."
        ),
        details={"Error": {"Code": error.Code, "Message": redact_text(error.Message)}},
    )


_WORDING: dict[EventType, Callable[[Condition], _Wording]] = {
    EventType.INVALID_DOCUMENT: _invalid_document,
    EventType.DOCUMENT_MISSING: _document_missing,
    EventType.WORKFORCE_FAILED: _workforce_failed,
    EventType.BLOCKED_DRIFT: _blocked_drift,
    EventType.DRIFT_DETECTED: _drift_detected,
    EventType.APPLY_FAILED: _apply_failed,
    EventType.RECONCILE_ERROR: _reconcile_error,
}


def first_subject(condition: Condition) -> str:
    """The subject a condition is first sent with; its record keeps it as its summary."""
    wording = _WORDING[condition.key](condition)
    return fit_subject(wording.lead, wording.name, wording.tail)


# ---------------------------------------------------------------------------- messages


def _context(report: Report) -> list[str]:
    workforce = workforce_name(report) or "(unknown: the document could not be read)"
    if report.WorkforceStatus and report.WorkforceStatus != "Active":
        workforce += f" (SageMaker status {report.WorkforceStatus})"
    rows = [
        ("Workforce", workforce),
        ("Account", report.Account or "(unknown)"),
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
        "Workforce": workforce_name(report),
        "WorkforceStatus": report.WorkforceStatus,
        "Account": report.Account,
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
        "workforce": workforce_name(report) or "unknown",
        "account": report.Account or "unknown",
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


def _subject_and_headline(wording: _Wording, decision: Decision) -> tuple[str, str]:
    if decision.notice is Notice.REMINDER:
        # The tail (counts) goes: a reminder is about the very condition sent before.
        since = _when(decision.first_seen)
        subject = fit_subject(
            f"Reminder: {wording.lead}", wording.name, f"{wording.reminder_tail} (since {since})"
        )
        return subject, f"Reminder: still unresolved since {since}. {wording.headline}"
    return fit_subject(wording.lead, wording.name, wording.tail), wording.headline


def _condition_message(
    report: Report,
    decision: Decision,
    *,
    now: datetime,
    interval: timedelta,
    plan_command: str | None = None,
) -> Message:
    condition = decision.condition
    wording = _WORDING[condition.key](condition)
    subject, headline = _subject_and_headline(wording, decision)
    where, linked = links(condition, report.Region, plan_command)
    subject = located(subject, report)
    footer = (
        f"Condition {condition.key.value} (fingerprint {condition.fingerprint}), first seen "
        f"{_when(decision.first_seen)}. You are reminded every {_duration(interval)} while it "
        "lasts, and told once when it is resolved."
    )
    document = _base_document(report, condition.key, condition.severity, subject, now)
    document["Condition"] = {
        "Key": condition.key.value,
        "Fingerprint": condition.fingerprint,
        "FirstSeen": decision.first_seen.astimezone(UTC).isoformat(),
        "Reminder": decision.notice is Notice.REMINDER,
    }
    document.update(wording.details)
    sections = wording.sections + ([("Where to look", where)] if where else [])
    if linked:
        document["Links"] = linked
    return Message(
        event_type=condition.key,
        severity=condition.severity,
        subject=subject,
        text=_text(headline, report, sections, wording.next_steps, footer),
        document=redact(document),
        attributes=_attributes(report, condition.key, condition.severity, condition.key.value),
        condition_key=condition.key.value,
    )


def _resolved_message(report: Report, record: ConditionRecord, now: datetime) -> Message:
    was = record.summary.removeprefix(SUBJECT_PREFIX).removeprefix("Reminder: ")
    subject = located(fit_subject("Resolved: ", was), report)
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


def _drift_corrected_message(
    report: Report, applied: tuple[ActionResult, ...], now: datetime
) -> Message:
    name = workforce_name(report) or "unknown"
    n = count(len(applied), "change")
    subject = located(fit_subject("Drift corrected on workforce ", name, f" ({n})"), report)
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
    plan_command: str | None = None,
) -> tuple[list[Message], dict[str, ConditionRecord | None]]:
    """The messages this report calls for, and the condition records to put (or delete: None).

    ``open_conditions`` are the records stored by earlier runs, keyed by condition key.
    ``plan_command``: the CLI command that shows the plan (``links.plan_command``), named
    in the messages a person acts on; the console links need only the report's Region.
    The messages come in this order: new conditions and reminders (in ``CONDITIONS``
    order), DriftCorrected, then the resolved conditions by key.
    """
    raised = raised_by(report)
    decisions = decide(
        raised, open_conditions, now=now, reminder_interval=reminder_interval, summary=first_subject
    )
    messages = [
        _condition_message(
            report, decision, now=now, interval=reminder_interval, plan_command=plan_command
        )
        for decision in decisions.notified
    ]
    if raised.corrected:
        messages.append(_drift_corrected_message(report, raised.corrected, now))
    messages.extend(_resolved_message(report, record, now) for record in decisions.resolved)
    return messages, decisions.updates
