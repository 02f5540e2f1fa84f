"""docs/messages.md: every message the reconciler sends, whole, as a subscriber receives it.

Each scene drives ``notifications.messages_for`` through the runs that lead to a message
(a first run, a reminder a day later, a run that clears the condition), keeping the
condition records between runs as the state table does, and shows the last run's
messages: the subject, the email text, the JSON form (what ``MessageStructure=json``
gives SQS, Lambda and HTTPS subscribers) and the message attributes filter policies
match. The reports are built here, with the engine's own wording for the reasons and the
advice (``engine.advice``), at fixed times.

    python scripts/message_gallery.py          # rewrite docs/messages.md
    python scripts/message_gallery.py --check  # exit 1 when the file is not current

tests/unit/test_message_gallery.py keeps the file current, so the text a person reads in
the docs is the text the code sends; a change of wording shows as a diff of that file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workforce_reconciler.engine import advice
from workforce_reconciler.notifications import Message, links, messages_for
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    DocumentProblem,
    FieldChange,
    Finding,
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

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "messages.md"
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
REGION, ACCOUNT, WORKFORCE = "eu-west-1", "111122223333", "labeling-oidc"
PARAMETER = "/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
SOURCE = f"ssm:{PARAMETER} (version 7)"
TEAMS = ("image-labelers", "text-reviewers")
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:workforce/oidc-client-secret"


def _action(
    operation: Operation,
    name: str,
    *changes: tuple[str, Any, Any],
    blocked: str | None = None,
    disruptive: bool = False,
) -> Action:
    workforce = operation.value.endswith("Workforce")
    classification = Classification.CORRECTABLE
    if disruptive:
        classification = Classification.DISRUPTIVE
    if blocked:
        classification = Classification.BLOCKED
    return Action(
        Operation=operation,
        ResourceType=ResourceType.WORKFORCE if workforce else ResourceType.WORKTEAM,
        ResourceName=name,
        Classification=classification,
        Changes=tuple(FieldChange(Field=f, Before=b, After=a) for f, b, a in changes),
        Reason=blocked or "differs from the document",
    )


ALLOW_LIST = _action(
    Operation.UPDATE_WORKFORCE,
    WORKFORCE,
    ("SourceIpConfig.Cidrs", ["10.0.0.0/16"], ["10.0.0.0/16", "192.0.2.0/24"]),
)
NEW_TEAM = _action(
    Operation.CREATE_WORKTEAM,
    "audio-transcribers",
    ("Description", None, "Transcribes call recordings"),
    ("MemberDefinitions", None, [{"OidcMemberDefinition": {"Groups": ["transcribers"]}}]),
)
TEAM_GROUPS = _action(
    Operation.UPDATE_WORKTEAM,
    "text-reviewers",
    ("MemberDefinitions[0].OidcMemberDefinition.Groups", ["reviewers"], ["reviewers", "leads"]),
)
OIDC_SCOPE = _action(
    Operation.UPDATE_WORKFORCE,
    WORKFORCE,
    ("OidcConfig.Scope", "openid email", "openid email groups"),
    blocked=advice.oidc_blocked(TEAMS),
)
UNLISTED = _action(
    Operation.DELETE_WORKTEAM,
    "weekend-temps",
    ("WorkteamName", "weekend-temps", None),
    blocked=(
        "the document does not list this work team; deleting it cuts its workers off, so "
        "set Policy.DeleteUnlistedWorkteams to allow it, or add it to the document"
    ),
)


def _report(*actions: Action, **fields: Any) -> Report:
    values: dict[str, Any] = {
        "Trigger": "schedule",
        "Mode": Mode.ENFORCE,
        "Region": REGION,
        "Account": ACCOUNT,
        "WorkforceName": WORKFORCE,
        "WorkforceStatus": "Active",
        "DocumentSource": SOURCE,
        "Plan": Plan(WorkforceName=WORKFORCE, Actions=actions),
    }
    return Report(**(values | fields))


def _results(outcome: Outcome, *actions: Action, **error: str) -> tuple[ActionResult, ...]:
    return tuple(ActionResult(Action=a, Outcome=outcome, **error) for a in actions)


FAILED_ADVICE = advice.failed(WORKFORCE, REGION, TEAMS)
IN_SYNC = _report()
BLOCKED = _report(OIDC_SCOPE, UNLISTED)


@dataclass(frozen=True)
class Scene:
    title: str
    says: str  # when it is sent
    runs: tuple[tuple[timedelta, Report], ...]  # each run's time after T0, and its report


SCENES = (
    Scene(
        "Invalid desired-state document",
        "The document does not parse or breaks a rule: nothing is changed. Every problem is "
        "listed with where it is (up to 50).",
        (
            (
                timedelta(0),
                Report(
                    Trigger="ssm:Update",
                    Mode=Mode.ENFORCE,
                    Region=REGION,
                    Account=ACCOUNT,
                    DocumentSource=SOURCE,
                    DocumentProblems=(
                        DocumentProblem(
                            Path="Workforce.SourceIpConfig.Cidrs[1]",
                            Message="not a CIDR block: '10.0.0' (like 192.0.2.0/24)",
                        ),
                        DocumentProblem(
                            Path="Workteams[2].Descripton",
                            Message="unknown field (did you mean 'Description'?)",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Scene(
        "Desired-state document missing",
        "The parameter (or every part under the path) is gone: nothing is changed or deleted.",
        (
            (
                timedelta(0),
                Report(
                    Trigger="ssm:Delete",
                    Mode=Mode.ENFORCE,
                    Region=REGION,
                    Account=ACCOUNT,
                    DocumentSource=f"ssm:{PARAMETER}",
                ),
            ),
        ),
    ),
    Scene(
        "Workforce Failed",
        "SageMaker reports the workforce as Failed; its FailureReason and the way back.",
        (
            (
                timedelta(0),
                _report(
                    WorkforceStatus="Failed",
                    FailureReason="OIDC discovery failed: https://idp.example.com is unreachable",
                    Plan=Plan(
                        WorkforceName=WORKFORCE,
                        Findings=(
                            Finding(
                                Code="WorkforceFailed",
                                Severity=Severity.CRITICAL,
                                Message=f"workforce {WORKFORCE} is Failed",
                                ResourceName=WORKFORCE,
                                Advice=FAILED_ADVICE,
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Scene(
        "Blocked drift",
        "Changes the reconciler may not make on its own, each with why and the ways out.",
        ((timedelta(0), BLOCKED),),
    ),
    Scene(
        "Blocked drift, a reminder",
        "The same condition a reminder interval later (the stack's ReminderInterval, here a "
        "day): one reminder per interval while it lasts.",
        ((timedelta(0), BLOCKED), (DAY + timedelta(minutes=15), BLOCKED)),
    ),
    Scene(
        "Drift detected",
        "Detect mode: what differs, and nothing changed.",
        ((timedelta(0), _report(ALLOW_LIST, NEW_TEAM, Mode=Mode.DETECT)),),
    ),
    Scene(
        "Apply failed",
        "A step SageMaker refused or that failed, and the steps not attempted after it.",
        (
            (
                timedelta(0),
                _report(
                    ALLOW_LIST,
                    NEW_TEAM,
                    Results=_results(
                        Outcome.FAILED,
                        ALLOW_LIST,
                        ErrorCode="ResourceLimitExceeded",
                        ErrorMessage="The account has reached its limit of CIDR blocks",
                    )
                    + _results(Outcome.SKIPPED, NEW_TEAM),
                ),
            ),
        ),
    ),
    Scene(
        "Reconcile error",
        "The run could not read or decide (here: the client secret cannot be read).",
        (
            (
                timedelta(0),
                _report(
                    Plan=None,
                    WorkforceStatus=None,
                    Error=RunError(
                        Code="AccessDeniedException",
                        Message=(
                            f"cannot read the client secret {SECRET_ARN}: the function's role "
                            "may not call secretsmanager:GetSecretValue on it"
                        ),
                        Subject=SECRET_ARN,
                    ),
                ),
            ),
        ),
    ),
    Scene(
        "Drift corrected",
        "An event, sent every time the reconciler changes something.",
        (
            (
                timedelta(0),
                _report(
                    ALLOW_LIST,
                    TEAM_GROUPS,
                    Results=_results(Outcome.APPLIED, ALLOW_LIST, TEAM_GROUPS),
                ),
            ),
        ),
    ),
    Scene(
        "Resolved",
        "Once, when an open condition clears (here the blocked drift, after the document "
        "was changed to match).",
        ((timedelta(0), BLOCKED), (timedelta(hours=2), IN_SYNC)),
    ),
)


def scene_messages(scene: Scene) -> list[Message]:
    """The messages of the scene's last run, its condition records kept between runs."""
    conditions: dict[str, ConditionRecord] = {}
    messages: list[Message] = []
    command = links.plan_command(PARAMETER, TABLE, REGION)
    for after, report in scene.runs:
        messages, updates = messages_for(
            report,
            dict(conditions),
            now=T0 + after,
            reminder_interval=DAY,
            plan_command=command,
        )
        for key, record in updates.items():
            if record is None:
                conditions.pop(key, None)
            else:
                conditions[key] = record
    return messages


