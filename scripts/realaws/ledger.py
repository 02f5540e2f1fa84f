"""Every resource a run creates: entered before it is created, removed at the end.

A run enters a resource in the ledger *before* the call that creates it where the run chooses
its name (so a run killed between the two still knows about it; a Cognito user pool and an
SNS topic, whose ids AWS assigns, right after), tags it with ``TAG_KEY`` = the run's id
(``Key``/``Value`` of that tag are in each resource's tags), and calls
``remove_all()`` at the end, also after a failure or Ctrl-C (Ctrl-C is ignored while it
removes). Removal is idempotent: what is already gone is done. With a ``path`` the ledger is
also kept in a JSON file while anything is left in it, so ``python scripts/run_acceptance.py
--cleanup`` (``make acceptance-cleanup``) removes what a killed run left; the file goes when
the ledger is empty.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .target import Target

TAG_KEY = "workforce-reconciler:test-run"
LEFTOVERS = Path("workforce-reconciler-leftovers.json")
"""Where a run keeps its ledger while anything is left in it (``--ledger`` changes it)."""

# What each kind of resource costs while it exists (for the summary a run prints).
COSTS = {
    "sagemaker-workforce": "no charge for a private workforce or its work teams",
    "sagemaker-workteam": "no charge",
    "cognito-user-pool": "no charge without users (Cognito bills monthly active users)",
    "secretsmanager-secret": "$0.40 per secret-month, prorated, plus $0.05 per 10,000 calls",
    "dynamodb-table": "on-demand: a few requests and no stored data, under $0.01",
    "sns-topic": "no charge without deliveries",
    "ssm-parameter": "no charge (Standard tier)",
}


@dataclass(frozen=True)
class Waits:
    """How often and how long a removal polls (a workforce takes a while to go)."""

    poll_seconds: float = 5.0
    timeout_seconds: float = 900.0
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Entry:
    kind: str
    name: str
    region: str
    removed: bool = False
    problem: str | None = None


@dataclass
class Ledger:
    target: Target
    run_id: str
    path: Path | None = None
    waits: Waits = field(default_factory=Waits)
    entries: list[Entry] = field(default_factory=list)

    @property
    def tag(self) -> dict[str, str]:
        return {"Key": TAG_KEY, "Value": self.run_id}

    def add(self, kind: str, name: str) -> None:
        """Enter a resource about to be created (or handed over to the run)."""
        if kind not in REMOVERS:
            raise ValueError(f"unknown kind of resource {kind!r}")
        if not any(e.kind == kind and e.name == name for e in self.entries):
            self.entries.append(Entry(kind, name, self.target.region))
            self._save()

    def forget(self, kind: str, name: str) -> None:
        """The run removed it itself (reported as removed)."""
        for entry in self.entries:
            if entry.kind == kind and entry.name == name:
                entry.removed = True
        self._save()

    def remove_one(self, kind: str, name: str) -> None:
        """Remove one resource now (e.g. a scenario's workforce before the next scenario);
        raises what the removal raised."""
        with _no_interrupts():
            for entry in self.entries:
                if entry.kind == kind and entry.name == name and not entry.removed:
                    REMOVERS[kind](self.target, name, self.waits)
                    entry.removed = True
            self._save()

    def remove_all(self) -> list[Entry]:
        """Remove every resource still in the ledger, newest first; the entries that could
        not be removed (each with its problem). Ctrl-C waits until this is done."""
        with _no_interrupts():
            for entry in reversed(self.entries):
                if entry.removed:
                    continue
                try:
                    REMOVERS[entry.kind](self.target, entry.name, self.waits)
                except (ClientError, BotoCoreError, TimeoutError) as error:
                    entry.problem = str(error)
                else:
                    entry.removed, entry.problem = True, None
                self._save()
        return [e for e in self.entries if not e.removed]

    def summary(self) -> list[str]:
        """What the run created, by kind: how many, what they cost, whether they are gone
        (every one left in place is named, with its problem)."""
        lines = []
        for kind in dict.fromkeys(e.kind for e in self.entries):
            mine = [e for e in self.entries if e.kind == kind]
            removed = [e.name for e in mine if e.removed]
            names = ", ".join(removed[:3]) + (
                f" and {len(removed) - 3} more" if len(removed) > 3 else ""
            )
            if removed:
                lines.append(f"  {kind} x{len(removed)} removed ({names}); {COSTS[kind]}")
            for entry in (e for e in mine if not e.removed):
                problem = entry.problem or "not removed"
                lines.append(
                    f"  {kind} {entry.name} ({entry.region}) LEFT IN PLACE: {problem}; "
                    f"{COSTS[kind]}"
                )
        return lines

    def _save(self) -> None:
        if self.path is None:
            return
        left = [asdict(e) for e in self.entries if not e.removed]
        if left:
            record = {"RunId": self.run_id, "Account": self.target.account, "Entries": left}
            self.path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        else:
            self.path.unlink(missing_ok=True)

    @classmethod
    def load(cls, target: Target, path: Path, waits: Waits | None = None) -> Ledger:
        """The ledger a killed run left in ``path`` (for ``--cleanup``)."""
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if record.get("Account") != target.account:
            raise ValueError(
                f"{path} lists resources of account {record.get('Account')}, not {target.account}"
            )
        ledger = cls(target, str(record["RunId"]), path, waits or Waits())
        ledger.entries = [Entry(**e) for e in record["Entries"] if e["region"] == target.region]
        return ledger


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Ctrl-C would leave resources behind: ignore it while removing (in the main thread)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to protect here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _gone(error: ClientError, *codes: str) -> bool:
    return _code(error) in codes


def _wait(waits: Waits, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + waits.timeout_seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not finish within {waits.timeout_seconds:.0f} s")
        waits.sleep(waits.poll_seconds)


# -- removers: each is idempotent ----------------------------------------------------------


def workteams_of(target: Target, workforce_arn: str | None) -> list[str]:
    """The names of the work teams of a workforce (every private team if ``None``)."""
    sagemaker = target.client("sagemaker")
    names = []
    for page in sagemaker.get_paginator("list_workteams").paginate():
        names += [
            t["WorkteamName"]
            for t in page["Workteams"]
            if workforce_arn is None or t.get("WorkforceArn") == workforce_arn
        ]
    return names


def _workforce_arn(target: Target, name: str) -> str | None:
    sagemaker = target.client("sagemaker")
    for page in sagemaker.get_paginator("list_workforces").paginate():
        for workforce in page["Workforces"]:
            if workforce["WorkforceName"] == name:
                return str(workforce["WorkforceArn"])
    return None


def remove_workteam(target: Target, name: str, waits: Waits) -> None:
    if name not in workteams_of(target, None):
        return
    target.client("sagemaker").delete_workteam(WorkteamName=name)
    _wait(waits, lambda: name not in workteams_of(target, None), f"DeleteWorkteam {name}")


def remove_workforce(target: Target, name: str, waits: Waits) -> None:
    """Its work teams first (SageMaker refuses otherwise), then the workforce; waits until
    ListWorkforces no longer shows it (a new one cannot be created before). Whether it is
    there is read from the listings, never from a not-found message's wording."""
    arn = _workforce_arn(target, name)
    if arn is None:
        return
    for team in workteams_of(target, arn):
        remove_workteam(target, team, waits)
    sagemaker = target.client("sagemaker")

    refusals: list[str] = []

    def deleted() -> bool:
        if _workforce_arn(target, name) is None:
            return True
        try:
            sagemaker.delete_workforce(WorkforceName=name)
        except ClientError as error:  # still changing (Updating, Deleting): try again
            if not _gone(error, "ConflictException", "ResourceInUse", "ValidationException"):
                raise
            refusals[:] = [str(error)]
        return _workforce_arn(target, name) is None

    try:
        _wait(waits, deleted, f"DeleteWorkforce {name}")
    except TimeoutError as error:
        last = f" (last answer: {refusals[0]})" if refusals else ""
        raise TimeoutError(f"{error}{last}") from None


def remove_user_pool(target: Target, pool_id: str, waits: Waits) -> None:
    cognito = target.client("cognito-idp")
    try:
        domain = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain")
        if domain:
            cognito.delete_user_pool_domain(Domain=domain, UserPoolId=pool_id)
        cognito.delete_user_pool(UserPoolId=pool_id)
    except ClientError as error:
        if not _gone(error, "ResourceNotFoundException"):
            raise


def remove_secret(target: Target, arn: str, waits: Waits) -> None:
    try:
        target.client("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    except ClientError as error:
        if not _gone(error, "ResourceNotFoundException"):
            raise


def remove_table(target: Target, name: str, waits: Waits) -> None:
    try:
        target.client("dynamodb").delete_table(TableName=name)
    except ClientError as error:
        if not _gone(error, "ResourceNotFoundException"):
            raise


def remove_topic(target: Target, arn: str, waits: Waits) -> None:
    target.client("sns").delete_topic(TopicArn=arn)  # idempotent


def remove_parameter(target: Target, name: str, waits: Waits) -> None:
    try:
        target.client("ssm").delete_parameter(Name=name)
    except ClientError as error:
        if not _gone(error, "ParameterNotFound"):
            raise


REMOVERS: dict[str, Callable[[Target, str, Waits], None]] = {
    "sagemaker-workforce": remove_workforce,
    "sagemaker-workteam": remove_workteam,
    "cognito-user-pool": remove_user_pool,
    "secretsmanager-secret": remove_secret,
    "dynamodb-table": remove_table,
    "sns-topic": remove_topic,
    "ssm-parameter": remove_parameter,
}


def cleanup_leftovers(target: Target, path: Path, prog: str, waits: Waits | None = None) -> int:
    """``--cleanup``: remove what the ledger file of a killed run lists; an exit status."""
    if not path.exists():
        print(f"{prog}: {path} does not exist: nothing was left by a run here")
        return 0
    try:
        ledger = Ledger.load(target, path, waits)
    except (ValueError, KeyError, TypeError) as error:
        print(f"{prog}: cannot use {path}: {error}", file=sys.stderr)
        return 1
    left = ledger.remove_all()
    print("\n".join(ledger.summary()))
    return 1 if left else 0
