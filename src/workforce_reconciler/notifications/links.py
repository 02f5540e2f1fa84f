"""Where a person goes from a message to act: the SageMaker console page of the workforce
or of a work team, in the message's Region, and the exact CLI command that shows the plan.

Pure wording, like ``messages.py``, which adds them to the conditions a person acts on.
The console's private-workforce pages (Ground Truth's "Labeling workforces", Private tab)
have no per-workforce address: a Region has one private workforce, on that tab. A work
team has its own page. The addresses are the commercial partition's console.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from workforce_reconciler.notifications.conditions import Condition, EventType
from workforce_reconciler.plan import Action, Operation, ResourceType


def workforce_console_url(region: str) -> str:
    """The console page of the Region's private workforce (and the list of its teams)."""
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/groundtruth?region={region}"
        "#/labeling-workforces/private"
    )


def workteam_console_url(region: str, team: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/groundtruth?region={region}"
        f"#/labeling-workforces/private-details/{quote(team, safe='')}"
    )


def plan_command(parameter: str, table: str, region: str, *, path: bool = False) -> str:
    """The CLI command that shows the plan the function would make, from a laptop
    (``path``: the document is the parameter hierarchy under ``parameter``)."""
    words = [
        "workforce-reconciler", "plan", "--parameter-path" if path else "--parameter",
        parameter, "--state-table", table, "--region", region,
    ]  # fmt: skip
    return shlex.join(words)


# The conditions a person acts on in the console, and those the plan command explains.
_CONSOLE = frozenset(
    {
        EventType.WORKFORCE_FAILED,
        EventType.BLOCKED_DRIFT,
        EventType.DRIFT_DETECTED,
        EventType.APPLY_FAILED,
    }
)
_PLAN = _CONSOLE | {EventType.INVALID_DOCUMENT, EventType.RECONCILE_ERROR}


def _existing_teams(actions: Iterable[Action]) -> list[str]:
    """Teams the actions are about that exist now (a team still to create has no page)."""
    names = {
        a.ResourceName
        for a in actions
        if a.ResourceType is ResourceType.WORKTEAM and a.Operation is not Operation.CREATE_WORKTEAM
    }
    return sorted(names)


def links(
    condition: Condition, region: str, command: str | None
) -> tuple[list[str], dict[str, Any]]:
    """The lines of a message's "Where to look" section, and its JSON form's ``Links``."""
    lines: list[str] = []
    data: dict[str, Any] = {}
    if condition.key in _CONSOLE:
        actions = [*condition.actions, *(r.Action for r in condition.failed)]
        teams = {team: workteam_console_url(region, team) for team in _existing_teams(actions)}
        data["Console"] = workforce_console_url(region)
        lines.append(f"  Workforce in the SageMaker console: {data['Console']}")
        if teams:
            data["Workteams"] = teams
            lines.extend(f"  Work team {team}: {url}" for team, url in teams.items())
    if command is not None and condition.key in _PLAN:
        data["PlanCommand"] = command
        lines.append(f"  The plan, from a terminal with AWS credentials: {command}")
    return lines, data
