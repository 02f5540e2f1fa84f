"""A document kept in parts (document/parts.py): split, read back whole, every problem named
by its part and the JSON path inside it; the sizes and tiers SSM would need."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine.world import example, large_document
from workforce_reconciler.document import InvalidDocumentError, parse_document
from workforce_reconciler.document.parts import (
    DocumentParts,
    Layout,
    compact,
    read_parts,
    size_of,
    split,
    tier_for,
)
from workforce_reconciler.plan import DocumentProblem

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = Layout("/wr/desired")
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:oidc-AbCdEf"


def parts_of(document: dict[str, Any]) -> dict[str, str]:
    return {name: compact(value) for name, value in split(document, LAYOUT).items()}


def problems(texts: dict[str, str]) -> list[tuple[str | None, str, str]]:
    with pytest.raises(InvalidDocumentError) as raised:
        read_parts(DocumentParts(LAYOUT, texts))
    return [(p.Part, p.Path, p.Message) for p in raised.value.problems]


@pytest.mark.parametrize("name", ["oidc", "cognito"])
def test_parts_read_back_as_the_document(name: str) -> None:
    # Given an example split into its parts
    document = example(name)
    texts = parts_of(document)

    # When the parts are read back
    state, data = read_parts(DocumentParts(LAYOUT, texts))

    # Then they are the document: the same desired state, the same JSON
    assert list(texts) == [
        "/wr/desired/workforce",
        *(f"/wr/desired/workteams/{t['WorkteamName']}" for t in document["Workteams"]),
    ]
    assert "Workteams" not in json.loads(texts["/wr/desired/workforce"])
    assert state == parse_document(json.dumps(document))
    assert data == document


def test_a_large_document_fits_in_standard_parts_only() -> None:
    # Given 25 OIDC teams of 10 groups each
    document = large_document(SECRET_ARN)

    # When measured whole and in parts
    whole = size_of(compact(document))
    sizes = [size_of(text) for text in parts_of(document).values()]

    # Then one parameter cannot hold it, and every part fits the free tier
    assert whole > 10_000
    assert tier_for(whole) is None
    assert len(sizes) == 26
    assert {tier_for(size) for size in sizes} == {"Standard"}


@pytest.mark.parametrize(
    ("size", "tier"),
    [(1, "Standard"), (4096, "Standard"), (4097, "Advanced"), (8192, "Advanced"), (8193, None)],
)
def test_tier_for_a_size(size: int, tier: str | None) -> None:
    assert tier_for(size) == tier


def test_sizes_count_utf8_bytes_as_ssm_does() -> None:
    # "é" is one character and two bytes; compact JSON keeps it as it is (no \\u escape)
    assert compact({"Description": "é"}) == '{"Description":"é"}'
    assert size_of(compact({"Description": "é"})) == len('{"Description":""}') + 2


def test_an_invalid_team_part_is_named_with_the_path_inside_it() -> None:
    # Given a team part with an empty group and no description
    texts = parts_of(example("oidc"))
    team = json.loads(texts["/wr/desired/workteams/text-reviewers"])
    team["MemberDefinitions"][0]["OidcMemberDefinition"]["Groups"] = [""]
    del team["Description"]
    texts["/wr/desired/workteams/text-reviewers"] = json.dumps(team)

    # When the parts are read, Then each problem names that parameter and the path in it
    assert problems(texts) == [
        ("/wr/desired/workteams/text-reviewers", "$.Description", "is required"),
        (
            "/wr/desired/workteams/text-reviewers",
            "$.MemberDefinitions[0].OidcMemberDefinition.Groups[0]",
            "must not be empty",
        ),
    ]


def test_the_document_is_validated_whole_across_parts() -> None:
    # Given a Cognito member definition in a team part of an OIDC workforce part
    texts = parts_of(example("oidc"))
    cognito_team = example("cognito")["Workteams"][1]
    texts["/wr/desired/workteams/quality-auditors"] = json.dumps(cognito_team)

    # When read, Then the rule that spans parts names the team part
    [(part, path, message)] = problems(texts)
    assert (part, path) == ("/wr/desired/workteams/quality-auditors", "$.MemberDefinitions[0]")
    assert message.startswith("is a Cognito member definition, but the workforce uses OIDC")


def test_more_teams_than_sagemaker_allows_is_named_at_the_teams_path() -> None:
    # Given 26 team parts
    texts = parts_of(large_document(SECRET_ARN, teams=26, groups=1))

    # When read, Then the limit is reported where the teams live
    assert problems(texts) == [
        ("/wr/desired/workteams/", "$", "must have at most 25 items (it has 26)")
    ]


def test_a_team_stored_under_another_name_is_a_problem_of_that_part() -> None:
    # Given the team "text-reviewers" stored as /wr/desired/workteams/reviewers
    texts = parts_of(example("oidc"))
    texts["/wr/desired/workteams/reviewers"] = texts.pop("/wr/desired/workteams/text-reviewers")

    # When read
    [(part, path, message)] = problems(texts)

    # Then the part and its WorkteamName are named, with the layout
    assert (part, path) == ("/wr/desired/workteams/reviewers", "$.WorkteamName")
    assert message == (
        '"text-reviewers" is not the name this part is stored under ("reviewers"): '
        "a team's part is /wr/desired/workteams/<WorkteamName>"
    )


def test_two_parts_declaring_one_team_name_each_other() -> None:
    # Given a second part that declares the same WorkteamName as another
    texts = parts_of(example("oidc"))
    texts["/wr/desired/workteams/zz-copy"] = texts["/wr/desired/workteams/text-reviewers"]

    # When read, Then the duplicate names the other part, not an index
    found = problems(texts)
    assert (
        "/wr/desired/workteams/zz-copy",
        "$.WorkteamName",
        '"text-reviewers" is already the name of /wr/desired/workteams/text-reviewers: '
        "team names must be unique",
    ) in found


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "/wr/desired/notes",
            "{}",
            (
                "$",
                "is not part of a desired-state document (its parts are /wr/desired/workforce "
                "and /wr/desired/workteams/<WorkteamName>): remove it or keep it elsewhere",
            ),
        ),
        (
            "/wr/desired/workteams/a/b",
            "{}",
            (
                "$",
                "is not part of a desired-state document (its parts are /wr/desired/workforce "
                "and /wr/desired/workteams/<WorkteamName>): remove it or keep it elsewhere",
            ),
        ),
        (
            "/wr/desired/workteams/broken",
            '{"WorkteamName": "broken",',
            (
                "$",
                "not valid JSON: Expecting property name enclosed in double quotes at line 1 "
                "column 27",
            ),
        ),
        (
            "/wr/desired/workteams/listed",
            "[1]",
            ("$", "must be a JSON object (one work team), not an array"),
        ),
        (
            "/wr/desired/workteams/twice",
            '{"WorkteamName": "twice", "WorkteamName": "twice"}',
            ("$.WorkteamName", "appears more than once in this object"),
        ),
    ],
)
def test_a_part_that_is_not_a_team_is_named(
    name: str, text: str, expected: tuple[str, str]
) -> None:
    # Given the example's parts and one more
    texts = {**parts_of(example("oidc")), name: text}

    # When read, Then that part is named, first among its problems
    found = [(path, message) for part, path, message in problems(texts) if part == name]
    assert found[0] == expected


def test_teams_in_the_workforce_part_are_refused() -> None:
    # Given a workforce part that still carries the teams
    texts = parts_of(example("oidc"))
    texts["/wr/desired/workforce"] = json.dumps(example("oidc"))

    # When read, Then it says where teams go
    assert problems(texts) == [
        (
            "/wr/desired/workforce",
            "$.Workteams",
            "work teams go in parameters of their own, one each: "
            "/wr/desired/workteams/<WorkteamName>",
        )
    ]


def test_teams_without_the_workforce_part_are_not_a_document() -> None:
    # Given team parts only
    texts = parts_of(example("oidc"))
    del texts["/wr/desired/workforce"]

    # When read, Then the missing part is named (nothing would be compared with SageMaker)
    assert problems(texts) == [
        (
            "/wr/desired/workforce",
            "$",
            "is missing: it holds the document's Version, Workforce and Policy "
            "(the work teams are in /wr/desired/workteams/<WorkteamName>)",
        )
    ]


def test_problems_a_source_found_come_with_the_others() -> None:
    # Given a source that found a team part stored as a SecureString
    texts = parts_of(example("oidc"))
    secure = DocumentProblem(
        Part="/wr/desired/workteams/text-reviewers", Path="$", Message="is a SecureString"
    )

    # When read
    with pytest.raises(InvalidDocumentError) as raised:
        read_parts(DocumentParts(LAYOUT, texts, (secure,)))

    # Then it is reported, and the document is not taken as valid
    assert raised.value.problems == (secure,)
    assert str(raised.value) == (
        "desired-state document is invalid (1 problem):\n"
        "  /wr/desired/workteams/text-reviewers $: is a SecureString"
    )


def test_the_client_secret_in_a_part_is_never_echoed() -> None:
    # Given a workforce part with the client secret pasted in
    document = copy.deepcopy(example("oidc"))
    document["Workforce"]["OidcConfig"]["ClientSecret"] = "hunter2-in-a-part"
    texts = parts_of(document)

    # When read, Then the problem says where it belongs and never repeats it
    found = problems(texts)
    assert found[0][:2] == ("/wr/desired/workforce", "$.Workforce.OidcConfig.ClientSecret")
    assert "hunter2" not in json.dumps(found)


def test_the_sample_in_the_reference_is_what_the_reconciler_prints() -> None:
    # Given the sample of docs/document.md's "A document in parts"
    doc = (ROOT / "docs" / "document.md").read_text()
    section = doc.split("## A document in parts", 1)[1]
    sample = section.split("look like this:\n\n```\n", 1)[1].split("```\n", 1)[0]

    # When the parts it describes are read: a typo in one team, no workforce part
    layout = Layout("/workforce-reconciler/document")
    texts = {
        name: compact(value)
        for name, value in split(example("oidc"), layout).items()
        if name != layout.workforce
    }
    team = json.loads(texts[layout.workteam("image-labelers")])
    team["Descripton"] = team.pop("Description")
    texts[layout.workteam("image-labelers")] = json.dumps(team)
    with pytest.raises(InvalidDocumentError) as raised:
        read_parts(DocumentParts(layout, texts))

    # Then the reference shows exactly what a user sees
    assert str(raised.value) + "\n" == sample
