"""The template deployed on moto with non-default parameters: the optional secret grant
appears, and the parameter name and mode reach every place that uses them."""

from __future__ import annotations

import json

import boto3
import pytest

from template.sam_app import REGION, DeployedStack, role_policy_documents

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

        # Then it grants reading that one secret, and decrypting only through Secrets Manager
        [read, decrypt] = document["Statement"]
        assert read["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        assert read["Resource"] == SECRET_ARN
        assert decrypt["Condition"] == {
            "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
        }

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
