"""What is wrong right now, from the state table a deployed stack keeps.

The function writes, after each run, one ``last-run`` record under its deployment's scope
(``<region>:<desired-state parameter>``, beside the notifier's open conditions): when,
why, the run's status, its plan summary and each action's header line, what apply did,
and the reminder interval that dates the next reminders. ``workforce-reconciler status``
reads it back with the open conditions and the client-secret record of the workforce the
last run was about (``<region>/<workforce>``, ``engine/memory.py``), and presents them.

Every record is read as strings and every attribute added here is optional on read, so a
table written by an older version (no ``last-run``, a secret without ``applied_at``)
still reads: what it does not hold is shown as not recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from workforce_reconciler.engine.memory import SECRET_KEY, secret_scope
from workforce_reconciler.notifications import EventType
from workforce_reconciler.plan import Outcome, Report, Severity
from workforce_reconciler.redaction import redact_text
from workforce_reconciler.render import format_action, plan_counts
from workforce_reconciler.text import count

if TYPE_CHECKING:
    from workforce_reconciler.ports import ConditionRecord, StateStore

LAST_RUN_KEY = "last-run"

# The severity each condition is notified with (tests/unit/test_status.py checks these
# against the conditions ``notifications.raised_by`` raises).
SEVERITY: dict[str, Severity] = {
    EventType.INVALID_DOCUMENT.value: Severity.ERROR,
    EventType.DOCUMENT_MISSING.value: Severity.WARNING,
    EventType.WORKFORCE_FAILED.value: Severity.CRITICAL,
    EventType.APPLY_FAILED.value: Severity.ERROR,
    EventType.BLOCKED_DRIFT.value: Severity.WARNING,
    EventType.DRIFT_DETECTED.value: Severity.WARNING,
    EventType.RECONCILE_ERROR.value: Severity.ERROR,
}


# ------------------------------------------------------------------- the last run


def plan_summary(report: Report) -> str:
    """One line: the plan's counts, or why there is no plan."""
    if report.Error is not None:
        return redact_text(f"Stopped before planning: {report.Error.Code}: {report.Error.Message}")
    if report.DocumentProblems:
        return f"The document is invalid ({count(len(report.DocumentProblems), 'problem')})."
    if report.Plan is None:
        return "The document does not exist."
    if not report.Plan.Actions:
        return f"No changes. Workforce {report.Plan.WorkforceName} matches the document."
    c = plan_counts(report.Plan)
    return (
        f"Plan: {c['create']} to create, {c['update']} to update, "
        f"{c['delete']} to delete, {c['blocked']} blocked."
    )


def _headers(report: Report) -> list[str]:
    """Each action's header line, as ``plan`` prints it, marked when it was blocked."""
    if report.Plan is None:
        return []
    return [
        format_action(a)[0] + ("" if a.applicable else " [blocked]") for a in report.Plan.Actions
    ]


