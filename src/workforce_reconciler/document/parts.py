"""A document kept in parts: an SSM parameter hierarchy, or a directory of files.

One parameter holds at most 8 KB (Advanced tier; 4 KB Standard), and a workforce with 25
OIDC teams of 10 groups each needs about 11 KB. So a document may also live as parts
under a root (an SSM path, or a directory, where each name ends in ``.json``):

    <root>/workforce                  the document without Workteams: Version, Workforce, Policy
    <root>/workteams/<WorkteamName>   one work team object each

``split`` turns a valid document into its parts; ``read_parts`` reads parts back as one
document, validated whole: every problem names its part (``DocumentProblem.Part``) and
the JSON path inside it, and a part that is not in the layout, a team whose name differs
from its part's name, or a workforce part that is missing, is a problem like any other.

Sizes are counted as ``push`` writes a part (compact JSON, UTF-8 bytes) and as SSM counts
them; ``tier_for`` says which parameter tier holds a size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workforce_reconciler.document.loading import load_json, read_data, read_document
from workforce_reconciler.document.models import DesiredState
from workforce_reconciler.document.problems import InvalidDocumentError, json_type
from workforce_reconciler.plan import DocumentProblem

WORKFORCE = "workforce"
WORKTEAMS = "workteams"
WORKTEAMS_KEY = "Workteams"
STANDARD = "Standard"
ADVANCED = "Advanced"
TIER_LIMITS = {STANDARD: 4096, ADVANCED: 8192}
"""The largest value of each SSM parameter tier, in bytes."""


@dataclass(frozen=True)
class Layout:
    """The names of a document's parts under ``root`` (an SSM path or a directory)."""

    root: str  # without a trailing "/"
    suffix: str = ""  # ".json" for files

    @property
    def workforce(self) -> str:
        return f"{self.root}/{WORKFORCE}{self.suffix}"

    @property
    def workteams(self) -> str:
        """Where the team parts are: ``<root>/workteams/``."""
        return f"{self.root}/{WORKTEAMS}/"

    def workteam(self, name: str) -> str:
        return f"{self.workteams}{name}{self.suffix}"

    def team_of(self, part: str) -> str | None:
        """The team a part's name holds (``<root>/workteams/<name>``), or None."""
        if not part.startswith(self.workteams) or not part.endswith(self.suffix):
            return None
        name = part[len(self.workteams) : len(part) - len(self.suffix)]
        return name if name and "/" not in name else None

    def describe(self) -> str:
        """The layout in words, for messages."""
        return f"{self.workforce} and {self.workteam('<WorkteamName>')}"


@dataclass(frozen=True)
class DocumentParts:
    """What a source read of a document kept in parts: each part's name and text.

    ``problems``: what the source already knows is wrong with a part (e.g. an SSM
    SecureString, whose text is not read without decryption)."""

    layout: Layout
    texts: Mapping[str, str | bytes]
    problems: tuple[DocumentProblem, ...] = field(default=())


def compact(value: Any) -> str:
    """JSON as ``push`` writes it: no spaces, UTF-8 text (not ``\\u`` escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def size_of(text: str) -> int:
    """Bytes, as SSM counts a parameter's value."""
    return len(text.encode("utf-8"))


def tier_for(size: int) -> str | None:
    """The cheapest tier whose parameters hold ``size`` bytes; None when none does."""
    return next((tier for tier, limit in TIER_LIMITS.items() if size <= limit), None)


def split(data: Mapping[str, Any], layout: Layout) -> dict[str, Any]:
    """The parts of a valid document's JSON ``data``, by name: the workforce part first,
    then the teams in the document's order."""
    workforce = {key: value for key, value in data.items() if key != WORKTEAMS_KEY}
    parts: dict[str, Any] = {layout.workforce: workforce}
    for team in data.get(WORKTEAMS_KEY, []):
        parts[layout.workteam(team["WorkteamName"])] = team
    return parts


def read_content(content: str | bytes | DocumentParts) -> tuple[DesiredState, dict[str, Any]]:
    """The desired state a source read (one text, or parts) and its JSON data."""
    if isinstance(content, DocumentParts):
        return read_parts(content)
    return read_document(content)


def parse_content(content: str | bytes | DocumentParts) -> DesiredState:
    return read_content(content)[0]


@dataclass
class _Assembly:
    """The document being put together from its parts, and what is wrong so far."""

    layout: Layout
    problems: list[DocumentProblem]
    workforce: dict[str, Any] | None = None
    teams: list[tuple[str, Any]] = field(default_factory=list)  # (part name, JSON value)

    def problem(self, part: str, path: str, message: str) -> None:
        self.problems.append(DocumentProblem(Part=part, Path=path, Message=message))


