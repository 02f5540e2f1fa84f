"""The StackSet form of the application (``make stackset``, scripts/stackset.py): the SAM
application translated offline, with no transform, its code read from each Region's bucket."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import stackset
from cfnlint.api import ManualArgs, lint

KEY = "workforce-reconciler/reconcile-function-0123456789abcdef.zip"
FLEET_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "ca-central-1"]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return stackset.stackset_template(stackset.load_sam_template(), KEY)


def test_it_uses_no_transform_and_no_serverless_resource(template: dict[str, Any]) -> None:
    # Given the StackSet template
    # When looking for what a StackSet refuses (macros: the SAM transform is one)
    types = {resource["Type"] for resource in template["Resources"].values()}

    # Then there is no transform, and every resource is a plain CloudFormation type
    assert "Transform" not in template
    assert [t for t in types if t.startswith("AWS::Serverless::")] == []
    assert "AWS::Lambda::Function" in types


def test_cfn_lint_finds_nothing_in_any_region_of_the_fleet(template: dict[str, Any]) -> None:
    # Given the StackSet template as `make stackset` writes it
    body = json.dumps(template, indent=1)

    # When cfn-lint checks it for the Regions a fleet might span
    matches = lint(body, config=ManualArgs(regions=FLEET_REGIONS))

    # Then there is no error, warning or informational finding
    assert [str(m) for m in matches] == []


def test_the_function_reads_its_code_from_the_bucket_of_its_region(
    template: dict[str, Any],
) -> None:
    # Given the function and the template's parameters
    function = template["Resources"]["ReconcileFunction"]["Properties"]
    parameters = template["Parameters"]

    # When reading where its code comes from
    code = function["Code"]

    # Then each stack instance reads s3://<CodeBucketPrefix>-<its region>/<CodeKey>, and the
    # key defaults to the zip make stackset built
    assert code == {
        "S3Bucket": {"Fn::Sub": "${CodeBucketPrefix}-${AWS::Region}"},
        "S3Key": {"Ref": "CodeKey"},
    }
    assert parameters["CodeKey"]["Default"] == KEY
    assert "Default" not in parameters["CodeBucketPrefix"]


def test_it_is_the_same_application_as_the_sam_transform_makes(
    template: dict[str, Any], transformed_template: dict[str, Any]
) -> None:
    # Given the StackSet template and what the SAM transform makes of template.yaml
    ours = copy.deepcopy(template)
    sams = copy.deepcopy(transformed_template)

    # When setting aside what differs on purpose: the code location, the two parameters
    # that give it, the partition of the managed policies, the build metadata, the words
    for side in (ours, sams):
        for resource in side["Resources"].values():
            resource.pop("Metadata", None)  # SAM copies BuildMethod to what it adds
        side["Resources"]["ReconcileFunction"]["Properties"].pop("Code")
        side["Resources"]["ReconcileFunctionRole"]["Properties"].pop("ManagedPolicyArns")
        side.pop("Description")
        side.pop("Metadata")
    added = {name: ours["Parameters"].pop(name) for name in ("CodeBucketPrefix", "CodeKey")}

    # Then everything else is the same: resources, parameters, conditions, rules, outputs
    assert ours == sams
    assert set(added) == {"CodeBucketPrefix", "CodeKey"}
    role = template["Resources"]["ReconcileFunctionRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{name}"}
        for name in ("service-role/AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess")
    ]


def test_it_names_no_region_account_or_partition_of_its_own(template: dict[str, Any]) -> None:
    # Given the StackSet template, translated with a Region and account of the translator's
    body = json.dumps(template)

    # When looking for them in it
    # Then none is left: every instance takes its own from CloudFormation's pseudo parameters
    assert stackset.TRANSLATION_REGION not in body
    assert "123456789012" not in body
    assert '"arn:aws:' not in body


def test_it_fits_a_template_body(template: dict[str, Any]) -> None:
    # Given the template as written to build/stackset/template.json
    body = json.dumps(template, indent=1) + "\n"

    # When measuring it
    # Then `aws cloudformation create-stack-set --template-body file://...` takes it
    assert len(body.encode()) <= stackset.TEMPLATE_BODY_MAX
