"""The account the acceptance scenarios run in, and what they do there as a user would.

``WORKFORCE_ACCEPTANCE`` chooses it: ``emulator`` (the default, and what ``make test`` runs)
is an emulator server of this process, reached through ``AWS_ENDPOINT_URL`` with fake
credentials; ``aws`` is the account and region of the usual AWS variables. Nothing else
differs: the scenarios make the same calls, through the installed ``workforce-reconciler``
program and the Lambda handler, and create their prerequisites (a Cognito user pool, app
client and groups; a client secret; the stack's state table, topic and parameter) with
boto3, each entered in the ledger, tagged, and removed at the end.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realaws import prerequisites
from realaws.ledger import Ledger, Waits
from realaws.prerequisites import CognitoPool
from realaws.target import Target

from cli.helpers import PROGRAM, Ran

ROOT = Path(__file__).resolve().parents[2]
MODES = ("emulator", "aws")
GROUPS = ("labelers", "reviewers")
ALLOWED = "192.0.2.0/24"  # RFC 5737 documentation ranges: no real worker is cut off
OTHER = "198.51.100.0/24"


def mode() -> str:
    return os.environ.get("WORKFORCE_ACCEPTANCE", "emulator") or "emulator"


def adopt() -> bool:
    return os.environ.get("WORKFORCE_ACCEPTANCE_ADOPT", "") == "1"


@dataclass
class Account:
    """The target, the ledger and the prerequisites every scenario shares."""

    target: Target
    ledger: Ledger
    wait_timeout: float
    pool: CognitoPool = field(init=False)
    secret_arn: str = field(init=False)
    table: str = field(init=False)
    topic_arn: str = field(init=False)
    parameter: str = field(init=False)
    scenarios: int = 0

    @property
    def run_id(self) -> str:
        return self.ledger.run_id

    def create_prerequisites(self) -> None:
        prefix = f"wfr-acc-{self.run_id}"
        self.pool = prerequisites.cognito_pool(self.ledger, prefix, GROUPS)
        self.secret_arn = prerequisites.client_secret(self.ledger, f"{prefix}/oidc-client-secret")
        self.table = prerequisites.state_table(self.ledger, f"{prefix}-state")
        self.topic_arn = prerequisites.topic(self.ledger, f"{prefix}-notifications")
        self.parameter = f"/workforce-reconciler-acceptance/{self.run_id}/desired-state"
        prerequisites.parameter(self.ledger, self.parameter, "{}")

    def next_workforce(self) -> str:
        """A workforce name for the next scenario, entered in the ledger (removed after it)."""
        self.scenarios += 1
        name = f"wfr-acc-{self.run_id}-{self.scenarios}"
        self.ledger.add("sagemaker-workforce", name)
        return name

    @property
    def sagemaker(self) -> Any:
        return self.target.client("sagemaker")

    # -- documents ------------------------------------------------------------------------

    def cognito_document(self, name: str) -> dict[str, Any]:
        """A Cognito workforce with an allow-list and tags, and one team per group."""
        member = {"UserPool": self.pool.user_pool, "ClientId": self.pool.client_id}
        return {
            "Version": 1,
            "Workforce": {
                "WorkforceName": name,
                "CognitoConfig": dict(member),
                "SourceIpConfig": {"Cidrs": [ALLOWED]},
                "Tags": [{"Key": "purpose", "Value": "workforce-reconciler acceptance"}],
            },
            "Workteams": [
                {
                    "WorkteamName": f"{name}-{group}",
                    "Description": f"Acceptance team of the {group} group",
                    "MemberDefinitions": [
                        {"CognitoMemberDefinition": {**member, "UserGroup": group}}
                    ],
                    "Tags": [{"Key": "group", "Value": group}],
                }
                for group in GROUPS
            ],
            "Policy": {"Mode": "enforce"},
        }

    def oidc_document(self, name: str, **policy: Any) -> dict[str, Any]:
        """An OIDC workforce (endpoints no one answers) with the secret, and two teams."""
        return {
            "Version": 1,
            "Workforce": {
                "WorkforceName": name,
                "OidcConfig": prerequisites.oidc_config("workforce-reconciler", self.secret_arn),
                "SourceIpConfig": {"Cidrs": [ALLOWED]},
            },
            "Workteams": [
                {
                    "WorkteamName": f"{name}-{group}",
                    "Description": f"Acceptance team of the {group} group",
                    "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": [group]}}],
                }
                for group in GROUPS
            ],
            "Policy": {"Mode": "enforce", **policy},
        }

    # -- the CLI, as a program -------------------------------------------------------------

    def cli(self, *argv: str | Path) -> Ran:
        """``workforce-reconciler ARGV`` in this account (stdin a pipe, never a terminal)."""
        done = subprocess.run(
            [PROGRAM, *map(str, argv)],
            input="",
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=self.wait_timeout * 3 + 120,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)

    def plan(self, path: Path, *more: str) -> Ran:
        return self.cli("plan", "--file", path, "--state-table", self.table, *more)

    def apply(self, path: Path, *more: str) -> Ran:
        return self.cli(
            "apply", "--file", path, "--state-table", self.table, "--auto-approve",
            "--wait-timeout", str(self.wait_timeout), *more,
        )  # fmt: skip

    # -- the handler -----------------------------------------------------------------------

    def handler_environment(self) -> dict[str, str]:
        """What template.yaml gives the function, pointing at this account's resources."""
        return {
            "DESIRED_STATE_PARAMETER": self.parameter,
            "STATE_TABLE": self.table,
            "TOPIC_ARN": self.topic_arn,
            "MODE": "enforce",
            "REMINDER_INTERVAL_MINUTES": "1440",
            "WAIT_TIMEOUT_SECONDS": str(self.wait_timeout),
            "WAIT_POLL_SECONDS": "5" if mode() == "aws" else "0.05",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def put_document(self, document: dict[str, Any]) -> None:
        self.target.client("ssm").put_parameter(
            Name=self.parameter, Value=json.dumps(document), Type="String", Overwrite=True
        )

    def event(self, name: str) -> dict[str, Any]:
        """A sample event from events/, for this run's parameter."""
        loaded: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text())
        event = copy.deepcopy(loaded)
        if "name" in event.get("detail", {}):
            event["detail"]["name"] = self.parameter
        event["account"], event["region"] = self.target.account, self.target.region
        return event

    # -- a person at the console -----------------------------------------------------------

    def wait_active(self, workforce: str) -> None:
        """What a person does before the next change: wait until the workforce is Active."""
        waits = self.ledger.waits
        deadline = self.wait_timeout
        waited = 0.0
        while True:
            shown = self.sagemaker.describe_workforce(WorkforceName=workforce)["Workforce"]
            if shown["Status"] == "Active":
                return
            if waited > deadline:
                raise TimeoutError(f"{workforce} is still {shown['Status']}")
            waits.sleep(waits.poll_seconds)
            waited += waits.poll_seconds

    def teams(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for page in self.sagemaker.get_paginator("list_workteams").paginate():
            found.update({t["WorkteamName"]: t for t in page["Workteams"]})
        return found

    def tags(self, arn: str) -> dict[str, str]:
        listed = self.sagemaker.list_tags(ResourceArn=arn)["Tags"]
        return {t["Key"]: t["Value"] for t in listed}


def waits_for(chosen: str) -> tuple[Waits, float]:
    """Polling and the longest wait: seconds on AWS, instants on the emulator."""
    if chosen == "aws":
        return Waits(poll_seconds=5, timeout_seconds=900), 900.0
    return Waits(poll_seconds=0.05, timeout_seconds=60), 60.0


def new_run_id() -> str:
    return secrets.token_hex(3)
