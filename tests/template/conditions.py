"""Which of a template's conditions hold for given parameter values, as CloudFormation
(moto's) evaluates them, for resources moto cannot create (alarms, subscriptions)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import boto3
from moto import mock_aws


def conditions_for(template: dict[str, Any], parameters: dict[str, str], region: str) -> set[str]:
    """The names of the conditions that hold when ``template`` is deployed in ``region``.

    A probe stack carries the template's parameters and conditions, and one output per
    condition that CloudFormation shows only when its condition holds. The caller sets
    fake credentials; an active ``mock_aws`` is nested, not reset.
    """
    probe = {
        "Parameters": template["Parameters"],
        "Conditions": template["Conditions"],
        "Resources": {"Probe": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {name: {"Condition": name, "Value": "holds"} for name in template["Conditions"]},
    }
    with mock_aws(), warnings.catch_warnings():
        # moto skips the placeholder resource with a warning: there is nothing to create.
        warnings.filterwarnings("ignore", "Tried to parse AWS::CloudFormation::WaitCondition")
        cloudformation = boto3.client("cloudformation", region_name=region)
        stack_id = cloudformation.create_stack(
            StackName="conditions-probe",
            TemplateBody=json.dumps(probe),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )["StackId"]
        [stack] = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
        cloudformation.delete_stack(StackName=stack_id)
    return {output["OutputKey"] for output in stack.get("Outputs", [])}
