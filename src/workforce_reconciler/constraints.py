"""Field constraints read from botocore's service models, applied to pydantic models.

The desired-state document mirrors SageMaker's request shapes, so its limits are
SageMaker's: lengths, list sizes, patterns and enums come from the same service
model botocore validates requests with (``get_service_model('sagemaker')``), read
once per process. Nothing here copies a number by hand, with two exceptions the
model does not encode (see ``DOCUMENTED_LIMITS``). The model is parsed by the botocore
loader the clients share (``aws.data_loader``), so a process parses it once, here or in the
clients, whichever comes first.

Use ``api(operation, *path)`` as ``Annotated`` metadata::

    WorkforceName = Annotated[str, api("CreateWorkforce", "WorkforceName")]
    Groups = Annotated[list[Group], api("CreateWorkteam", "MemberDefinitions", "member",
                                        "OidcMemberDefinition", "Groups")]

``path`` walks structure members by name; ``"member"`` steps into a list's items,
``"key"`` / ``"value"`` into a map's keys / values. The constraint is applied to
pydantic's core schema, so it both validates and appears in the JSON Schema
(``minLength``, ``maxLength``, ``pattern``, ``minItems``, ``maxItems``, ...).

Patterns: botocore's patterns are Java regular expressions that the service
matches against the whole value. They are anchored here (``^(?:...)$``) and
Java's ASCII-only shorthands (``\\w``, ``\\d``, ``\\s``, ``\\S``) are spelled out
as ASCII classes, so pydantic's Rust regex engine, Python's ``re`` and an editor's
ECMAScript engine all read them the same way. Patterns using Unicode property
classes (``\\p{L}``...) validate (the Rust engine supports them) but are left out
of the JSON Schema, because ECMAScript without the ``u`` flag and Python's ``re``
(which the ``jsonschema`` package uses) cannot compile them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import ListShape, MapShape, ServiceModel, Shape, StringShape, StructureShape
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from workforce_reconciler.aws import data_loader

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaValue

LIST_ITEM = "member"
MAP_KEY = "key"
MAP_VALUE = "value"

# Limits SageMaker documents but its service model does not encode as metadata.
# Each names where it comes from; tests check the source still says so.
DOCUMENTED_LIMITS: dict[str, int] = {
    # SourceIpConfig.Cidrs documentation: "A list of one to ten ... (CIDR) values.
    # Maximum: Ten CIDR values" (the Cidrs list shape itself has no max).
    "MaxCidrs": 10,
    # SageMaker Ground Truth quota: at most 25 private work teams per account and
    # region (the ListWorkteams / CreateWorkteam shapes carry no count).
    "MaxWorkteams": 25,
}


@cache
def service_model(service: str = "sagemaker") -> ServiceModel:
    """The botocore service model, as a botocore session gets it (AWS_DATA_PATH honoured),
    from the loader the clients share."""
    loader = data_loader(os.environ.get("AWS_DATA_PATH"))
    return ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def shape_at(operation: str, *path: str, service: str = "sagemaker") -> Shape:
    """The shape of ``operation``'s input at ``path`` (see the module docstring)."""
    shape: Shape | None = service_model(service).operation_model(operation).input_shape
    for step in path:
        if isinstance(shape, ListShape) and step == LIST_ITEM:
            shape = shape.member
        elif isinstance(shape, MapShape) and step in (MAP_KEY, MAP_VALUE):
            shape = shape.key if step == MAP_KEY else shape.value
        elif isinstance(shape, StructureShape) and step in shape.members:
            shape = shape.members[step]
        else:
            raise KeyError(f"{service}:{operation} has no member {'.'.join(path)!r} ({step!r})")
    if shape is None:
        raise KeyError(f"{service}:{operation} has no input")
    return shape


# Java's predefined classes are ASCII-only; spelled out so every engine agrees.
_JAVA_SHORTHANDS = {
    "w": ("[0-9A-Za-z_]", "0-9A-Za-z_"),
    "d": ("[0-9]", "0-9"),
    "s": ("[ \\t\\n\\x0B\\f\\r]", " \\t\\n\\x0B\\f\\r"),
    "S": ("[^ \\t\\n\\x0B\\f\\r]", None),  # no in-class form: refused below
}


