"""How a message words time (the reminder interval in the largest whole unit, every moment
in UTC whatever the clock's time zone) and fits its subject (one ASCII line, at most 99
characters, the workforce name shortened first)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from workforce_reconciler.notifications import messages_for
from workforce_reconciler.plan import (
    Action,
    Classification,
    Mode,
    Operation,
    Plan,
    Report,
    ResourceType,
)

BLOCKED = Report(
    Trigger="schedule",
    Mode=Mode.ENFORCE,
    Region="us-east-1",
    WorkforceName="default",
    WorkforceStatus="Active",
    Plan=Plan(
        WorkforceName="default",
        Actions=(
            Action(
                Operation=Operation.DELETE_WORKTEAM,
                ResourceType=ResourceType.WORKTEAM,
                ResourceName="old",
                Classification=Classification.BLOCKED,
                Reason="not in the document",
            ),
        ),
    ),
)
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def footer(now: datetime, interval: timedelta) -> str:
    (message,) = messages_for(BLOCKED, {}, now=now, reminder_interval=interval)[0]
    return message.text.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize(
    ("interval", "said"),
    [
        (timedelta(days=1), "1 day"),
        (timedelta(days=7), "7 days"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=61), "61 seconds"),
        (timedelta(seconds=45), "45 seconds"),
    ],
)
def test_the_reminder_interval_is_said_in_its_largest_whole_unit(
    interval: timedelta, said: str
) -> None:
    found = re.fullmatch(
        r"Condition BlockedDrift \(fingerprint [0-9a-f]{16}\), first seen 2026-11-23 15:00 UTC\. "
        r"You are reminded every (.+) while it lasts, and told once when it is resolved\.",
        footer(T0, interval),
    )
    assert found is not None, footer(T0, interval)
    assert found.group(1) == said


def test_moments_are_said_in_utc_whatever_the_clocks_zone() -> None:
    # Given a clock two hours ahead of UTC
    paris = datetime(2026, 11, 23, 17, 0, tzinfo=timezone(timedelta(hours=2)))

    # Then the message says the moment in UTC, in its text and its JSON form
    (message,) = messages_for(BLOCKED, {}, now=paris, reminder_interval=timedelta(days=1))[0]
    assert "first seen 2026-11-23 15:00 UTC." in message.text
    assert message.document["Time"] == "2026-11-23T15:00:00+00:00"
    assert message.document["Condition"]["FirstSeen"] == "2026-11-23T15:00:00+00:00"


def subject(name: str) -> str:
    report = BLOCKED.model_copy(
        update={
            "WorkforceName": name,
            "Plan": BLOCKED.Plan.model_copy(update={"WorkforceName": name}),
        }
        if BLOCKED.Plan
        else {}
    )
    (message,) = messages_for(report, {}, now=T0, reminder_interval=timedelta(days=1))[0]
    return message.subject


LEAD, TAIL = "[workforce-reconciler] Blocked drift on workforce ", " needs a person (1 change)"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        pytest.param("w" * 23, "w" * 23, id="exactly 99 characters: whole"),
        pytest.param("w" * 24, "w" * 20 + "...", id="100: the name shortened to fit 99"),
        pytest.param("w\u00f6rk\tforce\u200b", "w?rk force?", id="not printable ASCII"),
    ],
)
def test_a_subject_is_one_ascii_line_of_at_most_99_characters(name: str, shown: str) -> None:
    # (SNS: a subject "must be less than 100 characters long", ASCII, one line)
    assert subject(name) == LEAD + shown + TAIL
    assert len(subject(name)) <= 99
