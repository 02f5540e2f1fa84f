"""Every message names the account and Region it is about (a fleet's stacks may share one
topic): as attributes, in the JSON form and in the email text; in the subject where it fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workforce_reconciler.notifications import SUBJECT_MAX, Message, messages_for
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    Mode,
    Operation,
    Outcome,
    Plan,
    Report,
    ResourceType,
)
from workforce_reconciler.ports import ConditionRecord

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ACCOUNT = "111122223333"
WHERE = f" [{ACCOUNT} eu-west-1]"

NEW_TEAM = Action(
    Operation=Operation.CREATE_WORKTEAM,
    ResourceType=ResourceType.WORKTEAM,
    ResourceName="labelers",
    Classification=Classification.CORRECTABLE,
    Reason="not there yet",
)
DELETE_OLD = NEW_TEAM.model_copy(
    update={
        "Operation": Operation.DELETE_WORKTEAM,
        "ResourceName": "old",
        "Classification": Classification.BLOCKED,
        "Reason": "not in the document",
    }
)


def report(
    *actions: Action,
    account: str | None = ACCOUNT,
    workforce: str = "default",
    applied: bool = False,
    status: str = "Active",
) -> Report:
    results = tuple(ActionResult(Action=a, Outcome=Outcome.APPLIED) for a in actions)
    return Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="eu-west-1",
        Account=account,
        WorkforceName=workforce,
        Plan=Plan(WorkforceName=workforce, Actions=actions),
        Results=results if applied else (),
        WorkforceStatus=status,
        DocumentSource="ssm:/workforce-reconciler/desired-state",
    )


def missing(account: str | None = ACCOUNT) -> Report:
    return Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="eu-west-1",
        Account=account,
        DocumentSource="ssm:/workforce-reconciler/desired-state",
    )


def notify(given: Report, open_conditions: dict[str, ConditionRecord] | None = None) -> Message:
    [message] = messages_for(given, open_conditions or {}, now=T0, reminder_interval=DAY)[0]
    return message


def open_record(given: Report) -> dict[str, ConditionRecord]:
    """The records a first run of ``given`` leaves, for a later run to remind or resolve."""
    _, updates = messages_for(given, {}, now=T0 - 2 * DAY, reminder_interval=DAY)
    return {key: record for key, record in updates.items() if record is not None}


@pytest.mark.parametrize(
    "kind",
    ["corrected", "blocked", "failed-workforce", "missing", "reminder", "resolved"],
)
def test_every_kind_of_message_names_the_account_and_region(kind: str) -> None:
    # Given a report of account 111122223333, eu-west-1, raising (or clearing) a condition
    blocked = report(DELETE_OLD)
    given, open_conditions = {
        "corrected": (report(NEW_TEAM, applied=True), {}),
        "blocked": (blocked, {}),
        "failed-workforce": (report(status="Failed"), {}),
        "missing": (missing(), {}),
        "reminder": (blocked, open_record(blocked)),
        "resolved": (report(), open_record(blocked)),
    }[kind]

    # When it is notified
    message = notify(given, open_conditions)

    # Then the attributes, the JSON form and the text all say where
    assert (message.attributes["account"], message.attributes["region"]) == (ACCOUNT, "eu-west-1")
    assert (message.document["Account"], message.document["Region"]) == (ACCOUNT, "eu-west-1")
    assert f"\nAccount:   {ACCOUNT}\nRegion:    eu-west-1\n" in message.text
    # and the subject ends with them exactly when that fits SNS's limit
    assert len(message.subject) <= SUBJECT_MAX
    assert message.document["Subject"] == message.subject


@pytest.mark.parametrize(
    ("given", "subject"),
    [
        pytest.param(
            report(NEW_TEAM, applied=True),
            "[workforce-reconciler] Drift corrected on workforce default (1 change)" + WHERE,
            id="room-for-it",
        ),
        pytest.param(
            missing(),
            "[workforce-reconciler] Desired-state document missing, nothing changed" + WHERE,
            id="no-workforce-name",
        ),
        pytest.param(
            report(DELETE_OLD),
            "[workforce-reconciler] Blocked drift on workforce default needs a person (1 change)",
            id="no-room",
        ),
        pytest.param(
            report(NEW_TEAM, applied=True, account=None),
            "[workforce-reconciler] Drift corrected on workforce default (1 change)",
            id="account-unknown",
        ),
    ],
)
def test_the_subject_ends_with_account_and_region_only_where_they_fit_whole(
    given: Report, subject: str
) -> None:
    # Given a report
    # When it is notified
    message = notify(given)

    # Then the subject ends with " [account region]" only when the whole of it fits
    assert message.subject == subject
    assert len(message.subject) <= SUBJECT_MAX


def test_the_workforce_name_is_never_shortened_to_make_room() -> None:
    # Given a workforce name long enough that the subject must shorten it anyway
    name = "labeling-" + "x" * 60
    given = report(NEW_TEAM, applied=True, workforce=name)

    # When it is notified
    message = notify(given)

    # Then the subject is the one it would be without an account: full length, no location
    anonymous = notify(report(NEW_TEAM, applied=True, workforce=name, account=None))
    assert message.subject == anonymous.subject
    assert len(message.subject) == SUBJECT_MAX
    assert WHERE not in message.subject


def test_a_resolved_subject_names_the_place_once() -> None:
    # Given a Failed workforce reported (its subject had room for the account and Region)
    failed = report(status="Failed")
    first = notify(failed)
    assert first.subject.endswith(WHERE)

    # When a later run finds it Active again
    resolved = notify(report(), open_record(failed))

    # Then the Resolved subject names the place once, at the end
    assert resolved.subject == (
        "[workforce-reconciler] Resolved: Workforce default is Failed" + WHERE
    )


def test_a_report_without_an_account_says_so_and_still_sends() -> None:
    # Given a report whose caller did not know the account (no function ARN)
    given = report(NEW_TEAM, applied=True, account=None)

    # When it is notified
    message = notify(given)

    # Then SNS gets a non-empty attribute (it refuses empty ones), and the forms say "unknown"
    assert message.attributes["account"] == "unknown"
    assert message.document["Account"] is None
    assert "\nAccount:   (unknown)\n" in message.text
