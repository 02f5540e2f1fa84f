"""The plan and the report: plain data, no I/O.

A ``Plan`` is what ``diff(desired, observed, policy)`` returns: an ordered list of
``Action``s, each naming the SageMaker operation, the resource, the field-level
``before -> after`` changes, a classification, and the exact request parameters
that apply will send (the OIDC client secret excepted: apply resolves it just
before sending, so it never sits in a plan that is printed, logged or notified).

A ``Report`` is what one reconcile run returns: the plan, what happened to each
action, and the conditions a person may need to hear about. The CLI prints it,
the Lambda handler returns its summary, the notifier renders it.

Keys are PascalCase, like the SageMaker API the document mirrors, so that the
JSON form (``--output json``, SNS JSON messages) reads like AWS's own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workforce_reconciler.ports import SecretReference


class ResourceType(StrEnum):
    WORKFORCE = "Workforce"
    WORKTEAM = "Workteam"


class Operation(StrEnum):
    CREATE_WORKFORCE = "CreateWorkforce"
    UPDATE_WORKFORCE = "UpdateWorkforce"
    DELETE_WORKFORCE = "DeleteWorkforce"
    CREATE_WORKTEAM = "CreateWorkteam"
    UPDATE_WORKTEAM = "UpdateWorkteam"
    DELETE_WORKTEAM = "DeleteWorkteam"
    ADD_TAGS = "AddTags"
    DELETE_TAGS = "DeleteTags"


class Classification(StrEnum):
    """How an action relates to the document's policy."""

    CORRECTABLE = "correctable"  # drift that apply may fix without cutting anyone off
    BLOCKED = "blocked"  # needs a step the policy does not allow (or the service refuses)
    DISRUPTIVE = "disruptive"  # cuts workers off, and the policy allows it


class Mode(StrEnum):
    ENFORCE = "enforce"
    DETECT = "detect"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldChange(_Data):
    """One field that differs: a dotted path (``OidcConfig.Scope``), before and after."""

    Field: str
    Before: Any = None
    After: Any = None


class Action(_Data):
    Operation: Operation
    ResourceType: ResourceType
    ResourceName: str
    Classification: Classification
    Changes: tuple[FieldChange, ...] = ()
    Reason: str = Field(description="For people only: apply never reads it.")
    Request: dict[str, Any] = Field(
        default_factory=dict,
        description="The exact API parameters apply sends, without the OIDC ClientSecret.",
    )
    NeedsClientSecret: bool = Field(
        default=False,
        description="Apply adds OidcConfig.ClientSecret, resolved from the document's reference.",
    )
    ProceedWhen: tuple[str, ...] = Field(
        default=(),
        description="Workforce statuses this step may be sent in; apply waits (bounded) for "
        "one of them first. Empty: send at once.",
    )
    HoldsBack: bool = Field(
        default=False,
        description="If this step fails, the steps after it are not attempted (they build "
        "on it); the next run plans them again.",
    )
    Advice: str | None = Field(
        default=None,
        description="For people only: what to do if SageMaker refuses this step.",
    )

    @property
    def target(self) -> str:
        return f"{self.ResourceType.value}/{self.ResourceName}"

    @property
    def applicable(self) -> bool:
        return self.Classification is not Classification.BLOCKED


class Severity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class Finding(_Data):
    """Something observed that is not an action: a Failed workforce, an unverifiable field."""

    Code: str
    Severity: Severity
    Message: str
    ResourceName: str | None = None
    Advice: str | None = Field(default=None, description="What a person can do about it.")


class LiveWorkforce(_Data):
    """The workforce SageMaker has now, as the plan found it: what the first steps act on."""

    Name: str
    Status: str | None = None


_LiveWorkforce = LiveWorkforce


class SecretSource(_Data):
    """Where apply reads the OIDC client secret: exactly one of the two is set."""

    SecretArn: str | None = None
    ParameterName: str | None = None

    @property
    def reference(self) -> SecretReference:
        return SecretReference(secret_arn=self.SecretArn, parameter_name=self.ParameterName)


class Plan(_Data):
    WorkforceName: str
    Actions: tuple[Action, ...] = ()
    Findings: tuple[Finding, ...] = ()
    SecretVersion: str | None = Field(
        default=None,
        description="Version of the OIDC client secret the document references now; "
        "recorded as last-applied once an action carrying the secret succeeds.",
    )
    LiveWorkforce: _LiveWorkforce | None = Field(
        default=None, description="The account's workforce before the plan, if any."
    )
    Secret: SecretSource | None = Field(
        default=None, description="Where apply reads the client secret the actions need."
    )
    SecretFirst: bool = Field(
        default=False,
        description="Read the secret before the first step and attempt nothing if it cannot "
        "be used (a replacement must not delete what it cannot re-create).",
    )
    Recreation: tuple[dict[str, Any], ...] = Field(
        default=(),
        description="Work teams the plan deletes (or found deleted) for an OIDC change and "
        "re-creates: each team's CreateWorkteam request, recorded before the first step.",
    )

    @property
    def has_changes(self) -> bool:
        return bool(self.Actions)

    @property
    def applicable_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.Actions if a.applicable)

    @property
    def blocked_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.Actions if not a.applicable)


