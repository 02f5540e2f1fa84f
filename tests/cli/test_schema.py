"""``workforce-reconciler schema``: a JSON Schema editors can use, agreeing with validate."""

from __future__ import annotations

import json

import jsonschema
import pytest

from cli.helpers import Cli
from engine.world import example


@pytest.fixture
def schema(cli: Cli) -> dict[str, object]:
    ran = cli("schema")
    assert ran.code == 0
    assert ran.err == ""
    loaded: dict[str, object] = json.loads(ran.out)
    return loaded


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, object]) -> None:
    # Given the printed schema
    # When it is checked against its meta-schema
    jsonschema.Draft202012Validator.check_schema(schema)

    # Then it declares its dialect
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", ["oidc", "cognito"])
def test_schema_accepts_each_example(schema: dict[str, object], name: str) -> None:
    # Given an example document
    # When the schema validates it
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(example(name)))

    # Then there is nothing to report
    assert errors == []


def test_schema_rejects_what_validate_rejects(schema: dict[str, object]) -> None:
    # Given documents with a typo, both identity providers, and the secret inline
    typo = example("cognito")
    typo["Workforce"]["WorkforceNmae"] = typo["Workforce"].pop("WorkforceName")
    both = example("oidc")
    both["Workforce"]["CognitoConfig"] = example("cognito")["Workforce"]["CognitoConfig"]
    inline = example("oidc")
    inline["Workforce"]["OidcConfig"]["ClientSecret"] = "x"

    # When the schema validates them
    validator = jsonschema.Draft202012Validator(schema)

    # Then each is rejected
    for doc in (typo, both, inline):
        assert not validator.is_valid(doc)
