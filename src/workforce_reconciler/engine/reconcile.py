"""One level-triggered reconcile, from trigger to ``Report``: read desired, observe, plan,
apply, record.

The trigger (a schedule, an SSM change event, a CLI command) only wakes it: every run
rebuilds the observed state and compares it with the whole document, so a lost or
repeated event changes nothing. ``Reconciler.run`` is the one entry point of the Lambda
handler and the CLI, and turns everything that can happen into a ``Report``: the
document missing or invalid, an AWS error (``Report.Error``, ``Retryable`` when it may
pass by itself), a plan not applied (detect mode, not approved) or applied. The callers
only present the report (and the handler raises for Lambda's retry when it says so).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce_reconciler.document import DesiredState, InvalidDocumentError, parse_document
from workforce_reconciler.engine.apply import Applied, WaitSettings, apply
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.observe import observe
from workforce_reconciler.engine.secret_state import create_stamp, record_applied
from workforce_reconciler.errors import ReconcilerError, TransientError
from workforce_reconciler.observability import logger
from workforce_reconciler.plan import (
    ActionResult,
    Classification,
    Mode,
    Outcome,
    Plan,
    Report,
    RunError,
    SecretApplied,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

    from workforce_reconciler.ports import (
        DesiredStateSource,
        SecretResolver,
        StateStore,
        WorkforceGateway,
    )

Approve = Callable[[Report], bool]
"""Asked with the planned report before anything is applied; False applies nothing."""


class Reconciler:
    def __init__(
        self,
        gateway: WorkforceGateway,
        *,
        secrets: SecretResolver | None = None,
        store: StateStore | None = None,
        mode_override: Mode | None = None,
        wait: WaitSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.secrets = secrets
        self.store = store
        self.mode_override = mode_override
        self.wait = wait or WaitSettings()
        self._sleep = sleep
        self._monotonic = monotonic

    @property
    def region(self) -> str:
        return self.gateway.region

    def run(
        self,
        source: DesiredStateSource,
        trigger: str,
        *,
        apply_changes: bool = True,
        approve: Approve | None = None,
        adopt_secret: bool = False,
    ) -> Report:
        """The whole loop. ``apply_changes=False`` (or detect mode) never writes.

        ``adopt_secret``: the live workforce already uses the referenced client secret;
        its version is recorded instead of sent (an UpdateWorkforce that SageMaker may
        refuse while work teams exist).
        """
        try:
            return self._run(source, trigger, apply_changes, approve, adopt_secret)
        except ReconcilerError as exc:
            # Access denied, an unreadable secret reference, throttling that outlived
            # botocore's retries: nothing was compared or changed after it.
            return self._report(
                trigger,
                source.location,
                Error=RunError(
                    Code=str(getattr(exc, "code", type(exc).__name__)),
                    Message=str(exc),
                    Retryable=isinstance(exc, TransientError),
                ),
            )

    def _run(
        self,
        source: DesiredStateSource,
        trigger: str,
        apply_changes: bool,
        approve: Approve | None,
        adopt_secret: bool,
    ) -> Report:
        text, where = source.read()
        if text is None:
            return self._report(trigger, where)
        try:
            desired = parse_document(text)
        except InvalidDocumentError as exc:
            return self._report(trigger, where, DocumentProblems=exc.problems)
        adopted = self.adopt_secret(desired) if adopt_secret else None
        observed = observe(desired, self.gateway, secrets=self.secrets, store=self.store)
        plan = diff(desired, observed)
        mode = self._mode(desired)
        planned = self._planned(trigger, where, mode, plan, observed.workforce, adopted)
        if not (apply_changes and mode is Mode.ENFORCE and plan.applicable_actions):
            return planned
        if approve is not None and not approve(planned):
            return planned
        applied = apply(
            plan,
            gateway=self.gateway,
            secrets=self.secrets,
            wait=self.wait,
            sleep=self._sleep,
            monotonic=self._monotonic,
        )
        self._record(applied)
        return self._applied(planned, plan, applied)

    def _mode(self, desired: DesiredState) -> Mode:
        detect = Mode.DETECT in (self.mode_override, desired.Policy.Mode)
        return Mode.DETECT if detect else Mode.ENFORCE

    def _report(self, trigger: str, where: str, **fields: object) -> Report:
        mode = self.mode_override or Mode.ENFORCE
        return Report.model_validate(
            {
                "Trigger": trigger,
                "Mode": mode,
                "Region": self.region,
                "DocumentSource": where,
                **fields,
            }
        )

    def _planned(
        self,
        trigger: str,
        where: str,
        mode: Mode,
        plan: Plan,
        workforce: WorkforceTypeDef | None,
        adopted: SecretApplied | None,
    ) -> Report:
        return Report(
            Trigger=trigger,
            Mode=mode,
            Region=self.region,
            WorkforceName=plan.WorkforceName,
            Plan=plan,
            WorkforceStatus=workforce.get("Status") if workforce else None,
            FailureReason=workforce.get("FailureReason") if workforce else None,
            DocumentSource=where,
            SecretAdopted=adopted,
        )

    def _applied(self, planned: Report, plan: Plan, applied: Applied) -> Report:
        status, reason = planned.WorkforceStatus, planned.FailureReason
        if any(r.Outcome is not Outcome.SKIPPED for r in applied.results):
            # Writes were sent: report the status they led to (Failed, a replacement...),
            # not the one seen before the run. One DescribeWorkforce, only after writes.
            with contextlib.suppress(ReconcilerError):  # the report matters more
                workforce = self.gateway.describe_workforce(plan.WorkforceName)
                status = workforce.get("Status") if workforce else None
                reason = workforce.get("FailureReason") if workforce else None
        results = tuple(_as_reported(r) for r in applied.results)
        return planned.model_copy(
            update={
                "Plan": plan.model_copy(update={"Actions": tuple(r.Action for r in results)}),
                "Results": results,
                "WorkforceStatus": status,
                "FailureReason": reason,
            }
        )

    def _record(self, applied: Applied) -> None:
        if applied.secret is None or self.store is None:
            return
        try:
            record_applied(self.store, self.region, applied.secret)
        except ReconcilerError as exc:
            # Without the record the next run applies the same secret once more, which
            # is harmless. The report must not be lost.
            logger.warning(
                "could not record the client secret's version", extra={"error": str(exc)}
            )

    def adopt_secret(self, desired: DesiredState) -> SecretApplied:
        """Record the referenced secret's current version as the one SageMaker holds."""
        reference = desired.Workforce.secret_reference()
        if reference is None:
            raise ReconcilerError("the document has no OIDC client secret to adopt")
        if self.store is None or self.secrets is None:
            raise ReconcilerError("adopting the client secret needs the state table")
        name = desired.Workforce.WorkforceName
        workforce = self.gateway.describe_workforce(name)
        if workforce is None:
            raise ReconcilerError(
                f"cannot adopt the client secret: workforce {name} does not exist"
            )
        adopted = SecretApplied(
            Reference=reference.display,
            Version=self.secrets.current_version(reference),
            WorkforceName=name,
            WorkforceCreateDate=create_stamp(workforce),
        )
        record_applied(self.store, self.region, adopted)
        return adopted


def _as_reported(result: ActionResult) -> ActionResult:
    """A step SageMaker refused is blocked drift for a person, with the service's reason."""
    if result.Outcome is not Outcome.REFUSED:
        return result
    message = result.ErrorMessage or ""
    action = result.Action.model_copy(
        update={
            "Classification": Classification.BLOCKED,
            "Reason": f"SageMaker refused it ({result.ErrorCode}): {message}",
        }
    )
    return result.model_copy(
        update={"Action": action, "ErrorMessage": f"blocked by SageMaker: {message}"}
    )
