"""`make run`: the whole product on the embedded emulator, no AWS account needed, on the
days that need a person as well as the happy path.

1. The emulator (moto's services + SageMaker workforces and work teams) on 127.0.0.1, and
   what the SAM stack would create: the state table, the topic, a subscriber queue.
2. CLI: apply the OIDC example (the plan once, then the wait for the new workforce to
   become Active, then the results); a console user edits a team (the AWS CLI command);
   plan shows the drift.
3. The Lambda, in detect mode: the drift is reported, nothing changed. In enforce mode:
   corrected.
4. A team nobody listed: blocked drift, `status` says what is open, not repeated, resolved.
5. An OIDC change while teams exist: blocked; a client-secret rotation too; then done with
   Policy.RecreateWorkteamsForOidcChanges, every team back as it was.
6. SageMaker reports the workforce Failed; resolved by allowing its re-creation.
7. An invalid document: every problem told, nothing changed; fixed.

Every out-of-band edit is the AWS CLI command that makes it; every notification is shown
as the email a person receives (subject and body), with the JSON form's gist.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from workforce_emulator import controls
from workforce_emulator.server import running_server
from workforce_reconciler.adapters.state_store import create_state_table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PARAMETER = "/workforce-reconciler/desired-state"
TABLE = "workforce-reconciler-state"
REGION = "us-east-1"
TTY = sys.stdout.isatty()
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if TTY else ("", "", "")
READS = {
    "DescribeWorkforce",
    "ListWorkforces",
    "ListWorkteams",
    "DescribeWorkteam",
    "ListTags",
    "ListLabelingJobsForWorkteam",
    "DescribeLabelingJob",
}


def step(title: str) -> None:
    print(f"\n{BOLD}== {title}{RESET}", flush=True)


def say(text: str) -> None:
    print(f"{DIM}# {text}{RESET}", flush=True)


def expect(value: object, wanted: object, what: str) -> None:
    if value != wanted:
        raise SystemExit(f"demo failed: {what} was {value!r}, expected {wanted!r}")


class Demo:
    """The emulator's URL, what the stack would have made, and what was shown so far."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url = url
        self.tmp = tmp
        # (unbuffered: stdout and stderr reach the demo in the order they were written)
        self.env = {**os.environ, "AWS_ENDPOINT_URL": url, "PYTHONUNBUFFERED": "1"}
        self.sagemaker = boto3.client("sagemaker", endpoint_url=url)
        self.ssm = boto3.client("ssm", endpoint_url=url)
        self.sqs = boto3.client("sqs", endpoint_url=url)
        sns = boto3.client("sns", endpoint_url=url)
        create_state_table(boto3.client("dynamodb", endpoint_url=url), TABLE)
        self.topic = sns.create_topic(Name="workforce-reconciler")["TopicArn"]
        self.queue = self.sqs.create_queue(QueueName="demo-subscriber")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)
        self.secret = boto3.client("secretsmanager", endpoint_url=url).create_secret(
            Name="workforce/oidc-client-secret", SecretString="demo-client-secret-value"
        )["ARN"]
        self.document = json.loads((ROOT / "examples" / "oidc.json").read_text())
        self.document["Workforce"]["OidcConfig"]["ClientSecretArn"] = self.secret
        self.file = tmp / "desired-state.json"
        self.emails_shown = 0

    # -- commands as a person types them --------------------------------------------------
    def shell(self, *argv: str) -> subprocess.CompletedProcess[str]:
        shown = " ".join(a if " " not in a and "'" not in a else repr(a) for a in argv)
        print(f"{DIM}${RESET} {shown.replace(str(BIN) + '/', '')}", flush=True)
        done = subprocess.run(
            argv,
            env=self.env,
            check=False,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # as a terminal shows them: interleaved
            text=True,
        )
        sys.stdout.write(done.stdout)
        print(f"{DIM}(exit {done.returncode}){RESET}", flush=True)
        return done

    def cli(self, *args: str) -> int:
        return self.shell(str(BIN / "workforce-reconciler"), *args).returncode

    def aws(self, *args: str) -> str:
        done = self.shell(str(BIN / "aws"), *args)
        expect(done.returncode, 0, f"aws {' '.join(args[:2])}")
        return done.stdout

    def put_document(self, why: str) -> None:
        """Write the document to a file and put it in SSM with the AWS CLI."""
        say(why)
        self.file.write_text(json.dumps(self.document, indent=2))
        self.aws(
            "ssm", "put-parameter", "--name", PARAMETER, "--type", "String", "--overwrite",
            "--value", f"file://{self.file}", "--query", "Version", "--output", "text",
        )  # fmt: skip

    # -- the function -----------------------------------------------------------------------
    def invoke(self, event_file: str) -> dict[str, Any]:
        """The real Lambda handler with a sample event from events/; one line of summary."""
        from workforce_reconciler import handler

        event = json.loads((ROOT / "events" / event_file).read_text())
        controls.clear_calls()
        # Powertools writes JSON log lines and metrics to stdout: they are for CloudWatch.
        with contextlib.redirect_stdout(io.StringIO()):
            result: dict[str, Any] = handler.lambda_handler(event, _Context())
        writes = [c["Operation"] for c in controls.calls() if c["Operation"] not in READS]
        print(
            f"{DIM}lambda_handler(events/{event_file}){RESET} -> {BOLD}{result['Status']}"
            f"{RESET}: {result['PlannedActions']} planned, {result['BlockedActions']} blocked, "
            f"{result['Applied']} applied, {result['Failed']} failed; SageMaker writes: "
            f"{', '.join(writes) if writes else 'none'}",
            flush=True,
        )
        self.show_notifications()
        return result

    def show_notifications(self) -> None:
        """Each message as the email a person receives, and the gist of its JSON form."""
        topic = sns_backends[DEFAULT_ACCOUNT_ID][REGION].topics[self.topic]
        sent = topic.sent_notifications[self.emails_shown :]
        self.emails_shown += len(sent)
        forms = self._queued()
        if not sent:
            print("(no notification: nothing a person needs to hear about)")
        for message_id, message, subject, attributes, _ in sent:
            print(f"{BOLD}  ---- email: {subject}{RESET}")
            for line in json.loads(message)["email"].rstrip("\n").splitlines():
                print(f"  | {line}")
            form = forms.get(message_id, {})
            gist = {k: form.get(k) for k in ("EventType", "Severity", "Status") if k in form}
            filters = {k: v["Value"] for k, v in (attributes or {}).items()}
            print(f"{DIM}  ---- the queue subscriber got it as JSON {json.dumps(gist)}, ", end="")
            print(f"filterable on {json.dumps(filters, sort_keys=True)}{RESET}", flush=True)

    def _queued(self) -> dict[str, dict[str, Any]]:
        forms: dict[str, dict[str, Any]] = {}
        while batch := self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in batch:
                envelope = json.loads(message["Body"])
                forms[envelope["MessageId"]] = json.loads(envelope["Message"])
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
        return forms

    def set_function(self, mode: str) -> None:
        from workforce_reconciler import handler

        os.environ["MODE"] = mode
        handler.reset()

    # -- what the emulator holds ---------------------------------------------------------------
    def teams(self) -> dict[str, dict[str, Any]]:
        """Each team as a person would compare it: ARN, members, settings, tags."""
        found = {}
        for team in self.sagemaker.list_workteams()["Workteams"]:
            tags = self.sagemaker.list_tags(ResourceArn=team["WorkteamArn"])["Tags"]
            found[team["WorkteamName"]] = {
                "Arn": team["WorkteamArn"],
                "Description": team["Description"],
                "Members": team["MemberDefinitions"],
                "Notification": team.get("NotificationConfiguration"),
                "WorkerAccess": team.get("WorkerAccessConfiguration"),
                "Tags": sorted((t["Key"], t["Value"]) for t in tags),
            }
        return found


