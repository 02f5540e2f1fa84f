"""The document's JSON Schema (draft 2020-12), generated from the models.

pydantic writes it from ``DesiredState``, with the API limits the field types carry
(``types.py``). Two adjustments make it say what the document means: optional
fields appear as their type, not "or null" (leaving the key out is how to omit
one), and each exactly-one-of pair the cross-field rules enforce (``rules.py``)
becomes a ``oneOf``.
"""

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from workforce_reconciler.document.models import DesiredState

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _DocumentSchema(GenerateJsonSchema):
    """Optional fields are shown as their type (leaving a key out is how to omit it)."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if json_schema.get("default", 0) is None:
            del json_schema["default"]
        return json_schema


_ONE_OF: dict[str, list[list[str]]] = {
    "WorkforceSpec": [["CognitoConfig"], ["OidcConfig"]],
    "OidcSpec": [["ClientSecretArn"], ["ClientSecretParameter"]],
    "MemberDefinition": [["CognitoMemberDefinition"], ["OidcMemberDefinition"]],
}


def json_schema() -> dict[str, Any]:
    """The document's JSON Schema (draft 2020-12), for editors and ``schema``."""
    schema = DesiredState.model_json_schema(schema_generator=_DocumentSchema)
    for name, alternatives in _ONE_OF.items():
        schema["$defs"][name]["oneOf"] = [{"required": keys} for keys in alternatives]
    definitions = schema["$defs"]["WorkteamSpec"]["properties"]["MemberDefinitions"]
    definitions["description"] = (
        "All Cognito (sharing the workforce's UserPool and ClientId) or all OIDC, "
        "matching the workforce."
    )
    return {"$schema": SCHEMA_DIALECT, **schema}
