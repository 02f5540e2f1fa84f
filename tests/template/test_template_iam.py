"""The function's permissions against the calls the code makes.

Each adapter lists the IAM actions of its calls (``IAM_ACTIONS`` beside the calls); the
role must grant every one of them, and nothing else but what a service documents as
required of the caller. Checked on the CloudFormation the SAM transform produces, so the
statements SAM adds (the on-failure queue) are included.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest

import workforce_reconciler.adapters
from workforce_reconciler.adapters.parameters import PUBLISH_IAM_ACTIONS

FUNCTION_ROLE = "ReconcileFunctionRole"

# Granted although the code never names them, each because a service requires it of the caller.
DOCUMENTED_REQUIREMENTS = {
    # SNS server-side encryption: a publisher to an SSE-KMS topic needs both on the topic's key.
    "kms:GenerateDataKey": "publishing to the encrypted topic",
    # ... and, via Secrets Manager / Parameter Store only, on a customer-managed key of the secret.
    "kms:Decrypt": "publishing to the encrypted topic; reading a CMK-encrypted client secret",
    # The SageMaker Developer Guide, "Private Workforce Permissions" (Cognito workforces only).
    "cognito-idp:DescribeUserPool": "Cognito workforce",
    "cognito-idp:DescribeUserPoolClient": "Cognito workforce",
    "cognito-idp:UpdateUserPool": "Cognito workforce",
    "cognito-idp:UpdateUserPoolClient": "Cognito workforce",
    # Lambda delivers failed asynchronous events to the on-failure queue with the function's role.
    "sqs:SendMessage": "the on-failure destination (added by SAM)",
}

# Actions the Service Authorization Reference gives no resource type: only "*" can grant them.
RESOURCE_LESS_ACTIONS = {"sagemaker:ListWorkforces", "sagemaker:ListWorkteams"}


def code_actions() -> set[str]:
    """Every IAM action an adapter declares beside its calls."""
    actions: set[str] = set()
    for module_info in pkgutil.iter_modules(workforce_reconciler.adapters.__path__):
        module = importlib.import_module(f"workforce_reconciler.adapters.{module_info.name}")
        actions.update(getattr(module, "IAM_ACTIONS", ()))
    return actions


def as_list(value: Any) -> list[Any]:
    """The items of a statement's Action or Resource; both branches of an Fn::If (each is
    granted in some configuration of the stack's parameters)."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _, chosen, otherwise = value["Fn::If"]
        return as_list(chosen) + as_list(otherwise)
    return value if isinstance(value, list) else [value]


def function_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, statement) for every statement the function's role receives."""
    resources = template["Resources"]
    found: list[tuple[str, dict[str, Any]]] = []
    for policy in resources[FUNCTION_ROLE]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            found.append((policy["PolicyName"], statement))
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": FUNCTION_ROLE} not in resource["Properties"]["Roles"]:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            found.append((logical_id, statement))
    return found


def granted_actions(template: dict[str, Any]) -> set[str]:
    return {
        action
        for _, statement in function_statements(template)
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    }


def test_every_call_the_code_makes_is_granted(transformed_template: dict[str, Any]) -> None:
    # Given the actions the adapters declare beside their calls
    needed = code_actions()

    # When collecting what the function's role is granted
    granted = granted_actions(transformed_template)

    # Then no call of the code can be refused for a missing permission
    assert needed, "the adapters declare no IAM action: the check would prove nothing"
    assert needed - granted == set()


def test_nothing_is_granted_beyond_the_code_and_documented_requirements(
    transformed_template: dict[str, Any],
) -> None:
    # Given what the function's role is granted
    granted = granted_actions(transformed_template)

    # When removing what the code calls and what services document as required
    extra = granted - code_actions() - set(DOCUMENTED_REQUIREMENTS)

    # Then nothing is left, and no action is a wildcard
    assert extra == set()
    assert [a for a in granted if "*" in a] == []


def test_managed_policies_are_only_the_ones_sam_adds(transformed_template: dict[str, Any]) -> None:
    # Given the role CloudFormation would create
    role = transformed_template["Resources"][FUNCTION_ROLE]["Properties"]

    # When reading its managed policies
    # Then they are the basic execution role (logs) and X-Ray writes (Tracing: Active)
    assert sorted(role["ManagedPolicyArns"]) == [
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ]


def test_only_resource_less_list_actions_are_granted_on_everything(
    transformed_template: dict[str, Any],
) -> None:
    # Given every statement of the function's role
    statements = function_statements(transformed_template)

    # When keeping those granted on "*"
    on_everything = {
        action
        for _, statement in statements
        if "*" in as_list(statement["Resource"])
        for action in as_list(statement["Action"])
    }

    # Then they are the two List actions that have no resource type
    assert on_everything == RESOURCE_LESS_ACTIONS


