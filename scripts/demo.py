"""`make run`: the whole product on the embedded emulator, no AWS account needed.

1. Starts the emulator (moto's services + SageMaker workforces and work teams) on
   127.0.0.1, and creates what the SAM stack would: the state table, the topic, and a
   subscriber queue.
2. CLI: `plan` and `apply` the OIDC example from examples/, as from a laptop or CI.
3. A console user changes a work team out of band (the AWS CLI, unchanged).
4. CLI: `plan` finds the drift (exit 2), `apply` corrects it, `plan` is empty (exit 0).
5. Lambda: the desired state goes into SSM; the real handler gets a Parameter Store
   Change event and scheduled events; an out-of-band change is corrected by the
   schedule, an unlisted team is blocked drift (notified once); every notification is
   printed as a subscriber receives it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import boto3

from workforce_emulator.server import running_server
from workforce_reconciler.adapters.state_store import create_state_table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARAMETER = "/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def step(title: str) -> None:
    print(f"\n{BOLD}== {title}{RESET}", flush=True)


def shell(*argv: str, env: dict[str, str]) -> int:
    """Run a command the way a user would type it, showing it and its output."""
    shown = " ".join(a if " " not in a else repr(a) for a in argv)
    print(f"{DIM}$ {shown}{RESET}", flush=True)
    completed = subprocess.run(argv, env=env, check=False, capture_output=True, text=True)
    sys.stdout.write(completed.stdout)
    sys.stdout.write(completed.stderr)
    print(f"{DIM}(exit {completed.returncode}){RESET}", flush=True)
    return completed.returncode


def cli(*args: str, env: dict[str, str]) -> int:
    return shell(str(BIN / "workforce-reconciler"), *args, env=env)


def expect(code: int, wanted: int, what: str) -> None:
    if code != wanted:
        raise SystemExit(f"demo failed: {what} exited {code}, expected {wanted}")


def provision(url: str) -> dict[str, str]:
    """What `sam deploy` would create, plus a subscriber queue on the topic."""
    dynamodb = boto3.client("dynamodb", endpoint_url=url)
    create_state_table(dynamodb, TABLE)
    sns = boto3.client("sns", endpoint_url=url)
    sqs = boto3.client("sqs", endpoint_url=url)
    topic = sns.create_topic(Name="workforce-reconciler")["TopicArn"]
    queue = sqs.create_queue(QueueName="demo-subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    secret = boto3.client("secretsmanager", endpoint_url=url).create_secret(
        Name="workforce/oidc-client-secret", SecretString="demo-client-secret-value"
    )["ARN"]
    return {"topic": topic, "queue": queue, "secret": secret}


def show_notifications(url: str, queue: str) -> int:
    sqs = boto3.client("sqs", endpoint_url=url)
    count = 0
    while True:
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        for message in batch:
            count += 1
            envelope = json.loads(message["Body"])
            attributes = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
            print(f"{BOLD}-- notification: {envelope['Subject']}{RESET}")
            print(f"{DIM}   attributes: {json.dumps(attributes, sort_keys=True)}{RESET}")
            body = json.dumps(json.loads(envelope["Message"]), indent=2).splitlines()
            shown = (
                body if len(body) <= 40 else [*body[:40], f"  ... ({len(body) - 40} more lines)"]
            )
            print(f"{DIM}   the JSON form a queue/Lambda/HTTPS subscriber receives:{RESET}")
            print("\n".join("   " + line for line in shown))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    if not count:
        print("(no notification: nothing a person needs to hear about)")
    return count


def handle(event_file: str, url: str) -> dict[str, Any]:
    """The real Lambda handler, with a sample event from events/."""
    from workforce_reconciler import handler

    event = json.loads((ROOT / "events" / event_file).read_text())
    print(f"{DIM}lambda_handler(events/{event_file}: {event['detail-type']}){RESET}")
    # Powertools logs JSON lines to stdout; the demo keeps them out of the way.
    with contextlib.redirect_stdout(io.StringIO()):
        result: dict[str, Any] = handler.lambda_handler(event, _Context())
    print(json.dumps(result, indent=2))
    return result


class _Context:
    function_name = "workforce-reconciler-ReconcileFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo"
    aws_request_id = "demo-request"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def main() -> int:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
    }
    env.pop("AWS_PROFILE", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})

    with running_server() as url, tempfile.TemporaryDirectory() as tmp:
        env["AWS_ENDPOINT_URL"] = url
        os.environ["AWS_ENDPOINT_URL"] = url
        step(f"The emulator serves SageMaker workforces and every moto service at {url}")
        made = provision(url)
        document = json.loads((ROOT / "examples" / "oidc.json").read_text())
        document["Workforce"]["OidcConfig"]["ClientSecretArn"] = made["secret"]
        doc_file = Path(tmp) / "desired-state.json"
        doc_file.write_text(json.dumps(document, indent=2))
        common = ["--file", str(doc_file), "--state-table", TABLE]

        step("CLI: validate and plan the OIDC example (empty account: everything to create)")
        expect(cli("validate", str(doc_file), env=env), 0, "validate")
        expect(cli("plan", *common, env=env), 2, "plan")

        step("CLI: apply it")
        expect(cli("apply", *common, "--auto-approve", env=env), 0, "apply")

        step("A console user edits a work team out of band (AWS CLI)")
        shell(
            str(BIN / "aws"), "sagemaker", "update-workteam",
            "--workteam-name", "text-reviewers",
            "--description", "temporarily repurposed",
            "--query", "Workteam.Description", "--output", "text",
            env=env,
        )  # fmt: skip

        step("CLI: plan finds the drift, with before -> after (exit 2)")
        expect(cli("plan", *common, env=env), 2, "plan with drift")

        step("CLI: apply corrects it; plan is empty again (exit 0)")
        expect(cli("apply", *common, "--auto-approve", env=env), 0, "apply")
        expect(cli("plan", *common, env=env), 0, "plan in sync")

        step("Lambda: the deployed function, driven by EventBridge events")
        os.environ.update(
            {
                "DESIRED_STATE_PARAMETER": PARAMETER,
                "STATE_TABLE": TABLE,
                "TOPIC_ARN": made["topic"],
                "MODE": "enforce",
                "REMINDER_INTERVAL_MINUTES": "1440",
                "WAIT_POLL_SECONDS": "0.1",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",  # the JSON log lines are for CloudWatch
            }
        )
        team = document["Workteams"][0]
        team["Description"] = "Draws bounding boxes and polygons on product photos"
        boto3.client("ssm", endpoint_url=url).put_parameter(
            Name=PARAMETER, Value=json.dumps(document), Type="String"
        )
        print(f"put the desired state in SSM {PARAMETER} (a new team description)")
        handle("ssm-update.json", url)
        show_notifications(url, made["queue"])

        step("Lambda: the schedule fires with nothing changed (no writes, no message)")
        handle("schedule.json", url)
        show_notifications(url, made["queue"])

        step("A console user edits a team out of band; the schedule corrects it")
        boto3.client("sagemaker", endpoint_url=url).update_workteam(
            WorkteamName="text-reviewers", Description="borrowed for a weekend project"
        )
        handle("schedule.json", url)
        show_notifications(url, made["queue"])

        step("A console user adds a team that the document does not list")
        boto3.client("sagemaker", endpoint_url=url).create_workteam(
            WorkteamName="weekend-temps",
            WorkforceName=document["Workforce"]["WorkforceName"],
            Description="created by hand",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
        )
        handle("schedule.json", url)
        show_notifications(url, made["queue"])

        step("Lambda: the same blocked drift on the next schedule is not repeated")
        handle("schedule.json", url)
        show_notifications(url, made["queue"])

    print(f"\n{BOLD}Done: the emulator has stopped; nothing was sent to AWS.{RESET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
