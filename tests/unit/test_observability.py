"""The Tracer: Powertools' on the X-Ray SDK in Lambda; outside it, no X-Ray SDK at all."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workforce_reconciler.observability import UntracedProvider

REPORT = """
import json, sys
from workforce_reconciler.observability import tracer
patched = []
if "aws_xray_sdk.core" in sys.modules:
    from aws_xray_sdk.core import patcher
    patched = sorted(patcher._PATCHED_MODULES)
print(json.dumps({
    "disabled": bool(tracer.disabled),
    "provider": type(tracer.provider).__module__ + "." + type(tracer.provider).__name__,
    "xray_core_loaded": "aws_xray_sdk.core" in sys.modules,
    "patched": patched,
}))
"""


def _tracer_in_a_fresh_process(**environment: str) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LAMBDA_TASK_ROOT", "AWS_SAM_LOCAL", "POWERTOOLS_TRACE_DISABLED")
    }
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return report


def test_in_lambda_the_tracer_is_on_the_xray_sdk_and_patches_botocore(tmp_path: Path) -> None:
    # Given the environment the Lambda runtime gives the function (Tracing: Active)
    # When the service's tracer is made
    report = _tracer_in_a_fresh_process(LAMBDA_TASK_ROOT=str(tmp_path))

    # Then it traces with the X-Ray recorder, AWS SDK calls included
    assert report["disabled"] is False
    assert report["provider"] == "aws_xray_sdk.core.async_recorder.AsyncAWSXRayRecorder"
    assert "botocore" in report["patched"]


@pytest.mark.parametrize(
    "environment",
    [
        {},  # the CLI, the tests
        {"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"},  # sam local invoke
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
    ],
)
def test_where_powertools_would_not_trace_the_xray_sdk_is_never_loaded(
    environment: dict[str, str],
) -> None:
    # Given an environment where Powertools turns tracing off
    # When the service's tracer is made
    report = _tracer_in_a_fresh_process(**environment)

    # Then it is disabled, on a provider that records nothing, and X-Ray's core never loaded
    assert report == {
        "disabled": True,
        "provider": "workforce_reconciler.observability.UntracedProvider",
        "xray_core_loaded": False,
        "patched": [],
    }


def test_the_untraced_provider_takes_every_call_a_disabled_tracer_makes() -> None:
    provider = UntracedProvider()
    with provider.in_subsegment(name="## handler") as segment:
        segment.put_annotation(key="ColdStart", value=True)
        segment.put_metadata(key="handler response", value={"a": 1}, namespace="svc")
        segment.add_exception(ValueError("x"), [], remote=False)

    async def in_async() -> None:
        async with provider.in_subsegment_async(name="## task") as segment:
            segment.put_annotation(key="k", value="v")

    asyncio.run(in_async())
    provider.put_annotation(key="k", value=1)
    provider.put_metadata(key="k", value=1)
    provider.patch(["botocore"])
    provider.patch_all()
