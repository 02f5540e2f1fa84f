"""The metrics the function emits (Embedded Metric Format in its log): each run counts one
outcome, and what it found, applied and failed; the dashboard graphs these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from handler.deployment import Deployment, emitted_metrics, event
from workforce_emulator import controls
from workforce_reconciler import handler

SERVICE = frozenset({("service", "workforce-reconciler")})
OUTCOMES = ("RunsInSync", "RunsCorrected", "RunsDriftDetected", "RunsBlocked", "RunsFailed")


def counted(capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    """The metrics of the invocations since the last call, by name (all in one namespace
    with the one dimension service=workforce-reconciler)."""
    metrics = emitted_metrics(capsys.readouterr().out)
    assert {(ns, dims) for ns, _, dims in metrics} <= {("WorkforceReconciler", SERVICE)}
    return {name: value for (_, name, _), value in metrics.items()}


def outcome(values: dict[str, float]) -> list[str]:
    return [name for name in OUTCOMES if values.get(name) == 1]


def test_each_run_counts_its_outcome_and_what_it_did(
    deployment: Deployment, invoke: Callable[[dict[str, Any]], Any], capsys: Any
) -> None:
    # A run that creates everything: corrected, 3 changes found and applied
    deployment.put_document(deployment.oidc_document())
    invoke(event("ssm-update"))
    values = counted(capsys)
    assert outcome(values) == ["RunsCorrected"]
    assert set(values) >= set(OUTCOMES)  # (the other outcomes count 0)
    assert (values["DriftFound"], values["ChangesApplied"], values["ApplyFailures"]) == (3, 3, 0)

    # Nothing changed: in sync
    invoke(event("schedule"))
    assert outcome(counted(capsys)) == ["RunsInSync"]

    # A team the document does not list: blocked
    deployment.sagemaker.create_workteam(
        WorkteamName="weekend-temps",
        WorkforceName="labeling-oidc",
        Description="created by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
    )
    invoke(event("schedule"))
    values = counted(capsys)
    assert outcome(values) == ["RunsBlocked"]
    assert values["BlockedDrift"] == 1
    deployment.sagemaker.delete_workteam(WorkteamName="weekend-temps")

    # SageMaker reports the workforce Failed: failed
    controls.set_status("labeling-oidc", "Failed", "IdP unreachable")
    invoke(event("schedule"))
    values = counted(capsys)
    assert outcome(values) == ["RunsFailed"]
    assert values["WorkforceFailed"] == 1

    # An invalid document: failed
    deployment.put_document('{"Version": 1}')
    invoke(event("ssm-update"))
    values = counted(capsys)
    assert outcome(values) == ["RunsFailed"]
    assert values["InvalidDocument"] == 1

    # An event that is not ours: ignored, no run
    invoke({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"})
    assert counted(capsys) == {"IgnoredEvents": 1}


def test_detect_mode_counts_drift_detected(
    deployment: Deployment,
    invoke: Callable[[dict[str, Any]], Any],
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODE", "detect")
    handler.reset()
    deployment.put_document(deployment.oidc_document())

    invoke(event("schedule"))

    values = counted(capsys)
    assert outcome(values) == ["RunsDriftDetected"]
    assert (values["DriftFound"], values["ChangesApplied"]) == (3, 0)
