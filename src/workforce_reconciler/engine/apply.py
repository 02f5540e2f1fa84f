"""apply(plan): execute exactly the plan's applicable actions, in order.

Apply decides nothing on its own beyond *when* to send a step: it waits (bounded) for
the workforce to be Active before a step that needs it, retries a ConflictException
that the workforce's changing status explains, treats "already gone" on a delete as
done, and after a failed create or delete of the workforce skips what depends on it
(replacements: also before deleting anything, when the secret cannot be used). Every step is
safe to repeat: the next run observes again and plans only what is still missing.

The OIDC client secret is resolved here, before the first step (never while planning),
added to the request copy that is sent, and scrubbed from any error text the service sends back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workforce_reconciler.engine.observe import secret_record_key
from workforce_reconciler.errors import (
    ConflictError,
    NotFoundError,
    ReconcilerError,
    TransientError,
)
from workforce_reconciler.observability import logger
from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    Operation,
    Outcome,
    Plan,
    ResourceType,
)

if TYPE_CHECKING:
    from workforce_reconciler.adapters.sagemaker import SageMakerGateway
    from workforce_reconciler.ports import SecretReference, SecretResolver, StateStore

# Steps that SageMaker refuses, or that misbehave, while the workforce is changing.
NEEDS_ACTIVE = frozenset(
    {
        Operation.UPDATE_WORKFORCE,
        Operation.DELETE_WORKFORCE,
        Operation.CREATE_WORKTEAM,
        Operation.UPDATE_WORKTEAM,
    }
)
CHANGING = frozenset({"Initializing", "Updating", "Deleting"})
# Steps the rest of the plan builds on: if one fails, what follows is left to the next run.
DEPENDED_ON = frozenset({Operation.CREATE_WORKFORCE, Operation.DELETE_WORKFORCE})


@dataclass(frozen=True)
class WaitSettings:
    timeout_seconds: float = 600.0
    poll_seconds: float = 5.0


class _WaitFailed(ReconcilerError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Context:
    gateway: SageMakerGateway
    workforce_name: str  # the workforce the next step acts on (the old one in a rename)
    status: str | None
    wait: WaitSettings
    sleep: Callable[[float], None]
    monotonic: Callable[[], float]
    deadline: float  # one bound for the whole run: the Lambda must end with a report


def apply(
    plan: Plan,
    *,
    gateway: SageMakerGateway,
    workforce_status: str | None,
    workforce_name: str | None = None,
    secrets: SecretResolver | None = None,
    secret_reference: SecretReference | None = None,
    store: StateStore | None = None,
    secret_scope: str | None = None,
    wait: WaitSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[ActionResult, ...]:
    settings = wait or WaitSettings()
    ctx = _Context(
        gateway=gateway,
        workforce_name=workforce_name or plan.WorkforceName,
        status=workforce_status,
        wait=settings,
        sleep=sleep,
        monotonic=monotonic,
        deadline=monotonic() + settings.timeout_seconds,
    )
    results: list[ActionResult] = []
    stopped: str | None = None  # why the remaining steps are skipped
    replacing = any(
        a.applicable and a.Operation is Operation.DELETE_WORKFORCE for a in plan.Actions
    )
    # The secret is read before the first step, not at the step that needs it: a
    # replacement must not delete the old workforce and then find the secret unusable.
    secret: str | None = None
    secret_error: ReconcilerError | None = None
    if any(a.applicable and a.NeedsClientSecret for a in plan.Actions):
        try:
            if secrets is None or secret_reference is None:
                raise ReconcilerError("the plan needs the OIDC client secret but no reference")
            secret = secrets.resolve(secret_reference)
        except ReconcilerError as exc:
            secret_error = exc
            if replacing:
                stopped = f"not attempted: the client secret cannot be used ({exc})"

    for action in plan.Actions:
        if not action.applicable:
            results.append(_skip(action, f"blocked: {action.Reason}"))
            continue
        if stopped is not None and not (secret_error and action.NeedsClientSecret):
            results.append(_skip(action, stopped))
            continue
        failure: ActionResult | None = None
        verb = "failed"
        try:
            request = dict(action.Request)
            if action.NeedsClientSecret:
                if secret_error is not None:
                    raise secret_error
                assert secret is not None
                request["OidcConfig"] = {**request["OidcConfig"], "ClientSecret": secret}
            _execute(ctx, action, request, replacing=replacing)
        except ConflictError as exc:
            if action.Operation is Operation.CREATE_WORKFORCE:
                # (e.g. the old workforce of a replacement still being deleted): the next
                # run creates it; report a failure, not drift that needs a person.
                failure = _failed(action, exc, secret)
            else:
                failure, verb = _refused(action, exc, secret), "was refused"
        except ReconcilerError as exc:
            failure = _failed(action, exc, secret)
        if failure is not None:
            results.append(failure)
            if action.Operation in DEPENDED_ON or (
                replacing and action.Operation is Operation.DELETE_WORKTEAM
            ):
                # Later steps depend on this one (teams on a new workforce, a replacement
                # on its deletions): leave them to the next run. An update or a tag change
                # of the workforce holds nothing else back.
                stopped = f"skipped: an earlier step ({action.Operation} {action.target}) {verb}"
            continue
        results.append(ActionResult(Action=action, Outcome=Outcome.APPLIED))
        if (
            action.NeedsClientSecret
            and store is not None
            and secret_scope is not None
            and secret_reference is not None
            and plan.SecretVersion is not None
        ):
            try:
                # The record names the workforce it applies to by its CreateDate (a new
                # workforce's is read back once, right after CreateWorkforce).
                workforce = ctx.gateway.describe_workforce(ctx.workforce_name)
                store.put_secret_version(
                    secret_scope,
                    secret_record_key(secret_reference.display, workforce),
                    plan.SecretVersion,
                )
            except ReconcilerError as exc:
                # The step did apply; without the record the next run applies the same
                # secret once more, which is harmless. The report must not be lost.
                logger.warning(
                    "could not record the client secret's version", extra={"error": str(exc)}
                )
    return tuple(results)


def _failed(action: Action, exc: ReconcilerError, secret: str | None) -> ActionResult:
    code = str(getattr(exc, "code", type(exc).__name__))
    message = str(getattr(exc, "message", exc))
    if secret:
        message = message.replace(secret, "***")
    return ActionResult(
        Action=action,
        Outcome=Outcome.FAILED,
        ErrorCode=code,
        ErrorMessage=message,
        Retryable=isinstance(exc, TransientError),
    )


def _refused(action: Action, exc: ConflictError, secret: str | None) -> ActionResult:
    """Refused for a reason the workforce's status does not explain (e.g. OIDC changes
    while work teams exist, where the service forbids them): blocked drift for a person,
    not a failure a retry will fix."""
    message = exc.message.replace(secret, "***") if secret else exc.message
    refused = action.model_copy(
        update={
            "Classification": Classification.BLOCKED,
            "Reason": f"SageMaker refused it ({exc.code}): {message}",
        }
    )
    return ActionResult(
        Action=refused,
        Outcome=Outcome.SKIPPED,
        ErrorCode=exc.code,
        ErrorMessage=f"blocked by SageMaker: {message}",
    )


def _skip(action: Action, why: str) -> ActionResult:
    return ActionResult(Action=action, Outcome=Outcome.SKIPPED, ErrorMessage=why)


def _execute(ctx: _Context, action: Action, request: dict[str, Any], *, replacing: bool) -> None:
    if action.ResourceType is ResourceType.WORKFORCE and "WorkforceName" in request:
        if action.Operation is Operation.CREATE_WORKFORCE:
            ctx.status = None
        ctx.workforce_name = str(request["WorkforceName"])
    # In a replacement the teams go only once the old workforce can go too: deleting
    # them while it is changing could leave workers cut off and nothing replaced.
    needs_active = action.Operation in NEEDS_ACTIVE or (
        replacing and action.Operation is Operation.DELETE_WORKTEAM
    )
    # A Failed workforce may still be deleted (an allowed replacement); nothing else.
    accept_failed = action.Operation in {Operation.DELETE_WORKFORCE, Operation.DELETE_WORKTEAM}
    retried_active = False
    while True:
        if needs_active and ctx.status != "Active":
            _wait_for_active(ctx, accept_failed=accept_failed)
        believed_active = ctx.status == "Active"
        try:
            ctx.gateway.call(action.Operation.value, request)
        except NotFoundError:
            if action.Operation in {Operation.DELETE_WORKTEAM, Operation.DELETE_WORKFORCE}:
                break  # already gone: the goal of the step is reached (NotFound is success)
            raise
        except ConflictError:
            # Refused because the workforce is changing (another writer, or a status we
            # had not seen yet)? Then wait (polling, bounded) for Active and send the same
            # step again; once more if it settled in between. Refused while we knew it
            # Active: the refusal stands (no second identical call).
            current = ctx.gateway.describe_workforce(ctx.workforce_name)
            status = (current or {}).get("Status")
            ctx.status = status
            if ctx.monotonic() >= ctx.deadline:
                raise
            if status in CHANGING:
                _wait_for_active(ctx, accept_failed=accept_failed)
                continue
            if status == "Active" and not believed_active and not retried_active:
                retried_active = True
                ctx.sleep(ctx.wait.poll_seconds)
                continue
            raise
        break
    if action.Operation is Operation.CREATE_WORKFORCE:
        ctx.status = "Initializing"
    elif action.Operation is Operation.UPDATE_WORKFORCE:
        ctx.status = "Updating"
    elif action.Operation is Operation.DELETE_WORKFORCE:
        _wait_until_gone(ctx, ctx.workforce_name)
        ctx.status = None


def _wait_until_gone(ctx: _Context, name: str) -> None:
    """A replacement creates the new workforce only once the old one has disappeared."""
    while ctx.gateway.describe_workforce(name) is not None:
        if ctx.monotonic() >= ctx.deadline:
            raise _WaitFailed(
                "WaitTimeout",
                f"workforce {name} still exists "
                f"{ctx.wait.timeout_seconds:g} s after DeleteWorkforce",
            )
        ctx.sleep(ctx.wait.poll_seconds)


def _wait_for_active(ctx: _Context, *, accept_failed: bool = False) -> None:
    while True:
        workforce = ctx.gateway.describe_workforce(ctx.workforce_name)
        status = (workforce or {}).get("Status")
        ctx.status = status
        if status == "Active" or (status == "Failed" and accept_failed):
            return
        if status == "Failed":
            reason = (workforce or {}).get("FailureReason") or "no FailureReason given"
            raise _WaitFailed("WorkforceFailed", f"the workforce became Failed: {reason}")
        if workforce is None:
            raise _WaitFailed("WorkforceNotFound", "the workforce no longer exists")
        if ctx.monotonic() >= ctx.deadline:
            raise _WaitFailed(
                "WaitTimeout",
                f"the workforce was still {status}: this run waits at most "
                f"{ctx.wait.timeout_seconds:g} s in all",
            )
        ctx.sleep(ctx.wait.poll_seconds)
