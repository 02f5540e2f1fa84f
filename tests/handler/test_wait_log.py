"""The Lambda logs one line per status change while apply waits for the workforce."""

from __future__ import annotations

from typing import Any

from handler.deployment import Deployment, captured_logs, event
from workforce_emulator import controls


def test_each_status_change_of_a_wait_is_one_log_line(deployment: Deployment, invoke: Any) -> None:
    # Given a new workforce that stays Initializing for 3 describes (the function polls
    # every 0.01 s here)
    controls.configure(activation_describes=3)
    deployment.put_document(deployment.oidc_document())

    # When the change event creates it and its teams
    with captured_logs() as logs:
        result = invoke(event("ssm-update"))

    # Then the log has one line when the wait saw Initializing and one when it ended,
    # each with the workforce, its status, the step waiting, elapsed and bound
    assert result["Status"] == "Corrected"
    waits = [line for line in logs if "workforce_status" in line]
    assert [line["message"] for line in waits] == [
        "Waiting for workforce labeling-oidc to be Active before CreateWorkteam "
        "Workteam/image-labelers: SageMaker reports Initializing, 0:00 elapsed of at most 0:30",
        "Workforce labeling-oidc is Active (waited 0:00).",
    ]
    assert [line["workforce_status"] for line in waits] == ["Initializing", "Active"]
    assert {line["level"] for line in waits} == {"INFO"}
    assert {(line["workforce"], line["bound_seconds"]) for line in waits} == {
        ("labeling-oidc", 30.0)
    }
    assert waits[0]["waiting_for"] == ["Active"]
    assert waits[0]["step"] == "CreateWorkteam Workteam/image-labelers"


def test_each_wait_line_says_how_long_the_run_has_waited_to_a_tenth_of_a_second(
    deployment: Deployment, invoke: Any
) -> None:
    # Given a new workforce that stays Initializing for 5 describes
    controls.configure(activation_describes=5)
    deployment.put_document(deployment.oidc_document())

    # When the change event creates it and its teams
    with captured_logs() as logs:
        invoke(event("ssm-update"))

    # Then each line's elapsed_seconds is the run's time so far, in seconds to a tenth,
    # under a second here (the wait polls every 0.01 s), and never going back
    elapsed = [line["elapsed_seconds"] for line in logs if "workforce_status" in line]
    assert len(elapsed) == 2
    assert all(isinstance(seconds, float) and round(seconds, 1) == seconds for seconds in elapsed)
    assert 0 <= elapsed[0] <= elapsed[1] < 1
