"""`make bench`: AWS calls and time per reconcile, for 1, 10 and 25 work teams.

Counts come from the emulator's call log (SageMaker) and botocore's event hooks
(every other service), so they are the calls a real deployment would make. The
budget the engine promises (issue 3):

- in sync: 0 writes; 1 DescribeWorkforce; 1 ListWorkteams page per 100 teams;
  1 secret-version read (OIDC); ListTags only for resources whose tags are managed;
- drift on k resources: exactly k writes.

Exit status 1 if any figure breaks that budget, so the benchmark also guards it.

Then the handler's cold start against plain boto3 (scripts/coldstart.py), printed with
whether it meets its goal; being a timing, it does not change the exit status.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import coldstart
import moto

import workforce_emulator
from workforce_emulator import controls
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.adapters.secrets import AwsSecretResolver
from workforce_reconciler.adapters.state_store import DynamoDBStateStore, create_state_table
from workforce_reconciler.engine.apply import WaitSettings
from workforce_reconciler.engine.reconcile import Reconciler
from workforce_reconciler.plan import RunStatus

ROOT = Path(__file__).resolve().parents[1]
PARAMETER = "/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
READS = {"DescribeWorkforce", "ListWorkforces", "ListWorkteams", "ListTags", "DescribeWorkteam"}
REPEATS = 5


def document(teams: int, secret_arn: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / "oidc.json").read_text())
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = secret_arn
    doc["Workteams"] = [
        {
            "WorkteamName": f"team-{i:02d}",
            "Description": f"Labelling team {i}",
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": [f"group-{i}"]}}],
            # every third team has its tags managed
            **({"Tags": [{"Key": "team", "Value": str(i)}]} if i % 3 == 0 else {}),
        }
        for i in range(teams)
    ]
    return doc


class Counted:
    """Every AWS call the engine's clients make, by service and operation."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def client(self, service: Any) -> Any:
        client = boto3.client(service)
        client.meta.events.register("before-call", self._count)
        return client

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1


def measure(teams: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    counted = Counted()
    sagemaker = counted.client("sagemaker")
    ssm = counted.client("ssm")
    secretsmanager = counted.client("secretsmanager")
    dynamodb = counted.client("dynamodb")
    create_state_table(dynamodb, TABLE)
    secret = secretsmanager.create_secret(Name="oidc", SecretString="bench-secret")["ARN"]
    doc = document(teams, secret)
    # (25 teams need more than the 4 KB of a Standard parameter)
    ssm.put_parameter(
        Name=PARAMETER, Value=json.dumps(doc), Type="String", Tier="Intelligent-Tiering"
    )
    reconciler = Reconciler(
        SageMakerGateway(sagemaker),
        secrets=AwsSecretResolver(secretsmanager, ssm),
        store=DynamoDBStateStore(dynamodb, TABLE),
        wait=WaitSettings(timeout_seconds=60, poll_seconds=0.01),
    )
    source = SsmDocumentSource(ssm, PARAMETER)
    managed_tags = sum(1 for t in doc["Workteams"] if "Tags" in t) + 1  # + the workforce

    def run(scenario: str, expected_writes: int) -> None:
        controls.clear_calls()
        counted.calls.clear()
        started = time.perf_counter()
        report = reconciler.run(source, "bench")
        elapsed = time.perf_counter() - started
        sm = Counter(c["Operation"] for c in controls.calls())
        writes = sum(n for op, n in sm.items() if op not in READS)
        rows.append(
            {
                "teams": teams,
                "scenario": scenario,
                "status": report.status.value,
                "DescribeWorkforce": sm["DescribeWorkforce"],
                "ListWorkteams": sm["ListWorkteams"],
                "ListTags": sm["ListTags"],
                "secret reads": counted.calls["secretsmanager:DescribeSecret"]
                + counted.calls["secretsmanager:GetSecretValue"],
                "writes": writes,
                "expected writes": expected_writes,
                "ms": elapsed * 1000,
                "ok": _within_budget(
                    sm, counted.calls, writes, expected_writes, teams, managed_tags
                ),
            }
        )

    run("create", 1 + teams)
    # in sync: repeated for a stable time figure, the counts are the same each time
    times = []
    for _ in range(REPEATS):
        run("in sync", 0)
        times.append(rows.pop()["ms"])
    run("in sync", 0)
    rows[-1]["ms"] = statistics.median([*times, rows[-1]["ms"]])
    assert rows[-1]["status"] == RunStatus.IN_SYNC.value

    # drift on k teams, made as a console user would
    for k in sorted({1, max(1, teams // 2), teams}):
        for i in range(k):
            sagemaker.update_workteam(WorkteamName=f"team-{i:02d}", Description="console edit")
        run(f"drift on {k}", k)
    return rows


def _within_budget(
    sm: Counter[str],
    others: Counter[str],
    writes: int,
    expected_writes: int,
    teams: int,
    managed_tags: int,
) -> bool:
    return (
        writes == expected_writes
        # observe; after writes: a wait per dependent step (the emulator settles at
        # once), one for the secret record, one for the report's final status
        and sm["DescribeWorkforce"] <= 1 + (expected_writes > 0) * (teams + 3)
        and sm["ListWorkteams"] <= math.ceil(max(teams, 1) / 100)
        and sm["ListTags"] <= managed_tags
        and others["secretsmanager:DescribeSecret"] <= 1
        and (expected_writes > 0 or others["secretsmanager:GetSecretValue"] == 0)
    )


def main() -> int:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    workforce_emulator.install()
    rows: list[dict[str, Any]] = []
    for teams in (1, 10, 25):
        controls.reset()
        with moto.mock_aws():
            rows.extend(measure(teams))

    columns = [
        "teams",
        "scenario",
        "status",
        "DescribeWorkforce",
        "ListWorkteams",
        "ListTags",
        "secret reads",
        "writes",
        "expected writes",
        "ms",
        "ok",
    ]
    widths = {c: max(len(c), *(len(_cell(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(_cell(row[c]).rjust(widths[c]) for c in columns))

    in_sync = {r["teams"]: r for r in rows if r["scenario"] == "in sync"}
    calls_1 = _reads(in_sync[1])
    calls_25 = _reads(in_sync[25])
    print()
    print(
        f"in-sync reads for 25 teams vs 1 team: {calls_25} vs {calls_1} calls "
        f"(ratio {calls_25 / calls_1:.2f}); time {in_sync[25]['ms']:.1f} ms vs "
        f"{in_sync[1]['ms']:.1f} ms (ratio {in_sync[25]['ms'] / in_sync[1]['ms']:.2f}, "
        "median of in-process runs on the emulator)"
    )
    broken = [r for r in rows if not r["ok"]]
    if broken:
        print(f"BUDGET BROKEN in {len(broken)} row(s)", file=sys.stderr)
        return 1
    print("every row is within the call budget")
    return 0


def _reads(row: dict[str, Any]) -> int:
    return int(
        row["DescribeWorkforce"] + row["ListWorkteams"] + row["ListTags"] + row["secret reads"]
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


if __name__ == "__main__":
    status = main()
    print()
    coldstart.report()
    sys.exit(status)
