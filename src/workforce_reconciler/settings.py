"""The Lambda's settings: environment variables set by template.yaml, validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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
