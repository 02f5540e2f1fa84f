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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workforce_reconciler.document import DesiredState, InvalidDocumentError
from workforce_reconciler.document.parts import parse_content
from workforce_reconciler.engine.apply import Applied, WaitSettings, apply
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.memory import (
    Refusal,
    SecretIntent,
    create_stamp,
    forget_recreation,
    forget_refusal,
    record_applied,
    record_intent,
    record_recreation,
    record_refusal,
    refusal_key,
    secret_scope,
)
from workforce_reconciler.engine.observe import observe, teams_of
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
    shown_problems,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef

    from workforce_reconciler.engine.observe import Observed
    from workforce_reconciler.ports import (
        DesiredStateSource,
        ProgressListener,
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
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        refusal_memory: timedelta | None = None,
        guardrails: Guardrails | None = None,
        progress: ProgressListener | None = None,
    ) -> None:
        """``refusal_memory``: how long a request SageMaker refused is not sent again
        unchanged (the Lambda's reminder interval); None sends every request each run
        (the CLI: a person asked). ``guardrails``: the stack's ceiling over the document
        (the Lambda's; the CLI has none). ``progress``: told each status apply's waits
        observe (the CLI's status line, the Lambda's log)."""
        self.gateway = gateway
        self.secrets = secrets
        self.store = store
        self.mode_override = mode_override
        self.wait = wait or WaitSettings()
        self.refusal_memory = refusal_memory
        self.guardrails = guardrails or Guardrails()
        self.progress = progress
        self._sleep = sleep
        self._monotonic = monotonic
        self._clock = clock

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
        deadline: float | None = None,
    ) -> Report:
        """The whole loop. ``apply_changes=False`` (or detect mode) never writes.

        ``deadline`` (on the reconciler's monotonic clock): no step starts past it (the
        Lambda's time left, minus what the report needs); the wait bound applies too.

        ``adopt_secret``: the live workforce already uses the referenced client secret;
        its version is recorded instead of sent (an UpdateWorkforce that SageMaker may
        refuse while work teams exist).
        """
        try:
            return self._run(source, trigger, apply_changes, approve, adopt_secret, deadline)
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
                    Subject=getattr(exc, "reference", None),
                ),
            )

    def _run(
        self,
        source: DesiredStateSource,
        trigger: str,
        apply_changes: bool,
        approve: Approve | None,
        adopt_secret: bool,
        deadline: float | None = None,
    ) -> Report:
        text, where = source.read()
        if text is None:
            return self._report(trigger, where)
        try:
            desired = parse_content(text)
        except InvalidDocumentError as exc:
            shown, omitted = shown_problems(exc.problems)
            return self._report(
                trigger, where, DocumentProblems=shown, DocumentProblemsOmitted=omitted
            )
        adopted = self.adopt_secret(desired) if adopt_secret else None
        observed = observe(desired, self.gateway, secrets=self.secrets, store=self.store)
        if observed.secret_proven is not None and observed.memory.intent is not None:
            # (applied when the intent was written, just before the call that carried it)
            proven, since = observed.secret_proven, observed.memory.intent.since
            self._best_effort("confirm the client secret's version", proven, since)
        plan = self._remembered(diff(desired, observed, self.guardrails), observed)
        mode = self._mode(desired)
        planned = self._planned(trigger, where, mode, plan, observed.workforce, adopted)
        if not (apply_changes and mode is Mode.ENFORCE and plan.applicable_actions):
            return planned
        if approve is not None and not approve(planned):
            return planned
        self._before_apply(plan)
        applied = apply(
            plan,
            gateway=self.gateway,
            secrets=self.secrets,
            wait=self.wait,
            sleep=self._sleep,
            monotonic=self._monotonic,
            deadline=deadline,
            progress=self.progress,
        )
        self._after_apply(plan, applied, observed)
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

    def _remembered(self, plan: Plan, observed: Observed) -> Plan:
        """Requests SageMaker refused recently, unchanged since: blocked, not sent again."""
        refusals = observed.memory.refusals
        if self.refusal_memory is None or not refusals:
            return plan
        now = self._clock()
        actions = []
        for action in plan.Actions:
            refusal = refusals.get(refusal_key(action, plan.SecretVersion))
            if action.applicable and refusal and now - refusal.at < self.refusal_memory:
                retry = (refusal.at + self.refusal_memory).strftime("%Y-%m-%d %H:%M UTC")
                action = action.model_copy(
                    update={
                        "Classification": Classification.BLOCKED,
                        "Reason": f"SageMaker refused it ({refusal.code}): {refusal.message} "
                        "(not sent again until the document, the workforce or the secret "
                        f"changes, or after {retry})",
                    }
                )
            actions.append(action)
        return plan.model_copy(update={"Actions": tuple(actions)})

    def _before_apply(self, plan: Plan) -> None:
        """Records that must exist before the first call (a failure stops the run)."""
        if self.store is None:
            return
        if plan.Recreation:
            # Before the first deletion: a run that dies between the deletions and the
            # re-creations leaves the next run everything it needs to finish.
            scope = secret_scope(self.region, plan.WorkforceName)
            record_recreation(self.store, scope, plan.Recreation)
        carries = any(a.applicable and a.NeedsClientSecret for a in plan.Actions)
        if not carries or plan.Secret is None or not plan.SecretVersion:
            return
        # The intent, before the call: if the confirmation after it is lost, the
        # workforce's dates prove SageMaker took this version.
        intent = SecretIntent(
            reference=plan.Secret.reference.display,
            version=plan.SecretVersion,
            since=self._clock(),
            workforce=plan.WorkforceName,
        )
        record_intent(self.store, self.region, intent)

    def _after_apply(self, plan: Plan, applied: Applied, observed: Observed) -> None:
        if self.store is None:
            return
        if applied.secret is not None:
            self._best_effort("record the client secret's version", applied.secret, self._clock())
        scope = secret_scope(self.region, plan.WorkforceName)
        refused = {
            refusal_key(r.Action, plan.SecretVersion): r
            for r in applied.results
            if r.Outcome is Outcome.REFUSED
        }
        planned = {refusal_key(a, plan.SecretVersion) for a in plan.Actions}
        store = self.store
        with _warn_on_failure("remember what SageMaker refused"):
            for key, result in refused.items():
                refusal = Refusal(self._clock(), result.ErrorCode or "", result.ErrorMessage or "")
                record_refusal(store, scope, key, refusal)
            for key in set(observed.memory.refusals) - planned:
                forget_refusal(store, scope, key)  # what it depended on has changed
        if plan.Recreation or observed.memory.recreation:
            with _warn_on_failure("verify the re-created work teams"):
                self._verify_recreation(plan, scope)

    def _verify_recreation(self, plan: Plan, scope: str) -> None:
        """The record of teams to re-create goes once every one of them exists again."""
        assert self.store is not None
        workforce = self.gateway.describe_workforce(plan.WorkforceName)
        live = teams_of(self.gateway, workforce)
        if all(team["WorkteamName"] in live for team in plan.Recreation):
            forget_recreation(self.store, scope)

    def _best_effort(self, what: str, applied: SecretApplied, at: datetime) -> None:
        assert self.store is not None
        with _warn_on_failure(what):
            record_applied(self.store, self.region, applied, at)

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
        record_applied(self.store, self.region, adopted, self._clock())
        return adopted


@contextlib.contextmanager
def _warn_on_failure(what: str) -> Iterator[None]:
    """For records a later run can do without: without the secret's record the next run
    applies the same secret once more (or the intent proves it); a refusal not
    remembered is sent once more. The report must not be lost for them."""
    try:
        yield
    except ReconcilerError as exc:
        logger.warning(f"could not {what}", extra={"error": str(exc)})


def _as_reported(result: ActionResult) -> ActionResult:
    """A step SageMaker refused is blocked drift for a person, with the service's reason."""
    if result.Outcome is not Outcome.REFUSED:
        return result
    message = result.ErrorMessage or ""
    reason = f"SageMaker refused it ({result.ErrorCode}): {message}"
    if result.Action.Advice:
        reason += f". {result.Action.Advice}"
    action = result.Action.model_copy(
        update={"Classification": Classification.BLOCKED, "Reason": reason}
    )
    return result.model_copy(update={"Action": action})
