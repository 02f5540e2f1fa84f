"""Problem paths and plain-English messages: what a user reads about an invalid document.

Each problem is a ``Loc`` (the keys and indexes down to the offending value)
rendered as a JSON path (``$.Workteams[1].MemberDefinitions[0]``) and a message.
Here: rendering paths, quoting values, "did you mean" for unknown fields, pydantic's
errors turned into messages, document-order sorting, and ``InvalidDocumentError``.

No message repeats the OIDC client secret: a value under a ``ClientSecret``-like key
(or a credential-like ``AuthenticationRequestExtraParams`` entry) is never quoted, and
every message goes through ``redaction.scrub`` with those values as found in the
document (the project's one redaction mechanism).

Nothing here knows the document's models: the functions that need them take the
root model (``DesiredState``) as an argument, so the models can use the paths and
quoting without an import cycle.
"""

import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from workforce_reconciler.constraints import pattern_info
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import DocumentProblem, shown_problems
from workforce_reconciler.redaction import REDACTED, is_secret_key, scrub
from workforce_reconciler.text import count

Loc = tuple[str | int, ...]


class InvalidDocumentError(ReconcilerError):
    """The desired-state document is not valid; ``problems`` says every way it is not."""

    def __init__(self, problems: Iterable[DocumentProblem]) -> None:
        self.problems: tuple[DocumentProblem, ...] = tuple(problems)
        shown, omitted = shown_problems(self.problems)
        lines = [f"desired-state document is invalid ({count(len(self.problems), 'problem')}):"]
        lines += [f"  {problem.where}: {problem.Message}" for problem in shown]
        if omitted:
            lines.append(f"  ... and {count(omitted, 'more problem')} (fix these first)")
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
    """A value for a message: JSON-quoted (control characters escaped), cut if long, and
    any credentials in a URL hidden (before it is cut, so a cut cannot reveal them)."""
    value = mask_url_credentials(value)
    if len(value) > _ECHO_LIMIT:
        value = value[: _ECHO_LIMIT - 3] + "..."
    return json.dumps(value, ensure_ascii=False)


# user:password@ after a URL's scheme (up to the last @ before the path)
_URL_USERINFO = re.compile(r"(?<=://)[^/?#\s]*@")
# name=value in a URL's query or fragment
_QUERY_PARAMETER = re.compile(r"(?P<lead>[?&;#](?P<name>[^=&#;\s]+)=)(?P<value>[^&#;\s]*)")


def mask_url_credentials(text: str) -> str:
    """``text`` with the user information of any URL in it, and the values of its
    credential-like query (or fragment) parameters, replaced by ``REDACTED``."""
    text = _URL_USERINFO.sub(f"{REDACTED}@", text)
    return _QUERY_PARAMETER.sub(
        lambda match: match["lead"] + REDACTED if is_credential_name(match["name"]) else match[0],
        text,
    )


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


@dataclass(frozen=True)
class _Failure:
    """One of pydantic's errors, as the message builders below read it."""

    kind: str
    ctx: dict[str, Any]
    value: Any
    loc: Loc
    shown: str | None  # the value quoted for the message, None when it must not be echoed
    root: type[BaseModel]

    @classmethod
    def of(cls, error: ErrorDetails, echo: bool, root: type[BaseModel]) -> "_Failure":
        value = error.get("input")
        return cls(
            kind=error["type"],
            ctx=error.get("ctx") or {},
            value=value,
            loc=tuple(error["loc"]),
            shown=quote(value) if echo and isinstance(value, str) else None,
            root=root,
        )


def _wrong_type(failure: _Failure) -> str:
    return f"must be {_TYPE_NAMES[failure.kind]}, not {json_type(failure.value)}"


def _not_allowed(failure: _Failure) -> str:
    expected = str(failure.ctx.get("expected", "")).replace("'", '"')
    if failure.shown is not None:
        return f"{failure.shown} is not allowed; use {expected}"
    return f"must be {expected}, not {json_type(failure.value)}"


def _too_short_text(failure: _Failure) -> str:
    if failure.ctx.get("min_length") == 1:
        return "must not be empty"
    return f"must be at least {count(failure.ctx['min_length'], 'character')} long"


