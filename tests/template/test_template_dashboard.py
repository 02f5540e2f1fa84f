"""The CloudWatch dashboard against what the handler emits and what the stack creates.

Every metric a widget names must be one the real handler emits (its Embedded Metric
Format lines, run here on moto + the emulator) or one AWS emits for a resource of this
stack; every alarm must watch such a metric and be shown on the dashboard. The body is
read from the CloudFormation the SAM transform produces, its ``${...}`` written as tokens
(``<ReconcileFunction>``), and from the dashboard moto's CloudFormation created.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from handler.deployment import LambdaContext, Metric, deployed, emitted_metrics
from template.sam_app import ACCOUNT_ID, REGION, ROOT, STACK_NAME, DeployedStack
from workforce_emulator import controls
from workforce_reconciler import handler

pytestmark = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)

NAMESPACE = "WorkforceReconciler"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": "aws",
    "AWS::StackName": STACK_NAME,
}
FUNCTION = "<ReconcileFunction>"
QUEUE = "<FailedEventsQueue.QueueName>"


def token(value: Any) -> Any:
    """A CloudFormation reference as the tokens ``body`` writes: <Name>, <Name.Attribute>."""
    if isinstance(value, dict) and "Ref" in value:
        return PSEUDO.get(value["Ref"], f"<{value['Ref']}>")
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<" + ".".join(value["Fn::GetAtt"]) + ">"
    return value


def body(template: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's body, ``${...}`` written as tokens (pseudo parameters as deployed)."""
    text = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    resolved = re.sub(r"\$\{([^}]+)\}", lambda m: PSEUDO.get(m[1], f"<{m[1]}>"), text)
    loaded: dict[str, Any] = json.loads(resolved)
    return loaded


def named_metrics(dashboard: dict[str, Any]) -> set[Metric]:
    """Every metric a widget's ``metrics`` array names: [namespace, name, dim, value, ...]."""
    found: set[Metric] = set()
    for widget in dashboard["widgets"]:
        for entry in widget["properties"].get("metrics", []):
            words = [word for word in entry if not isinstance(word, dict)]
            assert "." not in words, "write each metric in full"
            namespace, name, *dimensions = words
            pairs = zip(dimensions[::2], dimensions[1::2], strict=True)
            found.add((namespace, name, frozenset(pairs)))
    return found


