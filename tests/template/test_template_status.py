"""``workforce-reconciler status --stack NAME`` on the stack created on moto: the stack's
outputs lead to its table and parameter, where the real handler recorded its run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from template.sam_app import REGION, ROOT, STACK_NAME, DeployedStack, load_event
from workforce_reconciler import cli, handler

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@pytest.fixture
def stack_parameters() -> dict[str, str]:
    return {"Mode": "enforce"}


@pytest.fixture
def running_stack(
    aws: None, deployed_stack: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeployedStack]:
    for name, value in deployed_stack.handler_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    handler.reset()
    yield deployed_stack
    handler.reset()


def test_status_finds_the_stacks_table_and_parameter_from_its_outputs(
    running_stack: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the Cognito example applied by the stack's function, then a team made by hand
    document = json.loads((ROOT / "examples" / "cognito.json").read_text())
    document["Policy"] = {"Mode": "enforce"}
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=running_stack.parameter_name, Value=json.dumps(document), Type="String")
    context = LambdaContext(running_stack.function_name, running_stack.function_arn)
    handler.lambda_handler(load_event("ssm-create.json"), context)
    boto3.client("sagemaker", region_name=REGION).create_workteam(
        WorkteamName="weekend-temps",
        WorkforceName="labeling-cognito",
        Description="created by hand",
        MemberDefinitions=document["Workteams"][1]["MemberDefinitions"],
    )
    assert handler.lambda_handler(load_event("schedule.json"), context)["Status"] == "Blocked"
    capsys.readouterr()

    # When a person asks the stack what is wrong, by its name only
    code = cli.main(["status", "--stack", STACK_NAME])

    # Then the open condition and the last run come from the stack's own table
    out = capsys.readouterr().out
    assert code == 2, out
    assert out.startswith(
        "Open conditions of us-east-1:/workforce-reconciler/desired-state (1):\n"
        "  WARNING  BlockedDrift: "
    )
    assert "  - Workteam/weekend-temps (DeleteWorkteam) [blocked]\n" in out


def test_a_stack_that_does_not_exist_is_one_line(
    running_stack: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["status", "--stack", "no-such-stack"])

    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: no stack named 'no-such-stack' in us-east-1\n"
