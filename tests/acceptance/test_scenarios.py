"""End-to-end scenarios, as a user lives them, through the installed `workforce-reconciler`
and the Lambda handler: on the emulator by default, in a real account with
WORKFORCE_ACCEPTANCE=aws (account.py). Each scenario creates its own workforce; the fixtures
remove it, and at the end everything the suite created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realaws import prerequisites

from acceptance.account import ALLOWED, GROUPS, OTHER, Account
from cli.helpers import write
from handler.deployment import LambdaContext
from workforce_reconciler import handler


def actions(ran: Any) -> list[tuple[str, str, str]]:
    """(operation, resource, classification) of each action of a `--output json` plan."""
    return [
        (a["Operation"], a["ResourceName"], a["Classification"])
        for a in ran.json["Plan"]["Actions"]
    ]


def test_cognito_workforce_is_created_drifted_by_hand_and_corrected(
    account: Account, workforce: str, tmp_path: Path
) -> None:
    # Given a Cognito workforce with two teams, tags and an allow-list, in a document
    document = write(tmp_path / "cognito.json", account.cognito_document(workforce))
    assert account.cli("validate", document).code == 0
    # When it is planned and applied
    planned = account.plan(document)
    applied = account.apply(document)
    # Then the plan had changes (2), apply converged (0), and the next plan is empty (0)
    assert planned.code == 2, planned.printed
    assert applied.code == 0, applied.printed
    assert account.plan(document).code == 0
    teams = account.teams()
    assert {f"{workforce}-{g}" for g in GROUPS} <= set(teams)

    # When a person changes the allow-list, a team's description and its tags by hand
    labelers = teams[f"{workforce}-labelers"]
    account.sagemaker.update_workforce(WorkforceName=workforce, SourceIpConfig={"Cidrs": [OTHER]})
    account.wait_active(workforce)
    account.sagemaker.update_workteam(
        WorkteamName=labelers["WorkteamName"], Description="changed by hand"
    )
    account.sagemaker.add_tags(
        ResourceArn=labelers["WorkteamArn"], Tags=[{"Key": "owner", "Value": "someone"}]
    )
    # Then plan shows exactly that drift, each step correctable
    drift = account.plan(document, "--output", "json")
    assert drift.code == 2, drift.printed
    assert {(op, kind) for op, _, kind in actions(drift)} >= {
        ("UpdateWorkforce", "correctable"),
        ("UpdateWorkteam", "correctable"),
    }
    # And apply puts everything back, and the next plan is empty
    assert account.apply(document).code == 0
    assert account.plan(document).code == 0
    live = account.sagemaker.describe_workforce(WorkforceName=workforce)["Workforce"]
    assert live["SourceIpConfig"]["Cidrs"] == [ALLOWED]
    labelers = account.teams()[f"{workforce}-labelers"]
    assert labelers["Description"] == "Acceptance team of the labelers group"
    assert account.tags(labelers["WorkteamArn"]) == {"group": "labelers"}


def test_a_team_deleted_by_hand_is_put_back_by_the_handler(
    account: Account, workforce: str, lambda_environment: None
) -> None:
    # Given the document in the parameter, applied by the handler on its change event
    account.put_document(account.cognito_document(workforce))
    first = handler.lambda_handler(account.event("ssm-update"), LambdaContext())
    assert first["Status"] == "Corrected", first
    assert [n for n in first["Notifications"] if "Drift corrected" in n], first
    # When a person deletes a team by hand
    account.sagemaker.delete_workteam(WorkteamName=f"{workforce}-reviewers")
    # Then the next scheduled run puts it back, and says so
    again = handler.lambda_handler(account.event("schedule"), LambdaContext())
    assert again["Status"] == "Corrected", again
    assert again["Applied"] == 1
    assert [n for n in again["Notifications"] if "Drift corrected" in n], again
    assert f"{workforce}-reviewers" in account.teams()
    # And the run after that finds nothing to do and writes nothing
    quiet = handler.lambda_handler(account.event("schedule"), LambdaContext())
    assert (quiet["Status"], quiet["PlannedActions"]) == ("InSync", 0), quiet


def test_oidc_secret_rotation_waits_for_the_policy_then_recreates_the_teams(
    account: Account, workforce: str, tmp_path: Path
) -> None:
    # Given an OIDC workforce with two teams, its client secret in Secrets Manager
    document = account.oidc_document(workforce)
    path = write(tmp_path / "oidc.json", document)
    created = account.apply(path)
    assert created.code == 0, created.printed
    assert account.plan(path).code == 0
    before = {name: t["WorkteamArn"] for name, t in account.teams().items()}
    # When the secret is rotated
    prerequisites.rotate(account.ledger, account.secret_arn)
    # Then plan shows the change as blocked (teams exist), and apply refuses it
    blocked = account.plan(path, "--output", "json")
    assert blocked.code == 2, blocked.printed
    assert ("UpdateWorkforce", workforce, "blocked") in actions(blocked)
    refused = account.apply(path)
    assert refused.code == 1
    assert "blocked" in refused.err
    # When the policy allows re-creating the teams for OIDC changes
    document["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    write(path, document)
    rotated = account.apply(path)
    # Then apply sends the new secret, every team is back as it was, and the next plan is empty
    assert rotated.code == 0, rotated.printed
    assert account.plan(path).code == 0
    after = {name: t["WorkteamArn"] for name, t in account.teams().items()}
    assert after == before
    # And the secret never appeared in anything the program printed
    secret = account.target.client("secretsmanager").get_secret_value(SecretId=account.secret_arn)[
        "SecretString"
    ]
    shown = created.printed + blocked.printed + refused.printed + rotated.printed
    leaked = secret in shown  # (a bare `assert secret not in ...` would print it on failure)
    assert not leaked, "the client secret appeared in what workforce-reconciler printed"


def test_a_workforce_made_by_hand_is_exported_and_adopted(
    account: Account, workforce: str, tmp_path: Path
) -> None:
    # Given a Cognito workforce with a team and tags, made by hand (as in the console)
    member = {"UserPool": account.pool.user_pool, "ClientId": account.pool.client_id}
    account.sagemaker.create_workforce(
        WorkforceName=workforce,
        CognitoConfig=member,
        SourceIpConfig={"Cidrs": [ALLOWED]},
        Tags=[{"Key": "purpose", "Value": "adopted"}],
    )
    account.wait_active(workforce)
    account.sagemaker.create_workteam(
        WorkteamName=f"{workforce}-labelers",
        WorkforceName=workforce,
        Description="made by hand",
        MemberDefinitions=[{"CognitoMemberDefinition": {**member, "UserGroup": "labelers"}}],
        Tags=[{"Key": "group", "Value": "labelers"}],
    )
    # When it is exported and the export planned
    out = tmp_path / "adopted.json"
    exported = account.cli("export", "--workforce-name", workforce, "--out", out)
    assert exported.code == 0, exported.printed
    assert account.plan(out).code == 0
    # And the document is then changed and applied (enforce)
    document: dict[str, Any] = json.loads(out.read_text())
    assert document["Workteams"][0]["Description"] == "made by hand"
    document["Workteams"][0]["Description"] = "adopted by the reconciler"
    document["Policy"]["Mode"] = "enforce"
    write(out, document)
    assert account.apply(out).code == 0
    # Then the live team follows the document, and the next plan is empty
    assert account.teams()[f"{workforce}-labelers"]["Description"] == "adopted by the reconciler"
    assert account.plan(out).code == 0
