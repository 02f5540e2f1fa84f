"""The emulator's state: workforces and work teams per account and region, plus the
process-wide test settings, injected faults and the call log.

Resource state lives on moto's own SageMaker backend instance (one per account and
region), so whatever resets moto (``mock_aws`` starting, ``/moto-api/reset``) resets
the emulator's workforces and work teams too. Settings, faults and calls are
process-wide and are reset by ``controls.reset()`` / ``POST /_emulator/reset``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.sagemaker.models import sagemaker_backends
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal

LOCK = threading.RLock()
_STATE_ATTRIBUTE = "_workforce_emulator_state"


class EmulatorSettings(BaseModel):
    """The switchable assumptions (see docs/emulator.md). PascalCase over HTTP."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_pascal,
        populate_by_name=True,
        validate_assignment=True,
    )

    activation_describes: int = Field(default=0, ge=0)
    """DescribeWorkforce calls that still show Initializing/Updating before Active."""
    activation_seconds: float = Field(default=0.0, ge=0)
    """Seconds after CreateWorkforce/UpdateWorkforce before the workforce is Active."""
    oidc_update_conflicts_with_workteams: bool = True
    """UpdateWorkforce with OidcConfig while work teams exist answers ConflictException."""
    workforce_tags_listable: bool = True
    """False: tag operations on a workforce ARN answer 'Invalid resource type: workforce'."""
    delete_workforce_with_workteams: bool = False
    """True: DeleteWorkforce also deletes the work teams instead of answering ResourceInUse."""
    deletion_describes: int = Field(default=0, ge=0)
    """DescribeWorkforce/ListWorkforces answers that still show Deleting after DeleteWorkforce."""
    max_workteams: int = Field(default=25, ge=0)
    """Work teams per account and region (the documented default quota)."""
    empty_cidrs_allowed: bool = False
    """True: SourceIpConfig.Cidrs may be empty (lifts the IP restriction)."""
    name_contains_ignores_case: bool = True
    """NameContains matches regardless of case."""
    server_fills_defaults: bool = False
    """True: a WorkerAccessConfiguration is stored and returned with every IamPolicyConstraints
    member the request left out set to Disabled (Terraform marks them Optional+Computed)."""
    workteam_writes_need_active: bool = True
    """CreateWorkteam/UpdateWorkteam while the workforce is Initializing or Updating answer
    ValidationException and change nothing (the Terraform provider retries CreateWorkteam
    on ValidationException for two minutes)."""


@dataclass
class Workforce:
    name: str
    arn: str
    subdomain: str
    created: datetime
    last_updated: datetime
    cognito: dict[str, Any] | None
    oidc: dict[str, Any] | None  # never holds the ClientSecret
    cidrs: list[str]
    vpc: dict[str, Any] | None
    ip_address_type: str
    tags: TagList
    status: str = "Initializing"
    failure_reason: str | None = None
    # While changing: Describe calls seen, and when (monotonic) the change began; the
    # delay is compared with the current settings, so a test can shorten it midway.
    describes_seen: int = 0
    changed_at: float = 0.0
    settling: bool = True
    # The fingerprint (``fingerprint()``) of the OIDC ClientSecret last accepted; the
    # secret itself is never kept.
    secret_fingerprint: str | None = None
    # While Deleting: how many more answers show it before it is gone (deletion_describes).
    deletion_looks_left: int = 0

    def settle(self, settings: EmulatorSettings) -> None:
        """Initializing/Updating becomes Active once the configured delay has passed."""
        if not self.settling:
            return
        if (
            self.describes_seen >= settings.activation_describes
            and time.monotonic() - self.changed_at >= settings.activation_seconds
        ):
            self.status = "Active"
            self.settling = False

    def begin_change(self, status: str, settings: EmulatorSettings) -> None:
        self.status = status
        self.failure_reason = None
        self.describes_seen = 0
        self.changed_at = time.monotonic()
        self.settling = True
        self.settle(settings)

    def as_aws(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "WorkforceName": self.name,
            "WorkforceArn": self.arn,
            "LastUpdatedDate": self.last_updated,
            "SourceIpConfig": {"Cidrs": list(self.cidrs)},
            "SubDomain": self.subdomain,
            "CreateDate": self.created,
            "Status": self.status,
            "IpAddressType": self.ip_address_type,
        }
        if self.cognito is not None:
            out["CognitoConfig"] = dict(self.cognito)
        if self.oidc is not None:
            out["OidcConfig"] = dict(self.oidc)
        if self.vpc is not None:
            out["WorkforceVpcConfig"] = dict(self.vpc)
        if self.failure_reason is not None:
            out["FailureReason"] = self.failure_reason
        return out


