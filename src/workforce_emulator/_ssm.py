"""SSM PutParameter's value-size limits, which moto (5.2.5) does not enforce.

Attached to moto's own ``SimpleSystemManagerBackend.put_parameter`` (wrapped once, like the
SageMaker extensions in ``_install``), so boto3 in-process and the HTTP server alike get:

* a value longer than 32,768 characters (UTF-16 units, as Java counts): the request-model
  answer ``1 validation error detected: Value at 'value' failed to satisfy constraint: Member
  must have length less than or equal to 32768`` (as reported from the real service; the
  value is sensitive, so it is not echoed);
* else a value over its tier's limit: Standard 4,096 and Advanced 8,192 (the model's
  documentation: "Standard parameters have a value limit of 4 KB. Advanced parameters have a
  value limit of 8 KB"); Intelligent-Tiering makes a parameter Advanced when its value is over
  4 KB, so its limit is 8,192. Counted in UTF-8 bytes: AWS documents KB but its message says
  characters, and bytes are the stricter reading (the same for ASCII).

The tier a request is measured against: its ``Tier``; else, when the parameter exists, its
current tier (moto's rule: an Advanced parameter cannot go back to Standard); else the
backend's default tier (Standard). Everything else is moto's, unchanged and after this check.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from moto.ssm.exceptions import ValidationException
from moto.ssm.models import SimpleSystemManagerBackend

_MARK = "_workforce_emulator_size_limits"
MODEL_MAX_LENGTH = 32768
TIER_LIMITS = {"Standard": 4096, "Advanced": 8192, "Intelligent-Tiering": 8192}
STANDARD_TOO_LARGE = (
    "Standard tier parameters support a maximum parameter value of 4096 characters. To create "
    "a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For "
    "more information, see "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
)
ADVANCED_TOO_LARGE = (
    "The specified parameter value is too large. Advanced-tier parameters support a maximum "
    "parameter value of 8192 characters."
)


def _tier(backend: SimpleSystemManagerBackend, name: str, tier: str | None) -> str:
    if tier:
        return tier
    parameters = backend._parameters
    # moto's lookup normalises the name (``/x`` is ``x``); .get does not create an entry.
    versions = parameters.get(parameters.normalize_name(name)) if name in parameters else None
    if versions:
        return str(versions[-1].tier or backend.default_parameter_tier)
    return str(backend.default_parameter_tier)


def check_value_size(backend: SimpleSystemManagerBackend, name: str, value: Any, tier: Any) -> None:
    """Raise SSM's ValidationException when ``value`` is too large for its tier."""
    if not isinstance(value, str):
        return
    if len(value.encode("utf-16-le")) // 2 > MODEL_MAX_LENGTH:
        raise ValidationException(
            "1 validation error detected: Value at 'value' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MODEL_MAX_LENGTH}"
        )
    effective = _tier(backend, name, tier if isinstance(tier, str) else None)
    limit = TIER_LIMITS.get(effective)
    if limit is None or len(value.encode("utf-8")) <= limit:
        return
    raise ValidationException(STANDARD_TOO_LARGE if limit == 4096 else ADVANCED_TOO_LARGE)


def _put_parameter(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def put_parameter(self: SimpleSystemManagerBackend, *args: Any, **kwargs: Any) -> Any:
        # moto's responses pass most arguments by position, CloudFormation all by name.
        bound = signature.bind(self, *args, **kwargs).arguments
        check_value_size(self, bound["name"], bound.get("value"), bound.get("tier"))
        return original(self, *args, **kwargs)

    put_parameter.__wrapped__ = original  # type: ignore[attr-defined]
    return put_parameter


def install() -> None:
    """Wrap moto's PutParameter with the size limits (safe to call again)."""
    if getattr(SimpleSystemManagerBackend, _MARK, False):
        return
    setattr(  # noqa: B010  (replaces moto's method on purpose)
        SimpleSystemManagerBackend,
        "put_parameter",
        _put_parameter(SimpleSystemManagerBackend.put_parameter),
    )
    setattr(SimpleSystemManagerBackend, _MARK, True)
