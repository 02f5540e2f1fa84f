"""Small wording helpers shared by every message a person reads."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "policy": "policies", "dependency": "dependencies"}


def plural(noun: str) -> str:
    return _IRREGULAR.get(noun, noun + "s")


def count(n: int, noun: str) -> str:
    """``1 change``, ``3 changes``, ``2 entries``: the one pluraliser of the project."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural(noun)}"
