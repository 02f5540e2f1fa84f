"""``workforce-reconciler``: validate, plan, apply, export, schema.

The same engine as the Lambda, from a laptop or CI. Exit codes follow
``terraform plan -detailed-exitcode``: 0 nothing to do (or done), 2 changes pending,
1 error. Messages go to stderr, results to stdout; no traceback reaches the user
unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError, ProfileNotFound

from workforce_reconciler import __version__
from workforce_reconciler.adapters.documents import FileDocumentSource, SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.state_store import DynamoDBStateStore
from workforce_reconciler.aws import Clients
from workforce_reconciler.document import (
    DesiredState,
    InvalidDocumentError,
    json_schema,
    parse_document,
)
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.export import export_document
from workforce_reconciler.engine.observe import secret_record_key, secret_scope
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import Mode, Outcome, Report, Severity
from workforce_reconciler.redaction import redact, redact_text
from workforce_reconciler.render import (
    format_plan,
    format_report,
    format_result,
)

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
  0  validate: valid; plan: no changes; apply: converged (or nothing to do); export, schema: done
  1  an error: invalid document, AWS error, a change failed or blocked, usage error
  2  plan: changes pending; apply: changes pending but not applied (detect mode)"""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    aws = parser.add_argument_group("AWS options")
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


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", type=Path, help="desired-state document (JSON file)")
    source.add_argument("--parameter", help="SSM parameter that holds the desired state")
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
        help="seconds to wait for the workforce to become Active between steps (default 600)",
    )
    _add_aws_options(parser)


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

    validate = sub.add_parser("validate", help="check a document offline (exit 0 valid, 1 not)")
    validate.add_argument("file", type=Path, help="desired-state document (JSON file)")
    validate.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="text: a summary or the problems; json: {Valid, ...} on stdout",
    )

    plan = sub.add_parser(
        "plan", help="show what apply would change (exit 0 none, 2 changes pending, 1 error)"
    )
    _add_source_options(plan)

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

    export = sub.add_parser(
        "export", help="write a document from the live workforce and teams (to adopt them)"
    )
    export.add_argument("--workforce-name", help="default: the account's only workforce")
    export.add_argument("--out", type=Path, help="write here instead of stdout")
    _add_aws_options(export)

    sub.add_parser("schema", help="print the JSON Schema of the document")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except InvalidDocumentError as exc:
        _err(str(exc))
        return EXIT_ERROR
    except ReconcilerError as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except NoRegionError:
        _err("error: no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)")
        return EXIT_ERROR
    except NoCredentialsError:
        _err("error: no AWS credentials found: configure a profile or set AWS_ACCESS_KEY_ID")
        return EXIT_ERROR
    except ProfileNotFound as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except BotoCoreError as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: never a traceback for users
        if args.debug:
            raise
        _err(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "schema":
        _out(json.dumps(json_schema(), indent=2))
        return EXIT_OK
    if command == "validate":
        return _validate(args)
    if command == "export":
        return _export(args)
    return _plan_or_apply(args, apply=command == "apply")


def _validate(args: argparse.Namespace) -> int:
    source = FileDocumentSource(args.file)
    text, where = source.read()
    assert text is not None
    try:
        desired = parse_document(text)
    except InvalidDocumentError as exc:
        if args.output == "json":
            _out(json.dumps({"Valid": False, "Problems": [p.model_dump() for p in exc.problems]}))
        else:
            _err(f"{where}: {exc}")
        return EXIT_ERROR
    kind = "OIDC" if desired.Workforce.OidcConfig is not None else "Amazon Cognito"
    if args.output == "json":
        summary = {
            "Valid": True,
            "WorkforceName": desired.Workforce.WorkforceName,
            "IdentityProvider": desired.Workforce.identity_provider,
            "Workteams": len(desired.Workteams),
            "Mode": desired.Policy.Mode.value,
        }
        _out(json.dumps(summary))
    else:
        _out(
            f"{where}: valid: workforce {desired.Workforce.WorkforceName} ({kind}), "
            f"{len(desired.Workteams)} work team(s), mode {desired.Policy.Mode}"
        )
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


def _reconciler(args: argparse.Namespace, clients: Clients) -> Reconciler:
    store = DynamoDBStateStore(clients.dynamodb(), args.state_table) if args.state_table else None
    return Reconciler(
        SageMakerGateway(clients.sagemaker()),
        secrets=AwsSecretResolver(clients.secretsmanager(), clients.ssm()),
        store=store,
        mode_override=Mode.DETECT if args.detect else None,
        wait=WaitSettings(timeout_seconds=args.wait_timeout),
    )


def _plan_or_apply(args: argparse.Namespace, *, apply: bool) -> int:
    trigger = "cli-apply" if apply else "cli-plan"
    if args.file is not None:
        # Parse before touching AWS: a bad document needs no credentials to be reported.
        text, where = FileDocumentSource(args.file).read()
        try:
            parse_document(text or "")
        except InvalidDocumentError as exc:
            # (--region already defaults to AWS_REGION)
            region = args.region or os.environ.get("AWS_DEFAULT_REGION", "")
            _show(
                args,
                Report(
                    Trigger=trigger,
                    Mode=Mode.DETECT if args.detect else Mode.ENFORCE,
                    Region=region,
                    DocumentSource=where,
                    DocumentProblems=exc.problems,
                ),
            )
            return EXIT_ERROR
    clients = _clients(args)
    reconciler = _reconciler(args, clients)
    source = (
        FileDocumentSource(args.file)
        if args.file is not None
        else SsmDocumentSource(clients.ssm(), args.parameter)
    )
    loaded = reconciler.load(source, trigger)
    if loaded.desired is None:
        assert loaded.failure is not None
        _show(args, loaded.failure)
        if loaded.failure.DocumentProblems:
            return EXIT_ERROR
        _err(f"error: {loaded.source} does not exist")
        return EXIT_ERROR
    if apply and args.secret_already_applied:
        _record_secret_as_applied(reconciler, loaded.desired)
    planned = reconciler.plan(loaded.desired)
    report = reconciler.report(planned, trigger, loaded.source)
    color = args.output == "text" and _colour(sys.stdout)

    critical = [f for f in planned.plan.Findings if f.Severity is Severity.CRITICAL]
    if critical:
        # A Failed workforce: nothing the plan can do, and nothing is in sync either.
        _show(args, report, color=color)
        for finding in critical:
            _err(f"error: {redact_text(finding.Message)}")
        return EXIT_ERROR
    if not apply or not planned.plan.Actions:
        # Nothing to apply is a plan too: the same output, exit 0.
        _show(args, report, color=color)
        return EXIT_CHANGES if planned.plan.Actions else EXIT_OK

    if args.output == "text":
        _out(format_plan(planned.plan, color=color))
    if planned.mode is Mode.DETECT:
        if args.output == "json":
            _show(args, report)
        _err("Mode is detect (the document's Policy.Mode or --detect): nothing applied.")
        return EXIT_CHANGES
    if not planned.plan.applicable_actions:
        if args.output == "json":
            _show(args, report)
        _err("error: nothing can be applied: every change is blocked:")
        for action in planned.plan.blocked_actions:
            _err(f"  {action.target} ({action.Operation.value}): {redact_text(action.Reason)}")
        return EXIT_ERROR
    if not args.auto_approve:
        if not sys.stdin.isatty():
            raise UsageError(
                "refusing to apply without confirmation: stdin is not a terminal; "
                "pass --auto-approve to apply non-interactively"
            )
        if args.output == "json":  # the plan has not been shown: show it where people look
            _err(format_plan(planned.plan))
        if not _confirm():
            _err("Apply cancelled: nothing was changed.")
            return EXIT_ERROR
    results = reconciler.apply(planned)
    final = reconciler.report(planned, trigger, loaded.source, results)
    if args.output == "json":
        _show(args, final)
    else:
        _out(_format_outcome(final, color=color))
    not_applied = [r for r in results if r.Outcome is not Outcome.APPLIED]
    if not_applied:
        _err(
            f"error: {len(not_applied)} of {len(results)} change(s) not applied "
            f"(status {final.status.value})"
        )
        if args.output == "json":  # the text output has just listed them on stdout
            for result in not_applied:
                _err(f"  {format_result(result)}")
        return EXIT_ERROR
    return EXIT_OK


def _record_secret_as_applied(reconciler: Reconciler, desired: DesiredState) -> None:
    """Adoption: the live workforce already uses the referenced secret, so its version is
    recorded without an UpdateWorkforce (which SageMaker may refuse while teams exist)."""
    reference = desired.Workforce.secret_reference()
    if reference is None:
        raise UsageError("--secret-already-applied needs an OIDC document")
    if reconciler.store is None or reconciler.secrets is None:
        raise UsageError("--secret-already-applied needs --state-table")
    name = desired.Workforce.WorkforceName
    workforce = reconciler.gateway.describe_workforce(name)
    if workforce is None:
        raise UsageError(f"--secret-already-applied: workforce {name} does not exist")
    version = reconciler.secrets.current_version(reference)
    scope = secret_scope(reconciler.region, name)
    reconciler.store.put_secret_version(
        scope, secret_record_key(reference.display, workforce), version
    )
    _err(f"recorded {reference.display} version {version} as already applied")


def _confirm() -> bool:
    _err("Apply these changes? Only 'yes' is accepted: ", end="")
    return sys.stdin.readline().strip() == "yes"


def _format_outcome(report: Report, *, color: bool) -> str:
    """What apply did, after the plan it already showed: the results and the status.

    (A Failed workforce never gets here: plan and apply stop before applying.)
    """
    lines = ["", "Results:"]
    lines.extend("  " + format_result(r, color=color) for r in report.Results)
    lines += ["", _status_line(report)]
    return redact_text("\n".join(lines))


def _status_line(report: Report) -> str:
    return f"Status: {report.status.value} (mode {report.Mode.value}, trigger {report.Trigger})."


def _export(args: argparse.Namespace) -> int:
    clients = _clients(args)
    document = export_document(SageMakerGateway(clients.sagemaker()), args.workforce_name)
    text = json.dumps(document, indent=2) + "\n"
    if args.out is not None:
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


def _out(text: str) -> None:
    print(text)


def _err(text: str, end: str = "\n") -> None:
    print(text, file=sys.stderr, end=end, flush=True)


if __name__ == "__main__":
    sys.exit(main())
