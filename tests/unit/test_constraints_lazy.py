"""Constraints from another service's model (Secrets Manager, SSM) are read at first use,
and then validate and describe themselves exactly as limits applied at import do."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, StringConstraints, ValidationError

from workforce_reconciler.constraints import api, shape_at

IMPORT_AND_LIST_PARSED = """
import json
import botocore.loaders
parsed = []
original = botocore.loaders.JSONFileLoader.load_file
def counting(self, path):
    data = original(self, path)
    if data is not None:
        parsed.append(path.split("/data/", 1)[-1])
    return data
botocore.loaders.JSONFileLoader.load_file = counting
import workforce_reconciler.document
print(json.dumps(parsed))
"""


def test_importing_the_document_parses_sagemakers_model_only() -> None:
    # Given a fresh process (this one has long loaded every model)
    # When it imports the document module, listing every JSON file botocore parses
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_LIST_PARSED],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    parsed = json.loads(result.stdout)

    # Then SageMaker's model was parsed, and neither Secrets Manager's nor SSM's
    services = {path.split("/", 1)[0] for path in parsed}
    assert "sagemaker" in services
    assert {"secretsmanager", "ssm"} & services == set()


def _limits(operation: str, member: str, service: str) -> StringConstraints:
    meta = shape_at(operation, member, service=service).metadata
    return StringConstraints(min_length=meta["min"], max_length=meta["max"])


class Lazy(BaseModel):
    SecretId: Annotated[str, api("DescribeSecret", "SecretId", service="secretsmanager")]
    Parameter: Annotated[str, api("GetParameter", "Name", service="ssm")] | None = None


class Eager(BaseModel):
    SecretId: Annotated[str, _limits("DescribeSecret", "SecretId", "secretsmanager")]
    Parameter: Annotated[str, _limits("GetParameter", "Name", "ssm")] | None = None


def _errors(model: type[BaseModel], data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()


@pytest.mark.parametrize(
    "data",
    [
        {"SecretId": ""},
        {"SecretId": "s" * 2049},
        {"SecretId": "ok", "Parameter": ""},
        {"SecretId": "ok", "Parameter": "p" * 2049},
        {"SecretId": 7, "Parameter": ["not", "a", "string"]},
    ],
)
def test_a_lazy_limit_fails_with_pydantics_own_error(data: dict[str, Any]) -> None:
    # Given the same limits read lazily and applied as plain string constraints
    # When a value breaks them
    # Then both report the same errors: type, message, context, location and input
    assert _errors(Lazy, data) == _errors(Eager, data)


def test_a_value_within_lazy_limits_is_accepted_unchanged() -> None:
    assert Lazy(SecretId="s" * 2048, Parameter="/p").model_dump() == {
        "SecretId": "s" * 2048,
        "Parameter": "/p",
    }


def test_lazy_limits_appear_in_the_json_schema_as_eager_ones_do() -> None:
    # Given both models' JSON Schemas (titles name the model)
    lazy, eager = Lazy.model_json_schema(), Eager.model_json_schema()
    lazy.pop("title")
    eager.pop("title")

    # Then the properties carry the same limits, in the same order
    assert json.dumps(lazy) == json.dumps(eager)
    assert lazy["properties"]["SecretId"]["maxLength"] == 2048
