"""The Lambda handler: a stack of Powertools decorators around one call into the engine.

Both triggers (the schedule and the SSM "Parameter Store Change" rule) wake the same
level-triggered reconcile; the event says only *why* it runs. An event for another
parameter, or one of an unknown shape, is ignored with a log line.

Failure policy (template.yaml bounds the retries and sends what is left to the DLQ):
- an invalid or deleted document is reported and returns normally: retrying cannot help;
- a transient AWS error (throttling or 5xx after botocore's retries) raises, so Lambda
  retries the event, after the notifier has reported whatever the run did do.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.sns import SnsNotifier
from workforce_reconciler.adapters.state_store import DynamoDBStateStore
from workforce_reconciler.aws import Clients
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.errors import ReconcilerError, TransientError
from workforce_reconciler.observability import logger, metrics, tracer
from workforce_reconciler.plan import Mode, Report, RunError
from workforce_reconciler.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


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


def classify(event: Any, parameter: str) -> str | None:
    """The trigger name for a run, or None when the event is not ours."""
    try:
        change = parse(event=event, model=ParameterStoreChangeEvent)
    except ValidationError:
        pass
    else:
        if change.detail.name.lstrip("/") != parameter.lstrip("/"):
            return None
        return f"ssm:{change.detail.operation}"
    try:
        parse(event=event, model=ScheduledEvent)
    except ValidationError:
        return None
    return "schedule"


@cache
def _dependencies() -> tuple[Settings, Reconciler, SsmDocumentSource, SnsNotifier]:
    """Built once per execution environment (cold start), reused by warm invocations."""
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
    )
    source = SsmDocumentSource(clients.ssm(), settings.DESIRED_STATE_PARAMETER)
    notifier = SnsNotifier(
        clients.sns(),
        settings.TOPIC_ARN,
        store,
        scope=f"{reconciler.region}:{settings.DESIRED_STATE_PARAMETER}",
        reminder_interval=settings.reminder_interval,
    )
    return settings, reconciler, source, notifier


def reset() -> None:
    """Forget the cached clients (tests; a changed environment)."""
    _dependencies.cache_clear()


def summary(report: Report, sent: list[str]) -> dict[str, Any]:
    plan = report.Plan
    return {
        "Status": report.status.value,
        "Trigger": report.Trigger,
        "Mode": report.Mode.value,
        "WorkforceName": report.WorkforceName,
        "WorkforceStatus": report.WorkforceStatus,
        "PlannedActions": len(plan.Actions) if plan else 0,
        "BlockedActions": len(plan.blocked_actions) if plan else 0,
        "Applied": len(report.applied),
        "Failed": len(report.failed),
        "DocumentProblems": len(report.DocumentProblems),
        "Error": report.Error.model_dump() if report.Error else None,
        "Notifications": sent,
    }


def _record_metrics(report: Report) -> None:
    plan = report.Plan
    metrics.add_metric(
        name="DriftFound", unit=MetricUnit.Count, value=len(plan.Actions) if plan else 0
    )
    metrics.add_metric(
        name="BlockedDrift", unit=MetricUnit.Count, value=len(plan.blocked_actions) if plan else 0
    )
    metrics.add_metric(name="ChangesApplied", unit=MetricUnit.Count, value=len(report.applied))
    metrics.add_metric(name="ApplyFailures", unit=MetricUnit.Count, value=len(report.failed))
    metrics.add_metric(
        name="WorkforceFailed", unit=MetricUnit.Count, value=int(report.WorkforceStatus == "Failed")
    )
    metrics.add_metric(
        name="InvalidDocument", unit=MetricUnit.Count, value=int(bool(report.DocumentProblems))
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings, reconciler, source, notifier = _dependencies()
    trigger = classify(event, settings.DESIRED_STATE_PARAMETER)
    if trigger is None:
        logger.info(
            "ignored an event that is neither the schedule nor a change of the parameter",
            extra={
                "parameter": settings.DESIRED_STATE_PARAMETER,
                "event_source": event.get("source") if isinstance(event, dict) else None,
                "event_detail_type": event.get("detail-type") if isinstance(event, dict) else None,
            },
        )
        metrics.add_metric(name="IgnoredEvents", unit=MetricUnit.Count, value=1)
        return {"Status": "Ignored"}

    logger.info("reconcile starts", extra={"trigger": trigger})
    try:
        report = reconciler.run(source, trigger)
    except TransientError:
        raise  # Lambda retries the event, then dead-letters it
    except ReconcilerError as exc:
        # Access denied, an unreadable secret reference...: retrying will not help, a
        # person must act, so it is reported (once) like any other condition.
        logger.error("reconcile stopped", extra={"error": str(exc)})
        report = Report(
            Trigger=trigger,
            Mode=settings.mode_override or Mode.ENFORCE,
            Region=reconciler.region,
            DocumentSource=f"ssm:{settings.DESIRED_STATE_PARAMETER}",
            Error=RunError(Code=str(getattr(exc, "code", type(exc).__name__)), Message=str(exc)),
        )
    for failure in report.failed:
        logger.warning(
            "step failed",
            extra={
                "operation": failure.Action.Operation.value,
                "target": failure.Action.target,
                "error_code": failure.ErrorCode,
                "error_message": failure.ErrorMessage,  # apply already scrubbed the secret
            },
        )
    sent = notifier.publish(report)
    _record_metrics(report)
    result = summary(report, sent)
    logger.info("reconcile done", extra={"summary": result})

    retryable = [r for r in report.failed if r.Retryable]
    if retryable:
        first = retryable[0]
        raise TransientError(
            f"{len(retryable)} step(s) failed transiently, first {first.Action.Operation} "
            f"{first.Action.target}: {first.ErrorCode}; Lambda will retry the event",
            code=first.ErrorCode or "TransientError",
        )
    return result
