"""What push would write (publish.py), as pure data: only what changed, in which tier,
which team parameters go, in which order, and what it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.world import example
from workforce_reconciler.document.parts import compact
from workforce_reconciler.ports import StoredParameter
from workforce_reconciler.publish import (
    Change,
    PublishError,
    Target,
    parts_for,
    plan_publication,
)

PATH = Target(path="/wr/desired")
WORKFORCE = "/wr/desired/workforce"
IMAGE = "/wr/desired/workteams/image-labelers"
TEXT = "/wr/desired/workteams/text-reviewers"


def stored(texts: dict[str, str], tier: str = "Standard") -> dict[str, StoredParameter]:
    return {name: StoredParameter(text, "String", tier) for name, text in texts.items()}


def test_first_push_creates_every_part_teams_first_workforce_last() -> None:
    texts = parts_for(example("oidc"), PATH)

    publication = plan_publication(texts, {}, PATH)

    assert [(s.change, s.name, s.tier) for s in publication.steps] == [
        (Change.CREATE, IMAGE, "Standard"),
        (Change.CREATE, TEXT, "Standard"),
        (Change.CREATE, WORKFORCE, "Standard"),
    ]
    assert publication.summary(dry_run=False) == (
        "Published to ssm:/wr/desired/: 3 created, 0 updated, 0 deleted, 0 unchanged."
    )


def test_what_ssm_holds_already_is_not_written_again_whatever_its_spacing() -> None:
    # Given SSM holding the same parts, one of them put by hand with indentation
    texts = parts_for(example("oidc"), PATH)
    held = stored(texts)
    held[TEXT] = StoredParameter(json.dumps(json.loads(texts[TEXT]), indent=4), "String")

    # When planned, Then nothing is to be written
    publication = plan_publication(texts, held, PATH)
    assert publication.steps == ()
    assert publication.summary(dry_run=False) == (
        "Nothing to publish: ssm:/wr/desired/ already holds this document (3 parameters unchanged)."
    )


def test_a_team_no_longer_listed_is_deleted_before_the_workforce_part_is_written() -> None:
    # Given SSM holding the example, and a document without text-reviewers, with another
    # allow-list
    document = example("oidc")
    held = stored(parts_for(document, PATH))
    document["Workteams"].pop()
    document["Workforce"]["SourceIpConfig"]["Cidrs"] = ["203.0.113.0/24"]

    # When planned
    publication = plan_publication(parts_for(document, PATH), held, PATH)

    # Then that team's parameter goes, and the workforce part is written last
    assert [(s.change, s.name) for s in publication.steps] == [
        (Change.DELETE, TEXT),
        (Change.UPDATE, WORKFORCE),
    ]
    assert publication.steps[0].line() == f"- {TEXT}  (no longer in the document)"
    assert publication.summary(dry_run=True) == (
        "Would publish to ssm:/wr/desired/: 0 created, 1 updated, 1 deleted, 1 unchanged. "
        "Nothing written (--dry-run)."
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"Mode": "enforce"}, {"Mode": "detect"}),
        ({"DeleteUnlistedWorkteams": True}, {"DeleteUnlistedWorkteams": False}),
        ({"AllowDisruptiveChanges": True}, {}),
    ],
)
def test_a_policy_that_allows_less_is_written_before_the_teams(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    # Given SSM holding the example under a wider policy, and a document that takes a
    # permission away while it also removes a team and changes another
    document = example("oidc")
    document["Policy"] = before
    held = stored(parts_for(document, PATH))
    document["Policy"] = after
    document["Workteams"][0]["Description"] = "Changed with the policy"
    document["Workteams"].pop()

    # When planned
    steps = plan_publication(parts_for(document, PATH), held, PATH).steps

    # Then the workforce part goes first (no run acts under the old policy meanwhile)
    assert [(s.change, s.name) for s in steps] == [
        (Change.UPDATE, WORKFORCE),
        (Change.UPDATE, IMAGE),
        (Change.DELETE, TEXT),
    ]
    assert (
        steps[0].line().endswith("written first: its Policy allows less than the one it replaces)")
    )


def test_a_policy_that_allows_more_is_written_after_the_teams() -> None:
    # Given a document that lets unlisted teams go while it removes one
    document = example("oidc")
    held = stored(parts_for(document, PATH))
    document["Policy"]["DeleteUnlistedWorkteams"] = True
    document["Workteams"].pop()

    # When planned, Then the team goes first and the wider policy last
    steps = plan_publication(parts_for(document, PATH), held, PATH).steps
    assert [(s.change, s.name) for s in steps] == [
        (Change.DELETE, TEXT),
        (Change.UPDATE, WORKFORCE),
    ]


def test_a_part_needing_more_than_4_kb_is_advanced_and_an_advanced_one_stays() -> None:
    # Given a team whose description and tags need more than 4 KB, and a workforce part
    # SSM holds as Advanced although it now fits in 4 KB
    document = example("oidc")
    document["Workteams"][0]["Tags"] = [{"Key": f"k{i}", "Value": "v" * 200} for i in range(20)]
    held = {WORKFORCE: StoredParameter('{"Version": 0}', "String", "Advanced")}

    # When planned
    steps = {s.name: s for s in plan_publication(parts_for(document, PATH), held, PATH).steps}

    # Then the large team goes to Advanced, the small one to Standard, and the workforce
    # part stays Advanced (SSM cannot move a parameter back), saying so
    assert (steps[IMAGE].tier, steps[TEXT].tier, steps[WORKFORCE].tier) == (
        "Advanced",
        "Standard",
        "Advanced",
    )
    assert (
        steps[WORKFORCE]
        .line()
        .endswith(
            "(Advanced, 1,025 bytes; stays Advanced: SSM cannot move a parameter back to Standard)"
        )
    )


def test_a_part_over_8_kb_is_refused_by_name() -> None:
    document = example("oidc")
    document["Workteams"][1]["Tags"] = [{"Key": f"k{i}", "Value": "v" * 250} for i in range(40)]

    with pytest.raises(PublishError) as raised:
        parts_for(document, PATH)

    assert str(raised.value).startswith(
        f"too large for an SSM parameter (Advanced holds 8,192 bytes): {TEXT} ("
    )
    assert str(raised.value).endswith(
        "bytes): shorten it (descriptions, tags); nothing was written"
    )


def test_one_parameter_over_8_kb_is_told_to_use_a_path() -> None:
    document = example("oidc")
    document["Workteams"][1]["Tags"] = [{"Key": f"k{i}", "Value": "v" * 200} for i in range(40)]

    with pytest.raises(PublishError) as raised:
        parts_for(document, Target(parameter="/wr/one"))

    assert "keep it in parts under a path instead: push --parameter-path PREFIX" in str(
        raised.value
    )


def test_anything_else_under_the_path_stops_the_push_before_any_write() -> None:
    # Given SSM holding a stray parameter and a SecureString team part under the path
    texts = parts_for(example("oidc"), PATH)
    held = stored(texts)
    held["/wr/desired/notes"] = StoredParameter("x", "String")
    held[TEXT] = StoredParameter("(ciphertext)", "SecureString")

    # When planned, Then both are named and nothing is planned
    with pytest.raises(PublishError) as raised:
        plan_publication(texts, held, PATH)
    assert str(raised.value) == (
        "nothing was written:\n"
        "  /wr/desired/notes is under /wr/desired/ but is not part of a document (its parts "
        "are /wr/desired/workforce and /wr/desired/workteams/<WorkteamName>): delete it or "
        "publish to another path\n"
        f"  {TEXT} is a SecureString: push writes String parameters (the document holds no "
        "secret): delete it first, then push again"
    )


def test_one_parameter_is_compared_and_written_whole() -> None:
    target = Target(parameter="/wr/one")
    texts = parts_for(example("oidc"), target)

    assert texts == {"/wr/one": compact(example("oidc"))}
    assert plan_publication(texts, stored(texts), target).steps == ()
    [step] = plan_publication(texts, {}, target).steps
    assert (step.change, step.name, step.tier) == (Change.CREATE, "/wr/one", "Standard")
