"""ListLabelingJobsForWorkteam's CreationTimeAfter/CreationTimeBefore (exclusive) as the
JSON wire carries them (epoch seconds) and as ISO 8601 strings; other strings refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from workforce_emulator import controls

from .helpers import oidc_member
from .raw import send_raw

EARLY = datetime(2025, 1, 1, tzinfo=UTC)
LATE = datetime(2025, 1, 2, tzinfo=UTC)
NOON = datetime(2025, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def team_arn(sagemaker: Any, oidc_workforce: str) -> str:
    """A work team with job "early" (2025-01-01 00:00 UTC) and "late" (2025-01-02)."""
    arn: str = sagemaker.create_workteam(
        WorkteamName="team", Description="d", MemberDefinitions=[oidc_member()]
    )["WorkteamArn"]
    controls.add_labeling_job("team", "early", creation_time="2025-01-01T00:00:00Z")
    controls.add_labeling_job("team", "late", creation_time=LATE.timestamp())
    return arn


def names(answer: dict[str, Any]) -> list[str]:
    return [job["LabelingJobName"] for job in answer["LabelingJobSummaryList"]]


@pytest.mark.parametrize(
    ("after", "listed"),
    [
        (NOON.timestamp(), ["late"]),
        (int(EARLY.timestamp()), ["late"]),
        (str(int(NOON.timestamp())), ["late"]),
        ("2025-01-01T12:00:00Z", ["late"]),
        ("2025-01-01T12:00:00", ["late"]),
        ("2025-01-02T01:00:00+02:00", ["late"]),
        ("2025-01-02T03:00:00+02:00", []),
        ("2024-12-31T23:00:00-02:00", ["late"]),
    ],
    ids=[
        "epoch float",
        "epoch int",
        "epoch string",
        "ISO UTC",
        "ISO naive is UTC",
        "ISO +02:00 before late",
        "ISO +02:00 after late",
        "ISO -02:00",
    ],
)
def test_creation_time_after(unchecked: Any, team_arn: str, after: Any, listed: list[str]) -> None:
    # Given jobs created on 2025-01-01 and 2025-01-02 (UTC)
    # When the team's jobs are listed created after a time, as sent on the wire
    body = {"WorkteamArn": team_arn, "CreationTimeAfter": after}
    answers: list[Any] = []
    unchecked.meta.events.register(
        "after-call.sagemaker.ListLabelingJobsForWorkteam",
        lambda parsed, **_: answers.append(parsed),
    )
    assert send_raw(unchecked, "list_labeling_jobs_for_workteam", body) is None
    # Then only the jobs created strictly after it are listed
    assert names(answers[-1]) == listed


def test_creation_time_before_from_boto3(sagemaker: Any, team_arn: str) -> None:
    # Given jobs created on 2025-01-01 and 2025-01-02 (UTC)
    # When boto3 lists them with datetimes (sent as epoch seconds)
    before = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_arn, CreationTimeBefore=NOON
    )
    exact = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_arn, CreationTimeAfter=EARLY, CreationTimeBefore=LATE
    )
    # Then the bounds are exclusive and the creation times are as added
    assert names(before) == ["early"]
    assert names(exact) == []
    assert before["LabelingJobSummaryList"][0]["CreationTime"] == EARLY


@pytest.mark.parametrize("field", ["CreationTimeAfter", "CreationTimeBefore"])
def test_invalid_time_is_refused(unchecked: Any, team_arn: str, field: str) -> None:
    # Given a time no parser understands
    # When the jobs are listed with it
    answer = send_raw(
        unchecked, "list_labeling_jobs_for_workteam", {"WorkteamArn": team_arn, field: "yesterday"}
    )
    # Then the field is named
    path = field[:1].lower() + field[1:]
    assert answer == {
        "Code": "ValidationException",
        "Message": f"Value 'yesterday' at '{path}' is not a valid timestamp.",
    }


@pytest.mark.parametrize(
    "creation_time",
    [
        EARLY,
        EARLY.timestamp(),
        str(EARLY.timestamp()),
        "2025-01-01T00:00:00",
        "2025-01-01T02:00+02:00",
    ],
)
def test_control_takes_times_in_every_form(
    sagemaker: Any, team_arn: str, creation_time: Any
) -> None:
    # Given a team (with two jobs)
    # When a job is added with a creation time of 2025-01-01 00:00 UTC in some form
    added = controls.add_labeling_job("team", "third", creation_time=creation_time)
    # Then it is listed with that time
    listed = sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=team_arn)
    times = {j["LabelingJobName"]: j["CreationTime"] for j in listed["LabelingJobSummaryList"]}
    assert times["third"] == EARLY
    assert added["LabelingJobName"] == "third"


def test_control_refuses_an_invalid_time(team_arn: str) -> None:
    # Given a creation time that is no time
    # When a job is added with it
    with pytest.raises(controls.ControlError) as excinfo:
        controls.add_labeling_job("team", "bad", creation_time="soon")
    # Then the control names it
    assert str(excinfo.value) == "Value 'soon' at 'CreationTime' is not a valid timestamp."