def read_parts(parts: DocumentParts) -> tuple[DesiredState, dict[str, Any]]:
    """The one document the parts make, or InvalidDocumentError naming each part's problems.

    The document is validated whole: a team's member definitions are checked against the
    workforce part, the number of teams against SageMaker's limit, and so on."""
    assembly = _Assembly(parts.layout, list(parts.problems))
    known = {problem.Part for problem in parts.problems}
    for name in sorted(set(parts.texts) - known):  # (the source's problem says it all)
        _take(assembly, name, parts.texts[name])
    layout = parts.layout
    whole = assembly.workforce is not None
    if not whole and not any(p.Part == layout.workforce for p in assembly.problems):
        assembly.problem(
            layout.workforce,
            "$",
            "is missing: it holds the document's Version, Workforce and Policy "
            f"(the work teams are in {layout.workteam('<WorkteamName>')})",
        )
    # (in place: the parsed object remembers its duplicate keys, for read_data to report).
    # Without the workforce part the teams are still checked, against an empty one whose
    # own problems are not reported: the part's problem above says it all.
    root = assembly.workforce if assembly.workforce is not None else load_json("{}")
    root[WORKTEAMS_KEY] = [team for _, team in assembly.teams]
    try:
        state, plain = read_data(root)
    except InvalidDocumentError as exc:
        moved = _in_parts(exc.problems, layout, [name for name, _ in assembly.teams])
        assembly.problems.extend(p for p in moved if whole or p.Part != layout.workforce)
    else:
        if not assembly.problems:
            return state, plain
    raise InvalidDocumentError(_ordered(assembly.problems, layout))


def _take(assembly: _Assembly, name: str, text: str | bytes) -> None:
    """One part read into the assembly, or its problems noted."""
    layout = assembly.layout
    team = layout.team_of(name)
    if name != layout.workforce and team is None:
        assembly.problem(
            name,
            "$",
            f"is not part of a desired-state document (its parts are {layout.describe()}): "
            "remove it or keep it elsewhere",
        )
        return
    try:
        value = load_json(text)
    except InvalidDocumentError as exc:
        assembly.problems.extend(p.model_copy(update={"Part": name}) for p in exc.problems)
        return
    if not isinstance(value, dict):
        what = "the document without its Workteams" if team is None else "one work team"
        assembly.problem(name, "$", f"must be a JSON object ({what}), not {json_type(value)}")
        return
    if team is None:
        _take_workforce(assembly, name, value)
    else:
        _take_team(assembly, name, team, value)


def _take_workforce(assembly: _Assembly, name: str, value: dict[str, Any]) -> None:
    if WORKTEAMS_KEY in value:
        assembly.problem(
            name,
            f"$.{WORKTEAMS_KEY}",
            "work teams go in parameters of their own, one each: "
            f"{assembly.layout.workteam('<WorkteamName>')}",
        )
        del value[WORKTEAMS_KEY]
    assembly.workforce = value


def _take_team(assembly: _Assembly, name: str, team: str, value: dict[str, Any]) -> None:
    declared = value.get("WorkteamName")
    if isinstance(declared, str) and declared != team:
        assembly.problem(
            name,
            "$.WorkteamName",
            f"{json.dumps(declared, ensure_ascii=False)} is not the name this part is "
            f"stored under ({json.dumps(team, ensure_ascii=False)}): a team's part is "
            f"{assembly.layout.workteam('<WorkteamName>')}",
        )
    assembly.teams.append((name, value))


_TEAM_PATH = re.compile(r"^\$\.Workteams\[(\d+)\]")
_TEAM_MENTION = re.compile(r"\$\.Workteams\[(\d+)\]")


def _in_parts(
    problems: Iterable[DocumentProblem], layout: Layout, teams: list[str]
) -> list[DocumentProblem]:
    """Problems of the assembled document, each moved to the part it is in."""

    def mention(match: re.Match[str]) -> str:
        return teams[int(match.group(1))]

    moved = []
    for problem in problems:
        message = _TEAM_MENTION.sub(mention, problem.Message)
        found = _TEAM_PATH.match(problem.Path)
        if found:
            part, path = teams[int(found.group(1))], "$" + problem.Path[found.end() :]
        elif problem.Path == f"$.{WORKTEAMS_KEY}":
            part, path = layout.workteams, "$"
        else:
            part, path = layout.workforce, problem.Path
        moved.append(DocumentProblem(Part=part, Path=path, Message=message))
    return moved


def _ordered(problems: list[DocumentProblem], layout: Layout) -> list[DocumentProblem]:
    """The workforce part's problems first, then each part's in name order; each once."""
    first = {layout.workforce: 0, layout.workteams: 1}
    seen: set[tuple[str | None, str, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.Part, problem.Path, problem.Message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    # sorted() is stable: within a part, the document order read_data gave is kept.
    return sorted(unique, key=lambda p: (first.get(p.Part or "", 2), p.Part or ""))
