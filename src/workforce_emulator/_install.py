"""Attaches the emulator to moto's own SageMaker classes (idempotent).

moto dispatches a JSON-protocol request by turning ``X-Amz-Target`` (for example
``SageMaker.CreateWorkforce``) into a method name (``create_workforce``) looked up on
``moto.sagemaker.responses.SageMakerResponse``, in-process and in the server alike, and
finds a backend's URLs through the module its class is defined in. So the emulator
adds methods to that class rather than subclassing it, and:

* wraps ``SageMakerResponse.call_action`` so that every SageMaker call is recorded
  (secrets redacted), may be delayed or failed by an injected fault, and, for the
  operations the emulator serves plus the tag operations, is validated against
  botocore's model before anything else runs;
* lets moto's request parser fail softly on malformed bodies for those operations, so
  they are answered with ``SerializationException`` rather than HTTP 500;
* extends ``SageMakerModelBackend._get_resource_from_arn`` so moto's own
  AddTags/ListTags/DeleteTags find workforces and work teams (one tag implementation);
* gives moto's SSM PutParameter SSM's value-size limits (``_ssm``).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from . import _model, _operations, _ssm
from . import state as st
from .errors import InjectedFault, SerializationException, ValidationError

_MARK = "_workforce_emulator_installed"
TAG_OPERATIONS = frozenset({"AddTags", "ListTags", "DeleteTags"})
_FAULT_STATUS = {
    "InternalFailure": 500,
    "InternalServerError": 500,
    "InternalServerException": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
}
_FAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "InternalFailure": (
        "The request processing has failed because of an unknown error, exception or failure."
    ),
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
}


def fault_status(code: str) -> int:
    return _FAULT_STATUS.get(code, 400)


def _request_params(response: Any) -> dict[str, Any]:
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not body:
        return {}
    try:
        params = json.loads(body)
    except ValueError:
        raise SerializationException("The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise SerializationException("The request body must be a JSON object.")
    return params


def _error_response(response: Any, error: Exception) -> Any:
    with warnings.catch_warnings():
        # moto warns when a code is not in SageMaker's model; injected codes often are not.
        warnings.simplefilter("ignore", UserWarning)
        status, headers, body = response.serialized(ActionResult(error))
    if isinstance(error, InjectedFault):
        status = error.status
    headers["status"] = str(status)
    headers, body = response._enrich_response(headers, body)
    return status, headers, body


def _validate(operation: str, params: dict[str, Any]) -> None:
    try:
        violations = _model.validate(operation, params)
    except _model.TypeMismatch as mismatch:
        raise SerializationException(str(mismatch)) from None
    if violations:
        raise ValidationError(_model.format_violations(violations))


def admit(operation: str, params: dict[str, Any], region: str) -> None:
    """What every SageMaker call meets before it is served: recorded in the call log
    (secrets redacted), delayed or failed by an injected fault, and, for the operations the
    emulator serves plus the tag operations, validated against botocore's model."""
    st.record_call(operation, _model.redact(operation, params), region)
    fault = st.take_fault(operation)
    if fault is not None:
        if fault.delay_ms:
            time.sleep(fault.delay_ms / 1000)
        if fault.error:
            message = fault.message or _FAULT_MESSAGES.get(
                fault.error, f"Fault injected by the workforce emulator ({fault.error})."
            )
            raise InjectedFault(fault.error, message, fault_status(fault.error))
    if operation in _operations.OPERATIONS or operation in TAG_OPERATIONS:
        _validate(operation, params)


def _call_action(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call_action(self: Any) -> Any:
        operation = self._get_action()
        try:
            params = _request_params(self)
        except SerializationException as error:
            st.record_call(operation, {}, self.region)
            return _error_response(self, error)
        try:
            admit(operation, params, self.region)
        except (InjectedFault, ValidationError, SerializationException) as error:
            return _error_response(self, error)
        return original(self)

    return call_action


def _parse_parameters(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def parse_parameters(self: Any, request: Any) -> None:
        try:
            original(self, request)
        except (AttributeError, TypeError, ValueError):
            # moto's parser crashes on some malformed bodies (a JSON list, bad JSON); for the
            # operations served here call_action answers SerializationException instead.
            action = self._get_action()
            if action not in _operations.OPERATIONS and action not in TAG_OPERATIONS:
                raise
            self.params = {}

    return parse_parameters


def _operation_method(operation: str) -> Callable[[Any], Any]:
    implementation = _operations.OPERATIONS[operation]

    def method(self: Any) -> Any:
        params = _request_params(self)
        region_state = st.region_state(self.current_account, self.region)
        with st.LOCK:
            result = implementation(region_state, params)
        return ActionResult(result)

    method.__name__ = camelcase_to_underscores(operation)
    method.__qualname__ = f"SageMakerResponse.{method.__name__}"
    method.__doc__ = f"{operation}, served by workforce_emulator."
    return method


def _resource_lookup(original: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        resource = arn.split(":", 5)[-1]
        if resource.startswith(("workforce/", "workteam/")):
            region_state = st.region_state(self.account_id, self.region_name)
            with st.LOCK:
                return _operations.resource_for_arn(region_state, arn)
        try:
            found = original(self, arn)
        except (AttributeError, TypeError, ValueError):
            # moto crashes (HTTP 500) on resource types it does not know; answer as AWS.
            found = None
        if found is None:
            raise ValidationError(f"Could not find resource {arn}.")
        return found

    return _get_resource_from_arn


def check_moto_has_no_labeling_jobs(response_class: type = SageMakerResponse) -> None:
    """Labeling jobs are the emulator's own list because moto (5.2.5) has none.

    If moto gains CreateLabelingJob, ListLabelingJobsForWorkteam should list moto's jobs
    instead of keeping a second set: refuse to install until that is decided.
    """
    for operation in ("CreateLabelingJob", "ListLabelingJobs"):
        if camelcase_to_underscores(operation) in response_class.__dict__:
            raise RuntimeError(
                f"moto's SageMakerResponse now implements {operation}; serve "
                "ListLabelingJobsForWorkteam from moto's labeling jobs instead of "
                "controls.add_labeling_job. Review the pinned moto version."
            )


def install() -> None:
    """Add the workforce/workteam operations to moto's SageMaker (safe to call again)."""
    with st.LOCK:
        _ssm.install()
        if getattr(SageMakerResponse, _MARK, False):
            return
        check_moto_has_no_labeling_jobs()
        for operation in _operations.OPERATIONS:
            name = camelcase_to_underscores(operation)
            if name in SageMakerResponse.__dict__:
                # moto now implements it too: keep one source of truth, decide explicitly.
                raise RuntimeError(
                    f"moto's SageMakerResponse already implements {operation}; "
                    "workforce_emulator would shadow it. Review the pinned moto version."
                )
            setattr(SageMakerResponse, name, _operation_method(operation))
        # Assigned with setattr: these replace methods on moto's classes on purpose.
        setattr(SageMakerResponse, "call_action", _call_action(SageMakerResponse.call_action))  # noqa: B010
        setattr(  # noqa: B010
            SageMakerResponse,
            "parse_parameters",
            _parse_parameters(SageMakerResponse.parse_parameters),
        )
        setattr(  # noqa: B010
            SageMakerModelBackend,
            "_get_resource_from_arn",
            _resource_lookup(SageMakerModelBackend._get_resource_from_arn),
        )
        setattr(SageMakerResponse, _MARK, True)
