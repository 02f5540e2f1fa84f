"""The Lambda handler: a stack of Powertools decorators around one call into the engine.

Both triggers (the schedule and the SSM "Parameter Store Change" rule) wake the same
level-triggered reconcile; the event says only *why* it runs. The document is one
parameter (DESIRED_STATE_PARAMETER) or parts under a path (DESIRED_STATE_PARAMETER_PATH),
where a change of any part wakes a run. An event for another parameter, or one of an
unknown shape, is ignored with a log line.

The engine turns everything that can happen into a ``Report``; the handler notifies,
logs, counts, and returns a summary. Failure policy (template.yaml bounds the retries
and sends what is left to the DLQ):
- an invalid or deleted document, or an error no retry fixes, is reported and returns
  normally: retrying cannot help;
- a transient AWS error (throttling or 5xx after botocore's retries) raises, so Lambda
  retries the event, after the notifier has reported whatever the run did do.
"""

from __future__ import annotations

# Cold start: the imports below allocate ~160,000 objects that live as long as the
# process. The collector is off while they are made; at the end of the module they are
# frozen (never scanned again, warm invocations included) and it is switched back on.
# (Measured with `make bench`: init 1.54 -> 1.38 times `import boto3` + one client.)
import gc

gc.disable()

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, RootModel

from workforce_reconciler.adapters.documents import SsmDocumentSource, SsmPathDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.sns import SnsNotifier
from workforce_reconciler.adapters.state_store import DynamoDBStateStore
from workforce_reconciler.aws import CALL_BUDGET_SECONDS, Clients
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.errors import ReconcilerError, TransientError
from workforce_reconciler.notifications.links import plan_command
from workforce_reconciler.observability import logger, metrics, tracer
from workforce_reconciler.plan import Outcome, Report, RunStatus
from workforce_reconciler.progress import StatusChanges
from workforce_reconciler.settings import Settings
from workforce_reconciler.status import record_run

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from workforce_reconciler.ports import WaitProgress


class ParameterStoreChangeDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    operation: str
    name: str
    type: str | None = None
    description: str | None = None


class ParameterStoreChangeEvent(EventBridgeModel):
    source: Literal["aws.ssm"]
    detail_type: Literal["Parameter Store Change"] = Field(alias="detail-type")
    detail: ParameterStoreChangeDetail


class ScheduledEvent(EventBridgeModel):
    source: Literal["aws.events"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


class TriggerEvent(
    RootModel[
        Annotated[ParameterStoreChangeEvent | ScheduledEvent, Field(discriminator="detail_type")]
    ]
):
    """Either trigger: one parse tells them apart, by the envelope's detail-type."""


def classify(event: Any, document: str) -> str | None:
    """The trigger name for a run, or None when the event is not ours.

    ``document``: the desired-state parameter's name, or a path ending in "/" for a
    document kept in parts, where a change of any parameter under it is ours (the runs
    that several parts changed at once wake are serialized; the later ones find nothing
    to do)."""
    try:
        parsed = parse(event=event, model=TriggerEvent).root
    except ValidationError:
        return None
    if isinstance(parsed, ScheduledEvent):
        return "schedule"
    name, ours = parsed.detail.name.removeprefix("/"), document.removeprefix("/")
    if not (name.startswith(ours) if ours.endswith("/") else name == ours):
        return None
    return f"ssm:{parsed.detail.operation}"


class RunSummary(BaseModel):
    """What one invocation returns (and logs): the run's outcome in numbers."""

    Status: str
    Trigger: str | None = None
    Mode: str | None = None
    WorkforceName: str | None = None
    WorkforceStatus: str | None = None
    PlannedActions: int = 0
    BlockedActions: int = 0
    Applied: int = 0
    Failed: int = 0
    DocumentProblems: int = 0
    Error: dict[str, Any] | None = None
    Notifications: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, report: Report, sent: list[str]) -> RunSummary:
        plan = report.Plan
        return cls(
            Status=report.status.value,
            Trigger=report.Trigger,
            Mode=report.Mode.value,
            WorkforceName=report.WorkforceName,
            WorkforceStatus=report.WorkforceStatus,
            PlannedActions=len(plan.Actions) if plan else 0,
            BlockedActions=len(plan.blocked_actions) if plan else 0,
            Applied=len(report.applied),
            Failed=len(report.failed),
            DocumentProblems=len(report.DocumentProblems),
            Error=report.Error.model_dump() if report.Error else None,
            Notifications=sent,
        )


