"""Reading a document's text: strict JSON, then every problem at once (``parse_document``).

Stricter than ``json.loads``: bytes must be UTF-8 (a BOM is dropped), a key that
appears twice in one object is a problem (JSON would keep only the last), NaN and
Infinity are not JSON, and a string holding half a UTF-16 surrogate pair is not
text. The data then goes through the cross-field rules (``rules.py``) and the models
(``models.py``) together, so the user sees every problem in one
``InvalidDocumentError`` (``problems.py``), not one at a time.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from workforce_reconciler.document.models import RULES_CHECKED, DesiredState
from workforce_reconciler.document.problems import (
    InvalidDocumentError,
    Loc,
    invalid,
    invalid_document,
    json_type,
    render_path,
    secret_values,
    validation_problems,
)
from workforce_reconciler.document.rules import rule_problems
from workforce_reconciler.plan import DocumentProblem


class _DuplicateKeys(dict[str, Any]):
    """A JSON object that remembers which keys it saw more than once."""

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> _DuplicateKeys:
    obj = _DuplicateKeys()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


class _NotJson(ValueError):
    pass


_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(data: Any, loc: Loc, problems: list[tuple[Loc, str]]) -> Any:
    """``data`` with plain dicts, noting duplicate keys (JSON keeps only the last)."""
    if isinstance(data, dict):
        for key in getattr(data, "duplicates", ()):
            problems.append(((*loc, key), "appears more than once in this object"))
        return {key: _plain(value, (*loc, key), problems) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item, (*loc, index), problems) for index, item in enumerate(data)]
    return data


def _surrogates(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Strings holding half a UTF-16 pair (JSON's "\\ud800"): not text, not sendable to AWS."""
    message = "contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not text"
    if isinstance(data, dict):
        for key, value in data.items():
            if _SURROGATE.search(key):
                yield (loc, f"a key {message}")
            else:
                yield from _surrogates(value, (*loc, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _surrogates(item, (*loc, index))
    elif isinstance(data, str) and _SURROGATE.search(data):
        yield (loc, message)


def load_json(text: str | bytes) -> Any:
    """The JSON value of ``text``; InvalidDocumentError (with line and column) otherwise.

    Objects remember the keys they saw twice, for ``read_data`` to report."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise invalid("$", f"is not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise invalid("$", "the document is empty; it must be a JSON object")
    try:
        return json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise invalid(
            "$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except _NotJson as exc:
        raise invalid("$", f"not valid JSON: {exc}") from None
    except ValueError:  # Python's limit on the digits of an integer
        raise invalid("$", "a number has too many digits to read") from None
    except RecursionError:
        raise invalid("$", "not valid JSON: nested too deeply") from None


def parse_document(text: str | bytes) -> DesiredState:
    """The desired state in ``text``, or InvalidDocumentError listing every problem."""
    return read_data(load_json(text))[0]


def read_document(text: str | bytes) -> tuple[DesiredState, dict[str, Any]]:
    """The desired state in ``text`` and its JSON data as written (for ``push``)."""
    return read_data(load_json(text))


def read_data(raw: Any) -> tuple[DesiredState, dict[str, Any]]:
    """The desired state in ``raw`` (what ``load_json`` returned) and its plain JSON data,
    or InvalidDocumentError listing every problem."""
    if not isinstance(raw, dict):
        raise invalid("$", f"the document must be a JSON object ({{...}}), not {json_type(raw)}")
    found: list[tuple[Loc, str]] = []
    try:
        unpaired = list(_surrogates(raw, ()))
        if unpaired:
            raise InvalidDocumentError(
                DocumentProblem(Path=render_path(loc), Message=message) for loc, message in unpaired
            )
        data = _plain(raw, (), found)
        found.extend(rule_problems(data))
        secrets = secret_values(data)
        try:
            state = DesiredState.model_validate(data, context={RULES_CHECKED: True})
        except ValidationError as exc:
            found.extend(validation_problems(exc, DesiredState))
        else:
            if not found:
                return state, data
    except RecursionError:
        raise invalid("$", "the document is nested too deeply") from None
    raise invalid_document(found, secrets, DesiredState)