class _Context:
    function_name = "workforce-reconciler-ReconcileFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:demo"
    aws_request_id = "demo-request"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


# -- the scenes ---------------------------------------------------------------------------


def laptop(demo: Demo) -> None:
    step("CLI: apply the OIDC example to an empty account (the plan, then the wait, then results)")
    say("a new workforce stays Initializing for a while: apply says what it waits for")
    controls.configure(activation_seconds=1.5)
    demo.file.write_text(json.dumps(demo.document, indent=2))
    common = ["--file", str(demo.file), "--state-table", TABLE]
    expect(demo.cli("apply", *common, "--auto-approve"), 0, "apply")
    controls.configure(activation_seconds=0)

    step("A console user edits a work team out of band; plan shows the drift (exit 2)")
    demo.aws(
        "sagemaker", "update-workteam", "--workteam-name", "text-reviewers",
        "--description", "temporarily repurposed", "--query", "Workteam.Description",
        "--output", "text",
    )  # fmt: skip
    expect(demo.cli("plan", *common), 2, "plan with drift")


def detect_then_enforce(demo: Demo) -> None:
    step("Lambda, deployed with Mode=detect: the drift is reported, nothing is changed")
    demo.set_function("detect")
    demo.put_document("the desired state goes into SSM, which wakes the function")
    demo.invoke("ssm-create.json")

    step("The stack switched to enforce (sam deploy --parameter-overrides Mode=enforce ...)")
    demo.set_function("enforce")
    demo.invoke("schedule.json")
    expect(
        demo.teams()["text-reviewers"]["Description"],
        demo.document["Workteams"][1]["Description"],
        "the corrected description",
    )


def unlisted_team(demo: Demo) -> None:
    step("A console user adds a work team the document does not list")
    demo.aws(
        "sagemaker", "create-workteam", "--workteam-name", "weekend-temps",
        "--workforce-name", "labeling-oidc", "--description", "created by hand",
        "--member-definitions", '[{"OidcMemberDefinition": {"Groups": ["temps"]}}]',
        "--query", "WorkteamArn", "--output", "text",
    )  # fmt: skip
    demo.invoke("schedule.json")
    say("what is wrong right now, from the state table (exit 2: something is open)")
    expect(demo.cli("status", "--state-table", TABLE), 2, "status while blocked")

    step("The next schedule: the same blocked drift is not sent again")
    demo.invoke("schedule.json")

    step("A person takes the way out (deletes the team): the condition is resolved")
    demo.aws("sagemaker", "delete-workteam", "--workteam-name", "weekend-temps")
    demo.invoke("schedule.json")


