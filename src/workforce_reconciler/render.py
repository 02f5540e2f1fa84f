"""Human-readable text of a plan and a report, shared by the CLI and the notifications.

A plan reads like ``terraform plan``: one header line per action (``+`` create,
``~`` update, ``-`` delete), then one line per field, ``before -> after``::

    ~ Workforce/default (UpdateWorkforce)
        OidcConfig.Scope: 'openid' -> 'openid email'
    + Workteam/labelers (CreateWorkteam)

    Plan: 1 to create, 1 to update, 0 to delete, 0 blocked.

Values are compact: strings quoted, lists and dicts as one-line JSON, absent
values as ``(none)``. Nothing here ever shows an OIDC client secret: any key named
``ClientSecret`` (in any case), any field path ending in it, and any
``ClientSecret=...`` inside free text is replaced by ``(redacted)`` before it is
rendered, although the plan is built never to carry the secret in the first place.
"""

from __future__ import annotations

import json
from typing import Any

from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    FieldChange,
    Operation,
    Outcome,
    Plan,
    Report,
    RunStatus,
)
from workforce_reconciler.redaction import REDACTED, is_secret_field, redact, redact_text
from workforce_reconciler.text import count

_CREATE = frozenset({Operation.CREATE_WORKFORCE, Operation.CREATE_WORKTEAM})
_DELETE = frozenset({Operation.DELETE_WORKFORCE, Operation.DELETE_WORKTEAM})

# ANSI SGR codes written out by hand: the Lambda artifact should not ship a terminal
# library (click/rich are development tools only), and these four are all we need.
_GREEN, _YELLOW, _RED, _BOLD, _RESET = "\033[32m", "\033[33m", "\033[31m", "\033[1m", "\033[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def change_values(change: FieldChange) -> tuple[Any, Any]:
    """(before, after) of a change, redacted."""
    if is_secret_field(change.Field):
        return (
            None if change.Before is None else REDACTED,
            None if change.After is None else REDACTED,
        )
    return redact(change.Before), redact(change.After)


def change_dicts(action: Action) -> list[dict[str, Any]]:
    """An action's changes as JSON-ready data, redacted (notifications' JSON form and
    fingerprints share it)."""
    dicts = []
    for change in action.Changes:
        before, after = change_values(change)
        dicts.append({"Field": change.Field, "Before": before, "After": after})
    return dicts


def format_value(value: Any) -> str:
    """One value, compact and redacted: ``'text'``, ``["a", "b"]``, ``3``, ``(none)``."""
    value = redact(value)
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def format_change(change: FieldChange) -> str:
    before, after = change_values(change)
    return f"{change.Field}: {format_value(before)} -> {format_value(after)}"


def symbol(action: Action) -> str:
    """``+`` create, ``-`` delete, ``~`` everything else (updates and tag changes)."""
    if action.Operation in _CREATE:
        return "+"
    if action.Operation in _DELETE:
        return "-"
    return "~"


_SYMBOL_COLOR = {"+": _GREEN, "~": _YELLOW, "-": _RED}


def format_action(action: Action, *, color: bool = False) -> list[str]:
    """The lines of one action: a header, a blocked marker if blocked, one line per change."""
    sym = symbol(action)
    header = f"{sym} {action.target} ({action.Operation.value})"
    if action.Classification is Classification.DISRUPTIVE:
        header += " [disruptive]"
    lines = [_paint(header, _SYMBOL_COLOR[sym], color)]
    if not action.applicable:
        lines.append(
            "    " + _paint(f"! blocked: {redact_text(action.Reason)}", _BOLD + _RED, color)
        )
    lines.extend(f"    {format_change(c)}" for c in action.Changes)
    return lines


def plan_counts(plan: Plan) -> dict[str, int]:
    """Applicable actions by kind, and the blocked ones apart."""
    counts = {"create": 0, "update": 0, "delete": 0, "blocked": 0}
    for action in plan.Actions:
        if not action.applicable:
            counts["blocked"] += 1
        else:
            counts[{"+": "create", "~": "update", "-": "delete"}[symbol(action)]] += 1
    return counts


