"""``workforce-reconciler``: validate, plan, apply, status, export, push, schema.

The same engine as the Lambda, from a laptop or CI. Exit codes follow
``terraform plan -detailed-exitcode``: 0 nothing to do (or done), 2 changes pending,
1 error. Messages go to stderr, results to stdout; no traceback reaches the user
unless ``--debug`` is given.

A document is a file, a directory of parts (``export --split``), one SSM parameter
(``--parameter``) or parts under an SSM path (``--parameter-path``); ``push`` publishes
a file or a directory to either of the last two (``publish.py``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from workforce_reconciler import __version__, fleet
from workforce_reconciler.adapters.documents import (
    FileDocumentSource,
    SsmDocumentSource,
    SsmPathDocumentSource,
)
from workforce_reconciler.adapters.parameters import SsmParameters
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.stack import find_deployment
from workforce_reconciler.adapters.state_store import DynamoDBStateStore
from workforce_reconciler.aws import Clients, assumed_role_credentials
from workforce_reconciler.document import InvalidDocumentError, document_warnings, json_schema
from workforce_reconciler.document.parts import Layout, read_content, split
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.export import export_document
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.observability import logger
from workforce_reconciler.plan import Mode, Outcome, Report, RunStatus, Severity, shown_problems
from workforce_reconciler.ports import DesiredStateSource
from workforce_reconciler.progress import LiveLine, StatusChanges
from workforce_reconciler.publish import (
    Target,
    format_sizes,
    parts_for,
    plan_publication,
    publish,
    read_stored,
    sizes_json,
)
from workforce_reconciler.redaction import redact, redact_text
from workforce_reconciler.render import (
    format_plan,
    format_report,
    format_result,
)
from workforce_reconciler.status import format_standing, read_standing, standing_json

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


class UsageError(ReconcilerError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1: exit 2 means "changes pending" here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


_OUTPUT_HELP = "text: a readable diff, coloured on a terminal (default); json: stable for scripts"
_EXIT_CODES = """exit codes:
  0  validate: valid; plan: no changes; apply: converged (or nothing to do);
     status: nothing open; export, schema: done; push: nothing to publish
  1  an error: invalid document, AWS error, a change failed or blocked, usage error
  2  plan: changes pending; apply: changes pending but not applied (detect mode);
     status: a condition is open; push: published (with --dry-run: would publish)"""
DEFAULT_PARAMETER = "/workforce-reconciler/desired-state"  # template.yaml's default


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def _add_aws_options(parser: argparse.ArgumentParser, *, many_regions: bool = False) -> None:
    aws = parser.add_argument_group("AWS options")
    if many_regions:  # plan: --region again for each Region of a fleet (_fleet_plan)
        aws.add_argument(
            "--region",
            action="append",
            help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's); "
            "repeat it to plan several Regions at once",
        )
    else:
        aws.add_argument(
            "--region",
            # boto3 reads AWS_DEFAULT_REGION and the profile; AWS_REGION (what Lambda and the
            # AWS CLI v2 set) is honoured here too, so the usual variables all work.
            default=os.environ.get("AWS_REGION") or None,
            help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
        )
    aws.add_argument("--profile", help="named profile from ~/.aws/config")
    aws.add_argument(
        "--endpoint-url",
        help="send every AWS call here (e.g. the emulator); AWS_ENDPOINT_URL is honoured too",
    )


def _path_prefix(text: str) -> str:
    """An SSM path for a document in parts: "/a/b" (a trailing "/" is dropped)."""
    path = text.rstrip("/")
    if not text.startswith("/") or not path or "//" in text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an SSM parameter path like /workforce-reconciler/desired-state"
        )
    return path


_FILE_HELP = "desired-state document: a JSON file, or a directory written by export --split"
_PATH_HELP = (
    "SSM path holding the document in parts: PREFIX/workforce and "
    "PREFIX/workteams/<WorkteamName> (for documents over 4 KB or 8 KB)"
)


def _add_source_options(parser: argparse.ArgumentParser, *, many_regions: bool = False) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", type=Path, help=_FILE_HELP)
    source.add_argument("--parameter", help="SSM parameter that holds the desired state")
    source.add_argument("--parameter-path", metavar="PREFIX", type=_path_prefix, help=_PATH_HELP)
    parser.add_argument(
        "--state-table",
        default=os.environ.get("WORKFORCE_RECONCILER_STATE_TABLE"),
        help="DynamoDB state table of a deployment (tracks the client secret's version; "
        "default: $WORKFORCE_RECONCILER_STATE_TABLE)",
    )
    parser.add_argument(
        "--detect",
        action="store_true",
        help="report only, whatever the document's Policy.Mode says",
    )
    parser.add_argument("--output", choices=("text", "json"), default="text", help=_OUTPUT_HELP)
    parser.add_argument(
        "--wait-timeout",
        type=_seconds,
        default=600.0,
        help="the run's deadline in seconds: no step starts and no wait for the workforce "
        "to become Active lasts after it (default 600)",
    )
    _add_aws_options(parser, many_regions=many_regions)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workforce-reconciler",
        description="Keep a SageMaker private workforce and its work teams equal to one document.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser(
        "validate",
        help="check a document offline, with its size in SSM (exit 0 valid, 1 not)",
    )
    validate.add_argument("file", type=Path, help=_FILE_HELP)
    validate.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="text: a summary and the sizes, or the problems; json: {Valid, ...} on stdout",
    )

    plan = sub.add_parser(
        "plan", help="show what apply would change (exit 0 none, 2 changes pending, 1 error)"
    )
    _add_source_options(plan, many_regions=True)
    _add_fleet_options(plan)

    apply = sub.add_parser(
        "apply", help="show the plan, confirm, apply (exit 0 converged, 1 not, 2 detect mode)"
    )
    _add_source_options(apply)
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument(
        "--secret-already-applied",
        action="store_true",
        help="adopting a workforce: record the referenced client secret's current version as "
        "the one SageMaker already uses, instead of sending it (needs --state-table)",
    )

    _add_status(sub)
    _add_export(sub)
    _add_push(sub)
    sub.add_parser("schema", help="print the JSON Schema of the document")
    return parser


def _add_export(sub: Any) -> None:
    export = sub.add_parser(
        "export", help="write a document from the live workforce and teams (to adopt them)"
    )
    export.add_argument("--workforce-name", help="default: the account's only workforce")
    written = export.add_mutually_exclusive_group()
    written.add_argument("--out", type=Path, help="write here instead of stdout")
    written.add_argument(
        "--split",
        type=Path,
        metavar="DIR",
        help="write the document in parts to a new directory: DIR/workforce.json and "
        "DIR/workteams/<WorkteamName>.json (what push --parameter-path publishes)",
    )
    _add_aws_options(export)


def _add_push(sub: Any) -> None:
    push = sub.add_parser(
        "push",
        help="publish a document to SSM, as CI would (exit 0 nothing to publish, "
        "2 published, 1 error)",
        description="Validate a document, then write to SSM only the parameters whose "
        "content changed (Standard tier up to 4 KB, Advanced up to 8 KB). With "
        "--parameter-path, team parameters the document no longer lists are deleted.",
    )
    push.add_argument("--file", type=Path, required=True, help=_FILE_HELP)
    target = push.add_mutually_exclusive_group(required=True)
    target.add_argument("--parameter", help="publish as this one SSM parameter (up to 8 KB)")
    target.add_argument("--parameter-path", metavar="PREFIX", type=_path_prefix, help=_PATH_HELP)
    push.add_argument(
        "--dry-run", action="store_true", help="print what would be written; write nothing"
    )
    _add_aws_options(push)


def _add_status(sub: Any) -> None:
    status = sub.add_parser(
        "status",
        help="what is wrong right now, from a deployed stack's state table "
        "(exit 0 nothing open, 2 something open)",
    )
    where = status.add_mutually_exclusive_group()
    where.add_argument(
        "--stack", help="the stack's name: its outputs name the state table and the parameter"
    )
    where.add_argument(
        "--state-table",
        default=os.environ.get("WORKFORCE_RECONCILER_STATE_TABLE"),
        help="the stack's DynamoDB state table (default: $WORKFORCE_RECONCILER_STATE_TABLE)",
    )
    status.add_argument(
        "--parameter",
        help=f"the desired-state parameter the stack reads (default: the stack's output, "
        f"else {DEFAULT_PARAMETER})",
    )
    status.add_argument("--output", choices=("text", "json"), default="text", help=_OUTPUT_HELP)
    _add_aws_options(status)


def main(argv: Sequence[str] | None = None) -> int:
    # stdout is for results (one JSON document with --output json): the engine's log
    # lines (Powertools, JSON) go to stderr with the other messages for people.
    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.stream = _Stderr()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except (ReconcilerError, BotoCoreError) as exc:
        _err(_error_line(exc))
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: never a traceback for users
        if args.debug:
            raise
        _err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_ERROR


def _error_line(exc: ReconcilerError | BotoCoreError) -> str:
    """One line for an error that stops a command before the engine reports."""
    if isinstance(exc, InvalidDocumentError):
        return str(exc)
    if isinstance(exc, NoRegionError):
        return "error: no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)"
    if isinstance(exc, NoCredentialsError):
        return "error: no AWS credentials found: configure a profile or set AWS_ACCESS_KEY_ID"
    return f"error: {exc}"


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "schema":
        _out(json.dumps(json_schema(), indent=2))
        return EXIT_OK
    if command == "validate":
        return _validate(args)
    if command == "export":
        return _export(args)
    if command == "status":
        return _status(args)
    if command == "plan":
        return _plan(args)
    if command == "push":
        return _push(args)
    return _apply(args)


def _validate(args: argparse.Namespace) -> int:
    content, where = FileDocumentSource(args.file).read()
    assert content is not None
    try:
        desired, data = read_content(content)
    except InvalidDocumentError as exc:
        if args.output == "json":
            shown, omitted = shown_problems(exc.problems)
            problems = [p.model_dump(exclude_none=True) for p in shown]
            _out(json.dumps({"Valid": False, "Problems": problems, "ProblemsOmitted": omitted}))
        else:
            _err(f"{where}: {exc}")
        return EXIT_ERROR
    kind = "OIDC" if desired.Workforce.OidcConfig is not None else "Amazon Cognito"
    warnings = document_warnings(desired)
    if args.output == "json":
        summary = {
            "Valid": True,
            "WorkforceName": desired.Workforce.WorkforceName,
            "IdentityProvider": desired.Workforce.identity_provider,
            "Workteams": len(desired.Workteams),
            "Mode": desired.Policy.Mode.value,
            "Warnings": [warning.model_dump() for warning in warnings],
            "Sizes": sizes_json(data),
        }
        _out(json.dumps(summary))
    else:
        _out(
            f"{where}: valid: workforce {desired.Workforce.WorkforceName} ({kind}), "
            f"{len(desired.Workteams)} work team(s), mode {desired.Policy.Mode}"
        )
        _out("\n".join(format_sizes(data)))
        for warning in warnings:  # valid all the same: the exit code stays 0
            _err(f"{where}: warning: {warning.Path}: {warning.Message}")
    return EXIT_OK


def _clients(args: argparse.Namespace) -> Clients:
    endpoint = args.endpoint_url
    if endpoint is not None:
        parsed = urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise UsageError(
                f"--endpoint-url {endpoint!r} is not a URL like https://host or http://host:port"
            )
    clients = Clients.create(region=args.region, profile=args.profile, endpoint_url=endpoint)
    if not clients.region:
        raise NoRegionError()
    # Checked here, before any call: otherwise the first call's error names that call
    # ("DescribeWorkforce failed: Unable to locate credentials") instead of the cause.
    if clients.session.get_credentials() is None:
        raise NoCredentialsError()
    try:
        clients.sagemaker()
    except ValueError as exc:  # AWS_ENDPOINT_URL(_SAGEMAKER) that botocore cannot use
        raise UsageError(f"cannot use the endpoint URL: {exc}") from None
    return clients


def _reconciler(
    args: argparse.Namespace, clients: Clients, progress: LiveLine | StatusChanges | None
) -> Reconciler:
    store = DynamoDBStateStore(clients.dynamodb(), args.state_table) if args.state_table else None
    return Reconciler(
        SageMakerGateway(clients.sagemaker()),
        secrets=AwsSecretResolver(clients.secretsmanager(), clients.ssm()),
        store=store,
        mode_override=Mode.DETECT if args.detect else None,
        wait=WaitSettings(timeout_seconds=args.wait_timeout),
        progress=progress,
        # On a terminal the status line's elapsed time ticks while apply sleeps.
        sleep=progress.sleep if isinstance(progress, LiveLine) else time.sleep,
    )


def _progress() -> LiveLine | StatusChanges:
    """How apply's waits are shown, always on stderr (stdout holds the result): a live
    status line on a terminal, else one line per change of status."""
    if sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        return LiveLine(sys.stderr)
    return StatusChanges(lambda line, _: _err(line))


def exit_code(report: Report, *, applying: bool) -> int:
    """``terraform plan -detailed-exitcode``: 0 nothing to do (or done), 2 changes pending,
    1 an error, a Failed workforce, or changes that could not be (or were not) applied."""
    if report.status in _ERRORS or report.Plan is None:
        return EXIT_ERROR
    if not report.Plan.Actions:
        return EXIT_OK
    if not applying:
        return EXIT_CHANGES
    if not report.Results:
        # Not applied: detect mode (changes pending), or blocked / not approved.
        return EXIT_CHANGES if report.Mode is Mode.DETECT else EXIT_ERROR
    return EXIT_OK if all(r.Outcome is Outcome.APPLIED for r in report.Results) else EXIT_ERROR


_ERRORS = frozenset(
    {
        RunStatus.ERROR,
        RunStatus.INVALID_DOCUMENT,
        RunStatus.DOCUMENT_MISSING,
        RunStatus.WORKFORCE_FAILED,
    }
)


def _run(
    args: argparse.Namespace,
    trigger: str,
    progress: LiveLine | StatusChanges | None = None,
    **options: Any,
) -> Report:
    """The engine's run on the document ``args`` name (a file is parsed first, offline:
    a bad document needs no credentials to be reported)."""
    if args.file is not None:
        content, where = FileDocumentSource(args.file).read()
        try:
            read_content(content or "")
        except InvalidDocumentError as exc:
            return Report(
                Trigger=trigger,
                Mode=Mode.DETECT if args.detect else Mode.ENFORCE,
                Region=args.region or os.environ.get("AWS_DEFAULT_REGION", ""),
                DocumentSource=where,
                DocumentProblems=shown_problems(exc.problems)[0],
                DocumentProblemsOmitted=shown_problems(exc.problems)[1],
            )
    clients = _clients(args)
    return _reconciler(args, clients, progress).run(_source(args, clients), trigger, **options)


def _source(args: argparse.Namespace, clients: Clients) -> DesiredStateSource:
    if args.file is not None:
        return FileDocumentSource(args.file)
    if args.parameter_path is not None:
        return SsmPathDocumentSource(clients.ssm(), args.parameter_path)
    return SsmDocumentSource(clients.ssm(), args.parameter)


def _plan(args: argparse.Namespace) -> int:
    if _is_fleet(args):
        return _fleet_plan(args)
    args.region = args.region[0] if args.region else os.environ.get("AWS_REGION") or None
    report = _run(args, "cli-plan", apply_changes=False)
    _present(args, report)
    return exit_code(report, applying=False)


def _apply(args: argparse.Namespace) -> int:
    if args.secret_already_applied and not args.state_table:
        raise UsageError("--secret-already-applied needs --state-table")
    approval = _Approval(args)
    progress = _progress()
    try:
        report = _run(
            args,
            "cli-apply",
            progress,
            approve=approval,
            adopt_secret=args.secret_already_applied,
        )
    finally:
        if isinstance(progress, LiveLine):
            progress.close()  # an interrupt must not leave the status line open
    if approval.refused:
        return EXIT_ERROR
    if report.Results:
        _present_outcome(args, report)
    elif not _unapplied(report) or report.Plan is None or not report.Plan.Actions:
        _present(args, report)
    else:
        _present_unapplied(args, report)
    return exit_code(report, applying=True)


def _unapplied(report: Report) -> bool:
    """A plan with changes that the engine did not apply (detect mode, all blocked)."""
    return report.status not in _ERRORS and not report.Results


@dataclass
class _Approval:
    """Asked by the engine before it applies: shows the plan, confirms on a terminal."""

    args: argparse.Namespace
    refused: bool = False

    def __call__(self, report: Report) -> bool:
        assert report.Plan is not None
        if self.args.output == "text":
            _out(format_plan(report.Plan, color=_colour(sys.stdout)))
        if self.args.auto_approve:
            return True
        self.refused = True
        if not sys.stdin.isatty():
            _err(
                "error: refusing to apply without confirmation: stdin is not a terminal; "
                "pass --auto-approve to apply non-interactively"
            )
            return False
        if self.args.output == "json":  # the plan has not been shown: show it where people look
            _err(format_plan(report.Plan))
        if not _confirm():
            _err("Apply cancelled: nothing was changed.")
            return False
        self.refused = False
        return True


def _present(args: argparse.Namespace, report: Report) -> None:
    """A report as plan shows it; errors (and a Failed workforce) also on stderr."""
    _adopted(report)
    if report.Error is not None:
        if args.output == "json":
            _show(args, report)
        _err(f"error: {redact_text(report.Error.Message)}")
        return
    _show(args, report, color=args.output == "text" and _colour(sys.stdout))
    if report.status is RunStatus.DOCUMENT_MISSING:
        _err(f"error: {report.DocumentSource} does not exist")
    critical = report.Plan.Findings if report.Plan is not None else ()
    for finding in critical:
        if finding.Severity is Severity.CRITICAL:
            # A Failed workforce: nothing the plan can do, and nothing is in sync either.
            _err(f"error: {redact_text(finding.Message)}")


def _present_unapplied(args: argparse.Namespace, report: Report) -> None:
    """Changes the engine did not apply: detect mode, or every one blocked."""
    assert report.Plan is not None
    _adopted(report)
    if args.output == "json":
        _show(args, report)
    else:
        _out(format_plan(report.Plan, color=_colour(sys.stdout)))
    if report.Mode is Mode.DETECT:
        _err("Mode is detect (the document's Policy.Mode or --detect): nothing applied.")
        return
    _err("error: nothing can be applied: every change is blocked:")
    for action in report.Plan.blocked_actions:
        _err(f"  {action.target} ({action.Operation.value}): {redact_text(action.Reason)}")


def _present_outcome(args: argparse.Namespace, report: Report) -> None:
    """What apply did, after the plan the approval showed: the results and the status."""
    _adopted(report)
    if args.output == "json":
        _show(args, report)
    else:
        lines = ["", "Results:"]
        lines += ["  " + format_result(r, color=_colour(sys.stdout)) for r in report.Results]
        lines += ["", _status_line(report)]
        _out(redact_text("\n".join(lines)))
    not_applied = [r for r in report.Results if r.Outcome is not Outcome.APPLIED]
    if not_applied:
        _err(
            f"error: {len(not_applied)} of {len(report.Results)} change(s) not applied "
            f"(status {report.status.value})"
        )
        if args.output == "json":  # the text output has just listed them on stdout
            for result in not_applied:
                _err(f"  {format_result(result)}")


def _adopted(report: Report) -> None:
    if report.SecretAdopted is not None:
        adopted = report.SecretAdopted
        _err(f"recorded {adopted.Reference} version {adopted.Version} as already applied")


def _confirm() -> bool:
    _err("Apply these changes? Only 'yes' is accepted: ", end="")
    return sys.stdin.readline().strip() == "yes"


def _status_line(report: Report) -> str:
    return f"Status: {report.status.value} (mode {report.Mode.value}, trigger {report.Trigger})."


def _status(args: argparse.Namespace) -> int:
    """The deployment's open conditions, last run and client secret: exit 2 if any is open."""
    if not (args.stack or args.state_table):
        raise UsageError("status needs --stack NAME or --state-table NAME")
    clients = _clients(args)
    table, parameter = args.state_table, args.parameter
    if args.stack:
        deployment = find_deployment(clients.cloudformation(), args.stack)
        table, parameter = deployment.table, parameter or deployment.parameter
    assert clients.region is not None  # (_clients refuses to go on without one)
    store = DynamoDBStateStore(clients.dynamodb(), table)
    standing = read_standing(store, clients.region, parameter or DEFAULT_PARAMETER)
    if args.output == "json":
        _out(json.dumps(redact(standing_json(standing)), indent=2, sort_keys=True))
    else:
        _out(format_standing(standing))
    return EXIT_CHANGES if standing.open else EXIT_OK