def oidc_change(demo: Demo) -> None:
    step("An OIDC change while the workforce has teams: blocked (SageMaker's rule)")
    demo.document["Workforce"]["OidcConfig"]["Scope"] = "openid email profile groups offline"
    demo.put_document(
        'the document now says Workforce.OidcConfig.Scope "openid email profile groups offline"'
    )
    demo.invoke("ssm-update.json")

    step("The client secret is rotated as well: still blocked, now for both")
    demo.aws(
        "secretsmanager", "put-secret-value", "--secret-id", "workforce/oidc-client-secret",
        "--secret-string", "rotated-client-secret-value", "--query", "VersionId",
        "--output", "text",
    )  # fmt: skip
    demo.invoke("schedule.json")

    step("Policy.RecreateWorkteamsForOidcChanges: teams deleted, workforce updated, re-created")
    before = demo.teams()
    demo.document["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    demo.put_document("the document now says Policy.RecreateWorkteamsForOidcChanges true")
    demo.invoke("ssm-update.json")
    after = demo.teams()
    for name, team in sorted(before.items()):
        same = "yes" if after.get(name) == team else "NO"
        print(f"  {name}: same ARN, members, settings and tags as before: {same}")
        expect(same, "yes", f"team {name} as it was")
    held = controls.secret_fingerprint("labeling-oidc", region=REGION)
    rotated = "yes" if held == controls.fingerprint_of("rotated-client-secret-value") else "NO"
    print(f"  SageMaker holds the rotated client secret (by the emulator's fingerprint): {rotated}")
    expect(rotated, "yes", "the rotated secret applied")


def failed_workforce(demo: Demo) -> None:
    step("SageMaker reports the workforce Failed (the emulator's control stands in for it)")
    body = {
        "WorkforceName": "labeling-oidc",
        "Status": "Failed",
        "FailureReason": "VPC endpoint creation failed",
    }
    print(f"{DIM}${RESET} curl -s -XPOST $EMULATOR/_emulator/status -d '{json.dumps(body)}'")
    request = urllib.request.Request(  # noqa: S310 (the local emulator)
        f"{demo.url}/_emulator/status", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
    demo.invoke("schedule.json")

    step("A person takes the first way out the message names: the workforce comes back")
    demo.document["Policy"]["AllowDisruptiveChanges"] = True
    demo.put_document("the document now says Policy.AllowDisruptiveChanges true")
    demo.invoke("ssm-update.json")
    workforce = demo.sagemaker.describe_workforce(WorkforceName="labeling-oidc")["Workforce"]
    expect(workforce["Status"], "Active", "the re-created workforce")
    expect(sorted(demo.teams()), ["image-labelers", "text-reviewers"], "the teams")


def invalid_document(demo: Demo) -> None:
    step("An invalid document: every problem is told, nothing is changed")
    good = copy.deepcopy(demo.document)
    demo.document["Workteams"][0]["Descripton"] = demo.document["Workteams"][0].pop("Description")
    demo.document["Workforce"]["SourceIpConfig"]["Cidrs"].append("198.51.100.7")
    demo.put_document(
        'a hurried edit: "Descripton" in the first team, and "198.51.100.7" (no prefix '
        "length) in SourceIpConfig.Cidrs"
    )
    result = demo.invoke("ssm-update.json")
    expect(result["Status"], "InvalidDocument", "the invalid document's run")

    step("The document is fixed: resolved")
    demo.document = good
    demo.put_document("the fixed document")
    demo.invoke("ssm-update.json")
    say("nothing is open any more (exit 0)")
    expect(demo.cli("status", "--state-table", TABLE), 0, "status at the end")


def main() -> int:
    env = {
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
    }
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(env)
    started = time.monotonic()
    with running_server() as url, tempfile.TemporaryDirectory() as tmp:
        os.environ["AWS_ENDPOINT_URL"] = url
        step(f"The emulator serves SageMaker workforces and every moto service at {url}")
        demo = Demo(url, Path(tmp))
        os.environ.update(
            {
                "DESIRED_STATE_PARAMETER": PARAMETER,
                "STATE_TABLE": TABLE,
                "TOPIC_ARN": demo.topic,
                "REMINDER_INTERVAL_MINUTES": "1440",
                "WAIT_POLL_SECONDS": "0.1",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",  # the JSON log lines are for CloudWatch
            }
        )
        for scene in (
            laptop,
            detect_then_enforce,
            unlisted_team,
            oidc_change,
            failed_workforce,
            invalid_document,
        ):
            scene(demo)
    took = time.monotonic() - started
    print(
        f"\n{BOLD}Done in {took:.0f} s: the emulator has stopped; nothing was sent to AWS.{RESET}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
