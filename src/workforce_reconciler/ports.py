"""The small interfaces the engine talks to; adapters in ``adapters/`` implement them with boto3.

Each adapter takes injected boto3 clients, turns ``ClientError`` codes into the
exceptions in ``errors.py``, and lists the IAM actions it needs beside the calls
(the template's policy is checked against those lists in the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

    from workforce_reconciler.document.parts import DocumentParts


class WorkforceGateway(Protocol):
    """SageMaker's workforce and work-team API, as the engine uses it.

    Reads answer with the API's own shapes (DescribeWorkforce's ``Workforce``,
    ListWorkteams' ``Workteam``); ``call`` sends one write the plan names, with its exact
    parameters. Errors arrive as the engine's exceptions (``errors.py``).
    """

    @property
    def region(self) -> str: ...

    def describe_workforce(self, name: str) -> WorkforceTypeDef | None:
        """The workforce, or None when it does not exist."""

    def list_workforces(self) -> list[WorkforceTypeDef]:
        """Every workforce of the account and region (at most one)."""

    def list_workteams(self) -> list[WorkteamTypeDef]:
        """Every work team of the account and region, whole objects."""

    def describe_workteam(self, name: str) -> WorkteamTypeDef | None:
        """The work team, or None when it does not exist."""

    def labeling_jobs_in_progress(self, workteam_arn: str) -> list[str]:
        """The names of the team's labeling jobs that are InProgress."""

    def list_tags(self, arn: str) -> dict[str, str]: ...

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """One write, e.g. ``call("UpdateWorkteam", {...})``; NotFoundError if it is gone."""


@dataclass(frozen=True)
class SecretReference:
    """Where the OIDC client secret lives: exactly one of the two is set."""

    secret_arn: str | None = None  # Secrets Manager secret ARN or name
    parameter_name: str | None = None  # SSM SecureString parameter name

    @property
    def display(self) -> str:
        if self.secret_arn:
            return f"secretsmanager:{self.secret_arn}"
        return f"ssm:{self.parameter_name}"


class SecretResolver(Protocol):
    def current_version(self, ref: SecretReference) -> str:
        """The version id of the secret's current value, read without reading the value.

        Secrets Manager: the VersionId staged AWSCURRENT (DescribeSecret).
        SSM: the parameter's Version (GetParameter without decryption).
        """

    def resolve(self, ref: SecretReference) -> str:
        """The secret value itself; called by apply only, never logged."""


@dataclass(frozen=True)
class ConditionRecord:
    """A condition the notifier has reported and not yet seen clear."""

    key: str  # e.g. "BlockedDrift"
    fingerprint: str  # hash of what the condition is about; a change means a new condition
    first_seen: datetime
    last_notified: datetime
    summary: str  # the subject line sent, for the "resolved" message
    notified: bool = True  # False: seen once, not told yet (a deferred condition)


class StateStore(Protocol):
    """Durable state that must survive cold starts (DynamoDB in the Lambda)."""

    def get_secret_version(self, scope: str, reference: str) -> str | None:
        """The client-secret version last applied to the workforce identified by ``scope``,
        or None when none was recorded or it was recorded for another ``reference`` (a
        document that points at another secret needs the new one applied once)."""

    def put_secret_version(self, scope: str, reference: str, version: str) -> None: ...

    def read_records(self, scope: str) -> dict[str, dict[str, str]]:
        """Every record of ``scope`` by key: string attributes, whatever their kind."""

    def put_record(self, scope: str, key: str, attributes: dict[str, str]) -> None: ...

    def delete_record(self, scope: str, key: str) -> None: ...

    def get_conditions(self, scope: str) -> dict[str, ConditionRecord]: ...

    def put_condition(self, scope: str, record: ConditionRecord) -> None: ...

    def delete_condition(self, scope: str, key: str) -> None: ...


class DesiredStateSource(Protocol):
    @property
    def location(self) -> str:
        """Where the document lives, for people (``ssm:/name``, a file path)."""

    def read(self) -> tuple[str | DocumentParts | None, str]:
        """(the document's text, or its parts when it is kept in parts (a parameter
        hierarchy), or None when it does not exist; where it came from, with its version
        where there is one). Raises when it cannot be read: never None for that."""


class Notifier(Protocol):
    def publish(self, report: Any) -> list[str]:
        """Send what the report calls for; return the subjects sent (for logs and tests)."""


@dataclass(frozen=True)
class WaitProgress:
    """One status a wait of apply observed (apply polls DescribeWorkforce while it waits).

    Apply calls the ``ProgressListener`` it was given with each one, and does nothing else
    with it: the CLI and the handler decide what a person or a log sees (``progress.py``).
    """

    workforce: str
    wanted: tuple[str, ...]  # the statuses that end the wait; () waits for it to be gone
    step: str  # the step that waits, e.g. "CreateWorkteam Workteam/image-labelers"
    status: str | None  # what SageMaker reports now; None: the workforce does not exist
    elapsed: float  # seconds since apply began: what the bound is measured against
    bound: float  # seconds apply may wait in all (the run's one bound)
    first: bool  # the wait's first look: if it is also ``done``, nothing was waited for
    done: bool  # the wait ends with this look (reached, Failed, gone, or out of time)


ProgressListener = Callable[[WaitProgress], None]
"""Told each status a wait observes; must not raise (it is for presenting only)."""


@dataclass(frozen=True)
class StoredParameter:
    """An SSM parameter as ``push`` compares it: its value (not decrypted), type and tier."""

    value: str
    type: str
    tier: str | None = None


class ParameterStore(Protocol):
    """SSM Parameter Store as ``push`` uses it (``adapters/parameters.py``)."""

    def stored(self, name: str) -> dict[str, StoredParameter]:
        """The parameter ``name`` by its name, or {} when it does not exist."""

    def stored_under(self, path: str) -> dict[str, StoredParameter]:
        """Every parameter under ``path``, at any depth, by name."""

    def put(self, name: str, value: str, tier: str) -> None:
        """Create or overwrite a String parameter."""

    def delete(self, name: str) -> None:
        """Delete a parameter; one already gone is not an error."""
