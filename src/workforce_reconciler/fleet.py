"""A fleet's plan: one ``plan`` per account and Region, read concurrently, presented together.

SageMaker allows one private workforce per account and Region, so a platform team runs one
deployment per account and Region (docs/fleet.md). An operator with a role in each account
reads every plan at once: ``targets`` lists them (accounts x Regions), ``run`` plans them in
a bounded thread pool, each with clients of its own (an assumed role's credentials, made by
botocore: ``aws.assumed_role_credentials``), and every target ends as a ``Result``: its
report, or the error that stopped it. One target's failure never stops the others.

The exit code is the fleet's: 1 if any target failed, else 2 if any has changes pending,
else 0 (``terraform plan -detailed-exitcode``, over all targets).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import Report, RunStatus
from workforce_reconciler.redaction import redact_text
from workforce_reconciler.render import format_report

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
DEFAULT_PARALLELISM = 8
MAX_PARALLELISM = 64
SESSION_NAME = "workforce-reconciler-plan"
ACCOUNT_PLACEHOLDER = "{account}"
_ACCOUNT = re.compile(r"\d{12}")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


class FleetError(ReconcilerError):
    """A fleet plan asked for something it cannot do; the message says what and where."""


@dataclass(frozen=True)
class Target:
    """One deployment: an account and a Region, and the role assumed to read it (None:
    the credentials the command was started with)."""

    account: str
    region: str
    role_arn: str | None = None

    @property
    def name(self) -> str:
        return f"{self.account} {self.region}"


@dataclass(frozen=True)
class Result:
    """A target's plan (its report and exit code), or what stopped it before it could plan."""

    target: Target
    report: Report | None = None
    error: str | None = None
    exit_code: int = EXIT_ERROR

    @property
    def status(self) -> str:
        return "Error" if self.report is None else self.report.status.value

    @property
    def problem(self) -> str | None:
        """Why this target counts as failed, in one line (None when it did not fail)."""
        if self.exit_code != EXIT_ERROR:
            return None
        report = self.report
        if report is None:
            return self.error
        if report.Error is not None:
            return redact_text(report.Error.Message)
        if report.status is RunStatus.DOCUMENT_MISSING:
            return f"{report.DocumentSource} does not exist"
        if report.status is RunStatus.INVALID_DOCUMENT:
            return f"{report.DocumentSource} is invalid ({len(report.DocumentProblems)} problems)"
        if report.status is RunStatus.WORKFORCE_FAILED:
            reason = redact_text(report.FailureReason or "no reason given")
            return f"workforce {report.WorkforceName} is Failed: {reason}"
        return f"status {self.status}"


def account_id(text: str) -> str:
    """An ``--account`` value: 12 digits (argparse type)."""
    if not _ACCOUNT.fullmatch(text):
        raise ValueError(f"{text!r} is not an AWS account ID (12 digits)")
    return text


def role_arn_for(template: str, account: str) -> str:
    """``--role-arn-template`` for ``account``: it must name the account, and give a role ARN."""
    if ACCOUNT_PLACEHOLDER not in template:
        raise FleetError(
            f"--role-arn-template {template!r} has no {ACCOUNT_PLACEHOLDER}: it would assume "
            "the same role for every account (e.g. 'arn:aws:iam::{account}:role/Name')"
        )
    arn = template.replace(ACCOUNT_PLACEHOLDER, account)
    if not _ROLE_ARN.fullmatch(arn) or f"::{account}:" not in arn:
        raise FleetError(
            f"--role-arn-template {template!r} gives {arn!r} for account {account}, "
            "not an IAM role ARN of that account (arn:aws:iam::{account}:role/Name)"
        )
    return arn


def check_options(accounts: Sequence[str], role_template: str | None) -> None:
    """--account and --role-arn-template go together, and the template names each account's
    role; raises ``FleetError`` saying what is wrong before any call is made."""
    if accounts and role_template is None:
        raise FleetError(
            "--account needs --role-arn-template: the role to assume in each account "
            "(e.g. --role-arn-template 'arn:aws:iam::{account}:role/WorkforceReconcilerPlan')"
        )
    if role_template is not None and not accounts:
        raise FleetError("--role-arn-template needs at least one --account")
    for account in accounts:
        assert role_template is not None
        role_arn_for(role_template, account)


