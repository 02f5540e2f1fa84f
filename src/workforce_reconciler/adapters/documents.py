"""Where the desired-state document comes from: one SSM parameter, or a parameter hierarchy
(a document kept in parts, ``document/parts.py``); in the CLI also a file or a directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.document.parts import DocumentParts, Layout
from workforce_reconciler.errors import ReconcilerError, TransientError
from workforce_reconciler.plan import DocumentProblem
from workforce_reconciler.text import count

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

# GetParameter for one parameter, GetParametersByPath for a hierarchy (template.yaml grants
# the one the stack's parameters choose).
IAM_ACTIONS = ("ssm:GetParameter", "ssm:GetParametersByPath")


class SsmDocumentSource:
    """Reads the document from one SSM parameter.

    A plain ``get_parameter`` call rather than Powertools' SSMProvider: the engine must
    tell "the parameter was deleted" (ParameterNotFound: report, change nothing) from
    every other failure, and report the parameter's Version, both of which the provider
    hides behind one GetParameterError. Never cached: each run reads the current text.
    """

    def __init__(self, ssm: SSMClient, name: str) -> None:
        self._ssm = ssm
        self.name = name

    @property
    def location(self) -> str:
        return f"ssm:{self.name}"

    def read(self) -> tuple[str | None, str]:
        try:
            parameter = self._ssm.get_parameter(Name=self.name, WithDecryption=True)
        except (ClientError, BotoCoreError) as exc:
            if (
                isinstance(exc, ClientError)
                and exc.response.get("Error", {}).get("Code") == "ParameterNotFound"
            ):
                return None, self.location
            translated = translate("GetParameter", exc)
            if isinstance(translated, TransientError):
                raise translated from None
            raise ReconcilerError(
                f"cannot read the desired-state parameter {self.name}: {translated}"
            ) from None
        version = parameter["Parameter"].get("Version")
        return parameter["Parameter"].get("Value", ""), f"{self.location} (version {version})"


def _unreadable(what: str, exc: ClientError | BotoCoreError) -> ReconcilerError:
    translated = translate("GetParametersByPath", exc)
    if isinstance(translated, TransientError):
        return translated
    return ReconcilerError(f"cannot read {what}: {translated}")


class SsmPathDocumentSource:
    """Reads a document kept in parts under an SSM path (``document/parts.py``).

    GetParametersByPath, recursive, through botocore's paginator (10 parameters a page),
    without decryption: the document holds no secret, and a SecureString under the path is
    a problem of the document (named), not something to decrypt. Either every page is read
    or the run stops with an error: a part that could not be read is never taken for a
    part that does not exist (which could delete a team). Never cached.
    """

    def __init__(self, ssm: SSMClient, path: str) -> None:
        self._ssm = ssm
        self.path = path.rstrip("/")

    @property
    def location(self) -> str:
        return f"ssm:{self.path}/"

    def read(self) -> tuple[DocumentParts | None, str]:
        texts: dict[str, str] = {}
        problems: list[DocumentProblem] = []
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(
            Path=self.path, Recursive=True, WithDecryption=False
        )
        try:
            for page in pages:
                for parameter in page.get("Parameters", []):
                    name = parameter.get("Name", "")
                    if parameter.get("Type") == "SecureString":
                        problems.append(_secure_string(name))
                    texts[name] = parameter.get("Value", "")
        except (ClientError, BotoCoreError) as exc:
            read = f" (after {count(len(texts), 'parameter')})" if texts else ""
            raise _unreadable(
                f"the desired-state parameters under {self.path}/{read}", exc
            ) from None
        if not texts:
            return None, self.location
        parts = DocumentParts(Layout(self.path), texts, tuple(problems))
        return parts, f"{self.location} ({count(len(texts), 'parameter')})"


def _secure_string(name: str) -> DocumentProblem:
    return DocumentProblem(
        Part=name,
        Path="$",
        Message="is a SecureString: the desired state holds no secret and is read without "
        "decryption; put it as a String (workforce-reconciler push does)",
    )


class FileDocumentSource:
    """A document file, or a directory holding a document in parts (``export --split``):
    ``DIR/workforce.json`` and ``DIR/workteams/<WorkteamName>.json``. In a directory, files
    that do not end in ``.json`` (a README) and hidden ones are not read."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def read(self) -> tuple[str | DocumentParts | None, str]:
        if self.path.is_dir():
            return self._read_directory(), str(self.path)
        try:
            return self.path.read_text(encoding="utf-8"), str(self.path)
        except FileNotFoundError:
            raise ReconcilerError(f"{self.path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ReconcilerError(f"{self.path}: cannot read: {exc}") from None

    def _read_directory(self) -> DocumentParts:
        root = self.path.as_posix().rstrip("/") or "/"
        files = sorted(
            path
            for path in self.path.rglob("*.json")
            if path.is_file()
            and not any(p.startswith(".") for p in path.relative_to(self.path).parts)
        )
        if not files:
            raise ReconcilerError(
                f"{self.path}: no desired-state document in this directory (expected "
                f"{Layout(root, '.json').describe()})"
            )
        texts: dict[str, bytes] = {}
        for path in files:
            name = f"{root}/{path.relative_to(self.path).as_posix()}"  # ("." gives no "./")
            try:
                texts[name] = path.read_bytes()
            except OSError as exc:
                raise ReconcilerError(f"{path}: cannot read: {exc.strerror or exc}") from None
        return DocumentParts(Layout(root, ".json"), texts)
