"""One level-triggered reconcile: read desired, read observed, plan, apply, report.

The trigger (a schedule, an SSM change event, a CLI command) only wakes it: every run
rebuilds the observed state and compares it with the whole document, so a lost or
repeated event changes nothing. The Lambda handler and the CLI both use ``Reconciler``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workforce_reconciler.document import DesiredState, InvalidDocumentError, parse_document
from workforce_reconciler.engine.apply import WaitSettings, apply
from workforce_reconciler.engine.diff import diff
from workforce_reconciler.engine.observe import Observed, observe, secret_scope
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import ActionResult, Mode, Outcome, Plan, Report

if TYPE_CHECKING:
    from workforce_reconciler.adapters.sagemaker import SageMakerGateway
    from workforce_reconciler.ports import DesiredStateSource, SecretResolver, StateStore


@dataclass(frozen=True)
class Loaded:
    """A document read and parsed, or the report that says why it could not be."""

    desired: DesiredState | None
    source: str
    failure: Report | None = None


@dataclass(frozen=True)
class Planned:
    desired: DesiredState
    observed: Observed
    plan: Plan
    mode: Mode


class Reconciler:
    def __init__(
        self,
        gateway: SageMakerGateway,
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

    def load(self, source: DesiredStateSource, trigger: str) -> Loaded:
        text, where = source.read()
        mode = self.mode_override or Mode.ENFORCE
        if text is None:
            return Loaded(
                None,
                where,
                Report(Trigger=trigger, Mode=mode, Region=self.region, DocumentSource=where),
            )
        try:
            return Loaded(parse_document(text), where)
        except InvalidDocumentError as exc:
            return Loaded(
                None,
                where,
                Report(
                    Trigger=trigger,
                    Mode=mode,
                    Region=self.region,
                    DocumentSource=where,
                    DocumentProblems=exc.problems,
                ),
            )

    def plan(self, desired: DesiredState) -> Planned:
        observed = observe(desired, self.gateway, secrets=self.secrets, store=self.store)
        mode = (
            Mode.DETECT
            if Mode.DETECT in (self.mode_override, desired.Policy.Mode)
            else Mode.ENFORCE
        )
        return Planned(desired, observed, diff(desired, observed), mode)

    def apply(self, planned: Planned) -> tuple[ActionResult, ...]:
        workforce = planned.observed.workforce or {}
        return apply(
            planned.plan,
            gateway=self.gateway,
            # The live workforce, whatever its name: a replacement's first steps act on it.
            workforce_status=workforce.get("Status"),
            workforce_name=workforce.get("WorkforceName"),
            secrets=self.secrets,
            secret_reference=planned.desired.Workforce.secret_reference(),
            store=self.store,
            secret_scope=secret_scope(self.region, planned.desired.Workforce.WorkforceName),
            wait=self.wait,
            sleep=self._sleep,
            monotonic=self._monotonic,
        )

    def report(
        self,
        planned: Planned,
        trigger: str,
        source: str,
        results: tuple[ActionResult, ...] = (),
    ) -> Report:
        workforce = planned.observed.workforce or {}
        if any(r.Outcome is not Outcome.SKIPPED for r in results):
            # Writes were sent: report the status they led to (Failed, a replacement...),
            # not the one seen before the run. One DescribeWorkforce, only after writes.
            with contextlib.suppress(ReconcilerError):  # the report matters more
                workforce = self.gateway.describe_workforce(planned.plan.WorkforceName) or {}
        plan = planned.plan
        if results:
            # One result per action, in order; apply re-classifies a step SageMaker
            # refused as blocked, and the report's plan says so.
            plan = plan.model_copy(update={"Actions": tuple(r.Action for r in results)})
        return Report(
            Trigger=trigger,
            Mode=planned.mode,
            Region=self.region,
            WorkforceName=planned.plan.WorkforceName,
            Plan=plan,
            Results=results,
            WorkforceStatus=workforce.get("Status"),
            FailureReason=workforce.get("FailureReason"),
            DocumentSource=source,
        )

    def run(
        self, source: DesiredStateSource, trigger: str, *, apply_changes: bool = True
    ) -> Report:
        """The whole loop. ``apply_changes=False`` (or detect mode) never writes."""
        loaded = self.load(source, trigger)
        if loaded.desired is None:
            assert loaded.failure is not None
            return loaded.failure
        planned = self.plan(loaded.desired)
        results: tuple[ActionResult, ...] = ()
        if apply_changes and planned.mode is Mode.ENFORCE and planned.plan.Actions:
            results = self.apply(planned)
        return self.report(planned, trigger, loaded.source, results)
