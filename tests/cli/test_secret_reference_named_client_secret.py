"""A client-secret reference whose name ends in "client-secret" (the name most people
give it) is not mistaken for a ``ClientSecret: value`` pair by the redaction: when it
cannot be read, the notification and the CLI say why, error code included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.helpers import Cli, write
from engine.world import TABLE, World, example
from workforce_reconciler.notifications import messages_for
from workforce_reconciler.plan import RunStatus


@pytest.mark.parametrize(
    ("key", "reference", "code"),
    [
        ("ClientSecretParameter", "/idp/oidc/client-secret", "ParameterNotFound"),
        ("ClientSecretArn", "workforce/missing-client-secret", "ResourceNotFoundException"),
    ],
    ids=["ssm-parameter", "secrets-manager-name"],
)
def test_an_unreadable_secret_named_client_secret_is_reported_with_its_error(
    world: World, key: str, reference: str, code: str
) -> None:
    # Given a document whose client secret reference, named like most are, does not exist
    oidc_doc = example("oidc")
    oidc = oidc_doc["Workforce"]["OidcConfig"]
    del oidc["ClientSecretArn"]
    oidc[key] = reference

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the run stopped before any write, and the person reading the notification
    # (email text and JSON form) sees the reference and the error, not "(redacted)"
    assert report.status is RunStatus.ERROR
    assert world.writes() == []
    messages, _ = messages_for(
        report, {}, now=datetime(2026, 11, 23, tzinfo=UTC), reminder_interval=timedelta(days=1)
    )
    (message,) = messages
    for text in (message.text, message.document["Error"]["Message"]):
        assert f"{reference}: " in text
        assert code in text
        assert "(redacted)" not in text


@pytest.mark.parametrize(
    ("key", "reference", "answer"),
    [
        (
            "ClientSecretParameter",
            "/idp/oidc/client-secret",
            "ssm:/idp/oidc/client-secret: GetParameter failed: ParameterNotFound",
        ),
        (
            "ClientSecretArn",
            "workforce/missing-client-secret",
            "secretsmanager:workforce/missing-client-secret: DescribeSecret failed: "
            "ResourceNotFoundException",
        ),
    ],
    ids=["ssm-parameter", "secrets-manager-name"],
)
def test_the_cli_names_the_reference_and_the_services_answer(
    world: World, cli: Cli, tmp_path: Path, key: str, reference: str, answer: str
) -> None:
    # Given a document whose secret reference, named like most are, does not exist
    doc = example("oidc")
    del doc["Workforce"]["OidcConfig"]["ClientSecretArn"]
    doc["Workforce"]["OidcConfig"][key] = reference
    path = write(tmp_path / "oidc.json", doc)

    # When it is applied
    ran = cli("apply", "--file", path, "--auto-approve", "--state-table", TABLE)

    # Then its one error line names the reference and the service's answer
    assert ran.code == 1
    assert ran.err.startswith(f"error: cannot read the client secret reference {answer}")
    assert World.writes() == []
