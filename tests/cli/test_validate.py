"""``workforce-reconciler validate FILE``: offline, exit 0 valid, 1 invalid, every problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.helpers import Cli, write
from engine.world import EXAMPLES, example


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("oidc", "valid: workforce labeling-oidc (OIDC), 2 work team(s), mode enforce"),
        (
            "cognito",
            "valid: workforce labeling-cognito (Amazon Cognito), 2 work team(s), mode detect",
        ),
    ],
)
def test_each_example_is_valid_with_a_one_line_summary(cli: Cli, name: str, summary: str) -> None:
    # Given an example document
    path = EXAMPLES / f"{name}.json"

    # When it is validated
    ran = cli("validate", path)

    # Then it is valid, in one line naming the file, followed by its sizes in SSM
    assert ran.code == 0
    first, *sizes = ran.out.splitlines()
    assert first == f"{path}: {summary}"
    assert sizes[0].startswith("As one parameter (push --parameter): ")
    assert sizes[0].endswith(" bytes, Standard tier.")
    assert sizes[1] == "In parts under a path (push --parameter-path): 3 parameters:"
    assert [line.split()[0] for line in sizes[2:]] == [
        "workforce",
        *(f"workteams/{team['WorkteamName']}" for team in example(name)["Workteams"]),
    ]
    assert ran.err == ""


def test_json_summary_of_a_valid_document(cli: Cli) -> None:
    # Given the OIDC example
    # When it is validated with --output json
    ran = cli("validate", EXAMPLES / "oidc.json", "--output", "json")

    # Then stdout is one JSON object a script can read
    assert ran.code == 0
    summary = ran.json
    sizes = summary.pop("Sizes")
    assert summary == {
        "Valid": True,
        "WorkforceName": "labeling-oidc",
        "IdentityProvider": "oidc",
        "Workteams": 2,
        "Mode": "enforce",
        "Warnings": [],
    }
    # with the size of the document and of each part it would become, and their tier
    whole = len(json.dumps(example("oidc"), separators=(",", ":")).encode())
    assert sizes["Document"] == {"Bytes": whole, "Tier": "Standard"}
    assert [(p["Part"], p["Tier"]) for p in sizes["Parts"]] == [
        ("workforce", "Standard"),
        ("workteams/image-labelers", "Standard"),
        ("workteams/text-reviewers", "Standard"),
    ]


OPEN_ALLOW_LIST = (
    "$.Workforce.SourceIpConfig.Cidrs: allows every IPv4 address (0.0.0.0/0), so it keeps out "
    "no IPv4 worker: fine if you meant no restriction, otherwise list only your own networks"
)


def test_a_valid_document_with_a_warning_says_so_and_stays_valid(cli: Cli, tmp_path: Path) -> None:
    # Given a valid document whose allow-list lets every IPv4 address in
    doc = example("cognito")
    doc["Workforce"]["SourceIpConfig"]["Cidrs"] = ["0.0.0.0/0"]
    path = write(tmp_path / "open.json", doc)

    # When it is validated, in text and in JSON
    text = cli("validate", path)
    as_json = cli("validate", path, "--output", "json")

    # Then it is valid (exit 0), and the warning is a line on stderr, or data in the JSON
    assert text.code == as_json.code == 0
    assert text.out.startswith(
        f"{path}: valid: workforce labeling-cognito (Amazon Cognito), 2 work team(s), mode detect\n"
    )
    assert text.err == f"{path}: warning: {OPEN_ALLOW_LIST}\n"
    warning_path, warning_message = OPEN_ALLOW_LIST.split(": ", 1)
    assert as_json.json["Warnings"] == [
        {
            "Code": "OpenAllowList",
            "Path": warning_path,
            "Message": warning_message,
            "ResourceName": "labeling-cognito",
        }
    ]


def _broken(tmp_path: Path) -> Path:
    doc = example("oidc")
    doc["Workforce"]["WorkforceName"] = "bad name!"
    doc["Workforce"]["CognitoConfig"] = {"UserPool": "us-east-1_AbCdEfGhI", "ClientId": "abc"}
    doc["Workforce"]["SourceIpConfig"]["Cidrs"].append("10.0.0.1")
    doc["Workteams"][0]["Descripton"] = "typo"
    doc["Workteams"][1]["WorkteamName"] = "image-labelers"
    doc["Workteams"][1]["MemberDefinitions"] = []
    return write(tmp_path / "broken.json", doc)


EVERY_PROBLEM = [
    (
        "$.Workforce",
        "set only one of CognitoConfig and OidcConfig: a workforce signs workers in with "
        "either Amazon Cognito or your own OIDC identity provider",
    ),
    (
        "$.Workforce.WorkforceName",
        '"bad name!" is not 1-63 letters, digits and hyphens, starting with a letter or digit '
        "(SageMaker's pattern: [a-zA-Z0-9]([a-zA-Z0-9\\-]){0,62})",
    ),
    (
        "$.Workforce.SourceIpConfig.Cidrs[3]",
        '"10.0.0.1" is not a CIDR block: add a prefix length, for example "10.0.0.1/32"',
    ),
    ("$.Workteams[0].Descripton", 'unknown field; did you mean "Description"?'),
    (
        "$.Workteams[1].WorkteamName",
        '"image-labelers" is already the name of $.Workteams[0]: team names must be unique',
    ),
    ("$.Workteams[1].MemberDefinitions", "must have at least 1 item (it has 0)"),
]


def test_invalid_document_lists_every_problem_with_its_path(cli: Cli, tmp_path: Path) -> None:
    # Given a document with six different problems
    path = _broken(tmp_path)

    # When it is validated
    ran = cli("validate", path)

    # Then exit 1, and stderr lists all six, each with its JSON path, in document order
    assert ran.code == 1
    assert ran.out == ""
    expected = [f"{path}: desired-state document is invalid (6 problems):"]
    expected += [f"  {where}: {message}" for where, message in EVERY_PROBLEM]
    assert ran.err.splitlines() == expected


def test_invalid_document_as_json(cli: Cli, tmp_path: Path) -> None:
    # Given the same broken document
    path = _broken(tmp_path)

    # When it is validated with --output json
    ran = cli("validate", path, "--output", "json")

    # Then stdout holds every problem as data, and the exit code is 1
    assert ran.code == 1
    assert ran.json == {
        "Valid": False,
        "Problems": [{"Path": where, "Message": message} for where, message in EVERY_PROBLEM],
        "ProblemsOmitted": 0,
    }


def _thousands_of_problems() -> dict[str, object]:
    """A small document with 400 empty member definitions per team: 12,000 problems."""
    doc = example("oidc")
    team = doc["Workteams"][0]
    team["MemberDefinitions"] = [{} for _ in range(400)]
    doc["Workteams"] = [{**team, "WorkteamName": f"team-{i}"} for i in range(30)]
    return doc


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_document_with_thousands_of_problems_shows_the_first_fifty_and_a_count(
    cli: Cli, tmp_path: Path, output: str
) -> None:
    # Given a document wrong in thousands of ways
    path = write(tmp_path / "huge.json", _thousands_of_problems())

    # When it is validated
    ran = cli("validate", path, "--output", output)

    # Then the first 50 are shown in document order, then how many more; output stays small
    assert ran.code == 1
    assert len(ran.printed) < 20_000
    if output == "json":
        assert len(ran.json["Problems"]) == 50
        assert ran.json["ProblemsOmitted"] == 12_001 - 50
    else:
        assert "is invalid (12001 problems)" in ran.err
        assert ran.err.rstrip().endswith("... and 11951 more problems (fix these first)")


def test_malformed_json_names_line_and_column(cli: Cli, tmp_path: Path) -> None:
    # Given a file that is not JSON
    path = write(tmp_path / "broken.json", '{\n  "Version": 1,\n  "Workforce": {\n')

    # When it is validated
    ran = cli("validate", path)

    # Then one problem says where the JSON breaks
    assert ran.code == 1
    assert ran.err == (
        f"{path}: desired-state document is invalid (1 problem):\n"
        "  $: not valid JSON: Expecting property name enclosed in double quotes "
        "at line 4 column 1\n"
    )


def test_missing_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    # Given a path where there is no file
    path = tmp_path / "nowhere.json"

    # When it is validated (in either output format)
    for output in ("text", "json"):
        ran = cli("validate", path, "--output", output)

        # Then one line says so, and there is no traceback
        assert ran.code == 1
        assert ran.out == ""
        assert ran.err == f"error: {path}: no such file\n"


def test_a_directory_without_a_document_is_one_line(cli: Cli, tmp_path: Path) -> None:
    # Given a directory that holds no document in parts
    # When it is validated
    ran = cli("validate", tmp_path)

    # Then one line says what it should hold
    assert ran.code == 1
    assert ran.err == (
        f"error: {tmp_path}: no desired-state document in this directory (expected "
        f"{tmp_path}/workforce.json and {tmp_path}/workteams/<WorkteamName>.json)\n"
    )
    assert ran.err.count("\n") == 1
    assert "Traceback" not in ran.err


def test_client_secret_in_the_document_says_where_it_belongs_and_is_never_echoed(
    cli: Cli, tmp_path: Path
) -> None:
    # Given a document that carries the client secret itself
    doc = example("oidc")
    doc["Workforce"]["OidcConfig"]["ClientSecret"] = "hunter2-do-not-print"
    path = write(tmp_path / "leaky.json", doc)

    # When it is validated, in text and in JSON
    text = cli("validate", path)
    as_json = cli("validate", path, "--output", "json")

    # Then it is invalid, the message says where the secret belongs, and the value is not shown
    assert text.code == as_json.code == 1
    assert (
        "  $.Workforce.OidcConfig.ClientSecret: the OIDC client secret must not be in the "
        "document: store it in AWS Secrets Manager and set OidcConfig.ClientSecretArn to the "
        "secret's ARN, or in an SSM SecureString parameter and set "
        "OidcConfig.ClientSecretParameter to the parameter's name\n"
    ) in text.err
    assert "hunter2" not in text.printed + as_json.printed
    assert json.loads(as_json.out)["Problems"][0]["Path"] == "$.Workforce.OidcConfig.ClientSecret"


def test_validate_needs_no_aws_region_or_credentials(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given no region and no credentials at all
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))

    # When a document is validated
    ran = cli("validate", EXAMPLES / "cognito.json")

    # Then validation works offline
    assert ran.code == 0


def test_team_names_that_differ_only_in_case_are_valid_with_a_warning(
    cli: Cli, tmp_path: Path
) -> None:
    # Given two teams whose names differ only in case
    doc = example("cognito")
    doc["Workteams"][1]["WorkteamName"] = "Medical-Annotators"
    path = write(tmp_path / "teams.json", doc)

    # When it is validated
    ran = cli("validate", path)

    # Then it is valid, and a warning line says they are two teams, and why
    assert ran.code == 0
    assert ran.err == (
        f'{path}: warning: $.Workteams[1].WorkteamName: "Medical-Annotators" differs from '
        '"medical-annotators" ($.Workteams[0]) only in case: SageMaker\'s WorkteamName '
        "pattern admits both cases, so these are two teams with their own workers; if you "
        "meant one team, keep one of them\n"
    )
