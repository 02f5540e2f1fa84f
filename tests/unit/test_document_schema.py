"""The published JSON Schema (``workforce-reconciler schema``) and where its limits come from."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel

from workforce_reconciler.constraints import DOCUMENTED_LIMITS, api, portable_pattern, shape_at
from workforce_reconciler.document import InvalidDocumentError, json_schema, parse_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema())


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_the_schema_is_a_draft_2020_12_schema_with_a_title() -> None:
    # Given the published schema
    schema = json_schema()

    # When a validator checks it against the metaschema
    jsonschema.Draft202012Validator.check_schema(schema)

    # Then it declares its dialect, a title and a description, and is plain JSON
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "workforce-reconciler desired-state document"
    assert "SageMaker" in schema["description"]
    assert json.loads(json.dumps(schema)) == schema


@pytest.mark.parametrize("name", ["oidc", "cognito"])
def test_the_examples_are_valid_by_the_schema(
    name: str, validator: jsonschema.Draft202012Validator
) -> None:
    # Given an example document
    document = example(name)

    # When the schema validates it
    errors = list(validator.iter_errors(document))

    # Then there is nothing to report
    assert errors == []


def _with(name: str, path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(example(name))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = document
    for step in parents:
        target = target[step]
    target[last] = value
    return document


@pytest.mark.parametrize(
    ("document", "where"),
    [
        pytest.param(
            _with("oidc", "Workforce.OidcConfig.ClientSecret", "s3cr3t"),
            ["Workforce", "OidcConfig"],
            id="client secret (additionalProperties)",
        ),
        pytest.param(
            _with("cognito", "Workforce.OidcConfig", example("oidc")["Workforce"]["OidcConfig"]),
            ["Workforce"],
            id="both identity providers (oneOf)",
        ),
        pytest.param(
            _with("oidc", "Workforce.OidcConfig.ClientSecretParameter", "/wf/secret"),
            ["Workforce", "OidcConfig"],
            id="both secret references (oneOf)",
        ),
        pytest.param(
            _with("cognito", "Workforce.WorkforceName", "a" * 64),
            ["Workforce", "WorkforceName"],
            id="name too long (maxLength)",
        ),
        pytest.param(
            _with("cognito", "Workforce.WorkforceName", "-x"),
            ["Workforce", "WorkforceName"],
            id="name pattern",
        ),
        pytest.param(
            _with("oidc", "Workforce.OidcConfig.Issuer", "http://idp.example.com"),
            ["Workforce", "OidcConfig", "Issuer"],
            id="http issuer (pattern)",
        ),
        pytest.param(
            _with("cognito", "Workforce.SourceIpConfig.Cidrs", ["10.0.0.0/8"] * 11),
            ["Workforce", "SourceIpConfig", "Cidrs"],
            id="eleven cidrs (maxItems)",
        ),
        pytest.param(
            _with("cognito", "Workteams.0.MemberDefinitions", []),
            ["Workteams", 0, "MemberDefinitions"],
            id="no member definitions (minItems)",
        ),
        pytest.param(
            _with("cognito", "Policy.Mode", "apply"),
            ["Policy", "Mode"],
            id="mode (enum)",
        ),
        pytest.param(
            _with("cognito", "Version", 2),
            ["Version"],
            id="version (const)",
        ),
    ],
)
def test_the_schema_rejects_what_the_parser_rejects(
    document: dict[str, Any], where: list[Any], validator: jsonschema.Draft202012Validator
) -> None:
    # Given a document the reconciler refuses
    with pytest.raises(InvalidDocumentError):
        parse_document(json.dumps(document))

    # When an editor validates it with the schema
    errors = list(validator.iter_errors(document))

    # Then the schema flags it at the same place
    assert {tuple(error.absolute_path) for error in errors} == {tuple(where)}


def test_the_schema_carries_sagemakers_limits_from_the_service_model() -> None:
    # Given the schema and botocore's SageMaker model
    defs = json_schema()["$defs"]
    name = shape_at("CreateWorkforce", "WorkforceName").metadata
    groups = shape_at(
        "CreateWorkteam", "MemberDefinitions", "member", "OidcMemberDefinition", "Groups"
    ).metadata

    # When the constrained properties are looked up
    workforce_name = defs["WorkforceSpec"]["properties"]["WorkforceName"]
    group_list = defs["OidcMemberDefinition"]["properties"]["Groups"]

    # Then lengths, counts and patterns are the model's
    assert (workforce_name["minLength"], workforce_name["maxLength"]) == (name["min"], name["max"])
    assert workforce_name["pattern"] == f"^(?:{name['pattern']})$"
    assert (group_list["minItems"], group_list["maxItems"]) == (groups["min"], groups["max"])
    assert (
        defs["SourceIpConfig"]["properties"]["Cidrs"]["maxItems"] == DOCUMENTED_LIMITS["MaxCidrs"]
    )
    assert json_schema()["properties"]["Workteams"]["maxItems"] == DOCUMENTED_LIMITS["MaxWorkteams"]


def test_every_pattern_in_the_schema_compiles_in_python_and_has_no_unicode_classes() -> None:
    # Given every pattern the schema publishes
    patterns = [
        node["pattern"] for node in walk(json_schema()) if isinstance(node.get("pattern"), str)
    ]

    # When each is compiled by Python's re (what the jsonschema package uses)
    # Then all compile, and none uses \p{...}, which ECMAScript without the u flag rejects
    assert len(patterns) >= 10
    for pattern in patterns:
        re.compile(pattern)
        assert "\\p{" not in pattern


def test_optional_fields_are_not_advertised_as_null() -> None:
    # Given the schema
    schema = json_schema()

    # When its nodes are searched for null types and null defaults
    nulls = [
        node
        for node in walk(schema)
        if node.get("type") == "null" or ("default" in node and node["default"] is None)
    ]

    # Then there are none: leaving a key out is how a field is omitted
    assert nulls == []


# --- where the limits come from ----------------------------------------------------


def test_the_documented_cidr_limit_is_still_what_sagemaker_documents() -> None:
    # Given the Cidrs member, whose limit is only in its documentation
    shape = shape_at("CreateWorkforce", "SourceIpConfig")

    # When its documentation is read
    documentation = shape.members["Cidrs"].documentation  # type: ignore[attr-defined]

    # Then it still says ten, as DOCUMENTED_LIMITS does
    assert "Maximum: Ten CIDR values" in documentation
    assert DOCUMENTED_LIMITS["MaxCidrs"] == 10


@pytest.mark.parametrize(
    ("java", "portable"),
    [
        (r"[\w-]+_[0-9a-zA-Z]+", r"^(?:[0-9A-Za-z_-]+_[0-9a-zA-Z]+)$"),
        (r"https://\S+", r"^(?:https://[^ \t\n\x0B\f\r]+)$"),
        (r"\d{12}", r"^(?:[0-9]{12})$"),
        (r"[!#-\[\]-~]+", r"^(?:[!#-\[\]-~]+)$"),
    ],
)
def test_java_patterns_are_anchored_and_their_shorthands_made_ascii(
    java: str, portable: str
) -> None:
    # Given a pattern from botocore (a Java regex the service matches against whole values)
    # When it is made portable
    # Then it is anchored and \w, \d, \S mean what Java means (ASCII)
    assert portable_pattern(java) == portable


def test_a_literal_that_disagrees_with_the_service_model_fails_when_the_model_is_defined() -> None:
    # Given a model declaring IpAddressType with a value SageMaker does not have
    # When the model class is created
    # Then it fails at once, naming both lists
    with pytest.raises(
        TypeError, match=r"allows \['dualstack', 'ipv4'\], the model declares \['ipv6'\]"
    ):

        class Wrong(BaseModel):
            IpAddressType: Annotated[Literal["ipv6"], api("CreateWorkforce", "IpAddressType")]


def test_a_constraint_for_a_member_sagemaker_does_not_have_fails_at_once() -> None:
    # Given a path that is not in CreateWorkforce's input
    # When the constraint is created
    # Then it fails with the path, not later during validation
    with pytest.raises(KeyError, match=r"CreateWorkforce has no member 'OidcConfig\.Secret'"):
        api("CreateWorkforce", "OidcConfig", "Secret")
