"""Messages that must reach a person whatever happens: documents with thousands of
problems, a state table that is gone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from handler.deployment import PARAMETER, TABLE, Deployment, LambdaContext, event
from workforce_reconciler import handler
from workforce_reconciler.document import InvalidDocumentError, parse_document

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def test_a_document_with_thousands_of_problems_is_notified_in_one_message_that_fits(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a 5 KB document with 400 empty member definitions in each of 3 teams
    doc = deployment.oidc_document()
    team = doc["Workteams"][0]
    team["MemberDefinitions"] = [{} for _ in range(400)]
    doc["Workteams"] = [{**team, "WorkteamName": f"team-{i}"} for i in range(3)]
    text = json.dumps(doc, separators=(",", ":"))
    with pytest.raises(InvalidDocumentError) as every:
        parse_document(text)
    assert len(every.value.problems) > 1000
    deployment.ssm.put_parameter(
        Name=PARAMETER, Value=text, Type="String", Tier="Advanced", Overwrite=True
    )

    # When the change event arrives
    result = invoke(event("ssm-update"))

    # Then one InvalidDocument message arrived, listing the first 50 and the count
    assert result["Status"] == "InvalidDocument"
    (message,) = deployment.messages()
    body = json.loads(message["Message"])
    assert body["EventType"] == "InvalidDocument"
    assert len(body["DocumentProblems"]) == 50
    assert body["DocumentProblemsOmitted"] == len(every.value.problems) - 50
    assert len(message["Message"]) < 64_000


def test_without_the_state_table_the_error_still_reaches_a_person(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a deployment whose state table is gone
    deployment.put_document(deployment.oidc_document())
    boto3.client("dynamodb").delete_table(TableName=TABLE)

    # When the schedule fires twice
    first = invoke(event("schedule"))
    invoke(event("schedule"))

    # Then each run told a person, naming the table and why there is no deduplication
    assert first["Status"] == "Error"
    messages = deployment.messages()
    assert deployment.event_types(messages) == ["ReconcileError", "ReconcileError"]
    body = json.loads(messages[0]["Message"])
    assert f"the state table '{TABLE}' does not exist" in body["Error"]["Message"]
    assert "does not exist" in body["StateTableProblem"]


def test_pointing_at_another_unreadable_secret_is_told_again(
    deployment: Deployment, invoke: Invoke
) -> None:
    # Given a document whose client secret reference does not exist, told once
    doc = deployment.oidc_document()
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = "workforce/missing-one"
    deployment.put_document(doc)
    invoke(event("schedule"))
    invoke(event("schedule"))
    assert deployment.event_types(deployment.messages()) == ["ReconcileError"]

    # When the document is pointed at another secret that is missing too
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = "workforce/missing-two"
    deployment.put_document(doc)
    invoke(event("ssm-update"))

    # Then that is a new condition, told at once, naming the new reference
    (message,) = deployment.messages()
    assert "workforce/missing-two" in json.loads(message["Message"])["Error"]["Message"]


def test_a_run_with_too_little_time_left_starts_nothing_and_still_reports(
    deployment: Deployment,
) -> None:
    # Given an invocation with less time left than the report needs (a long wait before)
    deployment.put_document(deployment.oidc_document())
    context = LambdaContext(remaining_ms=60_000)

    # When it runs
    result = handler.lambda_handler(event("ssm-update"), context)

    # Then no step was started, the drift is left for the next run, and the run ended
    # with its summary (no timeout)
    assert result["Status"] == "DriftDetected"
    assert result["Applied"] == 0
    assert deployment.sagemaker.list_workforces()["Workforces"] == []

    # When the next invocation has its full time, everything is done
    assert handler.lambda_handler(event("schedule"), LambdaContext())["Status"] == "Corrected"