def format_plan(plan: Plan, *, color: bool = False) -> str:
    """The whole plan, ending with a summary line; the one-line answer when it is empty."""
    lines: list[str] = []
    if not plan.Actions:
        lines.append(f"No changes. Workforce {plan.WorkforceName} matches the document.")
    else:
        for action in plan.Actions:
            lines.extend(format_action(action, color=color))
        c = plan_counts(plan)
        lines.append("")
        lines.append(
            f"Plan: {c['create']} to create, {c['update']} to update, "
            f"{c['delete']} to delete, {c['blocked']} blocked."
        )
    if plan.Findings:
        lines.append("")
        lines.append("Findings:")
        for f in plan.Findings:
            where = f" ({f.ResourceName})" if f.ResourceName else ""
            lines.append(f"  {f.Severity.value} {f.Code}{where}: {redact_text(f.Message)}")
            lines.extend(_advice_lines(f.Advice, "    "))
    return "\n".join(lines)


def _advice_lines(advice: str | None, indent: str) -> list[str]:
    """What a person can do about a finding, each line indented (commands on their own)."""
    return [indent + line for line in redact_text(advice).splitlines()] if advice else []


def format_result(result: ActionResult, *, color: bool = False) -> str:
    """``applied ~ Workforce/default (UpdateWorkforce)``, with the error when it failed."""
    action = result.Action
    line = f"{result.Outcome.value:<8}{symbol(action)} {action.target} ({action.Operation.value})"
    if result.Outcome in (Outcome.FAILED, Outcome.REFUSED):
        code = result.ErrorCode or "Error"
        line += f": {code}: {redact_text(result.ErrorMessage or 'no message')}"
    elif result.ErrorMessage:
        line += f": {redact_text(result.ErrorMessage)}"  # why it was skipped, or refused
    return _paint(line, _OUTCOME_COLOR[result.Outcome], color)


_OUTCOME_COLOR = {
    Outcome.APPLIED: _GREEN,
    Outcome.FAILED: _RED,
    Outcome.SKIPPED: _YELLOW,
    Outcome.REFUSED: _YELLOW,
}


def format_problems(report: Report) -> list[str]:
    n = len(report.DocumentProblems) + report.DocumentProblemsOmitted
    source = f" {report.DocumentSource}" if report.DocumentSource else ""
    lines = [f"The desired-state document{source} is invalid ({count(n, 'problem')}):"]
    lines.extend(f"  {p.where}: {redact_text(p.Message)}" for p in report.DocumentProblems)
    if report.DocumentProblemsOmitted:
        more = count(report.DocumentProblemsOmitted, "more problem")
        lines.append(f"  ... and {more} (fix these first)")
    return lines


def format_report(report: Report, *, color: bool = False) -> str:
    """The plan, what happened to each action, the workforce's state and the run's status."""
    status = report.status
    lines: list[str] = []
    if status is RunStatus.INVALID_DOCUMENT:
        lines.extend(format_problems(report))
        lines.append("Nothing was changed.")
    elif status is RunStatus.DOCUMENT_MISSING:
        source = f" {report.DocumentSource}" if report.DocumentSource else ""
        lines.append(
            f"The desired-state document{source} does not exist. "
            "Nothing was changed, and nothing was deleted because of it."
        )
    failed_workforce = report.WorkforceStatus == "Failed"
    if report.Plan is not None and (report.Plan.Actions or not failed_workforce):
        # (an empty plan of a Failed workforce is not "matches the document": see below)
        lines.append(format_plan(report.Plan, color=color))
    if report.Results:
        lines.append("")
        lines.append("Results:")
        lines.extend("  " + format_result(r, color=color) for r in report.Results)
    if failed_workforce:
        if lines:
            lines.append("")
        lines.extend(_failed_lines(report, color))
    lines.append("")
    lines.append(f"Status: {status.value} (mode {report.Mode.value}, trigger {report.Trigger}).")
    return "\n".join(lines)


def _failed_lines(report: Report, color: bool) -> list[str]:
    """A Failed workforce: SageMaker's reason, and the ways out the plan names."""
    name = report.WorkforceName or (report.Plan.WorkforceName if report.Plan else "")
    reason = redact_text(report.FailureReason or "no reason given")
    lines = [_paint(f"Workforce {name} is Failed: {reason}", _BOLD + _RED, color)]
    if not report.Results:
        lines.append("Nothing is changed while SageMaker reports it Failed.")
    if report.Plan is not None and not report.Plan.Actions:
        # (with actions, the plan above lists the finding and its advice)
        for finding in report.Plan.Findings:
            if finding.Code == "WorkforceFailed":
                lines.extend(_advice_lines(finding.Advice, ""))
    return lines
