"""Every error a user can make gives one clear line and exit 1: never a traceback, never 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.helpers import Cli, write
from engine.world import EXAMPLES, TABLE, World, example

NO_REGION = "error: no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)\n"
NO_CREDENTIALS = "error: no AWS credentials found: configure a profile or set AWS_ACCESS_KEY_ID\n"


@pytest.fixture
def no_config_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ~/.aws files to fall back on."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, no_config_files: None) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, no_config_files: None) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("AWS_SECURITY_TOKEN")


@pytest.mark.parametrize(
    "command",
    [
        ("plan", "--file", str(EXAMPLES / "cognito.json")),
        ("apply", "--parameter", "/desired", "--auto-approve"),
        ("export",),
    ],
)
def test_missing_region_is_one_line(no_region: None, cli: Cli, command: tuple[str, ...]) -> None:
    # Given no region anywhere
    # When a command that talks to AWS runs
    ran = cli(*command)

    # Then one line says how to give one
    assert (ran.code, ran.out, ran.err) == (1, "", NO_REGION)


def test_region_option_is_enough(world: World, no_region: None, cli: Cli) -> None:
    # Given no region in the environment
    # When --region is given
    ran = cli("plan", "--file", EXAMPLES / "cognito.json", "--region", "us-east-1")

    # Then the plan runs
    assert ran.code == 2, ran.printed


def test_aws_region_alone_is_enough(
    world: World, no_region: None, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given only AWS_REGION (what Lambda and the AWS CLI v2 set; boto3 reads only
    # AWS_DEFAULT_REGION)
    monkeypatch.setenv("AWS_REGION", "us-east-1")

    # When a plan runs, then it runs
    ran = cli("plan", "--file", EXAMPLES / "cognito.json")
    assert ran.code == 2, ran.printed


@pytest.mark.parametrize(
    "command",
    [
        ("plan", "--file", str(EXAMPLES / "cognito.json")),
        ("plan", "--parameter", "/desired"),
        ("apply", "--file", str(EXAMPLES / "cognito.json"), "--auto-approve"),
        ("export",),
    ],
)
def test_missing_credentials_is_one_line(
    no_credentials: None, cli: Cli, command: tuple[str, ...]
) -> None:
    # Given no credentials anywhere (and the instance metadata service disabled; no moto,
    # which would supply its own)
    # When a command that talks to AWS runs
    ran = cli(*command)

    # Then one line says so
    assert (ran.code, ran.out, ran.err) == (1, "", NO_CREDENTIALS)


def test_invalid_document_is_reported_without_region_or_credentials(
    no_region: None, no_credentials: None, cli: Cli, tmp_path: Path
) -> None:
    # Given an invalid document, no region and no credentials
    doc = example("cognito")
    doc["Version"] = 2
    path = write(tmp_path / "v2.json", doc)

    # When it is planned
    ran = cli("plan", "--file", path)

    # Then the document's problem is reported (AWS is never needed for that)
    assert ran.code == 1
    assert "  $.Version: must be 1, the only version of this document format" in ran.out


def test_unknown_profile_is_one_line(no_config_files: None, cli: Cli) -> None:
    # Given no such profile
    # When it is named
    ran = cli("plan", "--file", EXAMPLES / "cognito.json", "--profile", "nope")

    # Then one line names it
    assert (ran.code, ran.err) == (1, "error: The config profile (nope) could not be found\n")


def test_endpoint_that_is_not_a_url_is_one_line(cli: Cli) -> None:
    # Given an --endpoint-url that is not a URL
    # When it is used
    ran = cli("plan", "--file", EXAMPLES / "cognito.json", "--endpoint-url", "localhost")

    # Then one line says what is expected
    assert (ran.code, ran.err) == (
        1,
        "error: --endpoint-url 'localhost' is not a URL like https://host or http://host:port\n",
    )


def test_aws_endpoint_url_that_botocore_refuses_is_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given AWS_ENDPOINT_URL that is not a URL
    monkeypatch.setenv("AWS_ENDPOINT_URL", "localhost")

    # When a command uses it
    ran = cli("export")

    # Then one line says the endpoint cannot be used
    assert (ran.code, ran.err) == (
        1,
        "error: cannot use the endpoint URL: Invalid endpoint: localhost\n",
    )


def test_unreachable_endpoint_is_one_line(cli: Cli) -> None:
    # Given an endpoint where nothing listens
    # When a plan is made against it
    ran = cli("plan", "--file", EXAMPLES / "cognito.json", "--endpoint-url", "http://127.0.0.1:9")

    # Then one line names the call that could not connect
    assert ran.code == 1
    assert ran.err == (
        "error: DescribeWorkforce failed: Could not connect to the endpoint URL: "
        '"http://127.0.0.1:9/"\n'
    )


def test_state_table_that_does_not_exist_is_one_line(
    world: World, cli: Cli, oidc_file: Path
) -> None:
    # Given no such DynamoDB table
    # When a plan names it
    ran = cli("plan", "--file", oidc_file, "--state-table", "no-such-table")

    # Then one line says which table is missing and what to do
    assert ran.code == 1
    assert ran.err == (
        "error: the state table 'no-such-table' does not exist in us-east-1: deploy the stack, "
        "or point the reconciler at the table it created\n"
    )


def test_state_table_from_the_environment(
    world: World, cli: Cli, oidc_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given WORKFORCE_RECONCILER_STATE_TABLE instead of --state-table, and a converged setup
    monkeypatch.setenv("WORKFORCE_RECONCILER_STATE_TABLE", TABLE)
    assert cli("apply", "--file", oidc_file, "--auto-approve").code == 0

    # When it is planned
    ran = cli("plan", "--file", oidc_file)

    # Then the secret's version is tracked (no "not tracked" finding) and all is in sync
    assert ran.code == 0, ran.printed
    assert "SecretRotationNotTracked" not in ran.out


def test_unreadable_secret_reference_is_one_line(world: World, cli: Cli, tmp_path: Path) -> None:
    # Given a document whose secret does not exist
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecretArn"] = "no-such-secret"
    path = write(tmp_path / "oidc.json", doc)

    # When it is applied
    ran = cli("apply", "--file", path, "--auto-approve", "--state-table", TABLE)

    # Then one line names the reference and the service's answer
    assert ran.code == 1
    assert ran.err.startswith(
        "error: cannot read the client secret reference secretsmanager:no-such-secret: "
        "DescribeSecret failed: ResourceNotFoundException"
    )
    assert ran.err.count("\n") == 1
    assert World.writes() == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "the following arguments are required: COMMAND"),
        (("plan",), "one of the arguments --file --parameter --parameter-path is required"),
        (
            ("plan", "--file", "a", "--parameter", "b"),
            "argument --parameter: not allowed with argument --file",
        ),
        (("plan", "--file", "a", "--output", "yaml"), "argument --output: invalid choice: 'yaml'"),
        (
            ("apply", "--file", "a", "--wait-timeout", "soon"),
            "argument --wait-timeout: 'soon' is not a number of seconds",
        ),
        (
            ("apply", "--file", "a", "--wait-timeout", "-5"),
            "argument --wait-timeout: '-5' is not a number of seconds",
        ),
        (("destroy",), "argument COMMAND: invalid choice: 'destroy'"),
    ],
)
def test_usage_errors_exit_1_never_2(cli: Cli, argv: tuple[str, ...], message: str) -> None:
    # Given a command line argparse rejects (2 would read as "changes pending" in CI)
    # When it runs
    ran = cli(*argv)

    # Then exit 1, the usage and the reason on stderr, nothing on stdout
    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.startswith("usage: workforce-reconciler")
    assert message in ran.err


def test_help_and_version_exit_0(cli: Cli) -> None:
    # Given --help and --version
    # When they run
    helped = cli("--help")
    version = cli("--version")

    # Then exit 0 with the usage and the version on stdout
    assert helped.code == 0
    assert helped.out.startswith("usage: workforce-reconciler [-h] [--version] [--debug] COMMAND")
    assert helped.out.endswith(
        "exit codes:\n"
        "  0  validate: valid; plan: no changes; apply: converged (or nothing to do);\n"
        "     status: nothing open; export, schema: done; push: nothing to publish\n"
        "  1  an error: invalid document, AWS error, a change failed or blocked, usage error\n"
        "  2  plan: changes pending; apply: changes pending but not applied (detect mode);\n"
        "     status: a condition is open; push: published (with --dry-run: would publish)\n"
    )
    assert version.code == 0
    assert version.out.startswith("workforce-reconciler ")
