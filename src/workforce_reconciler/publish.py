"""``push``: publish a valid document to SSM, as one parameter or in parts under a path.

What a CI pipeline does after ``validate`` and ``plan``, with a diff of its own:

* each part is written as ``push`` counts it (compact JSON, ``document/parts.py``), and
  only when its content differs from what SSM holds (compared as JSON, so a parameter put
  by hand with other spacing is not rewritten): an unchanged part gets no new version and
  wakes no run;
* the tier is the cheapest that holds the part: Standard up to 4,096 bytes, Advanced up to
  8,192 (an Advanced parameter stays Advanced: SSM cannot move one back); a part over
  8,192 bytes is refused, by name, before anything is read or written;
* under a path, team parameters the document no longer lists are deleted: only
  ``<path>/workteams/<name>``, never anything else;
* nothing is written while anything is wrong: a parameter under the path that is not a
  part of the layout, or a part that is a SecureString or a StringList, is named first.

The order of the writes: the teams, then deletions, then the workforce part last; but the
workforce part first when its ``Policy`` allows less than the one in SSM (detect mode, a
permission turned off), so that no run acts under the wider policy meanwhile. An edit of
several parts is not atomic: each write may wake a run before the others land (see
docs/deploy.md, "Changing several parts safely").

Planning is pure (``plan_publication``); ``publish`` executes a plan through the
``ParameterStore`` port (``adapters/parameters.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from workforce_reconciler.document.models import Policy
from workforce_reconciler.document.parts import (
    ADVANCED,
    TIER_LIMITS,
    Layout,
    compact,
    size_of,
    split,
    tier_for,
)
from workforce_reconciler.errors import ReconcilerError
from workforce_reconciler.plan import Mode
from workforce_reconciler.ports import ParameterStore, StoredParameter
from workforce_reconciler.text import count


class PublishError(ReconcilerError):
    """Nothing can be published as asked; nothing was written."""


class Change(StrEnum):
    CREATE = "+"
    UPDATE = "~"
    DELETE = "-"


@dataclass(frozen=True)
class Step:
    change: Change
    name: str
    value: str = ""
    tier: str = ""
    note: str = ""

    def line(self) -> str:
        if self.change is Change.DELETE:
            return f"- {self.name}  (no longer in the document)"
        note = f"; {self.note}" if self.note else ""
        return (
            f"{self.change.value} {self.name}  ({self.tier}, {size_of(self.value):,} bytes{note})"
        )


@dataclass(frozen=True)
class Target:
    """Where the document goes: one parameter, or parts under a path."""

    parameter: str | None = None
    path: str | None = None

    @property
    def layout(self) -> Layout | None:
        return Layout(self.path.rstrip("/")) if self.path else None

    @property
    def display(self) -> str:
        layout = self.layout
        return f"ssm:{layout.root}/" if layout else f"ssm:{self.parameter}"


@dataclass(frozen=True)
class Publication:
    target: Target
    steps: tuple[Step, ...]
    unchanged: int

    def summary(self, *, dry_run: bool) -> str:
        if not self.steps:
            return (
                f"Nothing to publish: {self.target.display} already holds this document "
                f"({count(self.unchanged, 'parameter')} unchanged)."
            )
        done = {c: sum(1 for s in self.steps if s.change is c) for c in Change}
        tally = (
            f"{done[Change.CREATE]} created, {done[Change.UPDATE]} updated, "
            f"{done[Change.DELETE]} deleted, {self.unchanged} unchanged"
        )
        if dry_run:
            return f"Would publish to {self.target.display}: {tally}. Nothing written (--dry-run)."
        return f"Published to {self.target.display}: {tally}."


def parts_for(data: Mapping[str, Any], target: Target) -> dict[str, str]:
    """The values to publish, by parameter name; PublishError naming any too large."""
    layout = target.layout
    if layout is None:
        assert target.parameter is not None
        texts = {target.parameter: compact(data)}
    else:
        texts = {name: compact(value) for name, value in split(data, layout).items()}
    largest = TIER_LIMITS[ADVANCED]
    too_large = [
        f"{name} ({size_of(text):,} bytes)"
        for name, text in texts.items()
        if size_of(text) > largest
    ]
    if too_large:
        advice = (
            "keep it in parts under a path instead: push --parameter-path PREFIX"
            if layout is None
            else "shorten it (descriptions, tags)"
        )
        raise PublishError(
            f"too large for an SSM parameter (Advanced holds {largest:,} bytes): "
            f"{', '.join(too_large)}: {advice}; nothing was written"
        )
    return texts


def _same(stored: str, text: str) -> bool:
    """Whether SSM's value is this JSON, whatever its spacing or key order."""
    try:
        held = json.loads(stored)
    except ValueError:
        return False
    return bool(json.dumps(held, sort_keys=True) == json.dumps(json.loads(text), sort_keys=True))


def _put(name: str, text: str, stored: StoredParameter | None) -> Step | None:
    if stored is not None and _same(stored.value, text):
        return None
    tier, note = tier_for(size_of(text)) or ADVANCED, ""
    if stored is not None and stored.tier == ADVANCED and tier != ADVANCED:
        tier, note = ADVANCED, "stays Advanced: SSM cannot move a parameter back to Standard"
    change = Change.CREATE if stored is None else Change.UPDATE
    return Step(change, name, text, tier, note)


