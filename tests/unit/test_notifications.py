"""Which messages a report sends, deduplicated against the conditions already open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from workforce_reconciler.notifications import EventType, Message, messages_for
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    DocumentProblem,
    FieldChange,
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


def action(
    operation: Operation,
    name: str,
    *changes: tuple[str, Any, Any],
    blocked: bool = False,
    reason: str = "differs from the document",
) -> Action:
    workforce = operation.value.endswith("Workforce")
    return Action(
        Operation=operation,
        ResourceType=ResourceType.WORKFORCE if workforce else ResourceType.WORKTEAM,
        ResourceName=name,
        Classification=Classification.BLOCKED if blocked else Classification.CORRECTABLE,
        Changes=tuple(FieldChange(Field=f, Before=b, After=a) for f, b, a in changes),
        Reason=reason,
    )


SCOPE_CHANGE = action(
    Operation.UPDATE_WORKFORCE, "default", ("OidcConfig.Scope", "openid", "openid email")
)
NEW_TEAM = action(Operation.CREATE_WORKTEAM, "labelers", ("Description", None, "Labelers"))
DELETE_OLD = action(
    Operation.DELETE_WORKTEAM,
    "old",
    blocked=True,
    reason="not in the document, and Policy does not allow deleting work teams",
)
DELETE_LEGACY = action(
    Operation.DELETE_WORKTEAM, "legacy", blocked=True, reason="not in the document"
)


def report(
    *actions: Action,
    mode: Mode = Mode.ENFORCE,
    results: tuple[ActionResult, ...] = (),
    workforce: str = "default",
    status: str | None = "Active",
    reason: str | None = None,
    account: str | None = None,
) -> Report:
    return Report(
        Trigger="schedule",
        Mode=mode,
        Region="us-east-1",
        Account=account,
        WorkforceName=workforce,
        Plan=Plan(WorkforceName=workforce, Actions=actions),
        Results=results,
        WorkforceStatus=status,
        FailureReason=reason,
        DocumentSource=SOURCE,
    )


def applied(*actions: Action) -> tuple[ActionResult, ...]:
    return tuple(ActionResult(Action=a, Outcome=Outcome.APPLIED) for a in actions)


def failed(a: Action, code: str = "ValidationException", message: str = "bad") -> ActionResult:
    return ActionResult(Action=a, Outcome=Outcome.FAILED, ErrorCode=code, ErrorMessage=message)


INVALID = Report(
    Trigger="parameter-change",
    Mode=Mode.ENFORCE,
    Region="us-east-1",
    DocumentSource=SOURCE,
    DocumentProblems=(
        DocumentProblem(Path="Workforce.SourceIpConfig.Cidrs[0]", Message="not a CIDR: '10.0.0'"),
        DocumentProblem(Path="Workteams", Message="at most 25 work teams"),
    ),
)
MISSING = Report(
    Trigger="parameter-change", Mode=Mode.ENFORCE, Region="us-east-1", DocumentSource=SOURCE
)
IN_SYNC = report()


@dataclass
class Store:
    """What the state store holds between runs, driven the way the notifier drives it."""

    conditions: dict[str, ConditionRecord]

    def run(self, r: Report, now: datetime = T0, interval: timedelta = DAY) -> list[Message]:
        messages, updates = messages_for(
            r, dict(self.conditions), now=now, reminder_interval=interval
        )
        for key, record in updates.items():
            if record is None:
                del self.conditions[key]
            else:
                self.conditions[key] = record
        return messages


def subjects(messages: list[Message]) -> list[str]:
    return [m.subject for m in messages]


@pytest.mark.parametrize(
    ("given", "event_type", "severity", "subject", "body_lines"),
    [
        pytest.param(
            INVALID,
            EventType.INVALID_DOCUMENT,
            Severity.ERROR,
            "[workforce-reconciler] Invalid desired-state document (2 problems), nothing changed",
            [
                "Workforce.SourceIpConfig.Cidrs[0]: not a CIDR: '10.0.0'",
                "Workteams: at most 25 work teams",
            ],
            id="invalid-document",
        ),
        pytest.param(
            MISSING,
            EventType.DOCUMENT_MISSING,
            Severity.WARNING,
            "[workforce-reconciler] Desired-state document missing, nothing changed",
            ["Nothing was changed, and nothing was deleted because of it."],
            id="document-missing",
        ),
        pytest.param(
            report(status="Failed", reason="OIDC discovery failed"),
            EventType.WORKFORCE_FAILED,
            Severity.CRITICAL,
            "[workforce-reconciler] Workforce default is Failed",
            [
                "SageMaker reports workforce default as Failed: OIDC discovery failed",
                "Workforce: default (SageMaker status Failed)",
            ],
            id="workforce-failed",
        ),
        pytest.param(
            report(DELETE_OLD),
            EventType.BLOCKED_DRIFT,
            Severity.WARNING,
            "[workforce-reconciler] Blocked drift on workforce default needs a person (1 change)",
            [
                "- Workteam/old (DeleteWorkteam)",
                "    ! blocked: not in the document, and Policy does not allow deleting work teams",
            ],
            id="blocked-drift",
        ),
        pytest.param(
            report(SCOPE_CHANGE, NEW_TEAM, mode=Mode.DETECT),
            EventType.DRIFT_DETECTED,
            Severity.WARNING,
            "[workforce-reconciler] Drift detected on workforce default (2 changes, not applied)",
            [
                "~ Workforce/default (UpdateWorkforce)",
                "    OidcConfig.Scope: 'openid' -> 'openid email'",
                "+ Workteam/labelers (CreateWorkteam)",
                "Mode:      detect",
            ],
            id="drift-detected",
        ),
        pytest.param(
            report(NEW_TEAM, results=(failed(NEW_TEAM, "ResourceLimitExceeded", "limit 25"),)),
            EventType.APPLY_FAILED,
            Severity.ERROR,
            "[workforce-reconciler] Apply failed on workforce default (1 change failed)",
            [
                "failed  + Workteam/labelers (CreateWorkteam): ResourceLimitExceeded: limit 25",
                "    Description: (none) -> 'Labelers'",
            ],
            id="apply-failed",
        ),
        pytest.param(
            report(SCOPE_CHANGE, NEW_TEAM, results=applied(SCOPE_CHANGE, NEW_TEAM)),
            EventType.DRIFT_CORRECTED,
            Severity.INFO,
            "[workforce-reconciler] Drift corrected on workforce default (2 changes)",
            ["    OidcConfig.Scope: 'openid' -> 'openid email'", "Status:    Corrected"],
            id="drift-corrected",
        ),
    ],
)
def test_each_condition_sends_one_message(
    given: Report,
    event_type: EventType,
    severity: Severity,
    subject: str,
    body_lines: list[str],
) -> None:
    # Given nothing open yet
    store = Store({})

    # When the report is notified
    messages = store.run(given)

    # Then exactly one message, with its subject, body, JSON form and attributes
    assert len(messages) == 1
    message = messages[0]
    assert (message.event_type, message.severity, message.subject) == (
        event_type,
        severity,
        subject,
    )
    for line in body_lines:
        assert line in message.text
    assert message.document["EventType"] == event_type.value
    assert message.document["Severity"] == severity.value
    assert message.document["Subject"] == subject
    assert message.attributes["event_type"] == event_type.value
    assert message.attributes["severity"] == severity.value
    assert message.attributes["region"] == "us-east-1"


def test_in_sync_report_sends_nothing() -> None:
    # Given nothing open
    # When an in-sync run is notified
    messages, updates = messages_for(IN_SYNC, {}, now=T0, reminder_interval=DAY)

    # Then nothing is sent and nothing is stored
    assert (messages, updates) == ([], {})


def test_drift_corrected_email_reads_as_a_whole() -> None:
    # Given a run of the function in account 111122223333 that corrected one change
    given = report(SCOPE_CHANGE, results=applied(SCOPE_CHANGE), account="111122223333")

    # When it is notified
    [message] = Store({}).run(given)

    # Then the subject ends with the account and region (it fits), and the email body tells
    # what happened, where, each change and what to do
    assert message.subject == (
        "[workforce-reconciler] Drift corrected on workforce default (1 change) "
        "[111122223333 us-east-1]"
    )
    assert message.text == (
        "Workforce default differed from the document; the reconciler made 1 change so that "
        "it matches again.\n"
        "\n"
        "Workforce: default\n"
        "Account:   111122223333\n"
        "Region:    us-east-1\n"
        "Trigger:   schedule\n"
        "Mode:      enforce\n"
        f"Document:  {SOURCE}\n"
        "Status:    Corrected\n"
        "\n"
        "Changes applied:\n"
        "~ Workforce/default (UpdateWorkforce)\n"
        "    OidcConfig.Scope: 'openid' -> 'openid email'\n"
        "\n"
        "What to do next:\n"
        "Nothing is required. If someone made the reverted changes on purpose, put them in "
        "the desired-state document, or the reconciler will undo them again.\n"
        "\n"
        "-- \n"
        "Sent whenever a run changes something.\n"
    )
    assert message.document["Results"] == [
        {
            "Operation": "UpdateWorkforce",
            "ResourceType": "Workforce",
            "ResourceName": "default",
            "Classification": "correctable",
            "Reason": "differs from the document",
            "Changes": [{"Field": "OidcConfig.Scope", "Before": "openid", "After": "openid email"}],
            "Outcome": "applied",
            "ErrorCode": None,
            "ErrorMessage": None,
        }
    ]
    assert message.attributes == {
        "event_type": "DriftCorrected",
        "severity": "INFO",
        "workforce": "default",
        "account": "111122223333",
        "region": "us-east-1",
    }
    assert (message.document["Account"], message.document["Region"]) == (
        "111122223333",
        "us-east-1",
    )


def test_second_identical_run_sends_nothing() -> None:
    # Given blocked drift already notified
    store = Store({})
    first = store.run(report(DELETE_OLD))

    # When the same report comes an hour later
    second = store.run(report(DELETE_OLD), now=T0 + timedelta(hours=1))

    # Then only the first run sent anything
    assert len(first) == 1
    assert second == []


def test_drift_corrected_is_an_event_sent_every_time() -> None:
    # Given a run that corrected drift
    store = Store({})
    corrected = report(SCOPE_CHANGE, results=applied(SCOPE_CHANGE))
    store.run(corrected)

    # When the same drift is corrected again ten minutes later
    again = store.run(corrected, now=T0 + timedelta(minutes=10))

    # Then it is reported again: someone keeps changing the workforce
    assert subjects(again) == [
        "[workforce-reconciler] Drift corrected on workforce default (1 change)"
    ]
    assert store.conditions == {}


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(hours=23, minutes=59), []),
        (
            DAY,
            [
                "[workforce-reconciler] Reminder: Blocked drift on workforce default "
                "(since 2026-11-23 15:00 UTC)"
            ],
        ),
    ],
    ids=["before-interval", "at-interval"],
)
def test_reminder_at_most_once_per_interval(elapsed: timedelta, expected: list[str]) -> None:
    # Given blocked drift notified at T0
    store = Store({})
    store.run(report(DELETE_OLD))

    # When the same condition is seen again after `elapsed`
    messages = store.run(report(DELETE_OLD), now=T0 + elapsed)

    # Then a reminder is sent only once the interval has passed, saying since when
    assert subjects(messages) == expected
    record = store.conditions["BlockedDrift"]
    assert record.first_seen == T0
    assert record.last_notified == (T0 + elapsed if expected else T0)


@pytest.mark.parametrize(
    ("given", "subject"),
    [
        (INVALID, "Reminder: Invalid desired-state document (since 2026-11-23 15:00 UTC)"),
        (MISSING, "Reminder: Desired-state document missing (since 2026-11-23 15:00 UTC)"),
        (
            report(status="Failed", reason="x"),
            "Reminder: Workforce default is Failed (since 2026-11-23 15:00 UTC)",
        ),
        (
            report(NEW_TEAM, results=(failed(NEW_TEAM),)),
            "Reminder: Apply failed on workforce default (since 2026-11-23 15:00 UTC)",
        ),
        (
            report(NEW_TEAM, mode=Mode.DETECT),
            "Reminder: Drift detected on workforce default (since 2026-11-23 15:00 UTC)",
        ),
    ],
    ids=["invalid-document", "document-missing", "workforce-failed", "apply-failed", "detected"],
)
def test_reminder_subjects(given: Report, subject: str) -> None:
    # Given a condition notified at T0
    store = Store({})
    store.run(given)

    # When it is still there two days later
    [reminder] = store.run(given, now=T0 + 2 * DAY)

    # Then the reminder says what and since when
    assert reminder.subject == "[workforce-reconciler] " + subject


def test_reminder_resets_the_interval_and_says_it_is_a_reminder() -> None:
    # Given a reminder sent a day after the first message
    store = Store({})
    store.run(report(DELETE_OLD))
    [reminder] = store.run(report(DELETE_OLD), now=T0 + DAY)

    # When the condition is still there 12 hours after the reminder
    later = store.run(report(DELETE_OLD), now=T0 + DAY + timedelta(hours=12))

    # Then nothing more is sent yet, and the reminder said it was one
    assert later == []
    assert reminder.text.startswith("Reminder: still unresolved since 2026-11-23 15:00 UTC.")
    assert reminder.document["Condition"]["Reminder"] is True
    assert reminder.document["Condition"]["FirstSeen"] == "2026-11-23T15:00:00+00:00"


def test_changed_condition_notifies_again_at_once() -> None:
    # Given blocked drift on team "old" notified at T0
    store = Store({})
    store.run(report(DELETE_OLD))

    # When five minutes later a second team is blocked too
    messages = store.run(report(DELETE_OLD, DELETE_LEGACY), now=T0 + timedelta(minutes=5))

    # Then a new message goes out at once, as a new condition (not a reminder)
    assert subjects(messages) == [
        "[workforce-reconciler] Blocked drift on workforce default needs a person (2 changes)"
    ]
    assert store.conditions["BlockedDrift"].first_seen == T0 + timedelta(minutes=5)


def test_fingerprint_ignores_order_and_reasons() -> None:
    # Given two blocked actions notified at T0
    store = Store({})
    store.run(report(DELETE_OLD, DELETE_LEGACY))
    reworded = DELETE_OLD.model_copy(update={"Reason": "a different wording"})

    # When the same actions come in another order with other reasons
    messages = store.run(report(DELETE_LEGACY, reworded), now=T0 + timedelta(minutes=5))

    # Then it is the same condition: nothing is sent
    assert messages == []


def test_apply_failure_fingerprint_ignores_the_error_message() -> None:
    # Given an apply failure notified at T0
    store = Store({})
    store.run(report(NEW_TEAM, results=(failed(NEW_TEAM, "Throttling", "request id 1"),)))

    # When the same call fails with the same code and another message
    again = report(NEW_TEAM, results=(failed(NEW_TEAM, "Throttling", "request id 2"),))
    messages = store.run(again, now=T0 + timedelta(minutes=15))

    # Then it is the same condition
    assert messages == []


def test_cleared_condition_sends_one_resolved_message() -> None:
    # Given blocked drift notified at T0
    store = Store({})
    store.run(report(DELETE_OLD))

    # When a run finds everything in sync, and another run after it
    resolved = store.run(IN_SYNC, now=T0 + timedelta(hours=2))
    after = store.run(IN_SYNC, now=T0 + timedelta(hours=3))

    # Then one Resolved message quotes what was reported, and the record is gone
    assert len(resolved) == 1
    message = resolved[0]
    assert (message.event_type, message.severity) == (EventType.RESOLVED, Severity.INFO)
    assert message.subject == (
        "[workforce-reconciler] Resolved: Blocked drift on workforce default "
        "needs a person (1 change)"
    )
    assert message.attributes["condition"] == "BlockedDrift"
    assert message.document["Condition"]["Key"] == "BlockedDrift"
    assert message.document["Condition"]["ResolvedAt"] == "2026-11-23T17:00:00+00:00"
    assert after == []
    assert store.conditions == {}


def test_invalid_document_does_not_resolve_blocked_drift() -> None:
    # Given blocked drift and a Failed workforce notified at T0
    store = Store({})
    store.run(report(DELETE_OLD, status="Failed", reason="broken"))

    # When the document becomes invalid (the run cannot see the workforce at all)
    messages = store.run(INVALID, now=T0 + timedelta(minutes=5))

    # Then only the invalid document is reported; the other conditions stay open
    assert [m.event_type for m in messages] == [EventType.INVALID_DOCUMENT]
    assert set(store.conditions) == {"BlockedDrift", "WorkforceFailed", "InvalidDocument"}

    # And when the document is fixed and the drift is still there
    fixed = store.run(report(DELETE_OLD, status="Failed", reason="broken"), now=T0 + DAY / 2)

    # Then the invalid document is resolved and nothing is re-sent for the others
    assert [m.event_type for m in fixed] == [EventType.RESOLVED]
    assert fixed[0].attributes["condition"] == "InvalidDocument"


def test_missing_document_is_resolved_by_an_invalid_one() -> None:
    # Given a deleted parameter notified at T0
    store = Store({})
    store.run(MISSING)

    # When the parameter comes back, but invalid
    messages = store.run(INVALID, now=T0 + timedelta(minutes=1))

    # Then the invalid document is reported and the missing one resolved
    assert [(m.event_type, m.attributes.get("condition")) for m in messages] == [
        (EventType.INVALID_DOCUMENT, "InvalidDocument"),
        (EventType.RESOLVED, "DocumentMissing"),
    ]
    assert messages[0].attributes["workforce"] == "unknown"


def test_detect_mode_does_not_resolve_an_apply_failure() -> None:
    # Given an apply failure notified at T0
    store = Store({})
    store.run(report(NEW_TEAM, results=(failed(NEW_TEAM),)))

    # When the reconciler is switched to detect mode (nothing is attempted)
    messages = store.run(report(NEW_TEAM, mode=Mode.DETECT), now=T0 + timedelta(minutes=5))

    # Then the drift is reported as detected, and the failure stays open
    assert [m.event_type for m in messages] == [EventType.DRIFT_DETECTED]
    assert "ApplyFailed" in store.conditions


def skipped(a: Action) -> ActionResult:
    return ActionResult(Action=a, Outcome=Outcome.SKIPPED, ErrorMessage="skipped")


@pytest.mark.parametrize(
    ("results", "still_open"),
    [
        ((applied(NEW_TEAM)[0], skipped(DELETE_OLD)), False),
        ((skipped(NEW_TEAM), skipped(DELETE_OLD)), True),
    ],
    ids=["blocked-skipped", "applicable-skipped"],
)
def test_skipped_actions_resolve_an_apply_failure_only_if_blocked(
    results: tuple[ActionResult, ...], still_open: bool
) -> None:
    # Given an apply failure notified at T0
    store = Store({})
    store.run(report(NEW_TEAM, results=(failed(NEW_TEAM),)))

    # When a run skips actions: blocked ones (always skipped), or ones it never tried
    store.run(report(NEW_TEAM, DELETE_OLD, results=results), now=T0 + timedelta(minutes=5))

    # Then only a run that tried every applicable action resolves the failure
    assert ("ApplyFailed" in store.conditions) is still_open


def test_successful_apply_resolves_the_failure_and_reports_the_correction() -> None:
    # Given an apply failure notified at T0
    store = Store({})
    store.run(report(NEW_TEAM, results=(failed(NEW_TEAM),)))

    # When the next run applies it
    messages = store.run(
        report(NEW_TEAM, results=applied(NEW_TEAM)), now=T0 + timedelta(minutes=15)
    )

    # Then the correction and the resolution are both sent
    assert subjects(messages) == [
        "[workforce-reconciler] Drift corrected on workforce default (1 change)",
        "[workforce-reconciler] Resolved: Apply failed on workforce default (1 change failed)",
    ]


LONG = "w" + "-very-long-workforce-name" * 2 + "-0123456789ab"  # 63 characters, the maximum


@pytest.mark.parametrize(
    "given",
    [
        report(DELETE_OLD, workforce=LONG),
        report(SCOPE_CHANGE, mode=Mode.DETECT, workforce=LONG),
        report(NEW_TEAM, results=(failed(NEW_TEAM),), workforce=LONG),
        report(NEW_TEAM, results=applied(NEW_TEAM), workforce=LONG),
        report(status="Failed", reason="x", workforce=LONG),
        report(DELETE_OLD, workforce="w\u00f6rk\nforce\u200b"),
        INVALID.model_copy(update={"DocumentProblems": INVALID.DocumentProblems * 60}),
    ],
    ids=["blocked", "detected", "apply-failed", "corrected", "failed", "non-ascii", "invalid"],
)
def test_subjects_are_short_ascii_lines_also_for_reminders_and_resolutions(
    given: Report,
) -> None:
    # Given a long (or odd) workforce name
    store = Store({})

    # When the condition is first sent, reminded, and resolved
    sent = store.run(given)
    sent += store.run(given, now=T0 + DAY)
    sent += store.run(report(workforce=LONG), now=T0 + 2 * DAY)

    # Then every subject is ASCII, one line, under 100 characters, and still says what
    assert sent
    for message in sent:
        subject = message.subject
        assert len(subject) < 100, subject
        assert subject.isascii(), subject
        assert subject.isprintable(), subject
        assert subject.startswith("[workforce-reconciler] ")


def test_long_subject_keeps_the_count_and_shortens_the_name() -> None:
    # Given blocked drift on a workforce with the longest name
    # When it is notified
    [message] = Store({}).run(report(DELETE_OLD, DELETE_LEGACY, workforce=LONG))

    # Then the name is shortened, the count kept, and the body has the full name
    assert message.subject.endswith("... needs a person (2 changes)")
    assert f"Workforce: {LONG}" in message.text.splitlines()


def test_client_secret_is_redacted_in_subject_text_and_json() -> None:
    # Given actions and errors that (against the rules) carry a client secret
    leaky = action(
        Operation.UPDATE_WORKFORCE,
        "default",
        ("OidcConfig.ClientSecret", "old-s3cret", "new-s3cret"),
        ("OidcConfig", {"ClientSECRET": "dict-s3cret"}, {"ClientId": "abc"}),
        reason="rotated; ClientSecret=reason-s3cret",
    )
    given = report(
        leaky,
        results=(failed(leaky, "ValidationException", "'clientSecret': 'echo-s3cret' invalid"),),
        status="Failed",
        reason="client_secret=failure-s3cret rejected",
    )

    # When it is notified, and then resolved
    store = Store({})
    messages = store.run(given) + store.run(IN_SYNC, now=T0 + timedelta(hours=1))

    # Then no secret appears anywhere a subscriber could read
    assert len(messages) == 4
    for message in messages:
        rendered = message.subject + message.text + json.dumps(message.document)
        assert "s3cret" not in rendered
        assert "s3cret" not in json.dumps(message.attributes)
    failure = next(m for m in messages if m.event_type is EventType.APPLY_FAILED)
    assert failure.document["Results"][0]["Changes"][0] == {
        "Field": "OidcConfig.ClientSecret",
        "Before": "(redacted)",
        "After": "(redacted)",
    }


def test_reconcile_error_is_sent_once_kept_open_by_other_errors_and_resolved_by_a_run() -> None:
    # Given a run that stopped on an unreadable secret reference
    from workforce_reconciler.plan import RunError

    stopped = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        DocumentSource=SOURCE,
        Error=RunError(Code="SecretUnavailableError", Message="cannot read ssm:/idp/secret"),
    )
    store = Store({})

    # When it happens twice, then once with an invalid document in between
    first = store.run(stopped)
    second = store.run(stopped, now=T0 + timedelta(minutes=15))
    store.run(INVALID, now=T0 + timedelta(minutes=30))

    # Then one ERROR message named the cause, and the invalid document left it open
    assert subjects(first) == ["[workforce-reconciler] Reconcile stopped: SecretUnavailableError"]
    assert first[0].severity.value == "ERROR"
    assert "cannot read ssm:/idp/secret" in first[0].text
    assert second == []
    assert "ReconcileError" in store.conditions

    # When a later run gets through, then it is resolved
    resolved = store.run(IN_SYNC, now=T0 + timedelta(hours=1))
    assert [
        m.event_type for m in resolved if m.attributes.get("condition") == "ReconcileError"
    ] == [EventType.RESOLVED]


STOPPED = Report(
    Trigger="schedule",
    Mode=Mode.ENFORCE,
    Region="us-east-1",
    DocumentSource=SOURCE,
    Error=RunError(Code="SecretUnavailableError", Message="cannot read ssm:/idp/secret"),
)


@pytest.mark.parametrize(
    ("given", "key", "fingerprint"),
    [
        (INVALID, "InvalidDocument", "0d9ec2b5612878dc"),
        (MISSING, "DocumentMissing", "fd19b16dda6f7b5e"),
        (
            report(status="Failed", reason="OIDC discovery failed"),
            "WorkforceFailed",
            "bfee67eff181419a",
        ),
        (report(DELETE_OLD, DELETE_LEGACY), "BlockedDrift", "af6e299a2e338a15"),
        (report(SCOPE_CHANGE, NEW_TEAM, mode=Mode.DETECT), "DriftDetected", "dd15707e6939ef06"),
        (
            report(NEW_TEAM, results=(failed(NEW_TEAM, "ResourceLimitExceeded", "limit 25"),)),
            "ApplyFailed",
            "0d1d2c2b6b14b4bf",
        ),
        (STOPPED, "ReconcileError", "b80227964e1e3095"),
    ],
    ids=[
        "InvalidDocument",
        "DocumentMissing",
        "WorkforceFailed",
        "BlockedDrift",
        "DriftDetected",
        "ApplyFailed",
        "ReconcileError",
    ],
)
def test_fingerprints_stay_what_earlier_releases_stored(
    given: Report, key: str, fingerprint: str
) -> None:
    # Given a condition an earlier release stored (the state table outlives deployments)
    # When a report raises it now
    _, updates = messages_for(given, {}, now=T0, reminder_interval=DAY)

    # Then its fingerprint is the one stored: a new one would re-notify it as new
    record = updates[key]
    assert record is not None
    assert record.fingerprint == fingerprint