# The report's field is named Plan, like the API-style keys; the alias keeps the
# annotation from resolving to that field's default.
PlanModel = Plan


class Outcome(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    SKIPPED = "skipped"
    REFUSED = "refused"  # SageMaker said no for a reason a retry does not fix: blocked drift


class ActionResult(_Data):
    Action: Action
    Outcome: Outcome
    ErrorCode: str | None = None
    ErrorMessage: str | None = None
    Retryable: bool = False  # a transient failure (throttling, 5xx) that a later run may not meet


class DocumentProblem(_Data):
    """One problem in the desired-state document: where (a JSON path) and what.

    A document kept in parts (a parameter hierarchy, a directory) also names the part:
    the SSM parameter or the file, with ``Path`` the JSON path inside it."""

    Path: str
    Message: str
    Part: str | None = None

    @property
    def where(self) -> str:
        """``$.Workforce.WorkforceName``, or ``/prefix/workteams/a $.Description`` in a part."""
        return f"{self.Part} {self.Path}" if self.Part else self.Path


# A document can be wrong in tens of thousands of ways (400 empty member definitions):
# messages and the CLI show the first ones in document order, then how many more.
PROBLEMS_SHOWN = 50


def shown_problems(
    problems: tuple[DocumentProblem, ...],
) -> tuple[tuple[DocumentProblem, ...], int]:
    """The problems to show, and how many more there are."""
    return problems[:PROBLEMS_SHOWN], max(len(problems) - PROBLEMS_SHOWN, 0)


class RunError(_Data):
    """A run that stopped before it could plan: the code and a message safe to show."""

    Code: str
    Message: str
    Retryable: bool = False  # throttling or a 5xx that outlived botocore's retries
    Subject: str | None = None  # what it is about (a secret reference), for fingerprints


class SecretApplied(_Data):
    """A client secret version that SageMaker accepted, for the workforce created at a time."""

    Reference: str
    Version: str
    WorkforceName: str
    WorkforceCreateDate: str | None = None


class RunStatus(StrEnum):
    """The one-word outcome of a run, like a Kubernetes condition's reason."""

    IN_SYNC = "InSync"
    CORRECTED = "Corrected"
    DRIFT_DETECTED = "DriftDetected"
    BLOCKED = "Blocked"
    APPLY_FAILED = "ApplyFailed"
    INVALID_DOCUMENT = "InvalidDocument"
    DOCUMENT_MISSING = "DocumentMissing"
    WORKFORCE_FAILED = "WorkforceFailed"
    ERROR = "Error"


class Report(_Data):
    Trigger: str
    Mode: Mode
    Region: str
    Account: str | None = Field(
        default=None,
        description="The AWS account the run is about, when its caller knows it (the Lambda "
        "handler, from the function's ARN; the CLI's multi-target plan).",
    )
    WorkforceName: str | None = None
    Plan: PlanModel | None = None
    Results: tuple[ActionResult, ...] = ()
    WorkforceStatus: str | None = None
    FailureReason: str | None = None
    DocumentProblems: tuple[DocumentProblem, ...] = ()
    DocumentProblemsOmitted: int = Field(
        default=0, description="Problems beyond the first ones listed (in document order)."
    )
    DocumentSource: str | None = None
    Error: RunError | None = None
    SecretAdopted: SecretApplied | None = Field(
        default=None,
        description="The client secret version recorded as already applied (adoption).",
    )

    @property
    def applied(self) -> tuple[ActionResult, ...]:
        return tuple(r for r in self.Results if r.Outcome is Outcome.APPLIED)

    @property
    def failed(self) -> tuple[ActionResult, ...]:
        return tuple(r for r in self.Results if r.Outcome is Outcome.FAILED)

    @property
    def retryable(self) -> bool:
        """Whether what went wrong may pass by itself: Lambda should retry the event."""
        if self.Error is not None:
            return self.Error.Retryable
        return any(r.Retryable for r in self.failed)

    @property
    def status(self) -> RunStatus:
        if self.Error is not None:
            return RunStatus.ERROR
        if self.DocumentProblems:
            return RunStatus.INVALID_DOCUMENT
        if self.Plan is None:
            return RunStatus.DOCUMENT_MISSING
        if self.WorkforceStatus == "Failed":
            return RunStatus.WORKFORCE_FAILED
        if self.failed:
            return RunStatus.APPLY_FAILED
        if self.Plan.blocked_actions:
            return RunStatus.BLOCKED
        if self.Plan.applicable_actions and not self.applied:
            # Detect mode, a plan that was not (yet) applied, or one whose every step was
            # left to the next run (the run's deadline had passed).
            return RunStatus.DRIFT_DETECTED
        if self.applied:
            return RunStatus.CORRECTED
        return RunStatus.IN_SYNC
