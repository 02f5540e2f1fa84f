"""The one place that hides the OIDC client secret from everything a person or a log sees.

Two mechanisms, one marker (``REDACTED``):

* by key: any value under a key named like ``ClientSecret`` (any case, with or without
  ``_`` or ``-``) and any ``ClientSecret=...`` / ``"client_secret": "..."`` inside free
  text (an AWS error message may echo request parameters back);
* by value: where the secret itself is known (apply, after reading it; the document
  loader, when someone pasted it into the document), every spelling of it that a
  service could echo: as is, in any case, JSON-escaped and URL-encoded.

Every output path (plan and report text, ``--output json``, notifications, log lines,
problem messages) goes through here; nothing else redacts.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "(redacted)"

# Secret values this process has read (apply's resolve): log records are scrubbed of them.
_KNOWN: set[str] = set()

_SECRET_KEY = "clientsecret"  # noqa: S105 - the name of the key to hide, not a secret

# ``ClientSecret: "x"``, ``client_secret=x``, ``'ClientSecret': 'x'`` inside free text.
_SECRET_IN_TEXT = re.compile(
    r"""(?i)(client[_-]?secret["']?\s*[:=]\s*)(?!['"]?\(redacted\))"""
    r"""("[^"]*"|'[^']*'|[^\s,;}&)\]"']+)"""
)

# The characters of an ARN or a parameter path.
_REFERENCE_CHARS = frozenset(string.ascii_letters + string.digits + "_/:.+=@-")


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names the client secret (``ClientSecret``, ``client-secret``)."""
    return isinstance(key, str) and key.replace("_", "").replace("-", "").lower() == _SECRET_KEY


def is_secret_field(field: str) -> bool:
    """Whether a dotted field path (``OidcConfig.ClientSecret``) names the secret itself."""
    return is_secret_key(field.rsplit(".", 1)[-1])


def redact(value: Any) -> Any:
    """A copy of ``value`` with every ClientSecret value replaced by ``REDACTED``."""
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    """Free text with any ``ClientSecret=...`` / ``"ClientSecret": "..."`` value hidden.

    A name that only ends in it is left alone where a colon follows: the reference of a
    secret (``ssm:/workforce/oidc/client-secret: ParameterNotFound``, an ARN ending in
    ``oidc-client-secret``) names where the secret is, and what follows is the error a
    person needs to read. ``=`` always hides what follows (``?client_secret=...``)."""
    return _SECRET_IN_TEXT.sub(lambda m: _redacted(m, text), text)


def _redacted(match: re.Match[str], text: str) -> str:
    # What the key's name is the end of, read backwards (linear in its length, however
    # long the text: a regex search anchored at the match would be quadratic).
    start = end = match.start()
    while start and text[start - 1] in _REFERENCE_CHARS:
        start -= 1
    reference = any(c in "/:" for c in text[start:end])
    if reference and "=" not in match.group(1):
        return match.group(0)
    return match.group(1) + REDACTED


def spellings(secret: str) -> set[str]:
    """The forms a service or a serializer may give ``secret`` back in."""
    forms = {secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret)}
    return {form for form in forms if form}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value, in every spelling and any case, replaced."""
    forms = {form for secret in secrets if secret for form in spellings(secret)}
    if not forms:
        return redact_text(text)
    # Longest first, so a secret that contains another is hidden whole.
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return redact_text(re.sub(alternatives, REDACTED, text, flags=re.IGNORECASE))


def remember_secret(value: str) -> None:
    """Register a secret value read by this process, so no log record can carry it."""
    if value:
        _KNOWN.add(value)


def known_secrets() -> frozenset[str]:
    return frozenset(_KNOWN)
