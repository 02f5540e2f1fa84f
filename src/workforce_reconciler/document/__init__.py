"""The desired-state document: models, validation, problem messages and the JSON Schema.

The document mirrors SageMaker's request shapes (PascalCase keys), so
``model_dump(exclude_none=True)`` of a section is (nearly) the API request. The
only non-API keys are the top-level ``Version`` and ``Policy`` and the OIDC client
secret reference (``OidcConfig.ClientSecretArn`` / ``ClientSecretParameter``):
the secret itself never appears in the document.

``parse_document`` is the one entry point for text: it reports every problem at
once, each with a JSON path (``$.Workteams[1].MemberDefinitions[0]...``) and a
plain-English message, and raises nothing but ``InvalidDocumentError``. See
docs/document.md for the format.

Import from here; each concern lives in its own module (each imports only those
above it):

* ``problems``: problem paths and plain-English messages: rendering a path,
  quoting a value, "did you mean", pydantic's errors as messages, document-order
  sorting, ``InvalidDocumentError``. Secrets are hidden with ``redaction.scrub``.
* ``types``: the field types, ``Annotated`` strs carrying SageMaker's limits from
  botocore (``constraints.api``); CIDR parsing and ``normalize_cidrs``.
* ``rules``: the rules that span fields (one identity provider, one secret
  reference, matching member definitions, unique names and tag keys), checked on
  the raw JSON data.
* ``models``: the pydantic v2 models, ``Tag`` up to ``DesiredState``.
* ``loading``: strict JSON reading (UTF-8, BOM, duplicate keys, surrogates) and
  ``parse_document``.
* ``schema``: ``json_schema``, the JSON Schema for editors and the ``schema`` command.
* ``warnings``: ``document_warnings``, what a valid document may not mean (an allow-list
  open to every address), for ``validate`` and the plan to show.
* ``parts``: a document kept in parts (an SSM parameter hierarchy, a directory):
  ``split`` into parts, ``read_parts`` back as one document with each problem named by
  its part, part sizes and the SSM tier each needs. Imported from
  ``workforce_reconciler.document.parts``.
"""

from workforce_reconciler.document.loading import parse_document
from workforce_reconciler.document.models import DOCUMENT_VERSION as DOCUMENT_VERSION
from workforce_reconciler.document.models import (
    CognitoConfig,
    CognitoMemberDefinition,
    DesiredState,
    IamPolicyConstraints,
    MemberDefinition,
    NotificationConfiguration,
    OidcMemberDefinition,
    OidcSpec,
    Policy,
    S3Presign,
    SourceIpConfig,
    Tag,
    WorkerAccessConfiguration,
    WorkforceSpec,
    WorkforceVpcConfig,
    WorkteamSpec,
)
from workforce_reconciler.document.problems import InvalidDocumentError
from workforce_reconciler.document.schema import SCHEMA_DIALECT as SCHEMA_DIALECT
from workforce_reconciler.document.schema import json_schema
from workforce_reconciler.document.types import normalize_cidrs
from workforce_reconciler.document.warnings import DocumentWarning, document_warnings

# Also importable from here, outside __all__ as before: DOCUMENT_VERSION, SCHEMA_DIALECT.
__all__ = [
    "CognitoConfig",
    "CognitoMemberDefinition",
    "DesiredState",
    "DocumentWarning",
    "IamPolicyConstraints",
    "InvalidDocumentError",
    "MemberDefinition",
    "NotificationConfiguration",
    "OidcMemberDefinition",
    "OidcSpec",
    "Policy",
    "S3Presign",
    "SourceIpConfig",
    "Tag",
    "WorkerAccessConfiguration",
    "WorkforceSpec",
    "WorkforceVpcConfig",
    "WorkteamSpec",
    "document_warnings",
    "json_schema",
    "normalize_cidrs",
    "parse_document",
]
