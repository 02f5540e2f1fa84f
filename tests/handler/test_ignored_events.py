"""An event that is neither the schedule nor a change of the document starts no run: the
function returns Ignored, logs one line saying what the event was, and counts it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from handler.deployment import PARAMETER, TABLE, LambdaContext, captured_logs
from workforce_emulator import controls
from workforce_reconciler import handler

MESSAGE = "ignored an event that is neither the schedule nor a change of the parameter"


@pytest.fixture
def function(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The function's environment; nothing in the account (an ignored event reads nothing)."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("DESIRED_STATE_PARAMETER", PARAMETER)
    monkeypatch.setenv("STATE_TABLE", TABLE)
    monkeypatch.setenv("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:workforce-reconciler")
    handler.reset()
    yield
    handler.reset()


def emitted(printed: str) -> list[dict[str, Any]]:
    """The metrics the invocation emitted (Embedded Metric Format): name, unit, value."""
    found = []
    for line in printed.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    found.append({**metric, "Value": blob[metric["Name"]]})
    return found


@pytest.mark.parametrize(
    ("given", "source", "detail_type"),
    [
        pytest.param(
            {"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"},
            "aws.ec2",
            "EC2 Instance State-change Notification",
            id="another service's event",
        ),
        pytest.param(["not", "an", "event"], None, None, id="not an object"),
    ],
)
def test_an_event_not_ours_is_logged_counted_and_starts_nothing(
    function: None,
    capsys: pytest.CaptureFixture[str],
    given: Any,
    source: str | None,
    detail_type: str | None,
) -> None:
    with captured_logs() as logs:
        result = handler.lambda_handler(given, LambdaContext())

    assert result == {"Status": "Ignored"}
    assert [(line["level"], line["message"], line["parameter"]) for line in logs] == [
        ("INFO", MESSAGE, PARAMETER)
    ]
    (line,) = logs
    assert (line.get("event_source"), line.get("event_detail_type")) == (source, detail_type)
    assert emitted(capsys.readouterr().out) == [
        {"Name": "IgnoredEvents", "Unit": "Count", "Value": [1.0]}
    ]
    assert controls.calls() == []  # SageMaker was not asked anything