@dataclass
class Workteam:
    name: str
    arn: str
    workforce: Workforce
    description: str
    members: list[dict[str, Any]]
    created: datetime
    last_updated: datetime
    notification: dict[str, Any] | None
    worker_access: dict[str, Any] | None
    tags: TagList

    def as_aws(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "WorkteamName": self.name,
            "MemberDefinitions": [dict(m) for m in self.members],
            "WorkteamArn": self.arn,
            "WorkforceArn": self.workforce.arn,
            "Description": self.description,
            "SubDomain": self.workforce.subdomain,
            "CreateDate": self.created,
            "LastUpdatedDate": self.last_updated,
        }
        if self.notification is not None:
            out["NotificationConfiguration"] = dict(self.notification)
        if self.worker_access is not None:
            out["WorkerAccessConfiguration"] = dict(self.worker_access)
        return out


class TagList(list[dict[str, str]]):
    """A resource's tags for moto's own AddTags/ListTags/DeleteTags.

    moto's ``add_tags`` appends (``tags.extend``); SageMaker's AddTags "adds or
    overwrites", so ``extend`` here replaces the value of a key that is already there.
    """

    def extend(self, tags: Any) -> None:
        for tag in tags:
            for existing in self:
                if existing["Key"] == tag["Key"]:
                    existing["Value"] = tag["Value"]
                    break
            else:
                self.append({"Key": tag["Key"], "Value": tag["Value"]})


@dataclass
class LabelingJob:
    """A labeling job assigned to a work team (by its ARN), as ListLabelingJobsForWorkteam
    lists it. Added by ``controls.add_labeling_job``: moto has no labeling jobs."""

    name: str
    workteam_arn: str
    status: str
    job_reference_code: str
    work_requester_account_id: str
    created: datetime
    label_counters: dict[str, int] | None = None
    workers_per_data_object: int | None = None

    def as_aws(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "LabelingJobName": self.name,
            "JobReferenceCode": self.job_reference_code,
            "WorkRequesterAccountId": self.work_requester_account_id,
            "CreationTime": self.created,
        }
        if self.label_counters is not None:
            out["LabelCounters"] = dict(self.label_counters)
        if self.workers_per_data_object is not None:
            out["NumberOfHumanWorkersPerDataObject"] = self.workers_per_data_object
        return out


@dataclass
class RegionState:
    account_id: str
    region: str
    workforces: dict[str, Workforce] = field(default_factory=dict)
    workteams: dict[str, Workteam] = field(default_factory=dict)
    labeling_jobs: dict[str, LabelingJob] = field(default_factory=dict)


@dataclass
class Fault:
    operation: str
    error: str | None
    message: str | None
    remaining: int
    delay_ms: int


@dataclass
class Process:
    """Process-wide emulator state (not tied to moto's backends)."""

    settings: EmulatorSettings = field(default_factory=EmulatorSettings)
    # What reset() returns the settings to: the defaults, or a --config file's settings.
    baseline: EmulatorSettings = field(default_factory=EmulatorSettings)
    faults: list[Fault] = field(default_factory=list)
    calls: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=100_000))


PROCESS = Process()

# Per process, never stored or shown: a fingerprint can be compared only by asking this
# process (fingerprint_of), so it cannot be checked offline against guessed secrets the way
# an unkeyed hash of a short secret could.
_FINGERPRINT_KEY = secrets.token_bytes(32)


def fingerprint(value: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` under this process's key."""
    return hmac.new(_FINGERPRINT_KEY, value.encode("utf-8"), hashlib.sha256).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def region_state(account_id: str, region: str) -> RegionState:
    """The emulator's state for one account and region, kept on moto's backend."""
    backend = sagemaker_backends[account_id][region]
    with LOCK:
        state: RegionState | None = backend.__dict__.get(_STATE_ATTRIBUTE)
        if state is None:
            state = RegionState(account_id=account_id, region=region)
            setattr(backend, _STATE_ATTRIBUTE, state)
        return state


def forget_all_regions() -> None:
    with LOCK:
        for by_region in list(sagemaker_backends.values()):
            for backend in list(by_region.values()):
                backend.__dict__.pop(_STATE_ATTRIBUTE, None)


def take_fault(operation: str) -> Fault | None:
    """Consume one use of the first fault registered for ``operation``."""
    with LOCK:
        for fault in PROCESS.faults:
            if fault.operation == operation and fault.remaining > 0:
                fault.remaining -= 1
                taken = Fault(fault.operation, fault.error, fault.message, 1, fault.delay_ms)
                PROCESS.faults = [f for f in PROCESS.faults if f.remaining > 0]
                return taken
    return None


def record_call(operation: str, parameters: Any, region: str) -> None:
    entry = {
        "Operation": operation,
        "Parameters": parameters,
        "Time": now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "Region": region,
    }
    with LOCK:
        PROCESS.calls.append(entry)
