"""``workforce-reconciler status``: what is wrong right now, read from the state table the
deployed function keeps (the real handler runs here on moto + the emulator)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from cli.helpers import Cli
from handler.deployment import TABLE, Deployment
from workforce_emulator import controls

STATE = ["status", "--state-table", TABLE]
SCOPE = "us-east-1:/workforce-reconciler/desired-state"


def _unlisted_team(deployment: Deployment) -> None:
    """A converged deployment, then a team made by hand that the document does not list."""
    deployment.put_document(deployment.oidc_document())
    deployment.invoke("ssm-update")
    deployment.sagemaker.create_workteam(
        WorkteamName="weekend-temps",
        WorkforceName="labeling-oidc",
        Description="created by hand",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["temps"]}}],
    )


def _times(text: str) -> list[datetime]:
    return [
        datetime.strptime(t, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for t in re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)
    ]


def test_after_a_blocked_run_status_shows_the_condition_the_run_and_the_secret(
    deployment: Deployment, cli: Cli
) -> None:
    # Given a run that found blocked drift (and notified it)
    _unlisted_team(deployment)
    assert deployment.invoke("schedule")["Status"] == "Blocked"

    # When a person asks what is wrong
    ran = cli(*STATE)

    # Then exit 2: something is open. The condition with its severity, since when, when it
    # was last notified and when the next reminder is due (a day later); the last run with
    # its plan summary; the client secret's version and when it was applied
    assert ran.code == 2, ran.printed
    assert ran.err == ""
    lines = ran.out.splitlines()
    assert lines[0] == f"Open conditions of {SCOPE} (1):"
    assert lines[1] == (
        "  WARNING  BlockedDrift: [workforce-reconciler] Blocked drift on workforce "
        "labeling-oidc needs a person (1 change)"
    )
    assert re.fullmatch(
        r"           since (.+ UTC), last notified (.+ UTC), next reminder (.+ UTC)", lines[2]
    )
    since, notified, reminder = _times(lines[2])
    assert since == notified
    assert reminder - notified == timedelta(days=1)
    assert lines[4:8] == [
        lines[4],
        "  Plan: 0 to create, 0 to update, 0 to delete, 1 blocked.",
        "  - Workteam/weekend-temps (DeleteWorkteam) [blocked]",
        "",
    ]
    assert re.fullmatch(r"Last run: .+ UTC \(schedule, mode enforce\): Blocked", lines[4])
    assert lines[8] == "Client secret of workforce labeling-oidc:"
    assert re.fullmatch(r"  version [0-9a-f-]{36}, applied \d{4}-.+ UTC", lines[9])
    assert lines[10].startswith("  from secretsmanager:arn:aws:secretsmanager:us-east-1:")
    version = deployment.secretsmanager.describe_secret(SecretId=deployment.secret_arn)
    current = next(
        v for v, stages in version["VersionIdsToStages"].items() if "AWSCURRENT" in stages
    )
    assert current in lines[9]


def test_once_it_resolves_status_says_nothing_is_open_and_exits_0(
    deployment: Deployment, cli: Cli
) -> None:
    # Given blocked drift that a person then resolves (deletes the team by hand)
    _unlisted_team(deployment)
    deployment.invoke("schedule")
    deployment.sagemaker.delete_workteam(WorkteamName="weekend-temps")

    # When the next schedule has run
    assert deployment.invoke("schedule")["Status"] == "InSync"
    ran = cli(*STATE)

    # Then nothing is open, and the last run says it is in sync
    assert ran.code == 0, ran.printed
    lines = ran.out.splitlines()
    assert lines[0] == f"Nothing is open for {SCOPE}: no condition needs a person."
    assert re.fullmatch(r"Last run: .+ UTC \(schedule, mode enforce\): InSync", lines[2])
    assert lines[3] == "  No changes. Workforce labeling-oidc matches the document."


def test_json_form_for_scripts(deployment: Deployment, cli: Cli) -> None:
    # Given a Failed workforce the function has reported
    deployment.put_document(deployment.oidc_document())
    deployment.invoke("ssm-update")
    controls.set_status("labeling-oidc", "Failed", "VPC endpoint creation failed")
    deployment.invoke("schedule")

    # When status is asked for JSON
    ran = cli(*STATE, "--output", "json")

    # Then one JSON document: the open condition, the last run, the secret
    assert ran.code == 2, ran.printed
    data = ran.json
    assert data["Scope"] == SCOPE
    (condition,) = data["Open"]
    assert condition["Condition"] == "WorkforceFailed"
    assert condition["Severity"] == "CRITICAL"
    assert condition["Summary"] == "[workforce-reconciler] Workforce labeling-oidc is Failed"
    notified = datetime.fromisoformat(condition["LastNotified"])
    assert datetime.fromisoformat(condition["NextReminder"]) - notified == timedelta(days=1)
    assert condition["Since"] == condition["LastNotified"]
    assert data["LastRun"]["Status"] == "WorkforceFailed"
    assert data["LastRun"]["Trigger"] == "schedule"
    assert data["LastRun"]["Workforce"] == "labeling-oidc"
    assert data["Secret"]["Workforce"] == "labeling-oidc"
    assert data["Secret"]["AppliedAt"] is not None


def test_a_table_no_run_has_written_yet_is_nothing_open(deployment: Deployment, cli: Cli) -> None:
    ran = cli(*STATE)

    assert ran.code == 0, ran.printed
    assert ran.out == (
        f"Nothing is open for {SCOPE}: no condition needs a person.\n"
        "\n"
        "Last run: none recorded (the function records each run it makes).\n"
    )


def test_items_written_before_status_existed_still_read(deployment: Deployment, cli: Cli) -> None:
    # Given a table as an older version left it: a condition without "notified", and a
    # client-secret item without the time it was applied (then a run of this version)
    deployment.put_document(deployment.oidc_document())
    deployment.invoke("ssm-update")
    secret_key = {"pk": {"S": "us-east-1/labeling-oidc"}, "sk": {"S": "secret"}}
    secret = deployment.dynamodb.get_item(TableName=TABLE, Key=secret_key)["Item"]
    del secret["applied_at"]
    condition = {
        "pk": {"S": SCOPE},
        "sk": {"S": "condition#DocumentMissing"},
        "condition_key": {"S": "DocumentMissing"},
        "fingerprint": {"S": "0123456789abcdef"},
        "first_seen": {"S": "2026-11-23T15:00:00+00:00"},
        "last_notified": {"S": "2026-11-24T15:00:00+00:00"},
        "summary": {"S": "[workforce-reconciler] Desired-state document missing"},
    }
    for item in (secret, condition):
        deployment.dynamodb.put_item(TableName=TABLE, Item=item)

    # When status reads it
    ran = cli(*STATE)

    # Then it shows what is there, and says what was not recorded
    assert ran.code == 2, ran.printed
    assert ran.out.splitlines()[1:3] == [
        "  WARNING  DocumentMissing: [workforce-reconciler] Desired-state document missing",
        "           since 2026-11-23 15:00 UTC, last notified 2026-11-24 15:00 UTC, "
        "next reminder 2026-11-25 15:00 UTC",
    ]
    assert re.search(r"\n  version [0-9a-f-]{36}, applied not recorded\n", ran.out)


def test_status_needs_a_table_or_a_stack(cli: Cli) -> None:
    ran = cli("status")

    assert ran.code == 1
    assert ran.err == "error: status needs --stack NAME or --state-table NAME\n"
    assert ran.out == ""


def test_a_missing_table_is_one_line(deployment: Deployment, cli: Cli) -> None:
    ran = cli("status", "--state-table", "no-such-table")

    assert ran.code == 1
    assert ran.err.startswith("error: the state table 'no-such-table' does not exist in us-east-1")
    assert len(ran.err.splitlines()) == 1
    assert "Traceback" not in ran.printed
