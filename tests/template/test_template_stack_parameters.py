"""The template deployed on moto with non-default parameters: the optional secret grant
appears, the parameter name and mode reach every place that uses them, and a path
(DesiredStateParameterPath) replaces the one parameter in the rule, the grant and the
function's variables."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

import boto3
import pytest
from moto.events.models import EventPattern

from template.sam_app import REGION, DeployedStack, load_event, role_policy_documents

if TYPE_CHECKING:
    from moto.events.utils import EventMessageType

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:workforce-oidc-client-AbC123"


class TestWithTheClientSecretInSecretsManager:
    """The same template deployed with ClientSecretArn and another parameter name."""

    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {
            "ClientSecretArn": SECRET_ARN,
            "DesiredStateParameterName": "/labeling/workforce",
            "Mode": "enforce",
        }

    def test_role_reads_that_secret_only(self, deployed_stack: DeployedStack) -> None:
        # Given the stack deployed with ClientSecretArn set
        # When reading the role's policy for the client secret
        document = role_policy_documents(deployed_stack)["read-oidc-client-secret-secretsmanager"]

        # Then it grants reading that one secret (and decrypting nothing: no key was named)
        [read] = document["Statement"]
        assert read["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        assert read["Resource"] == SECRET_ARN
        assert "decrypt-oidc-client-secret" not in role_policy_documents(deployed_stack)

    def test_in_enforce_mode_the_role_may_change_the_workforce_and_its_teams(
        self, deployed_stack: DeployedStack
    ) -> None:
        # Given the stack deployed in enforce mode
        # When reading the role's write policy
        document = role_policy_documents(deployed_stack)["change-the-workforce"]

        # Then it holds the writes, on this account's workforce and work teams only
        actions = {a for s in document["Statement"] for a in s["Action"]}
        assert {"sagemaker:CreateWorkforce", "sagemaker:UpdateWorkteam"} <= actions
        assert all(
            r.startswith("arn:aws:sagemaker:us-east-1:123456789012:")
            for s in document["Statement"]
            for r in s["Resource"]
        )

    def test_parameter_name_follows_the_template_parameter(
        self, deployed_stack: DeployedStack
    ) -> None:
        # Given the stack deployed for /labeling/workforce in enforce mode
        rule = boto3.client("events", region_name=REGION).describe_rule(
            Name=deployed_stack.resources["ReconcileFunctionDesiredStateChange"]
        )

        # When reading the rule, the function's variables and the GetParameter grant
        pattern = json.loads(rule["EventPattern"])
        [main_policy] = [
            d for n, d in role_policy_documents(deployed_stack).items() if n.endswith("RolePolicy0")
        ]
        [read_state] = [s for s in main_policy["Statement"] if s["Sid"] == "ReadTheDesiredState"]

        # Then all three name that parameter, and the mode reaches the function
        assert pattern["detail"]["name"] == ["/labeling/workforce"]
        assert deployed_stack.environment["DESIRED_STATE_PARAMETER"] == "/labeling/workforce"
        assert deployed_stack.environment["MODE"] == "enforce"
        assert deployed_stack.outputs["DesiredStateParameterName"] == "/labeling/workforce"
        assert read_state["Resource"] == (
            "arn:aws:ssm:us-east-1:123456789012:parameter/labeling/workforce"
        )


DOCUMENT_PATH = "/workforce-reconciler/document"


def part_event(name: str, operation: str = "Update") -> EventMessageType:
    """The sample part event of events/, for another parameter and operation."""
    event = load_event("ssm-update-part.json")
    event["detail"].update({"name": name, "operation": operation})
    event["resources"] = [f"arn:aws:ssm:us-east-1:123456789012:parameter{name}"]
    return cast("EventMessageType", event)


class TestWithTheDocumentInParts:
    """The template deployed with DesiredStateParameterPath: the document in parts."""

    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {"DesiredStateParameterPath": DOCUMENT_PATH, "Mode": "enforce"}

    @pytest.mark.parametrize(
        ("event", "matches"),
        [
            (load_event("ssm-update-part.json"), True),
            (part_event(f"{DOCUMENT_PATH}/workforce", "Create"), True),
            (part_event(f"{DOCUMENT_PATH}/workteams/text-reviewers", "Delete"), True),
            (
                part_event(f"{DOCUMENT_PATH}/workteams/text-reviewers", "LabelParameterVersion"),
                False,
            ),
            (part_event(f"{DOCUMENT_PATH}-old/workteams/text-reviewers"), False),
            (part_event(DOCUMENT_PATH), False),
            (load_event("ssm-update.json"), False),  # the single parameter is not read
        ],
    )
    def test_a_change_of_any_part_under_the_path_invokes_the_function(
        self, deployed_stack: DeployedStack, event: EventMessageType, matches: bool
    ) -> None:
        # Given the Parameter Store rule the stack created with a path
        rule = boto3.client("events", region_name=REGION).describe_rule(
            Name=deployed_stack.resources["ReconcileFunctionDesiredStateChange"]
        )

        # When EventBridge's matching (moto's implementation) compares an event with it
        matched = EventPattern.load(rule["EventPattern"]).matches_event(event)

        # Then the parts' creations, updates and deletions match, and nothing else
        assert json.loads(rule["EventPattern"])["detail"]["name"] == [
            {"prefix": f"{DOCUMENT_PATH}/"}
        ]
        assert matched is matches

    def test_the_function_reads_only_the_path(self, deployed_stack: DeployedStack) -> None:
        # Given the stack deployed with a path
        [main_policy] = [
            d for n, d in role_policy_documents(deployed_stack).items() if n.endswith("RolePolicy0")
        ]

        # When reading the desired-state grant, the function's variables and the outputs
        [read_state] = [s for s in main_policy["Statement"] if s["Sid"] == "ReadTheDesiredState"]

        # Then the function may list the parameters under the path, and reads that path
        assert read_state["Action"] == "ssm:GetParametersByPath"
        assert read_state["Resource"] == (
            f"arn:aws:ssm:us-east-1:123456789012:parameter{DOCUMENT_PATH}"
        )
        assert deployed_stack.environment["DESIRED_STATE_PARAMETER_PATH"] == DOCUMENT_PATH
        assert deployed_stack.outputs["DesiredStateParameterPath"] == DOCUMENT_PATH


class TestWithOneParameter:
    """The default deployment: one parameter, and no output for a path."""

    def test_the_function_reads_the_one_parameter(self, deployed_stack: DeployedStack) -> None:
        [main_policy] = [
            d for n, d in role_policy_documents(deployed_stack).items() if n.endswith("RolePolicy0")
        ]
        [read_state] = [s for s in main_policy["Statement"] if s["Sid"] == "ReadTheDesiredState"]

        assert read_state["Action"] == "ssm:GetParameter"
        assert read_state["Resource"] == (
            "arn:aws:ssm:us-east-1:123456789012:parameter/workforce-reconciler/desired-state"
        )
        assert deployed_stack.environment["DESIRED_STATE_PARAMETER_PATH"] == ""
        assert "DesiredStateParameterPath" not in deployed_stack.outputs


KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class TestWithTheClientSecretsKeyNamed:
    """ClientSecretKmsKeyArn: kms:Decrypt on that key only, through the secret's service."""

    @pytest.fixture
    def stack_parameters(self) -> dict[str, str]:
        return {"ClientSecretArn": SECRET_ARN, "ClientSecretKmsKeyArn": KEY_ARN}

    def test_role_decrypts_with_that_key_only_through_its_service(
        self, deployed_stack: DeployedStack
    ) -> None:
        [decrypt] = role_policy_documents(deployed_stack)["decrypt-oidc-client-secret"]["Statement"]
        assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KEY_ARN)
        assert decrypt["Condition"] == {
            "StringEquals": {
                "kms:ViaService": [
                    "secretsmanager.us-east-1.amazonaws.com",
                    "ssm.us-east-1.amazonaws.com",
                ]
            }
        }
