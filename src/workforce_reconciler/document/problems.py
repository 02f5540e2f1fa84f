"""Problem paths and plain-English messages: what a user reads about an invalid document.

Each problem is a ``Loc`` (the keys and indexes down to the offending value)
rendered as a JSON path (``$.Workteams[1].MemberDefinitions[0]``) and a message.
Here: rendering paths, quoting values, "did you mean" for unknown fields, pydantic's
errors turned into messages, document-order sorting, and ``InvalidDocumentError``.

Nothing here knows the document's models: the functions that need them take the
root model (``DesiredState``) as an argument, so the models can use the paths and
quoting without an import cycle.
"""

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from workforce_reconciler.constraints import pattern_info
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import DocumentProblem
from workforce_reconciler.redaction import is_secret_key, scrub
from workforce_reconciler.text import count

Loc = tuple[str | int, ...]


class InvalidDocumentError(ReconcilerError):
    """The desired-state document is not valid; ``problems`` says every way it is not."""

    def __init__(self, problems: Iterable[DocumentProblem]) -> None:
        self.problems: tuple[DocumentProblem, ...] = tuple(problems)
        lines = [f"desired-state document is invalid ({count(len(self.problems), 'problem')}):"]
        lines += [f"  {problem.Path}: {problem.Message}" for problem in self.problems]
        super().__init__("\n".join(lines))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def render_path(loc: Loc) -> str:
    parts = ["$"]
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _IDENTIFIER.fullmatch(step):
            parts.append(f".{step}")
        else:
            parts.append(f"[{json.dumps(step)}]")
    return "".join(parts)


_ECHO_LIMIT = 80


def quote(value: str) -> str:
    """A value for a message: JSON-quoted (control characters escaped), cut if long."""
    if len(value) > _ECHO_LIMIT:
        value = value[: _ECHO_LIMIT - 3] + "..."
    return json.dumps(value, ensure_ascii=False)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _unwrap(annotation: Any) -> Any:
    """The model or list type behind Annotated[...] / X | None."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, type(int | None)):
            annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
        else:
            return annotation


def _model_at(loc: Loc, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that validates the object at ``loc`` under ``root``, if any."""
    current: Any = root
    for step in loc:
        current = _unwrap(current)
        if isinstance(step, int):
            if get_origin(current) is not list:
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(step)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


_PUT_IT_ELSEWHERE = (
    "the OIDC client secret must not be in the document: store it in AWS Secrets Manager "
    "and set OidcConfig.ClientSecretArn to the secret's ARN, or in an SSM SecureString "
    "parameter and set OidcConfig.ClientSecretParameter to the parameter's name"
)


def _unknown_field(loc: Loc, root: type[BaseModel]) -> str:
    key = loc[-1]
    if is_secret_key(key):
        return _PUT_IT_ELSEWHERE
    if key == "WorkforceName" and len(loc) == 3 and loc[0] == "Workteams":
        return (
            "work teams have no WorkforceName: every team joins the workforce named in "
            "$.Workforce.WorkforceName; remove this field"
        )
    model = _model_at(loc[:-1], root)
    if model is None:
        return "unknown field"
    allowed = list(model.model_fields)
    by_lower = {name.lower(): name for name in allowed}
    close = difflib.get_close_matches(str(key).lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean {quote(by_lower[close[0]])}?"
    return "unknown field; expected one of: " + ", ".join(allowed)


def _message(error: ErrorDetails, echo: bool, root: type[BaseModel]) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    loc: Loc = tuple(error["loc"])
    shown = quote(value) if echo and isinstance(value, str) else None
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_field(loc, root)
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, not {json_type(value)}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", '"')
        if shown is not None:
            return f"{shown} is not allowed; use {expected}"
        return f"must be {expected}, not {json_type(value)}"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty"
        return f"must be at least {count(ctx['min_length'], 'character')} long"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "more"
        return f"must be at most {count(ctx['max_length'], 'character')} long (it has {length})"
    if kind in ("too_short", "too_long"):
        noun = "entry" if ctx.get("field_type") == "Dictionary" else "item"
        limit = ctx["min_length"] if kind == "too_short" else ctx["max_length"]
        bound = "at least" if kind == "too_short" else "at most"
        return f"must have {bound} {count(limit, noun)} (it has {ctx.get('actual_length', 'more')})"
    if kind == "string_pattern_mismatch":
        info = pattern_info(ctx.get("pattern", ""))
        subject = shown or "the value"
        if info is None:
            return f"{subject} does not match the pattern {ctx.get('pattern')}"
        if info.hint:
            return f"{subject} is not {info.hint} (SageMaker's pattern: {info.original})"
        return f"{subject} does not match SageMaker's pattern {info.original}"
    return str(error["msg"])


_TYPE_NAMES = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def secret_values(data: object) -> set[str]:
    """Every string found under a key named like ClientSecret, at any depth."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if is_secret_key(key):
                    found.update(_strings(value))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _sort_key(loc: Loc, root: type[BaseModel]) -> tuple[tuple[int, int, str], ...]:
    """Problems in document order: each model's declared field order, then array index."""
    key: list[tuple[int, int, str]] = []
    for depth, step in enumerate(loc):
        if isinstance(step, int):
            key.append((0, step, ""))
            continue
        model = _model_at(loc[:depth], root)
        fields = list(model.model_fields) if model is not None else []
        key.append((1, fields.index(step) if step in fields else len(fields), step))
    return tuple(key)


def invalid(path: str, message: str) -> InvalidDocumentError:
    """The error for one problem at ``path``."""
    return InvalidDocumentError([DocumentProblem(Path=path, Message=message)])


def validation_problems(error: ValidationError, root: type[BaseModel]) -> list[tuple[Loc, str]]:
    """Each of pydantic's errors as (loc, message); no value under a secret key is echoed."""
    found: list[tuple[Loc, str]] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        echo = not any(is_secret_key(step) for step in loc)
        found.append((loc, _message(detail, echo, root)))
    return found


def invalid_document(
    found: Iterable[tuple[Loc, str]], secrets: Iterable[str], root: type[BaseModel]
) -> InvalidDocumentError:
    """The error for every problem found: in document order, secrets scrubbed, each once."""
    problems: list[DocumentProblem] = []
    seen: set[tuple[str, str]] = set()
    for loc, message in sorted(found, key=lambda item: _sort_key(item[0], root)):
        key = (render_path(loc), scrub(message, secrets))
        if key not in seen:
            seen.add(key)
            problems.append(DocumentProblem(Path=key[0], Message=key[1]))
    return InvalidDocumentError(problems)