@pytest.mark.parametrize(
    ("resource_type", "actions"),
    [
        (
            "workforce",
            {
                "sagemaker:DescribeWorkforce",
                "sagemaker:CreateWorkforce",
                "sagemaker:UpdateWorkforce",
                "sagemaker:DeleteWorkforce",
                "sagemaker:AddTags",
                "sagemaker:DeleteTags",
                "sagemaker:ListTags",
            },
        ),
        (
            "workteam",
            {
                "sagemaker:CreateWorkteam",
                "sagemaker:UpdateWorkteam",
                "sagemaker:DeleteWorkteam",
                "sagemaker:AddTags",
                "sagemaker:DeleteTags",
                "sagemaker:ListTags",
                "sagemaker:DescribeWorkteam",
                "sagemaker:ListLabelingJobsForWorkteam",
            },
        ),
        ("labeling-job", {"sagemaker:DescribeLabelingJob"}),
    ],
)
def test_sagemaker_actions_are_scoped_to_this_accounts_arns(
    transformed_template: dict[str, Any], resource_type: str, actions: set[str]
) -> None:
    # Given the ARN pattern of one SageMaker resource type in this account and Region
    arn = "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:" + resource_type + "/*"

    # When collecting the actions granted on exactly that pattern
    scoped = {
        action
        for _, statement in function_statements(transformed_template)
        if as_list(statement["Resource"]) == [{"Fn::Sub": arn}]
        for action in as_list(statement["Action"])
    }

    # Then they are the calls made on that resource type
    assert scoped == actions


def test_desired_state_is_readable_only_from_its_parameter_or_its_path(
    transformed_template: dict[str, Any],
) -> None:
    # Given the statements of the role's own policies that read SSM parameters
    reading = [
        statement
        for where, statement in function_statements(transformed_template)
        if where.startswith(FUNCTION_ROLE)
        and any(str(a).startswith("ssm:GetParameter") for a in as_list(statement["Action"]))
    ]

    # When the template is deployed with a parameter name, or with a path
    [statement] = reading
    arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"

    # Then one statement reads the one parameter, or only the parts under the path
    # (GetParametersByPath is authorized against the path asked for)
    assert statement["Action"] == {
        "Fn::If": ["HasDesiredStatePath", "ssm:GetParametersByPath", "ssm:GetParameter"]
    }
    assert statement["Resource"] == {
        "Fn::If": [
            "HasDesiredStatePath",
            {"Fn::Sub": arn + "${DesiredStateParameterPath}"},
            {"Fn::Sub": arn + "${DesiredStateParameterName}"},
        ]
    }


def test_the_function_cannot_write_the_document(transformed_template: dict[str, Any]) -> None:
    # Given what push needs (the publisher's credentials: a CI pipeline's role)
    publishing = set(PUBLISH_IAM_ACTIONS) - code_actions()

    # When collecting what the function's role is granted
    granted = granted_actions(transformed_template)

    # Then it may not write or delete a parameter, nor list them all
    assert publishing == {"ssm:PutParameter", "ssm:DeleteParameter", "ssm:DescribeParameters"}
    assert granted & publishing == set()


@pytest.mark.parametrize(
    ("policy_id", "condition", "parameter"),
    [
        ("ClientSecretsManagerPolicy", "HasClientSecretArn", "ClientSecretArn"),
        ("ClientSecretParameterPolicy", "HasClientSecretParameter", "ClientSecretParameterName"),
    ],
)
def test_client_secret_is_readable_only_when_named(
    transformed_template: dict[str, Any], policy_id: str, condition: str, parameter: str
) -> None:
    # Given the optional policy for one place the OIDC client secret can live
    policy = transformed_template["Resources"][policy_id]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]

    # Then it exists only when its template parameter is set, reads only that secret, and
    # decrypts nothing (the key is named on its own: below)
    assert policy["Condition"] == condition
    assert transformed_template["Conditions"][condition] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]
    }
    [read] = statements
    assert parameter in str(read["Resource"])
    assert not any(a.startswith("kms:") for a in as_list(read["Action"]))


def test_the_client_secret_is_decryptable_only_with_its_named_key_through_its_service(
    transformed_template: dict[str, Any],
) -> None:
    # Given the optional policy for the client secret's customer-managed key
    policy = transformed_template["Resources"]["ClientSecretKeyPolicy"]
    [decrypt] = policy["Properties"]["PolicyDocument"]["Statement"]

    # Then it exists only when the key is named, on that key only, through the two services
    assert policy["Condition"] == "HasClientSecretKey"
    assert as_list(decrypt["Action"]) == ["kms:Decrypt"]
    assert decrypt["Resource"] == {"Ref": "ClientSecretKmsKeyArn"}
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": [
                {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"},
                {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"},
            ]
        }
    }


def test_no_grant_the_code_never_uses(transformed_template: dict[str, Any]) -> None:
    # The Cognito actions the console needs (UpdateUserPool...) are not this function's:
    # it calls no Cognito API, and nothing shows SageMaker calling one with its role.
    granted = str(transformed_template)
    assert "cognito-idp" not in granted
    assert "CognitoUserPoolId" not in transformed_template["Parameters"]


def test_in_detect_mode_the_role_may_change_nothing_in_sagemaker(
    transformed_template: dict[str, Any],
) -> None:
    # Given the statements the role always has, and the write policy
    always = [
        action
        for source, statement in function_statements(transformed_template)
        if source != "ChangeTheWorkforcePolicy"
        for action in as_list(statement["Action"])
    ]
    writes = transformed_template["Resources"]["ChangeTheWorkforcePolicy"]

    # Then every SageMaker write is in the policy that only an enforce-mode stack creates
    read_only = {"Describe", "List"}
    assert all(
        any(a.split(":", 1)[1].startswith(prefix) for prefix in read_only)
        for a in always
        if isinstance(a, str) and a.startswith("sagemaker:")
    )
    assert writes["Condition"] == "Enforces"
    assert transformed_template["Conditions"]["Enforces"] == {
        "Fn::Equals": [{"Ref": "Mode"}, "enforce"]
    }
