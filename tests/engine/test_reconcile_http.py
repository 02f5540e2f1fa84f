"""The engine against the emulator over HTTP: real boto3 clients, the wire, the controls."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config

from engine.world import SECRET_VALUE, example
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.state_store import DynamoDBStateStore, create_state_table
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.plan import RunStatus

PARAMETER = "/workforce-reconciler/desired-state"


def control(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (the local emulator)
        f"{url}/_emulator/{path}", data=data, method="POST" if data else "GET"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


class HttpWorld:
    def __init__(self, url: str) -> None:
        config = Config(retries={"mode": "standard", "total_max_attempts": 2})
        self.url = url
        self.sagemaker = boto3.client("sagemaker", endpoint_url=url, config=config)
        self.ssm = boto3.client("ssm", endpoint_url=url)
        self.secretsmanager = boto3.client("secretsmanager", endpoint_url=url)
        dynamodb = boto3.client("dynamodb", endpoint_url=url)
        create_state_table(dynamodb, "state")
        self.secret_arn = self.secretsmanager.create_secret(
            Name="workforce/oidc-client-secret", SecretString=SECRET_VALUE
        )["ARN"]
        self.reconciler = Reconciler(
            SageMakerGateway(self.sagemaker),
            secrets=AwsSecretResolver(self.secretsmanager, self.ssm),
            store=DynamoDBStateStore(dynamodb, "state"),
            wait=WaitSettings(timeout_seconds=30, poll_seconds=0.01),
        )

    def run(self, document: dict[str, Any] | None = None) -> Any:
        if document is not None:
            self.ssm.put_parameter(
                Name=PARAMETER, Value=json.dumps(document), Type="String", Overwrite=True
            )
        return self.reconciler.run(SsmDocumentSource(self.ssm, PARAMETER), "http")

    def clear_calls(self) -> None:
        request = urllib.request.Request(f"{self.url}/_emulator/calls", method="DELETE")  # noqa: S310
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def writes(self) -> list[str]:
        calls = control(self.url, "calls")["Calls"]
        return [
            c["Operation"] for c in calls if not c["Operation"].startswith(("Describe", "List"))
        ]


@pytest.fixture
def http_world(emulator_server: str) -> HttpWorld:
    return HttpWorld(emulator_server)


def test_create_drift_correct_and_in_sync_over_http(http_world: HttpWorld) -> None:
    # Given the OIDC example, a workforce that takes 2 describes to settle
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = http_world.secret_arn
    control(http_world.url, "config", {"ActivationDescribes": 2})

    # When the engine runs over HTTP
    created = http_world.run(doc)

    # Then everything exists, and the secret never crossed the call log unredacted
    assert created.status is RunStatus.CORRECTED, created.Results
    teams = http_world.sagemaker.list_workteams()["Workteams"]
    assert sorted(t["WorkteamName"] for t in teams) == ["image-labelers", "text-reviewers"]
    # (SageMaker holds the secret; the report, which people and scripts read, does not)
    assert SECRET_VALUE not in created.model_dump_json()
    held = control(http_world.url, "secret-fingerprint?WorkforceName=labeling-oidc")
    assert (
        held["Fingerprint"]
        == control(http_world.url, "fingerprint-of", {"Value": SECRET_VALUE})["Fingerprint"]
    )

    # When a team drifts and the engine runs again
    http_world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="edited")
    http_world.clear_calls()
    corrected = http_world.run()

    # Then exactly one write fixed it, and the next run writes nothing
    assert corrected.status is RunStatus.CORRECTED
    assert http_world.writes() == ["UpdateWorkteam"]
    assert http_world.run().status is RunStatus.IN_SYNC
    assert http_world.writes() == ["UpdateWorkteam"]


def test_failed_status_set_over_http_is_reported(http_world: HttpWorld) -> None:
    # Given a converged workforce that the controls mark Failed
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = http_world.secret_arn
    http_world.run(doc)
    control(
        http_world.url,
        "status",
        {"WorkforceName": "labeling-oidc", "Status": "Failed", "FailureReason": "IdP unreachable"},
    )

    # When the engine runs
    report = http_world.run()

    # Then it reports the failure and its reason
    assert report.status is RunStatus.WORKFORCE_FAILED
    assert report.FailureReason == "IdP unreachable"


def test_throttling_over_http_is_retried_by_botocore(http_world: HttpWorld) -> None:
    # Given one throttled UpdateWorkforce (botocore retries it once)
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = http_world.secret_arn
    http_world.run(doc)
    http_world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    control(
        http_world.url,
        "faults",
        {"Operation": "UpdateWorkforce", "Error": "ThrottlingException", "Count": 1},
    )

    # When the engine corrects the drift
    report = http_world.run()

    # Then the retry succeeded and the CIDRs are the document's again
    assert report.status is RunStatus.CORRECTED, report.Results
    cidrs = http_world.sagemaker.describe_workforce(WorkforceName="labeling-oidc")["Workforce"][
        "SourceIpConfig"
    ]["Cidrs"]
    assert "10.0.0.0/8" not in cidrs
