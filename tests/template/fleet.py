"""A fleet on moto: an AWS Organization whose OU's accounts get the StackSet form of the
application (scripts/stackset.py) in several Regions, reporting to one central topic.

``Fleet.deploy`` builds it under an active ``mock_aws`` (the ``aws`` fixture: moto plus
the workforce emulator): the organization (management account = moto's default account),
an OU with two member accounts, an operations account outside it holding the central
topic, one code bucket per Region, and a service-managed StackSet with instances for the
OU in each Region. ``Target`` is one stack instance as a person would find it: the
function in that account and Region, read with that account's credentials.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
import pytest
import stackset

from engine.accounts import CentralTopic, session_in
from template.sam_app import PACKAGE_DIR, ROOT, load_event
from workforce_reconciler import handler

STACK_SET = "workforce-reconciler"
CODE_BUCKET_PREFIX = "example-org-workforce-reconciler-code"
CODE_KEY = "workforce-reconciler/reconcile-function-fleet-test.zip"
TOPIC_REGION = "us-east-1"
OPERATION_PREFERENCES = {
    "FailureToleranceCount": 0,
    "MaxConcurrentCount": 1,
    "RegionConcurrencyType": "SEQUENTIAL",
}


@cache
def code_zip(region: str) -> bytes:
    """The function's package, plus a file naming the Region its bucket is in (so a test can
    tell which bucket a function's code came from by its CodeSha256)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE_DIR.rglob("*.py")):
            archive.write(path, path.relative_to(PACKAGE_DIR.parent).as_posix())
        archive.writestr("bucket-region.txt", region)
    return buffer.getvalue()