def _too_long_text(failure: _Failure) -> str:
    length = len(failure.value) if isinstance(failure.value, str) else "more"
    return f"must be at most {count(failure.ctx['max_length'], 'character')} long (it has {length})"


def _wrong_size(failure: _Failure) -> str:
    ctx = failure.ctx
    noun = "entry" if ctx.get("field_type") == "Dictionary" else "item"
    too_short = failure.kind == "too_short"
    limit = ctx["min_length"] if too_short else ctx["max_length"]
    bound = "at least" if too_short else "at most"
    return f"must have {bound} {count(limit, noun)} (it has {ctx.get('actual_length', 'more')})"


def _no_match(failure: _Failure) -> str:
    info = pattern_info(failure.ctx.get("pattern", ""))
    subject = failure.shown or "the value"
    if info is None:
        return f"{subject} does not match the pattern {failure.ctx.get('pattern')}"
    if info.hint:
        return f"{subject} is not {info.hint} (SageMaker's pattern: {info.original})"
    return f"{subject} does not match SageMaker's pattern {info.original}"


_TYPE_NAMES = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}

# The message for each of pydantic's error types; any other type keeps pydantic's own.
_MESSAGES: dict[str, Callable[[_Failure], str]] = {
    "missing": lambda _failure: "is required",
    "extra_forbidden": lambda failure: _unknown_field(failure.loc, failure.root),
    **dict.fromkeys(_TYPE_NAMES, _wrong_type),
    "literal_error": _not_allowed,
    "enum": _not_allowed,
    "string_too_short": _too_short_text,
    "string_too_long": _too_long_text,
    "too_short": _wrong_size,
    "too_long": _wrong_size,
    "string_pattern_mismatch": _no_match,
}


def _message(error: ErrorDetails, echo: bool, root: type[BaseModel]) -> str:
    build = _MESSAGES.get(error["type"])
    return build(_Failure.of(error, echo, root)) if build else str(error["msg"])


EXTRA_PARAMS = "AuthenticationRequestExtraParams"

# What a credential's name contains, once lower-cased without - _ . and spaces: api_key,
# X-Api-Key and apikey are all "apikey". "authorization" only ends a name (Authorization,
# Proxy-Authorization), so OAuth's authorization_details is not taken for one.
_CREDENTIAL_WORDS = (
    "secret",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "credential",
    "apikey",
    "token",
    "privatekey",
    "assertion",
)
_CREDENTIAL_ENDINGS = ("authorization",)
_SEPARATORS = re.compile(r"[-_.\s]")


def is_credential_name(name: object) -> bool:
    """Whether a name (a parameter, a map key) looks like it holds a credential."""
    if not isinstance(name, str):
        return False
    plain = _SEPARATORS.sub("", name).lower()
    return any(word in plain for word in _CREDENTIAL_WORDS) or plain.endswith(_CREDENTIAL_ENDINGS)


def _hidden(loc: Loc) -> bool:
    """Whether the value at ``loc`` must never be quoted: the client secret, or a
    credential-like entry of AuthenticationRequestExtraParams."""
    if any(is_secret_key(step) for step in loc):
        return True
    return any(
        step == EXTRA_PARAMS and is_credential_name(after)
        for step, after in itertools.pairwise(loc)
    )


def secret_values(data: object) -> set[str]:
    """Every string under a key named like ClientSecret, at any depth, and the values of
    credential-like AuthenticationRequestExtraParams entries: hidden from every message."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if is_secret_key(key):
                    found.update(_strings(value))
                else:
                    if key == EXTRA_PARAMS:
                        found.update(_credential_params(value))
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


# Credential-like extra parameters are never quoted where they are (``_hidden``); their
# values are also hidden from the rest of the messages when long enough to be secrets:
# hiding "1" or "true" everywhere would garble every message holding those letters.
_HUNTED_LENGTH = 6


def _credential_params(params: object) -> Iterator[str]:
    if isinstance(params, dict):
        for name, entry in params.items():
            if is_credential_name(name):
                yield from (text for text in _strings(entry) if len(text) >= _HUNTED_LENGTH)


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
    """Each of pydantic's errors as (loc, message); no value under a secret key, or a
    credential-like extra parameter, is echoed."""
    found: list[tuple[Loc, str]] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        found.append((loc, _message(detail, not _hidden(loc), root)))
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
