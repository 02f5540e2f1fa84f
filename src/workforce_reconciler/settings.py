"""The Lambda's settings: environment variables set by template.yaml, validated once."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from datetime import timedelta

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import Mode


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    # One of the two: the document in one parameter, or in parts under a path
    # (document/parts.py). The stack sets both; a path, when set, is the one read.
    DESIRED_STATE_PARAMETER: str = ""
    DESIRED_STATE_PARAMETER_PATH: str = ""
    STATE_TABLE: str = Field(min_length=1)
    TOPIC_ARN: str = Field(min_length=1)
    MODE: Mode = Mode.ENFORCE
    REMINDER_INTERVAL_MINUTES: int = Field(default=1440, ge=1)
    WAIT_TIMEOUT_SECONDS: float = Field(default=600.0, gt=0)
    WAIT_POLL_SECONDS: float = Field(default=10.0, gt=0)
    # The stack's ceiling over the document (template.yaml sets them all; absent: none).
    DOCUMENT_MAY_ALLOW_DISRUPTIVE_CHANGES: bool = True
    DOCUMENT_MAY_DELETE_UNLISTED_WORKTEAMS: bool = True
    DOCUMENT_MAY_RECREATE_WORKTEAMS: bool = True
    ALLOWED_OIDC_HOSTS: str = ""  # comma-separated; "" allows any
    ALLOWED_SOURCE_CIDRS: str = ""  # comma-separated; "" allows any
    FORBID_OPEN_ALLOW_LIST: bool = False

    @field_validator("ALLOWED_SOURCE_CIDRS")
    @classmethod
    def _cidrs(cls, value: str) -> str:
        for cidr in _items(value):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"{cidr!r} is not a CIDR block") from None
        return value

    @property
    def guardrails(self) -> Guardrails:
        return Guardrails(
            allow_disruptive_changes=self.DOCUMENT_MAY_ALLOW_DISRUPTIVE_CHANGES,
            allow_delete_unlisted_workteams=self.DOCUMENT_MAY_DELETE_UNLISTED_WORKTEAMS,
            allow_recreate_workteams=self.DOCUMENT_MAY_RECREATE_WORKTEAMS,
            oidc_hosts=_items(self.ALLOWED_OIDC_HOSTS),
            source_cidrs=_items(self.ALLOWED_SOURCE_CIDRS),
            forbid_open_allow_list=self.FORBID_OPEN_ALLOW_LIST,
        )

    @model_validator(mode="after")
    def _names_a_document(self) -> Settings:
        if not (self.DESIRED_STATE_PARAMETER or self.parameter_path):
            raise ValueError("set DESIRED_STATE_PARAMETER or DESIRED_STATE_PARAMETER_PATH")
        return self

    @property
    def parameter_path(self) -> str | None:
        """The path of a document kept in parts (without its trailing "/"), or None."""
        return self.DESIRED_STATE_PARAMETER_PATH.rstrip("/") or None

    @property
    def document(self) -> str:
        """What the function reads, for people and as the notifier's scope: the parameter's
        name, or the path with a trailing "/"."""
        path = self.parameter_path
        return f"{path}/" if path else self.DESIRED_STATE_PARAMETER

    @property
    def reminder_interval(self) -> timedelta:
        return timedelta(minutes=self.REMINDER_INTERVAL_MINUTES)

    @property
    def topic_region(self) -> str | None:
        """The Region in TOPIC_ARN (arn:partition:sns:region:account:name), if it names one."""
        parts = self.TOPIC_ARN.split(":")
        return parts[3] if len(parts) == 6 and parts[0] == "arn" and parts[3] else None

    @property
    def mode_override(self) -> Mode | None:
        """``detect`` forces detect; ``enforce`` lets the document's Policy.Mode decide."""
        return Mode.DETECT if self.MODE is Mode.DETECT else None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate({k: v for k, v in env.items() if k in cls.model_fields})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'environment'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ReconcilerError(f"invalid function configuration: {problems}") from None


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())