def _refusals(target: Target, stored: Mapping[str, StoredParameter]) -> list[str]:
    """What must be fixed by hand before anything is published, each by name."""
    layout = target.layout
    refused = []
    for name, held in sorted(stored.items()):
        if layout is not None and name != layout.workforce and layout.team_of(name) is None:
            refused.append(
                f"{name} is under {layout.root}/ but is not part of a document (its parts "
                f"are {layout.describe()}): delete it or publish to another path"
            )
        elif held.type != "String":
            refused.append(
                f"{name} is a {held.type}: push writes String parameters (the document holds "
                "no secret): delete it first, then push again"
            )
    return refused


def plan_publication(
    texts: Mapping[str, str], stored: Mapping[str, StoredParameter], target: Target
) -> Publication:
    """The writes and deletions that make SSM hold ``texts``, in the order they are made."""
    refused = _refusals(target, stored)
    if refused:
        raise PublishError("nothing was written:\n  " + "\n  ".join(refused))
    layout = target.layout
    puts = [_put(name, text, stored.get(name)) for name, text in texts.items()]
    steps = [step for step in puts if step is not None]
    if layout is not None:
        gone = [name for name in sorted(stored) if name not in texts and layout.team_of(name)]
        teams = [s for s in steps if s.name != layout.workforce]
        workforce = [s for s in steps if s.name == layout.workforce]
        deletions = [Step(Change.DELETE, name) for name in gone]
        if workforce and _restricts(stored.get(layout.workforce), workforce[0].value):
            first = replace(workforce[0], note=_join(workforce[0].note, _FIRST))
            steps = [first, *teams, *deletions]
        else:
            steps = [*teams, *deletions, *workforce]
    return Publication(target, tuple(steps), unchanged=len(texts) - len(steps) + _deletions(steps))


_FIRST = "written first: its Policy allows less than the one it replaces"
_PERMISSIONS = (
    "DeleteUnlistedWorkteams",
    "AllowDisruptiveChanges",
    "RecreateWorkteamsForOidcChanges",
)


def _policy(text: str) -> Policy | None:
    try:
        data = json.loads(text)
        return Policy.model_validate(data.get("Policy") or {})
    except (ValueError, AttributeError):  # (pydantic's ValidationError is a ValueError)
        return None


def _restricts(stored: StoredParameter | None, text: str) -> bool:
    """Whether the new workforce part takes away something the one in SSM allows (detect
    mode, a permission turned off). Then it goes first, so that no run started by another
    part of the same push acts under the old, wider policy. Otherwise it goes last: a run
    started by a team part sees the new teams under the old policy, never the reverse."""
    old, new = _policy(stored.value) if stored else None, _policy(text)
    if old is None or new is None:
        return False
    if new.Mode is Mode.DETECT and old.Mode is not Mode.DETECT:
        return True
    return any(getattr(old, name) and not getattr(new, name) for name in _PERMISSIONS)


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _deletions(steps: list[Step]) -> int:
    return sum(1 for step in steps if step.change is Change.DELETE)


def read_stored(store: ParameterStore, target: Target) -> dict[str, StoredParameter]:
    layout = target.layout
    if layout is not None:
        return store.stored_under(layout.root)
    assert target.parameter is not None
    return store.stored(target.parameter)


def publish(store: ParameterStore, publication: Publication) -> int:
    """Execute the plan in order; the number of steps done. A failure raises PublishError
    saying what was written before it (push again finishes: it writes what still differs)."""
    for done, step in enumerate(publication.steps):
        try:
            if step.change is Change.DELETE:
                store.delete(step.name)
            else:
                store.put(step.name, step.value, step.tier)
        except ReconcilerError as exc:
            raise PublishError(
                f"{exc}; {done} of {count(len(publication.steps), 'change')} written before "
                f"it ({step.name} and the ones after it not). Push again to finish: it "
                "writes only what still differs"
            ) from None
    return len(publication.steps)


@dataclass(frozen=True)
class Size:
    part: str  # "workforce", "workteams/<name>"; "" for the whole document
    bytes: int

    @property
    def tier(self) -> str | None:
        return tier_for(self.bytes)


def sizes(data: Mapping[str, Any]) -> tuple[Size, list[Size]]:
    """The document's size as one parameter, and each part's under a path, as push writes."""
    whole = Size("", size_of(compact(data)))
    parts = [
        Size(name.lstrip("/"), size_of(compact(v))) for name, v in split(data, Layout("")).items()
    ]
    return whole, parts


def sizes_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """``validate --output json``'s Sizes: bytes and tier (null: too large) of each."""
    whole, parts = sizes(data)
    return {
        "Document": {"Bytes": whole.bytes, "Tier": whole.tier},
        "Parts": [{"Part": p.part, "Bytes": p.bytes, "Tier": p.tier} for p in parts],
    }


def _too_large(advice: str) -> str:
    return f"too large (Advanced holds {TIER_LIMITS[ADVANCED]:,} bytes): {advice}"


def format_sizes(data: Mapping[str, Any]) -> list[str]:
    """``validate``'s lines on sizes: as one parameter, then each part under a path."""
    whole, parts = sizes(data)
    if whole.tier is None:
        single = _too_large(
            "keep it in parts under a path (push --parameter-path; the stack's "
            "DesiredStateParameterPath)"
        )
    else:
        single = f"{whole.tier} tier"
    width = max(len(p.part) for p in parts)
    lines = [
        f"As one parameter (push --parameter): {whole.bytes:,} bytes, {single}.",
        f"In parts under a path (push --parameter-path): {count(len(parts), 'parameter')}:",
    ]
    for part in parts:
        tier = part.tier or _too_large("shorten it")
        lines.append(f"  {part.part:<{width}}  {part.bytes:>6,} bytes  {tier}")
    return lines