def _export(args: argparse.Namespace) -> int:
    clients = _clients(args)
    document = export_document(SageMakerGateway(clients.sagemaker()), args.workforce_name)
    text = json.dumps(document, indent=2) + "\n"
    if args.split is not None:
        _write_split(args.split, document)
    elif args.out is not None:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        _err(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    if "OidcConfig" in document["Workforce"]:
        _err(
            "Fill in Workforce.OidcConfig.ClientSecretArn (or replace it with "
            "ClientSecretParameter) before you plan: the client secret cannot be read "
            "back from SageMaker."
        )
    return EXIT_OK


def _write_split(directory: Path, document: dict[str, Any]) -> None:
    """The document in parts, one file each, in a new (or empty) directory: a team file
    left over from before would be read back as a team."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(
            f"cannot write {directory}: export --split writes a new or empty directory"
        )
    layout = Layout(directory.as_posix(), ".json")
    parts = split(document, layout)
    try:
        for name, part in parts.items():
            Path(name).parent.mkdir(parents=True, exist_ok=True)
            Path(name).write_text(json.dumps(part, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {directory}: {exc.strerror or exc}") from None
    _err(f"wrote {directory}: {len(parts)} files ({layout.describe()})")


def _push(args: argparse.Namespace) -> int:
    """Validate, compare with what SSM holds, write what differs (publish.py)."""
    content, where = FileDocumentSource(args.file).read()
    try:
        _, data = read_content(content or "")
    except InvalidDocumentError as exc:
        _err(f"{where}: {exc}")
        _err("Nothing was published.")
        return EXIT_ERROR
    target = Target(parameter=args.parameter, path=args.parameter_path)
    texts = parts_for(data, target)  # too large: refused before any AWS call
    store = SsmParameters(_clients(args).ssm())
    publication = plan_publication(texts, read_stored(store, target), target)
    for step in publication.steps:
        _out(step.line())
    if publication.steps and not args.dry_run:
        publish(store, publication)
    _out(publication.summary(dry_run=args.dry_run))
    return EXIT_CHANGES if publication.steps else EXIT_OK


def _show(args: argparse.Namespace, report: Report, *, color: bool = False) -> None:
    if args.output == "json":
        _out(json.dumps(report_json(report), indent=2, sort_keys=True))
    else:
        _out(format_report(report, color=color))


def report_json(report: Report) -> dict[str, Any]:
    """The stable JSON form: the report with its one-word Status."""
    data: dict[str, Any] = redact(report.model_dump(mode="json"))
    data["Status"] = report.status.value
    return data


def _colour(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written (tests and shells replace it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _out(text: str) -> None:
    print(text)


def _err(text: str, end: str = "\n") -> None:
    print(text, file=sys.stderr, end=end, flush=True)


# ------------------------------------------------------------------------- a fleet's plan


def _add_fleet_options(parser: argparse.ArgumentParser) -> None:
    fleet_options = parser.add_argument_group(
        "a fleet (several accounts and Regions at once; docs/fleet.md)"
    )
    fleet_options.add_argument(
        "--account",
        action="append",
        type=_account,
        help="an account to plan, through the role --role-arn-template names (repeat it)",
    )
    fleet_options.add_argument(
        "--role-arn-template",
        metavar="TEMPLATE",
        help="the role to assume in each --account, e.g. "
        "'arn:aws:iam::{account}:role/WorkforceReconcilerPlan'",
    )
    fleet_options.add_argument(
        "--parallelism",
        type=_parallelism,
        default=fleet.DEFAULT_PARALLELISM,
        help=f"targets read at once (default {fleet.DEFAULT_PARALLELISM})",
    )


def _account(text: str) -> str:
    try:
        return fleet.account_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parallelism(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= fleet.MAX_PARALLELISM:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number from 1 to {fleet.MAX_PARALLELISM}"
        )
    return int(text)


def _is_fleet(args: argparse.Namespace) -> bool:
    return len(set(args.region or ())) > 1 or bool(args.account) or bool(args.role_arn_template)


def _fleet_plan(args: argparse.Namespace) -> int:
    """plan for every account and Region: a section each, one exit code (docs/fleet.md)."""
    if args.state_table:
        raise UsageError(
            "a plan of several accounts or Regions reads no state table: --state-table "
            "(or $WORKFORCE_RECONCILER_STATE_TABLE) names one deployment's; leave it out"
        )
    fleet.check_options(args.account or [], args.role_arn_template)
    regions = list(dict.fromkeys(args.region or [os.environ.get("AWS_REGION") or None]))
    base = _clients(argparse.Namespace(**{**vars(args), "region": regions[0]}))
    resolved = [region or base.region or "" for region in regions]
    if args.account:
        targets = fleet.targets(resolved, args.account, args.role_arn_template)
    else:
        targets = fleet.targets(resolved, [_caller_account(base)])
    planner = fleet.Planner(
        plan=lambda target: _target_report(args, base, target),
        exit_code=lambda report: exit_code(report, applying=False),
        debug=args.debug,
    )
    results = fleet.run(targets, planner, parallelism=args.parallelism)
    if args.output == "json":
        _out(json.dumps(fleet.fleet_json(results, report_json), indent=2, sort_keys=True))
    else:
        _out(fleet.format_fleet(results, color=_colour(sys.stdout)))
    for result in results:
        if result.problem is not None:
            _err(f"error: {result.target.name}: {result.problem}")
    return fleet.exit_code(results)


def _caller_account(base: Clients) -> str:
    """The account the credentials belong to (no --account: plan the caller's Regions)."""
    try:
        return base.sts().get_caller_identity()["Account"]
    except ClientError as exc:
        raise UsageError(
            f"cannot tell which account the credentials belong to (STS GetCallerIdentity): {exc}"
        ) from None


def _target_report(args: argparse.Namespace, base: Clients, target: fleet.Target) -> Report:
    """One target's plan, with clients of its own: the role's credentials, or the caller's."""
    credentials = None
    if target.role_arn is not None:
        credentials = assumed_role_credentials(base, target.role_arn, fleet.SESSION_NAME)
        credentials.get_frozen_credentials()  # AssumeRole now: its refusal is this target's
    clients = Clients.create(
        region=target.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        credentials=credentials,
    )
    return _reconciler(args, clients, None).run(
        _source(args, clients), "cli-plan", apply_changes=False
    )


if __name__ == "__main__":
    sys.exit(main())
