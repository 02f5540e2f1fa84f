"""The Lambda's settings: environment variables set by template.yaml, validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import Mode


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    DESIRED_STATE_PARAMETER: str = Field(min_length=1)
    STATE_TABLE: str = Field(min_length=1)
    TOPIC_ARN: str = Field(min_length=1)
    MODE: Mode = Mode.ENFORCE
    REMINDER_INTERVAL_MINUTES: int = Field(default=1440, ge=1)
    WAIT_TIMEOUT_SECONDS: float = Field(default=600.0, gt=0)
    WAIT_POLL_SECONDS: float = Field(default=10.0, gt=0)

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
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ReconcilerError(f"invalid function configuration: {problems}") from None
