"""ListLabelingJobsForWorkteam over jobs a test assigns with controls.add_labeling_job,
in-process and over HTTP; DeleteWorkteam with a job in progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from workforce_emulator import controls
from workforce_emulator._install import check_moto_has_no_labeling_jobs
from workforce_emulator.controls import ControlError, UnknownWorkteam

from .helpers import COGNITO, client, cognito_member, control

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make_team(sagemaker: Any, name: str) -> str:
    arn: str = sagemaker.create_workteam(
        WorkteamName=name, Description="d", MemberDefinitions=[cognito_member()]
    )["WorkteamArn"]
    return arn


@pytest.fixture
def team_a(sagemaker: Any, cognito_workforce: str) -> str:
    return make_team(sagemaker, "team-a")


def names(answer: dict[str, Any]) -> list[str]:
    return [job["LabelingJobName"] for job in answer["LabelingJobSummaryList"]]


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_jobs_are_listed_for_their_team_only(sagemaker: Any, team_a: str) -> None:
    # Given two jobs on team-a (added out of order) and one on team-b
    team_b = make_team(sagemaker, "team-b")
    controls.add_labeling_job("team-a", "second", creation_time=at(2))
    added = controls.add_labeling_job(
        "team-a",
        "first",
        "Completed",
        job_reference_code="ref-0001",
        creation_time=at(1),
        label_counters={"HumanLabeled": 3, "PendingHuman": 7, "Total": 10},
        workers_per_data_object=2,
    )
    controls.add_labeling_job("team-b", "other", creation_time=at(0))
    # When team-a's and team-b's jobs are listed
    listed_a = sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=team_a)
    listed_b = sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=team_b)
    # Then each team sees its own, oldest first, with the summary AWS returns
    assert names(listed_a) == ["first", "second"]
    assert names(listed_b) == ["other"]
    assert listed_a["LabelingJobSummaryList"][0] == {
        "LabelingJobName": "first",
        "JobReferenceCode": "ref-0001",
        "WorkRequesterAccountId": "123456789012",
        "CreationTime": at(1),
        "LabelCounters": {"HumanLabeled": 3, "PendingHuman": 7, "Total": 10},
        "NumberOfHumanWorkersPerDataObject": 2,
    }
    assert added == {**listed_a["LabelingJobSummaryList"][0], "CreationTime": at(1)}
    generated = listed_a["LabelingJobSummaryList"][1]["JobReferenceCode"]
    assert len(generated) == 32


def test_filters_and_sort_order(sagemaker: Any, team_a: str) -> None:
    # Given jobs created at minutes 0..3 with reference codes ref-0..ref-3
    for minute in range(4):
        controls.add_labeling_job(
            "team-a", f"job{minute}", job_reference_code=f"ref-{minute}", creation_time=at(minute)
        )
    # When listed with time bounds, a code filter, and descending order
    between = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_a, CreationTimeAfter=at(0), CreationTimeBefore=at(3)
    )
    by_code = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_a, JobReferenceCodeContains="ref-2"
    )
    newest_first = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_a, SortBy="CreationTime", SortOrder="Descending"
    )
    # Then the bounds are exclusive, the code is a substring, the order reversed
    assert names(between) == ["job1", "job2"]
    assert names(by_code) == ["job2"]
    assert names(newest_first) == ["job3", "job2", "job1", "job0"]


def test_pages_and_paginator(sagemaker: Any, team_a: str) -> None:
    # Given five jobs
    for minute in range(5):
        controls.add_labeling_job("team-a", f"job{minute}", creation_time=at(minute))
    # When listed two at a time, by hand and with botocore's paginator
    first = sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=team_a, MaxResults=2)
    second = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=team_a, MaxResults=2, NextToken=first["NextToken"]
    )
    pages = sagemaker.get_paginator("list_labeling_jobs_for_workteam").paginate(
        WorkteamArn=team_a, PaginationConfig={"PageSize": 2}
    )
    code, _ = error_of(
        sagemaker.list_labeling_jobs_for_workteam,
        WorkteamArn=team_a,
        JobReferenceCodeContains="x",
        NextToken=first["NextToken"],
    )
    # Then the pages follow on, and a token does not survive a changed filter
    assert names(first) == ["job0", "job1"]
    assert names(second) == ["job2", "job3"]
    assert [names(page) for page in pages] == [["job0", "job1"], ["job2", "job3"], ["job4"]]
    assert code == "ValidationException"


def test_unknown_or_malformed_team_arn(sagemaker: Any, team_a: str) -> None:
    # Given a team
    missing = team_a.replace("team-a", "ghost")
    # When jobs are listed for a team that does not exist, and for a non-workteam ARN
    not_found = error_of(sagemaker.list_labeling_jobs_for_workteam, WorkteamArn=missing)
    malformed = error_of(
        sagemaker.list_labeling_jobs_for_workteam,
        WorkteamArn="arn:aws:sagemaker:us-east-1:123456789012:workforce/default",
    )
    # Then ResourceNotFound (the model's one error), and the model's pattern
    assert not_found == ("ResourceNotFound", f"Workteam '{missing}' does not exist.")
    assert malformed[0] == "ValidationException"
    assert "at 'workteamArn' failed to satisfy constraint" in malformed[1]


def test_delete_workteam_with_a_job_in_progress(sagemaker: Any, team_a: str) -> None:
    # Given a team with a job in progress
    controls.add_labeling_job("team-a", "running", "InProgress")
    # When the team is deleted, then re-created under the same name
    answer = sagemaker.delete_workteam(WorkteamName="team-a")
    again = make_team(sagemaker, "team-a")
    # Then the delete succeeds (the API reference names no refusal) and the job went with it
    assert answer["Success"] is True
    assert again == team_a
    assert names(sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=again)) == []


def test_add_labeling_job_refuses_what_aws_would_not_hold(sagemaker: Any, team_a: str) -> None:
    # Given a team with a job
    controls.add_labeling_job("team-a", "job")
    # When jobs are added wrongly
    with pytest.raises(UnknownWorkteam) as no_team:
        controls.add_labeling_job("ghost", "job2")
    with pytest.raises(ControlError) as duplicate:
        controls.add_labeling_job("team-a", "job")
    with pytest.raises(ControlError) as bad_status:
        controls.add_labeling_job("team-a", "job3", "Running")
    with pytest.raises(ControlError) as bad_fields:
        controls.add_labeling_job(
            "team-a", "-bad", label_counters={"Total": -1}, workers_per_data_object=10
        )
    # Then each says what is wrong
    assert str(no_team.value) == (
        "No work team named 'ghost' in account 123456789012, region us-east-1."
    )
    assert str(duplicate.value) == (
        "A labeling job named 'job' already exists in account 123456789012, region us-east-1."
    )
    assert str(bad_status.value).startswith("Status must be one of Initializing, InProgress,")
    message = str(bad_fields.value)
    assert message.startswith("3 validation errors detected: Value '-bad' at 'labelingJobName'")
    assert "at 'labelCounters.total' failed to satisfy constraint" in message
    assert "at 'numberOfHumanWorkersPerDataObject' failed" in message


def test_labeling_jobs_over_http(emulator_server: str, boto_session: boto3.session.Session) -> None:
    # Given a team created over HTTP
    sagemaker = client(boto_session, emulator_server)
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    arn = make_team(sagemaker, "team-a")
    # When a test assigns jobs to it over HTTP (and to teams that do not exist)
    added = control(
        emulator_server,
        "/_emulator/labeling-jobs",
        {
            "WorkteamName": "team-a",
            "LabelingJobName": "job1",
            "Status": "InProgress",
            "JobReferenceCode": "ref-1",
            "CreationTime": at(1).timestamp(),
        },
    )
    control(
        emulator_server,
        "/_emulator/labeling-jobs",
        {"WorkteamName": "team-a", "LabelingJobName": "job0", "CreationTime": "2026-01-05T12:00Z"},
    )
    ghost = control(
        emulator_server,
        "/_emulator/labeling-jobs",
        {"WorkteamName": "ghost", "LabelingJobName": "job2"},
    )
    duplicate = control(
        emulator_server,
        "/_emulator/labeling-jobs",
        {"WorkteamName": "team-a", "LabelingJobName": "job1"},
    )
    listed = sagemaker.list_labeling_jobs_for_workteam(WorkteamArn=arn)
    # Then ListLabelingJobsForWorkteam over HTTP shows them; bad requests say why
    assert added == (
        200,
        {
            "LabelingJobName": "job1",
            "JobReferenceCode": "ref-1",
            "WorkRequesterAccountId": "123456789012",
            "CreationTime": at(1).timestamp(),
        },
    )
    assert names(listed) == ["job0", "job1"]
    assert listed["LabelingJobSummaryList"][0]["CreationTime"] == at(0)
    assert ghost == (
        404,
        {"Message": "No work team named 'ghost' in account 123456789012, region us-east-1."},
    )
    assert duplicate[0] == 400


def test_install_refuses_when_moto_gains_labeling_jobs() -> None:
    # Given a moto whose SageMakerResponse implements CreateLabelingJob
    class NewerMotoResponse:
        def create_labeling_job(self) -> None:
            return None

    # When the emulator checks it before installing
    with pytest.raises(RuntimeError) as excinfo:
        check_moto_has_no_labeling_jobs(NewerMotoResponse)
    # Then it says which list to serve from
    assert "serve ListLabelingJobsForWorkteam from moto's labeling jobs" in str(excinfo.value)


def test_describe_labeling_job_shows_the_status_a_control_sets(sagemaker: Any, team_a: str) -> None:
    # Given a job in progress on a team
    controls.add_labeling_job("team-a", "batch-1")

    # When it is described, then its status and team are as assigned
    described = sagemaker.describe_labeling_job(LabelingJobName="batch-1")
    assert described["LabelingJobStatus"] == "InProgress"
    assert described["HumanTaskConfig"]["WorkteamArn"] == team_a

    # When the job completes, then DescribeLabelingJob says so
    controls.set_labeling_job_status("batch-1", "Completed")
    assert sagemaker.describe_labeling_job(LabelingJobName="batch-1")["LabelingJobStatus"] == (
        "Completed"
    )
    # and an unknown job, or status, is a clear error
    assert error_of(sagemaker.describe_labeling_job, LabelingJobName="nope")[0] == (
        "ResourceNotFound"
    )
    with pytest.raises(ControlError, match="Status must be one of"):
        controls.set_labeling_job_status("batch-1", "Done")
