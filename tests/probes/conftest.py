"""Fixtures for the probe tests: the probes run in-process against moto + the emulator."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from realaws.ledger import Ledger, Waits
from realaws.probes import Context
from realaws.target import Target

SECRET_OF_THE_RUN = "probe-secret-that-must-never-show"


@pytest.fixture
def target(aws: None, boto_session: boto3.session.Session) -> Target:
    return Target(boto_session, "us-east-1", "123456789012", endpoint_url=None)


@pytest.fixture
def context(target: Target, tmp_path: Path) -> Context:
    """A probe run on the emulator: polls every 10 ms, at most 30 teams, a ledger file."""
    waits = Waits(poll_seconds=0.01, timeout_seconds=30)
    ledger = Ledger(target, "t3st", tmp_path / "leftovers.json", waits)
    return Context(
        target,
        ledger,
        poll_seconds=0.01,
        timeout_seconds=30,
        max_workteams_cap=30,
        secret=SECRET_OF_THE_RUN,
    )