def alarm_metric(alarm: dict[str, Any]) -> Metric:
    properties = alarm["Properties"]
    dimensions = frozenset((d["Name"], token(d["Value"])) for d in properties["Dimensions"])
    return properties["Namespace"], properties["MetricName"], dimensions


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def alarm_arn(logical_id: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:<{logical_id}>"


# What AWS emits for the stack's own resources (the function, the failed-events queue).
AWS_METRICS = {
    ("AWS/Lambda", name, frozenset({("FunctionName", FUNCTION)}))
    for name in ("Errors", "Duration", "Throttles", "Invocations")
} | {("AWS/SQS", "ApproximateNumberOfMessagesVisible", frozenset({("QueueName", QUEUE)}))}


@pytest.fixture
def handler_metrics(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[Metric, float]:
    """Every metric the real handler emits, over runs of each outcome and an ignored event."""
    with deployed(monkeypatch) as deployment:
        capsys.readouterr()
        deployment.put_document(deployment.oidc_document())
        deployment.invoke("ssm-update")  # corrected
        deployment.invoke("schedule")  # in sync
        deployment.sagemaker.create_workteam(
            WorkteamName="weekend-temps",
            WorkforceName="labeling-oidc",
            Description="created by hand",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
        )
        deployment.invoke("schedule")  # blocked
        controls.set_status("labeling-oidc", "Failed", "IdP unreachable")
        deployment.invoke("schedule")  # failed: the workforce
        deployment.put_document('{"Version": 1}')
        deployment.invoke("ssm-update")  # failed: an invalid document
        handler.lambda_handler({"source": "aws.ec2", "detail-type": "Other"}, LambdaContext())
    return emitted_metrics(capsys.readouterr().out)


def test_every_metric_the_dashboard_names_is_emitted(
    transformed_template: dict[str, Any], handler_metrics: dict[Metric, float]
) -> None:
    # Given the metrics the widgets name
    named = named_metrics(body(transformed_template))

    # When comparing them with what the handler emitted and what AWS emits for the stack
    ours = {m for m in named if m[0] == NAMESPACE}

    # Then the handler emits each of ours (name and dimensions), and the others are the
    # function's and the queue's
    assert ours, "the dashboard names none of the handler's metrics"
    assert ours - set(handler_metrics) == set()
    assert named - ours <= AWS_METRICS


def test_the_dashboard_holds_what_an_operator_looks_for(
    transformed_template: dict[str, Any], handler_metrics: dict[Metric, float]
) -> None:
    dashboard = body(transformed_template)
    named = {name for _, name, _ in named_metrics(dashboard)}
    alarmed = {alarm_metric(a)[1] for a in alarms(transformed_template).values()}

    # runs and their outcome; changes applied; apply failures; workforce Failed; invalid
    # documents; ignored events
    assert {
        "RunsInSync",
        "RunsCorrected",
        "RunsDriftDetected",
        "RunsBlocked",
        "RunsFailed",
        "ChangesApplied",
        "ApplyFailures",
        "WorkforceFailed",
        "InvalidDocument",
        "IgnoredEvents",
    } <= named
    # the function's duration and throttles; its errors and the DLQ depth (alarm widgets)
    assert {"Duration", "Throttles"} <= named
    assert {"Errors", "ApproximateNumberOfMessagesVisible"} <= alarmed


def test_every_alarm_watches_a_real_metric_and_is_on_the_dashboard(
    transformed_template: dict[str, Any], handler_metrics: dict[Metric, float]
) -> None:
    # Given the stack's alarms and the dashboard
    dashboard = body(transformed_template)
    status_widgets = [w for w in dashboard["widgets"] if w["type"] == "alarm"]
    shown = {arn for w in status_widgets for arn in w["properties"]["alarms"]}
    graphed = {
        arn
        for w in dashboard["widgets"]
        for arn in w["properties"].get("annotations", {}).get("alarms", [])
    }

    # Then each alarm watches a metric the handler emits or AWS emits for this stack,
    # is listed in the alarm status widget, and graphed
    assert alarms(transformed_template)
    for logical_id, alarm in alarms(transformed_template).items():
        metric = alarm_metric(alarm)
        assert metric in set(handler_metrics) | AWS_METRICS, (logical_id, metric)
        assert alarm_arn(logical_id) in shown, logical_id
        assert alarm_arn(logical_id) in graphed, logical_id
    assert shown | graphed <= {alarm_arn(logical_id) for logical_id in alarms(transformed_template)}


def test_the_deployed_dashboard_names_the_stacks_function(
    deployed_stack: DeployedStack,
) -> None:
    # Given the dashboard moto's CloudFormation created with the stack
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    name = deployed_stack.resources["Dashboard"]
    dashboard = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])

    # Then it is named for the stack and its Region, its Lambda metrics name the function
    # the stack created, and the output links to it
    assert name == f"{STACK_NAME}-{REGION}"
    functions = {
        value
        for _, _, dims in named_metrics(dashboard)
        for key, value in dims
        if key == "FunctionName"
    }
    assert functions == {deployed_stack.function_name}
    assert deployed_stack.outputs["DashboardUrl"].endswith(f"#dashboards:name={name}")


def test_the_readme_lists_the_dashboards_widgets(transformed_template: dict[str, Any]) -> None:
    # Given the README's picture of the dashboard (its widget list)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### The dashboard", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| \*\*(.+?)\*\* \|", section, re.MULTILINE)

    # Then it names every widget, in the dashboard's order
    widgets = body(transformed_template)["widgets"]
    titles = [w["properties"].get("title", "Header") for w in widgets]
    assert listed == titles
