"""Request validation and redaction driven by botocore's SageMaker service model.

Every length, count, pattern, range and enum the emulator enforces comes from the
model (``get_service_model('sagemaker')``), walked recursively; nothing is copied by
hand. Messages follow AWS's own style, for example::

    1 validation error detected: Value '[a]' at 'sourceIpConfig.cidrs.1.member'
    failed to satisfy constraint: Member must satisfy regular expression pattern: ...

Members the model marks ``sensitive`` (the OIDC ``ClientSecret``) are never echoed:
AWS writes ``Value at 'oidcConfig.clientSecret' failed to satisfy constraint`` without
the value, and the emulator does the same; ``redact`` replaces them with ``***``.

botocore validates only ``required``, types and ``min`` on the client side and
nothing at all for patterns, maxima or enums; the server has to do the rest, so this
walker exists (botocore has no server-side validator to reuse).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import regex  # AWS patterns use \p{L}-style classes (not in re)
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

REDACTED = "***"


@cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


def operation_model(operation: str) -> OperationModel:
    return service_model().operation_model(operation)


def operation_names() -> list[str]:
    return list(service_model().operation_names)


def enum_values(shape_name: str) -> list[str]:
    return list(getattr(service_model().shape_for(shape_name), "enum", []))


def member_names(shape_name: str) -> list[str]:
    """The members of a structure shape, in the model's order."""
    return list(getattr(service_model().shape_for(shape_name), "members", {}))


@cache
def _compiled(pattern: str) -> Any:
    return regex.compile(pattern)


@dataclass(frozen=True)
class Violation:
    """One constraint a request breaks, rendered in AWS's words."""

    path: str
    value: str | None  # None: print no value (sensitive member); "null" for a missing one
    constraint: str

    def render(self) -> str:
        if self.value is None:
            return f"Value at '{self.path}' failed to satisfy constraint: {self.constraint}"
        if self.value == "null":
            return f"Value null at '{self.path}' failed to satisfy constraint: {self.constraint}"
        return (
            f"Value '{self.value}' at '{self.path}' failed to satisfy constraint: {self.constraint}"
        )