def _message_section(message: Message) -> list[str]:
    attributes = json.dumps(message.attributes, indent=2, sort_keys=True)
    document = json.dumps(message.document, indent=2, ensure_ascii=False)
    return [
        f"Subject: `{message.subject}`",
        "",
        "```text",
        message.text.rstrip("\n"),
        "```",
        "",
        "<details><summary>JSON form and message attributes</summary>",
        "",
        "```json",
        document,
        "```",
        "",
        "```json",
        attributes,
        "```",
        "",
        "</details>",
        "",
    ]


def gallery() -> str:
    lines = [
        "# Every message, as it arrives",
        "",
        "<!-- Written by scripts/message_gallery.py; tests/unit/test_message_gallery.py "
        "keeps it current. -->",
        "",
        "What a subscriber to the topic receives for each condition "
        "([notifications.md](notifications.md) says when and how often): the subject, the "
        "email text, and, folded, the JSON form and the message attributes. Workforce "
        f"`{WORKFORCE}` in account {ACCOUNT}, Region {REGION}; the times are fixed.",
        "",
    ]
    for scene in SCENES:
        lines += [f"## {scene.title}", "", scene.says, ""]
        for message in scene_messages(scene):
            lines += _message_section(message)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not current")
    args = parser.parse_args(argv)
    text = gallery()
    if args.check:
        current = GALLERY.exists() and GALLERY.read_text(encoding="utf-8") == text
        print(f"{GALLERY.relative_to(ROOT)} is {'current' if current else 'NOT current'}")
        return 0 if current else 1
    GALLERY.write_text(text, encoding="utf-8")
    print(f"wrote {GALLERY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