@dataclass(frozen=True)
class App:
    """What the handler needs, built once per execution environment (cold start)."""

    settings: Settings
    reconciler: Reconciler
    source: SsmDocumentSource | SsmPathDocumentSource
    notifier: SnsNotifier
    store: DynamoDBStateStore
    scope: str  # the deployment's records: <region>:<desired-state parameter>


def _log_wait(line: str, progress: WaitProgress) -> None:
    """One log line per status a wait sees change (apply may wait up to its bound)."""
    logger.info(
        line,
        extra={
            "workforce": progress.workforce,
            "workforce_status": progress.status,
            "waiting_for": list(progress.wanted) or ["deleted"],
            "step": progress.step,
            "elapsed_seconds": round(progress.elapsed, 1),
            "bound_seconds": progress.bound,
        },
    )


_cold_start = True


@cache
def _app() -> App:
    """What every invocation uses, built once per process (again only after ``reset``).
    The cold start's build runs with the collector off and freezes what it made, as the
    imports do: clients that live as long as the process (~40,000 objects; `make bench`
    measured ~6 ms of init). Later builds (tests) are left to the collector."""
    global _cold_start
    if not _cold_start:
        return _build()
    _cold_start = False
    gc.disable()
    try:
        return _build()
    finally:
        gc.freeze()
        gc.enable()


def _build() -> App:
    settings = Settings.from_env()
    clients = Clients.create()
    store = DynamoDBStateStore(clients.dynamodb(), settings.STATE_TABLE)
    reconciler = Reconciler(
        SageMakerGateway(clients.sagemaker()),
        secrets=AwsSecretResolver(clients.secretsmanager(), clients.ssm()),
        store=store,
        mode_override=settings.mode_override,
        wait=WaitSettings(
            timeout_seconds=settings.WAIT_TIMEOUT_SECONDS,
            poll_seconds=settings.WAIT_POLL_SECONDS,
        ),
        # A refused request is not sent again unchanged before a reminder would be due.
        refusal_memory=settings.reminder_interval,
        guardrails=settings.guardrails,
        progress=StatusChanges(_log_wait),
    )
    scope = f"{reconciler.region}:{settings.document}"
    notifier = SnsNotifier(
        partial(clients.sns, settings.topic_region),
        settings.TOPIC_ARN,
        store,
        scope=scope,
        reminder_interval=settings.reminder_interval,
        plan_command=plan_command(
            settings.document,
            settings.STATE_TABLE,
            reconciler.region,
            path=bool(settings.parameter_path),
        ),
    )
    path = settings.parameter_path
    source = (
        SsmPathDocumentSource(clients.ssm(), path)
        if path
        else SsmDocumentSource(clients.ssm(), settings.DESIRED_STATE_PARAMETER)
    )
    return App(settings, reconciler, source, notifier, store, scope)


def reset() -> None:
    """Forget the cached clients (tests; a changed environment)."""
    _app.cache_clear()


def _ignored(event: Any, parameter: str) -> dict[str, Any]:
    logger.info(
        "ignored an event that is neither the schedule nor a change of the parameter",
        extra={
            "parameter": parameter,
            "event_source": event.get("source") if isinstance(event, dict) else None,
            "event_detail_type": event.get("detail-type") if isinstance(event, dict) else None,
        },
    )
    metrics.add_metric(name="IgnoredEvents", unit=MetricUnit.Count, value=1)
    return {"Status": "Ignored"}


def _changed(event: dict[str, Any]) -> str | None:
    """The parameter a Parameter Store Change event names (which part, in a hierarchy);
    None for the schedule (whose detail is empty). Only for an event ``classify`` took as
    ours: its detail is a dict, and a change's name a string."""
    name: str | None = event["detail"].get("name")
    return name


