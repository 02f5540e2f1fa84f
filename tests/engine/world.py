"""The world an engine test drives: moto (SSM, Secrets Manager, DynamoDB) and the emulator."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config

from engine.direct import DirectSageMaker
from workforce_emulator import controls
from workforce_reconciler.adapters.documents import SsmDocumentSource, SsmPathDocumentSource
from workforce_reconciler.adapters.parameters import SsmParameters
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.state_store import DynamoDBStateStore, create_state_table
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.guardrails import Guardrails
from workforce_reconciler.engine.reconcile import Approve, Reconciler
from workforce_reconciler.plan import Mode, Report
from workforce_reconciler.publish import Target, parts_for, plan_publication, publish, read_stored

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

    from workforce_reconciler.ports import ProgressListener

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PARAMETER = "/workforce-reconciler/desired-state"
PARAMETER_PATH = "/workforce-reconciler/document"
TABLE = "workforce-reconciler-state"
SECRET_VALUE = "s3cr3t-Value-that-must-never-leak"
REMINDER = timedelta(days=1)
# Few retries with no long backoff: the tests inject throttling on purpose.
FAST_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 2})
# "direct": SageMaker calls go straight to the emulator's operations (engine/direct.py).
SAGEMAKER_TRANSPORT = "WORKFORCE_TESTS_SAGEMAKER"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return loaded


def large_document(secret_arn: str, teams: int = 25, groups: int = 10) -> dict[str, Any]:
    """A realistic OIDC setup too large for one SSM parameter: 25 teams of 10 groups each,
    each with a line of description (about 11 KB as compact JSON)."""
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = secret_arn
    doc["Workteams"] = [
        {
            "WorkteamName": f"team-{i:02d}-labeling",
            "Description": (
                f"Draws bounding boxes on product photos for the catalogue, queue {i:02d}"
            ),
            "MemberDefinitions": [
                {
                    "OidcMemberDefinition": {
                        "Groups": [f"okta-labeling-t{i:02d}-g{j:02d}" for j in range(groups)]
                    }
                }
            ],
        }
        for i in range(teams)
    ]
    return doc


class World:
    """The clients and the reconciler a test drives, with helpers to read the end state."""

    def __init__(self, session: boto3.session.Session | None = None) -> None:
        session = session or boto3.session.Session()
        self.sagemaker: SageMakerClient
        if os.environ.get(SAGEMAKER_TRANSPORT) == "direct":
            self.sagemaker = cast("SageMakerClient", DirectSageMaker(max_attempts=2))
        else:
            self.sagemaker = session.client("sagemaker", config=FAST_RETRIES)
        self.ssm = session.client("ssm")
        self.secretsmanager = session.client("secretsmanager")
        self.dynamodb = session.client("dynamodb")
        create_state_table(self.dynamodb, TABLE)
        self.secret_arn = self.secretsmanager.create_secret(
            Name="workforce/oidc-client-secret", SecretString=SECRET_VALUE
        )["ARN"]
        self.store = DynamoDBStateStore(self.dynamodb, TABLE)
        self.sleeps: list[float] = []  # every wait apply made, on a fake clock
        self.clock = 0.0
        self.later = timedelta()  # how far the reconciler's wall clock is ahead of now
        self.frozen_at: datetime | None = None  # the reconciler's wall clock, when set
        # What happens in the world while apply sleeps (another writer, SageMaker's own work)
        self.while_sleeping: Callable[[], None] | None = None

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock += seconds
        if self.while_sleeping is not None:
            self.while_sleeping()

    def _monotonic(self) -> float:
        return self.clock

    def _now(self) -> datetime:
        return self.frozen_at or datetime.now(UTC) + self.later

    def reconciler(
        self,
        *,
        mode: Mode | None = None,
        store: bool = True,
        lambda_like: bool = False,
        secrets: bool = True,
        guardrails: Guardrails | None = None,
        progress: ProgressListener | None = None,
        poll_seconds: float = 1,
    ) -> Reconciler:
        """``lambda_like``: as the Lambda runs it, remembering what SageMaker refused
        for a day (the default reminder interval); the CLI sends every request.
        ``secrets=False``: nothing to read the client secret with."""
        return Reconciler(
            SageMakerGateway(self.sagemaker),
            secrets=AwsSecretResolver(self.secretsmanager, self.ssm) if secrets else None,
            store=self.store if store else None,
            mode_override=mode,
            wait=WaitSettings(timeout_seconds=30, poll_seconds=poll_seconds),
            sleep=self._sleep,
            monotonic=self._monotonic,
            clock=self._now,
            refusal_memory=REMINDER if lambda_like else None,
            guardrails=guardrails,
            progress=progress,
        )

    def put_document(self, document: dict[str, Any] | str) -> None:
        text = document if isinstance(document, str) else json.dumps(document)
        self.ssm.put_parameter(Name=PARAMETER, Value=text, Type="String", Overwrite=True)

    def run(
        self,
        document: dict[str, Any] | str | None = None,
        *,
        apply: bool = True,
        mode: Mode | None = None,
        lambda_like: bool = False,
        reconciler: Reconciler | None = None,
        approve: Approve | None = None,
        deadline: float | None = None,
        adopt_secret: bool = False,
    ) -> Report:
        """One run on the document in SSM (``document`` put there first). ``reconciler``:
        one made with other options by ``reconciler()`` (then ``mode`` and ``lambda_like``
        are its own); the rest as ``Reconciler.run`` takes them."""
        if document is not None:
            self.put_document(document)
        source = SsmDocumentSource(self.ssm, PARAMETER)
        reconciler = reconciler or self.reconciler(mode=mode, lambda_like=lambda_like)
        return reconciler.run(
            source,
            "test",
            apply_changes=apply,
            approve=approve,
            deadline=deadline,
            adopt_secret=adopt_secret,
        )

    def push(self, document: dict[str, Any], path: str = PARAMETER_PATH) -> int:
        """Publish ``document`` in parts under ``path`` as ``push`` does; the writes made."""
        target = Target(path=path)
        store = SsmParameters(self.ssm)
        texts = parts_for(document, target)
        return publish(store, plan_publication(texts, read_stored(store, target), target))

    def run_path(
        self, path: str = PARAMETER_PATH, *, apply: bool = True, mode: Mode | None = None
    ) -> Report:
        """A run on the document kept in parts under ``path``."""
        source = SsmPathDocumentSource(self.ssm, path)
        return self.reconciler(mode=mode).run(source, "test", apply_changes=apply)

    def parameters(self, path: str = PARAMETER_PATH) -> dict[str, dict[str, Any]]:
        """Every parameter under ``path`` with its value, version and tier, by name."""
        found: dict[str, dict[str, Any]] = {}
        pages = self.ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [path]}]
        )
        for page in pages:
            for meta in page["Parameters"]:
                value = self.ssm.get_parameter(Name=meta["Name"])["Parameter"]["Value"]
                found[meta["Name"]] = {
                    "Value": value,
                    "Version": meta["Version"],
                    "Tier": meta["Tier"],
                    "Type": meta["Type"],
                }
        return found

    # -- the world as a user would look at it ------------------------------------------
    def workforce(self, name: str) -> WorkforceTypeDef:
        return self.sagemaker.describe_workforce(WorkforceName=name)["Workforce"]

    def teams(self) -> dict[str, WorkteamTypeDef]:
        teams = self.sagemaker.list_workteams(MaxResults=100)["Workteams"]
        return {t["WorkteamName"]: t for t in teams}

    def tags(self, arn: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.sagemaker.list_tags(ResourceArn=arn)["Tags"]}

    @staticmethod
    def writes() -> list[str]:
        """The SageMaker write operations the emulator received, in order."""
        reads = {
            "DescribeWorkforce",
            "ListWorkforces",
            "ListWorkteams",
            "DescribeWorkteam",
            "ListTags",
            "ListLabelingJobsForWorkteam",
            "DescribeLabelingJob",
        }
        return [c["Operation"] for c in controls.calls() if c["Operation"] not in reads]
