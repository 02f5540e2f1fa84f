"""--output json goes through the same redaction as the text output."""

from __future__ import annotations

import json

from workforce_reconciler.cli import report_json
from workforce_reconciler.plan import Mode, Plan, Report


def test_json_report_redacts_a_secret_echoed_in_a_failure_reason() -> None:
    # Given a report whose FailureReason (service text) echoes a client secret
    report = Report(
        Trigger="cli-plan",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default"),
        WorkforceStatus="Failed",
        FailureReason="token exchange failed with ClientSecret=hunter2-secret",
    )

    # When it is rendered as JSON for scripts
    text = json.dumps(report_json(report))

    # Then the value is gone and the rest is there
    assert "hunter2-secret" not in text
    assert json.loads(text)["Status"] == "WorkforceFailed"
    assert "token exchange failed" in text
