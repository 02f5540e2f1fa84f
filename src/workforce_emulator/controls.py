"""Test controls, in-process. The server's ``/_emulator/*`` endpoints call these.

>>> from workforce_emulator import controls
>>> controls.configure(activation_describes=2)
>>> controls.add_fault("UpdateWorkforce", error="ThrottlingException", count=2)
>>> controls.calls()  # every SageMaker call, ClientSecret as "***"
[]
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal import mock_random
from pydantic import ValidationError as SettingsError

from . import _model, _operations
from . import state as st
from .errors import ValidationError

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "EmulatorSettings",
    "add_fault",
    "add_labeling_job",
    "calls",
    "clear_calls",
    "configure",
    "fingerprint_of",
    "load_config",
    "read_config",
    "reset",
    "secret_fingerprint",
    "set_labeling_job_status",
    "set_status",
    "settings",
]

EmulatorSettings = st.EmulatorSettings
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9.#]*")


class ControlError(ValueError):
    """A control was called with something it cannot do; the message says what."""


class UnknownResource(ControlError):
    """The workforce or work team a control names does not exist (HTTP 404)."""


class UnknownWorkforce(UnknownResource):
    pass


class UnknownWorkteam(UnknownResource):
    pass


def _workforce(workforce_name: str, account_id: str, region: str) -> st.Workforce:
    workforce = st.region_state(account_id, region).workforces.get(workforce_name)
    if workforce is None:
        raise UnknownWorkforce(
            f"No workforce named {workforce_name!r} in account {account_id}, region {region}."
        )
    return workforce


def _workteam(workteam_name: str, account_id: str, region: str) -> st.Workteam:
    team = st.region_state(account_id, region).workteams.get(workteam_name)
    if team is None:
        raise UnknownWorkteam(
            f"No work team named {workteam_name!r} in account {account_id}, region {region}."
        )
    return team


def set_status(
    workforce_name: str,
    status: str,
    failure_reason: str | None = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
) -> None:
    """Set a workforce's Status (and FailureReason) as DescribeWorkforce will show it.

    The status stays until the next CreateWorkforce/UpdateWorkforce or another
    ``set_status``: it does not become Active by itself.
    """
    allowed = _model.enum_values("WorkforceStatus")
    if status not in allowed:
        raise ControlError(f"Status must be one of {', '.join(allowed)}; got {status!r}.")
    if failure_reason is not None and not 1 <= len(failure_reason) <= 1024:
        raise ControlError("FailureReason must be 1 to 1024 characters long.")
    with st.LOCK:
        workforce = _workforce(workforce_name, account_id, region)
        workforce.status = status
        workforce.failure_reason = failure_reason
        workforce.settling = False


def secret_fingerprint(
    workforce_name: str,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
) -> str | None:
    """The fingerprint of the OIDC ClientSecret the workforce last accepted, or None.

    None for a Cognito workforce. The emulator keeps only this one-way fingerprint (an
    HMAC-SHA256 under a key that never leaves the process), never the secret; compare it
    with ``fingerprint_of(expected_secret)``.
    """
    with st.LOCK:
        return _workforce(workforce_name, account_id, region).secret_fingerprint


def fingerprint_of(value: str) -> str:
    """The fingerprint ``secret_fingerprint`` shows for a workforce given ``value``."""
    if not isinstance(value, str):
        raise ControlError("Value must be a string.")
    return st.fingerprint(value)


def add_fault(
    operation: str,
    *,
    error: str | None = None,
    message: str | None = None,
    count: int = 1,
    delay_ms: int = 0,
) -> None:
    """Make the next ``count`` calls of ``operation`` fail with ``error`` and/or wait ``delay_ms``.

    ``InternalFailure``/``InternalServerError`` answer HTTP 500, ``ServiceUnavailable`` 503,
    any other code 400. Faults for one operation are used in the order they were added.
    """
    if operation not in _model.operation_names():
        raise ControlError(
            f"Operation must be a SageMaker operation name such as 'UpdateWorkforce'; "
            f"got {operation!r}."
        )
    if error is not None and not _ERROR_CODE.fullmatch(error):
        raise ControlError(
            f"Error must be an AWS error code such as 'ThrottlingException'; got {error!r}."
        )
    if count < 1:
        raise ControlError(f"Count must be at least 1; got {count}.")
    if delay_ms < 0:
        raise ControlError(f"DelayMs must not be negative; got {delay_ms}.")
    if error is None and delay_ms == 0:
        raise ControlError("A fault needs an Error, a DelayMs, or both.")
    with st.LOCK:
        st.PROCESS.faults.append(st.Fault(operation, error, message, count, delay_ms))


def add_labeling_job(
    workteam_name: str,
    job_name: str,
    status: str = "InProgress",
    *,
    job_reference_code: str | None = None,
    creation_time: datetime | float | str | None = None,
    label_counters: dict[str, int] | None = None,
    workers_per_data_object: int | None = None,
    work_requester_account_id: str | None = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """Assign a labeling job to a work team; ListLabelingJobsForWorkteam lists it.

    The job belongs to the team's ARN and goes when the team is deleted. Defaults: a
    random 32-hex-digit ``job_reference_code``, ``creation_time`` now, the team's account
    as ``work_requester_account_id``. Returns the summary as ListLabelingJobsForWorkteam
    shows it. ``status`` (``LabelingJobStatus``) is kept but not listed: the summary has
    no status member.
    """
    if status not in _model.enum_values("LabelingJobStatus"):
        allowed = ", ".join(_model.enum_values("LabelingJobStatus"))
        raise ControlError(f"Status must be one of {allowed}; got {status!r}.")
    job = st.LabelingJob(
        name=job_name,
        workteam_arn="",  # the team's, once it is found
        status=status,
        job_reference_code=job_reference_code or mock_random.get_random_hex(32),
        work_requester_account_id=work_requester_account_id or account_id,
        created=_creation_time(creation_time),
        label_counters=dict(label_counters) if label_counters is not None else None,
        workers_per_data_object=workers_per_data_object,
    )
    _check_shape(
        "LabelingJobForWorkteamSummary", {**job.as_aws(), "CreationTime": job.created.timestamp()}
    )
    with st.LOCK:
        job.workteam_arn = _workteam(workteam_name, account_id, region).arn
        jobs = st.region_state(account_id, region).labeling_jobs
        if job_name in jobs:
            raise ControlError(
                f"A labeling job named {job_name!r} already exists in account {account_id}, "
                f"region {region}."
            )
        jobs[job_name] = job
        return job.as_aws()


def set_labeling_job_status(
    job_name: str,
    status: str,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = "us-east-1",
) -> None:
    """Move a labeling job to another ``LabelingJobStatus`` (DescribeLabelingJob shows it)."""
    if status not in _model.enum_values("LabelingJobStatus"):
        allowed = ", ".join(_model.enum_values("LabelingJobStatus"))
        raise ControlError(f"Status must be one of {allowed}; got {status!r}.")
    with st.LOCK:
        job = st.region_state(account_id, region).labeling_jobs.get(job_name)
        if job is None:
            raise ControlError(
                f"No labeling job named {job_name!r} in account {account_id}, region {region}."
            )
        job.status = status


def _creation_time(value: datetime | float | str | None) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value is None:
        return st.now()
    try:
        return _operations.timestamp(value, "CreationTime")
    except ValidationError as error:
        raise ControlError(error.message) from None


def _check_shape(shape_name: str, value: dict[str, Any]) -> None:
    """Refuse what the model's shape would not hold, in AWS's words."""
    try:
        violations = _model.shape_violations(shape_name, value)
    except _model.TypeMismatch as mismatch:
        raise ControlError(str(mismatch)) from None
    if violations:
        raise ControlError(_model.format_violations(violations))


def calls() -> list[dict[str, Any]]:
    """Every SageMaker call since the last reset, oldest first.

    Each is ``{"Operation", "Parameters", "Time", "Region"}``; ``Parameters`` are the
    request's, with the OIDC ClientSecret (every sensitive member) as ``"***"``.
    """
    with st.LOCK:
        return copy.deepcopy(list(st.PROCESS.calls))


def clear_calls() -> None:
    with st.LOCK:
        st.PROCESS.calls.clear()


def configure(**settings: Any) -> st.EmulatorSettings:
    """Change switchable assumptions (see ``EmulatorSettings``); returns the new settings."""
    with st.LOCK:
        merged = {**st.PROCESS.settings.model_dump(), **settings}
        st.PROCESS.settings = st.EmulatorSettings.model_validate(merged)
        return st.PROCESS.settings.model_copy()


def read_config(path: str | os.PathLike[str]) -> st.EmulatorSettings:
    """The settings a JSON file holds (PascalCase keys, as ``POST /_emulator/config``).

    Settings the file leaves out have their defaults. Raises ``ControlError`` naming the file
    and what is wrong: unreadable, not a JSON object, an unknown key, a bad value.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ControlError(f"{path}: cannot read it: {error.strerror or error}.") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ControlError(f"{path}: not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise ControlError(f"{path}: must hold a JSON object of settings.")
    known = [field.alias for field in st.EmulatorSettings.model_fields.values() if field.alias]
    unknown = [key for key in data if key not in known]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        raise ControlError(
            f"{path}: unknown setting{'s' if len(unknown) > 1 else ''} {names}; "
            f"known: {', '.join(known)}."
        )
    try:
        return st.EmulatorSettings.model_validate(data)
    except SettingsError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise ControlError(f"{path}: {problems}.") from None


def load_config(
    path: str | os.PathLike[str], *, keep_on_reset: bool = False
) -> st.EmulatorSettings:
    """Replace the settings with a JSON file's (``read_config``); returns them.

    ``keep_on_reset=True`` (what ``workforce-emulator --config`` does) also makes them what
    ``reset()`` returns to, instead of the defaults.
    """
    loaded = read_config(path)
    with st.LOCK:
        st.PROCESS.settings = loaded
        if keep_on_reset:
            st.PROCESS.baseline = loaded.model_copy()
        return loaded.model_copy()


def settings() -> st.EmulatorSettings:
    with st.LOCK:
        return st.PROCESS.settings.model_copy()


def reset() -> None:
    """Forget every workforce, work team and labeling job, every fault and call; default
    settings (or those of ``load_config(..., keep_on_reset=True)``)."""
    with st.LOCK:
        st.forget_all_regions()
        st.PROCESS.faults.clear()
        st.PROCESS.calls.clear()
        st.PROCESS.settings = st.PROCESS.baseline.model_copy()
