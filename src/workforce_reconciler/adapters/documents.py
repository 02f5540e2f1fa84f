"""Where the desired-state document comes from: an SSM parameter, or a file (CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.errors import ReconcilerError, TransientError

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

IAM_ACTIONS = ("ssm:GetParameter",)


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


class FileDocumentSource:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def read(self) -> tuple[str | None, str]:
        try:
            return self.path.read_text(encoding="utf-8"), str(self.path)
        except FileNotFoundError:
            raise ReconcilerError(f"{self.path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ReconcilerError(f"{self.path}: cannot read: {exc}") from None