class TypeMismatch(Exception):
    """The JSON value has the wrong type for its shape (AWS: SerializationException)."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"Value at '{path}' must be {expected}")


def format_violations(violations: list[Violation]) -> str:
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(v.render() for v in violations)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _java_length(value: str) -> int:
    # AWS counts UTF-16 code units (Java String.length()).
    return len(value.encode("utf-16-le")) // 2


def _show(value: Any, shape: Shape) -> str:
    """A value as AWS prints it (Java toString), with sensitive members hidden."""
    if shape.metadata.get("sensitive"):
        return REDACTED
    if isinstance(value, list) and isinstance(shape, ListShape):
        return "[" + ", ".join(_show(v, shape.member) for v in value) + "]"
    if isinstance(value, dict) and isinstance(shape, StructureShape):
        inner = ", ".join(
            f"{k}={_show(v, shape.members[k])}" for k, v in value.items() if k in shape.members
        )
        return "{" + inner + "}"
    if isinstance(value, dict) and isinstance(shape, MapShape):
        return "{" + ", ".join(f"{k}={_show(v, shape.value)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _scalar_violations(value: Any, shape: Shape, path: str, member: str) -> list[Violation]:
    meta = shape.metadata
    shown: str | None = None if meta.get("sensitive") else _show(value, shape)
    found: list[Violation] = []
    if shape.type_name == "string":
        length = _java_length(value)
        if "min" in meta and length < meta["min"]:
            found.append(
                Violation(
                    path, shown, f"{member} must have length greater than or equal to {meta['min']}"
                )
            )
        if "max" in meta and length > meta["max"]:
            found.append(
                Violation(
                    path, shown, f"{member} must have length less than or equal to {meta['max']}"
                )
            )
        if "pattern" in meta and not _compiled(meta["pattern"]).fullmatch(value):
            found.append(
                Violation(
                    path,
                    shown,
                    f"{member} must satisfy regular expression pattern: {meta['pattern']}",
                )
            )
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            found.append(
                Violation(
                    path,
                    shown,
                    f"{member} must satisfy enum value set: [{', '.join(enum)}]",
                )
            )
    elif shape.type_name in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            found.append(
                Violation(
                    path, shown, f"{member} must have value greater than or equal to {meta['min']}"
                )
            )
        if "max" in meta and value > meta["max"]:
            found.append(
                Violation(
                    path, shown, f"{member} must have value less than or equal to {meta['max']}"
                )
            )
    return found


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "boolean": (bool,),
    "timestamp": (int, float, str),
    "blob": (str,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}


def _check_type(value: Any, shape: Shape, path: str) -> None:
    expected = _JSON_TYPES.get(shape.type_name)
    if expected is None:
        return
    is_bool = isinstance(value, bool)
    if not isinstance(value, expected) or (is_bool and shape.type_name != "boolean"):
        raise TypeMismatch(path or "request", f"a {shape.type_name}")


def _walk(value: Any, shape: Shape, path: str, found: list[Violation]) -> None:
    _check_type(value, shape, path)
    if isinstance(shape, StructureShape):
        for name in shape.required_members:
            if value.get(name) is None:
                found.append(Violation(_join(path, name), "null", "Member must not be null"))
        for name, member_shape in shape.members.items():
            if value.get(name) is not None:
                _walk(value[name], member_shape, _join(path, name), found)
        return
    if isinstance(shape, ListShape):
        _length_violations(value, shape, path, found)
        for index, item in enumerate(value, start=1):
            item_path = f"{path}.{index}.member"
            if item is None:
                found.append(Violation(item_path, "null", "Member must not be null"))
                continue
            _check_type(item, shape.member, item_path)
            if isinstance(shape.member, (StructureShape, ListShape, MapShape)):
                _walk(item, shape.member, item_path, found)
            else:
                found.extend(_scalar_violations(item, shape.member, item_path, "Member"))
        return
    if isinstance(shape, MapShape):
        _length_violations(value, shape, path, found)
        for key, item in value.items():
            for v in _scalar_violations(key, shape.key, path, "Map keys"):
                found.append(v)
            if item is None:
                found.append(Violation(path, "null", "Map value must not be null"))
                continue
            _check_type(item, shape.value, f"{path}.{key}")
            if isinstance(shape.value, (StructureShape, ListShape, MapShape)):
                _walk(item, shape.value, f"{path}.{key}", found)
            else:
                found.extend(_scalar_violations(item, shape.value, path, "Map value"))
        return
    found.extend(_scalar_violations(value, shape, path, "Member"))


def _length_violations(value: Any, shape: Shape, path: str, found: list[Violation]) -> None:
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        found.append(
            Violation(
                path,
                _show(value, shape),
                f"Member must have length greater than or equal to {meta['min']}",
            )
        )
    if "max" in meta and len(value) > meta["max"]:
        found.append(
            Violation(
                path,
                _show(value, shape),
                f"Member must have length less than or equal to {meta['max']}",
            )
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)


def validate(operation: str, params: Any) -> list[Violation]:
    """Every constraint of the operation's input shape that ``params`` breaks, in order.

    Raises ``TypeMismatch`` when a value has the wrong JSON type.
    """
    shape = operation_model(operation).input_shape
    if shape is None:
        return []
    found: list[Violation] = []
    _walk(params, shape, "", found)
    return found


def shape_violations(shape_name: str, value: Any, path: str = "") -> list[Violation]:
    """Every constraint of a named shape that ``value`` breaks (for the test controls).

    Raises ``TypeMismatch`` when a value has the wrong JSON type.
    """
    found: list[Violation] = []
    _walk(value, service_model().shape_for(shape_name), path, found)
    return found


def redact(operation: str, params: Any) -> Any:
    """A copy of ``params`` with every sensitive member (and any ``ClientSecret``) as ``***``."""
    try:
        shape: Shape | None = operation_model(operation).input_shape
    except Exception:  # unknown operation: fall back to redacting by name only
        shape = None
    return _redact(params, shape)


def _redact(value: Any, shape: Shape | None) -> Any:
    if shape is not None and shape.metadata.get("sensitive"):
        return REDACTED
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "ClientSecret":
                out[key] = REDACTED
                continue
            sub: Shape | None = None
            if isinstance(shape, StructureShape):
                sub = shape.members.get(key)
            elif isinstance(shape, MapShape):
                sub = shape.value
            out[key] = _redact(item, sub)
        return out
    if isinstance(value, list):
        member = shape.member if isinstance(shape, ListShape) else None
        return [_redact(item, member) for item in value]
    return value