def record_run(
    store: StateStore, scope: str, report: Report, *, at: datetime, reminder_interval: timedelta
) -> None:
    """Write the ``last-run`` record of ``scope`` (the function calls it after each run)."""
    outcomes = [r.Outcome.value for r in report.Results]
    store.put_record(
        scope,
        LAST_RUN_KEY,
        {
            "at": at.astimezone(UTC).isoformat(),
            "status": report.status.value,
            "trigger": report.Trigger,
            "mode": report.Mode.value,
            "workforce": (report.Plan.WorkforceName if report.Plan else report.WorkforceName) or "",
            "summary": plan_summary(report),
            "actions": json.dumps(_headers(report)),
            "results": json.dumps({o.value: outcomes.count(o.value) for o in Outcome}),
            "reminder_minutes": str(int(reminder_interval.total_seconds() // 60)),
        },
    )


# ------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LastRun:
    at: datetime
    status: str
    trigger: str
    mode: str
    workforce: str
    summary: str
    actions: tuple[str, ...]
    results: dict[str, int]
    reminder_interval: timedelta | None


@dataclass(frozen=True)
class OpenCondition:
    key: str
    severity: str
    summary: str  # the subject it was first sent with
    since: datetime
    last_notified: datetime | None  # None: not told yet (a failure that may pass)
    next_reminder: datetime | None  # None: not known (no reminder interval recorded)


@dataclass(frozen=True)
class SecretState:
    workforce: str
    reference: str
    version: str
    applied_at: datetime | None  # None: recorded by a version that did not keep it


@dataclass(frozen=True)
class Standing:
    """Everything ``status`` shows about one deployment."""

    scope: str
    conditions: tuple[OpenCondition, ...]
    last_run: LastRun | None
    secret: SecretState | None

    @property
    def open(self) -> bool:
        return bool(self.conditions)


def _last_run(item: dict[str, str] | None) -> LastRun | None:
    if item is None:
        return None
    minutes = item.get("reminder_minutes")
    return LastRun(
        at=datetime.fromisoformat(item["at"]),
        status=item.get("status", ""),
        trigger=item.get("trigger", ""),
        mode=item.get("mode", ""),
        workforce=item.get("workforce", ""),
        summary=item.get("summary", ""),
        actions=tuple(json.loads(item.get("actions", "[]"))),
        results={k: int(v) for k, v in json.loads(item.get("results", "{}")).items()},
        reminder_interval=timedelta(minutes=int(minutes)) if minutes else None,
    )


def _open(record: ConditionRecord, interval: timedelta | None) -> OpenCondition:
    told = record.last_notified if record.notified else None
    return OpenCondition(
        key=record.key,
        severity=SEVERITY.get(record.key, Severity.WARNING).value,
        summary=record.summary,
        since=record.first_seen,
        last_notified=told,
        next_reminder=told + interval if told is not None and interval is not None else None,
    )


def _secret(store: StateStore, region: str, workforce: str) -> SecretState | None:
    if not workforce:
        return None
    item = store.read_records(secret_scope(region, workforce)).get(SECRET_KEY)
    if item is None:
        return None
    # (the record's reference ends with "@" and the workforce's CreateDate: whose secret)
    reference = item["reference"].rpartition("@")[0] or item["reference"]
    applied = item.get("applied_at")
    return SecretState(
        workforce=workforce,
        reference=reference,
        version=item["version"],
        applied_at=datetime.fromisoformat(applied) if applied else None,
    )


def read_standing(store: StateStore, region: str, parameter: str) -> Standing:
    """The deployment's open conditions, last run and client-secret record (3 Queries)."""
    scope = f"{region}:{parameter}"
    last = _last_run(store.read_records(scope).get(LAST_RUN_KEY))
    interval = last.reminder_interval if last is not None else None
    records = sorted(store.get_conditions(scope).values(), key=lambda r: r.first_seen)
    return Standing(
        scope=scope,
        conditions=tuple(_open(r, interval) for r in records),
        last_run=last,
        secret=_secret(store, region, last.workforce) if last is not None else None,
    )


# -------------------------------------------------------------------- presenting


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "not recorded"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _condition_lines(condition: OpenCondition) -> list[str]:
    if condition.last_notified is None:
        told = "not told yet: told if the next run still sees it"
    else:
        told = (
            f"last notified {_when(condition.last_notified)}, next reminder "
            f"{_when(condition.next_reminder)}"
        )
    return [
        f"  {condition.severity:<8} {condition.key}: {condition.summary}",
        f"           since {_when(condition.since)}, {told}",
    ]


def _last_run_lines(last: LastRun | None) -> list[str]:
    if last is None:
        return ["Last run: none recorded (the function records each run it makes)."]
    lines = [
        f"Last run: {_when(last.at)} ({last.trigger}, mode {last.mode}): {last.status}",
        f"  {last.summary}",
    ]
    lines.extend(f"  {header}" for header in last.actions)
    done = ", ".join(f"{n} {outcome}" for outcome, n in last.results.items() if n)
    if done:
        lines.append(f"  Results: {done}.")
    return lines


def _secret_lines(secret: SecretState | None, last: LastRun | None) -> list[str]:
    if secret is None:
        if last is None or not last.workforce:
            return []
        return [f"Client secret of workforce {last.workforce}: no version recorded."]
    return [
        f"Client secret of workforce {secret.workforce}:",
        f"  version {secret.version}, applied {_when(secret.applied_at)}",
        f"  from {secret.reference}",
    ]


def format_standing(standing: Standing) -> str:
    """The text ``status`` prints."""
    n = len(standing.conditions)
    if n:
        lines = [f"Open conditions of {standing.scope} ({n}):"]
        for condition in standing.conditions:
            lines.extend(_condition_lines(condition))
    else:
        lines = [f"Nothing is open for {standing.scope}: no condition needs a person."]
    lines.append("")
    lines.extend(_last_run_lines(standing.last_run))
    secret = _secret_lines(standing.secret, standing.last_run)
    if secret:
        lines.append("")
        lines.extend(secret)
    return redact_text("\n".join(lines))


def standing_json(standing: Standing) -> dict[str, Any]:
    """The stable JSON form of ``status --output json``."""
    last = standing.last_run
    secret = standing.secret
    return {
        "Scope": standing.scope,
        "Open": [
            {
                "Condition": c.key,
                "Severity": c.severity,
                "Summary": c.summary,
                "Since": _iso(c.since),
                "LastNotified": _iso(c.last_notified),
                "NextReminder": _iso(c.next_reminder),
            }
            for c in standing.conditions
        ],
        "LastRun": None
        if last is None
        else {
            "At": _iso(last.at),
            "Status": last.status,
            "Trigger": last.trigger,
            "Mode": last.mode,
            "Workforce": last.workforce or None,
            "Summary": last.summary,
            "Actions": list(last.actions),
            "Results": last.results,
        },
        "Secret": None
        if secret is None
        else {
            "Workforce": secret.workforce,
            "Reference": secret.reference,
            "Version": secret.version,
            "AppliedAt": _iso(secret.applied_at),
        },
    }