def _log(report: Report, summary: RunSummary) -> None:
    if report.Error is not None:
        logger.error("reconcile stopped", extra={"error": report.Error.Message})
    for result in report.Results:
        if result.Outcome in (Outcome.FAILED, Outcome.REFUSED):
            logger.warning(
                f"step {result.Outcome.value}",
                extra={
                    "operation": result.Action.Operation.value,
                    "target": result.Action.target,
                    "error_code": result.ErrorCode,
                    "error_message": result.ErrorMessage,  # apply scrubbed the secret
                },
            )
    logger.info("reconcile done", extra={"summary": summary.model_dump()})


def _record(app: App, report: Report) -> None:
    """The run, for `workforce-reconciler status`; losing it must not lose the run."""
    try:
        record_run(
            app.store,
            app.scope,
            report,
            at=datetime.now(UTC),
            reminder_interval=app.settings.reminder_interval,
        )
    except ReconcilerError as exc:
        logger.warning("could not record the run for `status`", extra={"error": str(exc)})


# Each run counts 1 in the metric of its outcome and 0 in the others (their sums over a
# period are the runs of each outcome; the dashboard stacks them). Failed: everything a
# person must look at that is not blocked drift (ApplyFailed, InvalidDocument,
# DocumentMissing, WorkforceFailed, Error).
_OUTCOMES = {
    RunStatus.IN_SYNC: "RunsInSync",
    RunStatus.CORRECTED: "RunsCorrected",
    RunStatus.DRIFT_DETECTED: "RunsDriftDetected",
    RunStatus.BLOCKED: "RunsBlocked",
}
OUTCOME_METRICS = (*_OUTCOMES.values(), "RunsFailed")


def _count(summary: RunSummary, report: Report) -> None:
    outcome = _OUTCOMES.get(report.status, "RunsFailed")
    for name in OUTCOME_METRICS:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=int(name == outcome))
    for name, value in (
        ("DriftFound", summary.PlannedActions),
        ("BlockedDrift", summary.BlockedActions),
        ("ChangesApplied", summary.Applied),
        ("ApplyFailures", summary.Failed),
        ("WorkforceFailed", int(report.WorkforceStatus == "Failed")),
        ("InvalidDocument", int(bool(report.DocumentProblems))),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


# What the run leaves for its report after its deadline: the last call started before it
# (CALL_BUDGET_SECONDS at worst) and the report's own calls (a DescribeWorkforce, the
# state table, SNS), so that the run ends with a report before Lambda's timeout.
REPORT_MARGIN_SECONDS = 2 * CALL_BUDGET_SECONDS


def _deadline(context: LambdaContext) -> float:
    """The run's deadline on the monotonic clock, from the time Lambda has left."""
    left = context.get_remaining_time_in_millis() / 1000
    return time.monotonic() + max(left - REPORT_MARGIN_SECONDS, 0)


def account_of(context: LambdaContext) -> str | None:
    """The function's account, from the ARN it was invoked by (arn:aws:lambda:region:
    account:function:name): no call, at cold start or later."""
    parts = str(getattr(context, "invoked_function_arn", None)).split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _retry(report: Report) -> TransientError:
    """The exception that makes Lambda retry the event (then dead-letter it). Lambda shows
    its type and message (which names the error code); nothing reads more of it."""
    if report.Error is not None:
        return TransientError(report.Error.Message)
    retryable = [r for r in report.failed if r.Retryable]
    first = retryable[0]
    return TransientError(
        f"{len(retryable)} step(s) failed transiently, first {first.Action.Operation} "
        f"{first.Action.target}: {first.ErrorCode}; Lambda will retry the event"
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app = _app()
    trigger = classify(event, app.settings.document)
    if trigger is None:
        return _ignored(event, app.settings.document)
    logger.info("reconcile starts", extra={"trigger": trigger, "changed": _changed(event)})
    report = app.reconciler.run(app.source, trigger, deadline=_deadline(context))
    report = report.model_copy(update={"Account": account_of(context)})
    summary = RunSummary.of(report, app.notifier.publish(report))
    _record(app, report)
    _log(report, summary)
    _count(summary, report)
    if report.retryable:
        raise _retry(report)
    return summary.model_dump(mode="json")


# Everything made at import is permanent: out of the collector's reach from now on.
gc.freeze()
gc.enable()