def targets(
    regions: Sequence[str], accounts: Sequence[str], role_template: str | None = None
) -> list[Target]:
    """Every account with every Region, in the order given (duplicates once), each read
    through the role ``role_template`` names, or (None) with the command's own credentials."""
    found: dict[tuple[str, str], Target] = {}
    for account in accounts:
        arn = role_arn_for(role_template, account) if role_template is not None else None
        for region in regions:
            found.setdefault((account, region), Target(account, region, arn))
    return list(found.values())


@dataclass(frozen=True)
class Planner:
    """How to plan one target, and how a plan's report becomes an exit code (the CLI's)."""

    plan: Callable[[Target], Report]
    exit_code: Callable[[Report], int]
    debug: bool = False  # let an unexpected exception through, with its traceback


def run(
    fleet: Sequence[Target], planner: Planner, *, parallelism: int = DEFAULT_PARALLELISM
) -> list[Result]:
    """Plan every target, at most ``parallelism`` at once; the results in ``fleet``'s order."""
    workers = max(1, min(parallelism, len(fleet)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plan") as pool:
        futures = [pool.submit(_one, target, planner) for target in fleet]
        return [future.result() for future in futures]


def _one(target: Target, planner: Planner) -> Result:
    try:
        report = planner.plan(target)
    except (ReconcilerError, BotoCoreError, ClientError) as exc:
        return Result(target, error=_error_text(target, exc))
    except Exception as exc:  # one target's bug must not hide the others' plans
        if planner.debug:
            raise
        return Result(target, error=f"unexpected {type(exc).__name__}: {exc}")
    report = report.model_copy(update={"Account": target.account})
    return Result(target, report, exit_code=planner.exit_code(report))


def _error_text(target: Target, exc: Exception) -> str:
    if isinstance(exc, ClientError) and target.role_arn is not None:
        # Only AssumeRole raises ClientError here: every AWS call of a plan goes through an
        # adapter that turns it into a ReconcilerError.
        error = exc.response.get("Error", {})
        return (
            f"cannot assume {target.role_arn}: {error.get('Code', 'Error')}: "
            f"{error.get('Message', exc)}"
        )
    return redact_text(str(exc))


def exit_code(results: Sequence[Result]) -> int:
    codes = {result.exit_code for result in results}
    if EXIT_ERROR in codes:
        return EXIT_ERROR
    return EXIT_CHANGES if EXIT_CHANGES in codes else EXIT_OK


_OUTCOMES = {EXIT_OK: "in sync", EXIT_CHANGES: "with changes pending", EXIT_ERROR: "failed"}


def summary(results: Sequence[Result]) -> str:
    counts = {code: sum(r.exit_code == code for r in results) for code in _OUTCOMES}
    parts = [f"{counts[code]} {words}" for code, words in _OUTCOMES.items()]
    return f"Fleet: {len(results)} target(s): {', '.join(parts)}."


def format_fleet(results: Sequence[Result], *, color: bool = False) -> str:
    """One section per target (the plan as `plan` shows it, or the error), then a table."""
    lines: list[str] = []
    for result in results:
        via = f" (as {result.target.role_arn})" if result.target.role_arn else ""
        lines.append(f"=== {result.target.name}{via} ===")
        if result.report is not None:
            lines.append(format_report(result.report, color=color))
        else:
            lines.append(f"error: {result.error}")
        lines.append("")
    lines.append(summary(results))
    width = max(len(r.status) for r in results)
    for result in results:
        row = f"  {result.target.account}  {result.target.region:<15} {result.status:<{width}}"
        lines.append(f"{row}  exit {result.exit_code}")
    return "\n".join(lines)


def fleet_json(
    results: Sequence[Result], report_json: Callable[[Report], dict[str, Any]]
) -> dict[str, Any]:
    """The stable JSON form: every target with its report (as `plan --output json` gives
    it) or its error, and the fleet's exit code."""
    return {
        "Targets": [
            {
                "Account": r.target.account,
                "Region": r.target.region,
                "RoleArn": r.target.role_arn,
                "Status": r.status,
                "ExitCode": r.exit_code,
                "Report": report_json(r.report) if r.report is not None else None,
                "Error": r.error,
            }
            for r in results
        ],
        "ExitCode": exit_code(results),
    }
