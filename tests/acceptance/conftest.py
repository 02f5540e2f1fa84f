"""Fixtures of the acceptance scenarios (account.py says what the two modes are).

* ``_fake_aws_environment`` (autouse) replaces the root one here: in emulator mode it gives
  fake credentials and ``AWS_ENDPOINT_URL`` = this run's emulator server; in aws mode it
  leaves the environment as the user set it (their credentials and region);
* ``account`` (package scope): the target checked (aws mode: credentials, and no workforce
  that is not ours unless WORKFORCE_ACCEPTANCE_ADOPT=1), the prerequisites created; at the
  end everything in the ledger is removed, also after a failure or Ctrl-C, and what was
  created is printed with its cost;
* ``workforce``: a workforce name for one scenario, removed (with its teams) after it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from realaws.ledger import LEFTOVERS, Ledger
from realaws.target import (
    ACCEPTANCE_ADOPT_HINT,
    NotReady,
    Target,
    connect,
    refuse_a_workforce_that_is_not_ours,
)

from acceptance.account import Account, adopt, mode, new_run_id, waits_for
from workforce_reconciler import handler

FAKE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
SUMMARY = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SUMMARY] = []


@pytest.fixture(scope="package")
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The variables the scenarios run with, for the whole package (then restored)."""
    if mode() not in ("emulator", "aws"):
        pytest.exit(
            f"acceptance: WORKFORCE_ACCEPTANCE must be emulator or aws, not {mode()!r}",
            returncode=1,
        )
    with pytest.MonkeyPatch.context() as patch:
        if mode() == "aws":
            yield dict(os.environ)
            return
        with emulator(tmp_path_factory.mktemp("emulator") / "requests.log") as url:
            for name in [n for n in os.environ if n.startswith("AWS_")]:
                patch.delenv(name)
            for name, value in {**FAKE, "AWS_ENDPOINT_URL": url}.items():
                patch.setenv(name, value)
            yield dict(os.environ)


@contextlib.contextmanager
def emulator(log: Path) -> Iterator[str]:
    """``workforce-emulator --port 0`` in a process of its own (state and settings apart from
    the other tests'), with WORKFORCE_ACCEPTANCE_EMULATOR_CONFIG's switches if given."""
    config = os.environ.get("WORKFORCE_ACCEPTANCE_EMULATOR_CONFIG")
    argv = [str(Path(sys.executable).parent / "workforce-emulator"), "--port", "0"]
    with log.open("w") as requests:
        process = subprocess.Popen(
            [*argv, *(["--config", config] if config else [])],
            stdout=subprocess.PIPE,
            stderr=requests,
            text=True,
            env={**os.environ, **FAKE},
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            if not url:
                pytest.exit(f"acceptance: the emulator did not start: {log.read_text()}", 1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(autouse=True)
def _fake_aws_environment(_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaces the root fixture: the package's environment, whichever the mode."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in _environment.items():
        monkeypatch.setenv(name, value)


def _connect() -> Target:
    try:
        target = connect()
        if mode() == "aws":
            refuse_a_workforce_that_is_not_ours(
                target, adopt=adopt(), adopt_hint=ACCEPTANCE_ADOPT_HINT
            )
    except NotReady as error:
        pytest.exit(f"acceptance (WORKFORCE_ACCEPTANCE=aws): cannot start: {error}", returncode=1)
    return target


@pytest.fixture(scope="package")
def account(
    _environment: dict[str, str],
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Account]:
    target = _connect()
    waits, wait_timeout = waits_for(mode())
    ledger_path = (
        LEFTOVERS if mode() == "aws" else tmp_path_factory.mktemp("ledger") / LEFTOVERS.name
    )
    account = Account(target, Ledger(target, new_run_id(), ledger_path, waits), wait_timeout)
    summary = request.config.stash[SUMMARY]
    summary.append(f"acceptance ({mode()}) in {target.where}, run {account.run_id}:")
    try:
        _hand_over(account, summary)
        account.create_prerequisites()
        yield account
    finally:
        left = account.ledger.remove_all()
        summary += account.ledger.summary()
        if left:
            summary.append(
                f"Some resources are left: `make acceptance-cleanup` retries ({LEFTOVERS})."
            )


def _hand_over(account: Account, summary: list[str]) -> None:
    """WORKFORCE_ACCEPTANCE_ADOPT=1 and a workforce exists: export it, then remove it."""
    if not adopt():
        return
    existing = [w["WorkforceName"] for w in account.sagemaker.list_workforces()["Workforces"]]
    for name in existing:
        out = Path(f"acceptance-adopted-{name}.json").resolve()
        exported = account.cli("export", "--workforce-name", name, "--out", out)
        if exported.code != 0:
            pytest.exit(
                f"acceptance: cannot export {name} before taking it over: {exported.err}", 1
            )
        summary.append(f"  handed over: workforce {name}, exported to {out}, then removed")
        account.ledger.add("sagemaker-workforce", name)
        if account.ledger.remove_all():
            pytest.exit(f"acceptance: could not remove {name}: {account.ledger.summary()}", 1)


@pytest.fixture
def workforce(account: Account) -> Iterator[str]:
    """This scenario's workforce name; afterwards it and its teams are gone."""
    name = account.next_workforce()
    yield name
    account.ledger.remove_one("sagemaker-workforce", name)


@pytest.fixture
def lambda_environment(account: Account, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in account.handler_environment().items():
        monkeypatch.setenv(name, value)
    handler.reset()
    yield
    handler.reset()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """What the suite created, what it costs, and whether it is gone."""
    lines = config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.write_line("")
        for line in lines:
            terminalreporter.write_line(line)