def portable_pattern(java_pattern: str) -> str:
    """``java_pattern`` anchored, with Java's ASCII shorthands spelled out."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(java_pattern):
        char = java_pattern[i]
        if char == "\\" and i + 1 < len(java_pattern):
            nxt = java_pattern[i + 1]
            if nxt in _JAVA_SHORTHANDS:
                outside, inside = _JAVA_SHORTHANDS[nxt]
                if in_class and inside is None:
                    raise ValueError(f"cannot translate \\{nxt} inside a class: {java_pattern}")
                out.append(inside if in_class and inside is not None else outside)
            else:
                out.append(java_pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return f"^(?:{''.join(out)})$"


def schema_safe(pattern: str) -> bool:
    """Whether ECMAScript (no ``u`` flag) and Python's ``re`` both compile ``pattern``."""
    if "\\p{" in pattern or "\\P{" in pattern:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@dataclass(frozen=True)
class PatternInfo:
    """What a pattern-mismatch message shows: the service's own pattern and a hint."""

    shape: str
    original: str
    hint: str | None


# Anchored pattern -> how to explain it; filled as the models are built.
_PATTERNS: dict[str, PatternInfo] = {}


def pattern_info(anchored: str) -> PatternInfo | None:
    return _PATTERNS.get(anchored)


@dataclass(frozen=True)
class ApiConstraint:
    """Pydantic metadata applying the service model's limits for one member.

    ``pattern=False`` keeps only lengths/counts (for members whose pattern is
    better checked by a real parser, e.g. CIDRs with ``ipaddress``); ``hint``
    says in words what the pattern means, for messages and the schema.
    """

    operation: str
    path: tuple[str, ...]
    service: str = "sagemaker"
    pattern: bool = True
    hint: str | None = None

    def shape(self) -> Shape:
        return shape_at(self.operation, *self.path, service=self.service)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        shape = self.shape()
        meta = shape.metadata
        kind = schema["type"]
        if kind == "str" and shape.type_name == "string":
            str_schema: Any = schema
            if "min" in meta:
                str_schema["min_length"] = meta["min"]
            if "max" in meta:
                str_schema["max_length"] = meta["max"]
            if self.pattern and "pattern" in meta:
                anchored = portable_pattern(meta["pattern"])
                str_schema["pattern"] = anchored
                _PATTERNS[anchored] = PatternInfo(shape.name, meta["pattern"], self.hint)
        elif kind in ("list", "dict") and shape.type_name in ("list", "map"):
            sized: Any = schema
            if "min" in meta:
                sized["min_length"] = meta["min"]
            if "max" in meta:
                sized["max_length"] = meta["max"]
        elif kind == "literal" and isinstance(shape, StringShape):
            # The Python type names the values for mypy; the model must agree.
            declared = sorted(str(value) for value in schema["expected"])
            if declared != sorted(shape.enum):
                raise TypeError(
                    f"{self.operation}.{'.'.join(self.path)} allows {sorted(shape.enum)}, "
                    f"the model declares {declared}"
                )
        else:
            raise TypeError(f"cannot apply {shape.type_name} shape {shape.name} to a {kind} schema")
        return schema

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        pattern = target.get("pattern")
        if pattern is not None and not schema_safe(pattern):
            del target["pattern"]
        if self.hint and "description" not in target:
            target["description"] = self.hint[:1].upper() + self.hint[1:] + "."
        return json_schema


def api(
    operation: str,
    *path: str,
    service: str = "sagemaker",
    pattern: bool = True,
    hint: str | None = None,
) -> ApiConstraint:
    """The service model's limits for ``operation``'s input member at ``path``."""
    constraint = ApiConstraint(operation, path, service, pattern, hint)
    constraint.shape()  # fail at import, not at validation, if the path is wrong
    return constraint