def sha256_base64(data: bytes) -> str:
    """Lambda's CodeSha256 of a zip."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def docs_policy(name: str, replacements: dict[str, str]) -> str:
    """The policy docs/fleet.md gives under ``<!-- fleet-policy: name -->``, its example
    values replaced (the docs' operations account, organization id...)."""
    text = (ROOT / "docs" / "fleet.md").read_text()
    found = re.search(rf"<!-- fleet-policy: {name} -->\n```json\n(.*?)\n```", text, re.S)
    assert found is not None, f"docs/fleet.md has no policy {name}"
    policy = found.group(1)
    for example, value in replacements.items():
        policy = policy.replace(example, value)
    json.loads(policy)  # still JSON
    return policy


@dataclass
class Target:
    """One stack instance: the function the StackSet created in ``account``, ``region``."""

    account: str
    region: str
    session: boto3.session.Session
    function: dict[str, Any]  # GetFunction's Configuration

    @property
    def environment(self) -> dict[str, str]:
        variables = self.function.get("Environment", {}).get("Variables", {})
        return {name: str(value) for name, value in variables.items()}

    def put_document(self, document: dict[str, Any]) -> None:
        """The stack instance's own desired state, in its account and Region."""
        self.session.client("ssm").put_parameter(
            Name=self.environment["DESIRED_STATE_PARAMETER"],
            Value=json.dumps(document),
            Type="String",
            Overwrite=True,
        )

    @contextmanager
    def as_lambda(self) -> Iterator[None]:
        """The process environment Lambda gives this function: its variables, its Region,
        its role's credentials (this account's)."""
        credentials = self.session.get_credentials()
        assert credentials is not None
        frozen = credentials.get_frozen_credentials()
        with pytest.MonkeyPatch.context() as monkeypatch:
            for name, value in {
                **self.environment,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_LAMBDA_FUNCTION_NAME": self.function["FunctionName"],
                "AWS_ACCESS_KEY_ID": frozen.access_key,
                "AWS_SECRET_ACCESS_KEY": frozen.secret_key,
                "AWS_SESSION_TOKEN": frozen.token or "",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "WAIT_POLL_SECONDS": "0.01",
            }.items():
                monkeypatch.setenv(name, value)
            monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
            handler.reset()
            try:
                yield
            finally:
                handler.reset()

    def run_schedule(self) -> dict[str, Any]:
        """The schedule rule's event, as EventBridge delivers it to this function."""
        event = load_event("schedule.json")
        event["account"], event["region"] = self.account, self.region
        context = LambdaContext(self.function["FunctionName"], self.function["FunctionArn"])
        with self.as_lambda():
            result: dict[str, Any] = handler.lambda_handler(event, context)
        return result


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = "6f1c2e0a-7b3d-4e8f-9a0b-1c2d3e4f5a6b"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


@dataclass
class Fleet:
    organization_id: str
    ou: str
    members: list[str]  # the OU's accounts, in the order they were created
    operations: str  # the account of the central topic, outside the OU
    regions: list[str]
    topic: CentralTopic
    key_arn: str
    operation_id: str = ""
    targets: dict[tuple[str, str], Target] = field(default_factory=dict)

    @classmethod
    def deploy(cls, regions: list[str]) -> Fleet:
        """Everything above; the central topic and its key get docs/fleet.md's policies."""
        organizations = boto3.client("organizations", region_name=TOPIC_REGION)
        organization = organizations.create_organization(FeatureSet="ALL")["Organization"]
        root = organizations.list_roots()["Roots"][0]["Id"]
        ou = organizations.create_organizational_unit(ParentId=root, Name="labeling")[
            "OrganizationalUnit"
        ]["Id"]
        members = []
        for name in ("labeling-dev", "labeling-prod"):
            account = organizations.create_account(AccountName=name, Email=f"{name}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
            organizations.move_account(
                AccountId=account, SourceParentId=root, DestinationParentId=ou
            )
            members.append(account)
        operations = organizations.create_account(
            AccountName="operations", Email="operations@example.com"
        )["CreateAccountStatus"]["AccountId"]
        topic = CentralTopic(operations, TOPIC_REGION)
        # The docs' example operations account and organization id, for the real ones.
        examples = {"111122223333": operations, "o-a1b2c3d4e5": organization["Id"]}
        key_arn = cls._encrypt(
            topic,
            operations,
            topic_policy=docs_policy("central-topic", examples),
            key_policy=docs_policy("central-topic-key", examples),
        )
        fleet = cls(organization["Id"], ou, members, operations, regions, topic, key_arn)
        fleet._upload_code()
        fleet._create_stack_set()
        return fleet

    @staticmethod
    def _encrypt(topic: CentralTopic, account: str, *, topic_policy: str, key_policy: str) -> str:
        kms = session_in(account, TOPIC_REGION).client("kms")
        key_arn = kms.create_key(Policy=key_policy, Description="central topic")["KeyMetadata"][
            "Arn"
        ]
        topic.sns.set_topic_attributes(
            TopicArn=topic.arn, AttributeName="KmsMasterKeyId", AttributeValue=key_arn
        )
        topic.sns.set_topic_attributes(
            TopicArn=topic.arn, AttributeName="Policy", AttributeValue=topic_policy
        )
        return str(key_arn)

    def _upload_code(self) -> None:
        """One bucket per Region in the management account, as upload-code.sh fills them."""
        for region in self.regions:
            s3 = boto3.client("s3", region_name=region)
            location = {} if region == "us-east-1" else {"LocationConstraint": region}
            bucket = f"{CODE_BUCKET_PREFIX}-{region}"
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=location)  # type: ignore[arg-type]
            s3.put_object(Bucket=bucket, Key=CODE_KEY, Body=code_zip(region))

    def _create_stack_set(self) -> None:
        template = stackset.stackset_template(stackset.load_sam_template(), CODE_KEY)
        cloudformation = boto3.client("cloudformation", region_name=TOPIC_REGION)
        parameters = {
            "CodeBucketPrefix": CODE_BUCKET_PREFIX,
            "Mode": "enforce",
            "NotificationTopicArn": self.topic.arn,
            "NotificationTopicKeyArn": self.key_arn,
        }
        cloudformation.create_stack_set(
            StackSetName=STACK_SET,
            TemplateBody=json.dumps(template),
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
            Capabilities=["CAPABILITY_IAM"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        self.operation_id = cloudformation.create_stack_instances(
            StackSetName=STACK_SET,
            DeploymentTargets={"OrganizationalUnitIds": [self.ou]},
            Regions=self.regions,
            OperationPreferences=OPERATION_PREFERENCES,  # type: ignore[arg-type]
        )["OperationId"]

    def target(self, account: str, region: str) -> Target:
        """The stack instance in ``account``, ``region``, found as a person of that account
        would: the one function there."""
        if (account, region) not in self.targets:
            session = session_in(account, region)
            [function] = session.client("lambda").list_functions()["Functions"]
            self.targets[account, region] = Target(account, region, session, dict(function))
        return self.targets[account, region]

    def all_targets(self) -> list[Target]:
        return [self.target(a, r) for a in self.members for r in self.regions]
