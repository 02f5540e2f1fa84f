"""apply(plan): execute exactly the plan's applicable actions, in order, and say what happened.

Apply is driven by the plan alone: the plan names the workforce the first steps act
on, the statuses each step may be sent in (apply waits, bounded, for one of them),
which failures hold the rest back, and where the client secret is read. Apply decides
only *when* to send a step: it retries a ConflictException that the workforce's
changing status explains, and treats "already gone" on a delete as done. Every step is
safe to repeat: the next run observes again and plans only what is still missing.

It returns results as data: each action's outcome (applied, failed, skipped, or
refused by SageMaker for a reason a retry does not fix), and which client-secret
version SageMaker accepted for which workforce. The reconciler records that, not apply.

While it waits, apply tells the ``ProgressListener`` it was given (``ports.py``) each
status it observes; the CLI and the handler present them, apply prints nothing.

The OIDC client secret is resolved here, before the first step (never while planning),
added to the request copy that is sent, and scrubbed from any error text the service
sends back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workforce_reconciler.engine.compare import request_met
from workforce_reconciler.engine.memory import create_stamp
from workforce_reconciler.errors import (
    AwsError,
    ConflictError,
    NotFoundError,
    ReconcilerError,
    TransientError,
)
from workforce_reconciler.observability import logger, tracer
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Operation,
    Outcome,
    Plan,
    ResourceType,
    SecretApplied,
)
from workforce_reconciler.ports import WaitProgress
from workforce_reconciler.redaction import scrub

if TYPE_CHECKING:
    from workforce_reconciler.ports import ProgressListener, SecretResolver, WorkforceGateway

CHANGING = frozenset({"Initializing", "Updating", "Deleting"})
# Writes after which SageMaker reports Initializing/Updating for a while: the status is not
# known to be Active until the next look (a step that needs Active looks first).
_CHANGES_THE_WORKFORCE = frozenset({Operation.CREATE_WORKFORCE, Operation.UPDATE_WORKFORCE})
_DELETES = frozenset({Operation.DELETE_WORKTEAM, Operation.DELETE_WORKFORCE})


@dataclass(frozen=True)
class WaitSettings:
    timeout_seconds: float = 600.0
    poll_seconds: float = 5.0


@dataclass(frozen=True)
class Applied:
    """What apply did: one result per action, in order, and the secret SageMaker took."""

    results: tuple[ActionResult, ...]
    secret: SecretApplied | None = None


class _WaitFailed(ReconcilerError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Run:
    gateway: WorkforceGateway
    plan: Plan
    workforce_name: str  # the workforce the next step acts on (the old one in a rename)
    status: str | None
    wait: WaitSettings
    sleep: Callable[[float], None]
    monotonic: Callable[[], float]
    deadline: float  # one bound for the whole run: the Lambda must end with a report
    secret: str | None = None
    secret_error: ReconcilerError | None = None
    stopped: str | None = None  # why the remaining steps are not attempted
    results: list[ActionResult] = field(default_factory=list)
    secret_applied: SecretApplied | None = None
    progress: ProgressListener | None = None  # told each status a wait observes
    step: str = ""  # the step being sent, for the progress of its waits


@tracer.capture_method(capture_response=False)
def apply(
    plan: Plan,
    *,
    gateway: WorkforceGateway,
    secrets: SecretResolver | None = None,
    wait: WaitSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    deadline: float | None = None,
    progress: ProgressListener | None = None,
) -> Applied:
    """``deadline`` (on ``monotonic``'s clock): no step starts, and no wait lasts, past it;
    by default ``wait.timeout_seconds`` from now. The run's deadline (the Lambda's time
    left, minus the report's) is the earlier of the two."""
    settings = wait or WaitSettings()
    bound = monotonic() + settings.timeout_seconds
    live = plan.LiveWorkforce
    run = _Run(
        gateway=gateway,
        plan=plan,
        workforce_name=live.Name if live else plan.WorkforceName,
        status=live.Status if live else None,
        wait=settings,
        sleep=sleep,
        monotonic=monotonic,
        deadline=min(bound, deadline) if deadline is not None else bound,
        progress=progress,
    )
    _read_secret(run, secrets)
    for action in plan.Actions:
        run.step = f"{action.Operation.value} {action.target}"
        run.results.append(_step(run, action))
    return Applied(tuple(run.results), run.secret_applied)


def _read_secret(run: _Run, secrets: SecretResolver | None) -> None:
    """The secret is read before the first step, not at the step that needs it: a
    replacement must not delete the old workforce and then find the secret unusable."""
    if not any(a.applicable and a.NeedsClientSecret for a in run.plan.Actions):
        return
    try:
        if secrets is None or run.plan.Secret is None:
            raise ReconcilerError("the plan needs the OIDC client secret but no reference")
        run.secret = secrets.resolve(run.plan.Secret.reference)
    except ReconcilerError as exc:
        run.secret_error = exc
        if run.plan.SecretFirst:
            run.stopped = f"not attempted: the client secret cannot be used ({exc})"


def _step(run: _Run, action: Action) -> ActionResult:
    if not action.applicable:
        return _skip(action, f"blocked: {action.Reason}")
    if run.stopped is not None and not (run.secret_error and action.NeedsClientSecret):
        return _skip(action, run.stopped)
    if run.monotonic() > run.deadline:
        return _skip(
            action,
            "not attempted: the run's deadline had passed (it waits and works at most "
            f"{run.wait.timeout_seconds:g} s in all); the next run does it",
        )
    request = None
    try:
        request = _request(run, action)
        _execute(run, action, request)
    except AwsError as exc:
        if request is not None and _lost_race(run, action, request, exc):
            return _done(run, action)
        if _refusal(action, exc):
            return _held_back(run, action, _refused(action, exc, run.secret), "was refused")
        return _held_back(run, action, _failed(action, exc, run.secret), "failed")
    except ReconcilerError as exc:
        return _held_back(run, action, _failed(action, exc, run.secret), "failed")
    return _done(run, action)


def _done(run: _Run, action: Action) -> ActionResult:
    if action.NeedsClientSecret:
        _note_secret_applied(run)
    return ActionResult(Action=action, Outcome=Outcome.APPLIED)


def _refusal(action: Action, exc: AwsError) -> bool:
    """A refusal a retry does not fix: the request itself (ValidationException), or a
    conflict the workforce's status does not explain. A CreateWorkforce conflict (the old
    workforce of a replacement still going) is a failure the next run gets past."""
    if isinstance(exc, NotFoundError):
        return False  # (the resource went away: the next run plans it again)
    if isinstance(exc, ConflictError):
        return action.Operation is not Operation.CREATE_WORKFORCE
    return exc.code == "ValidationException"


def _lost_race(run: _Run, action: Action, request: dict[str, Any], exc: AwsError) -> bool:
    """Another run created it first (the CLI beside the Lambda): done if it is as asked."""
    if action.Operation is Operation.CREATE_WORKTEAM and exc.code == "ResourceInUse":
        live: Any = run.gateway.describe_workteam(action.ResourceName)
    elif action.Operation is Operation.CREATE_WORKFORCE and "more than one workforce" in str(exc):
        live = run.gateway.describe_workforce(action.ResourceName)
        if live is not None:
            run.status = live.get("Status")
    else:
        return False
    return live is not None and request_met(request, live)


def _request(run: _Run, action: Action) -> dict[str, Any]:
    request = dict(action.Request)
    if action.NeedsClientSecret:
        if run.secret_error is not None:
            raise run.secret_error
        assert run.secret is not None
        request["OidcConfig"] = {**request["OidcConfig"], "ClientSecret": run.secret}
    return request


def _held_back(run: _Run, action: Action, result: ActionResult, verb: str) -> ActionResult:
    if action.HoldsBack:
        # Later steps build on this one (teams on a new workforce, a replacement on
        # its deletions): leave them to the next run.
        run.stopped = f"skipped: an earlier step ({action.Operation} {action.target}) {verb}"
    return result


def _note_secret_applied(run: _Run) -> None:
    """SageMaker took the secret: say which version, for the workforce created when."""
    plan = run.plan
    if plan.SecretVersion is None or plan.Secret is None:
        return
    try:
        # The record names the workforce by its CreateDate (a new workforce's is read
        # back once, right after CreateWorkforce).
        workforce = run.gateway.describe_workforce(run.workforce_name)
    except ReconcilerError as exc:
        # The step did apply; without the record the next run applies the same secret
        # once more, which is harmless. The report must not be lost.
        logger.warning("could not read the workforce's CreateDate", extra={"error": str(exc)})
        return
    run.secret_applied = SecretApplied(
        Reference=plan.Secret.reference.display,
        Version=plan.SecretVersion,
        WorkforceName=run.workforce_name,
        WorkforceCreateDate=create_stamp(workforce),
    )


def _failed(action: Action, exc: ReconcilerError, secret: str | None) -> ActionResult:
    return ActionResult(
        Action=action,
        Outcome=Outcome.FAILED,
        ErrorCode=str(getattr(exc, "code", type(exc).__name__)),
        ErrorMessage=scrub(str(getattr(exc, "message", exc)), [secret] if secret else []),
        Retryable=isinstance(exc, TransientError),
    )


def _refused(action: Action, exc: AwsError, secret: str | None) -> ActionResult:
    """Refused for a reason a retry does not fix: the reconciler reports it as blocked
    drift for a person (and the Lambda does not send it again unchanged)."""
    return ActionResult(
        Action=action,
        Outcome=Outcome.REFUSED,
        ErrorCode=exc.code,
        ErrorMessage=scrub(exc.message, [secret] if secret else []),
    )


def _skip(action: Action, why: str) -> ActionResult:
    return ActionResult(Action=action, Outcome=Outcome.SKIPPED, ErrorMessage=why)


def _execute(run: _Run, action: Action, request: dict[str, Any]) -> None:
    if action.ResourceType is ResourceType.WORKFORCE and "WorkforceName" in request:
        if action.Operation is Operation.CREATE_WORKFORCE:
            run.status = None
        run.workforce_name = str(request["WorkforceName"])
    while True:
        if action.ProceedWhen and run.status != "Active":
            _wait_for(run, action.ProceedWhen)
        believed_active = run.status == "Active"
        try:
            _send(run, action, request)
        except AwsError as exc:
            if not (_maybe_status(action, exc) and _after_conflict(run, action, believed_active)):
                raise
            continue
        break
    if action.Operation in _CHANGES_THE_WORKFORCE:
        run.status = None
    elif action.Operation is Operation.DELETE_WORKFORCE:
        _wait_until_gone(run, run.workforce_name)


def _maybe_status(action: Action, exc: AwsError) -> bool:
    """A refusal the workforce's status may explain: a ConflictException, or for a step
    that needs the workforce Active, a ValidationException (SageMaker answers a team
    write while the workforce is Initializing or Updating so; the Terraform provider
    retries CreateWorkteam on it)."""
    if isinstance(exc, NotFoundError):
        return False
    if isinstance(exc, ConflictError):
        return True
    return exc.code == "ValidationException" and bool(action.ProceedWhen)


def _send(run: _Run, action: Action, request: dict[str, Any]) -> None:
    try:
        run.gateway.call(action.Operation.value, request)
    except NotFoundError:
        if action.Operation not in _DELETES:
            raise
        # Already gone: the goal of the step is reached (NotFound is success).


def _after_conflict(run: _Run, action: Action, believed_active: bool) -> bool:
    """Refused because the workforce is changing (another writer, or a status we had not
    seen yet)? Then wait (polling, bounded) for it to settle, and say to send the same step
    again; once more if it settled in between. Refused while we knew it Active: the
    refusal stands (no second identical call). (After a wait or a retry the status is
    known, so a second refusal while it is Active stands.)"""
    current = run.gateway.describe_workforce(run.workforce_name)
    run.status = current.get("Status") if current is not None else None
    if run.monotonic() >= run.deadline:
        return False
    if run.status in CHANGING:
        settled = ("Active", "Failed") if action.Operation in _DELETES else ("Active",)
        _wait_for(run, action.ProceedWhen or settled)
        return True
    if run.status == "Active" and not believed_active:
        _pause(run)
        return True
    return False


def _observed(run: _Run, name: str, wanted: tuple[str, ...], first: bool) -> None:
    """Tell the progress listener what this look at the workforce saw."""
    if run.progress is None:
        return
    status = run.status
    # (waiting for it to be gone ends only when it is; otherwise Failed or gone end it too)
    ends = status is None if not wanted else status in (*wanted, None, "Failed")
    now = run.monotonic()
    progress = WaitProgress(
        workforce=name,
        wanted=wanted,
        step=run.step,
        status=status,
        elapsed=max(now - (run.deadline - run.wait.timeout_seconds), 0.0),
        bound=run.wait.timeout_seconds,
        first=first,
        done=ends or now >= run.deadline,
    )
    try:
        run.progress(progress)
    except Exception as exc:  # presenting progress must never stop a step
        logger.warning("could not show the progress of a wait", extra={"error": repr(exc)})


def _wait_until_gone(run: _Run, name: str) -> None:
    """A replacement creates the new workforce only once the old one has disappeared."""
    first = True
    while True:
        workforce = run.gateway.describe_workforce(name)
        run.status = workforce.get("Status") if workforce is not None else None
        _observed(run, name, (), first)
        first = False
        if workforce is None:
            return
        if run.monotonic() >= run.deadline:
            raise _WaitFailed(
                "WaitTimeout",
                f"workforce {name} still exists "
                f"{run.wait.timeout_seconds:g} s after DeleteWorkforce",
            )
        _pause(run)


def _pause(run: _Run) -> None:
    """One poll interval, never past the deadline."""
    run.sleep(max(min(run.wait.poll_seconds, run.deadline - run.monotonic()), 0))


def _wait_for(run: _Run, statuses: tuple[str, ...]) -> None:
    first = True
    while True:
        workforce = run.gateway.describe_workforce(run.workforce_name)
        run.status = workforce.get("Status") if workforce is not None else None
        _observed(run, run.workforce_name, statuses, first)
        first = False
        if workforce is None:
            raise _WaitFailed("WorkforceNotFound", "the workforce no longer exists")
        if run.status in statuses:
            return
        if run.status == "Failed":
            reason = workforce.get("FailureReason") or "no FailureReason given"
            raise _WaitFailed("WorkforceFailed", f"the workforce became Failed: {reason}")
        if run.monotonic() >= run.deadline:
            raise _WaitFailed(
                "WaitTimeout",
                f"the workforce was still {run.status}: this run waits at most "
                f"{run.wait.timeout_seconds:g} s in all",
            )
        _pause(run)
