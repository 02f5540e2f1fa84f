"""The document package keeps the public names the single document.py module had (and
the warnings added since)."""

from __future__ import annotations

import workforce_reconciler.document as document


def test_the_package_exports_the_names_the_module_did() -> None:
    # Given the package, When its public names are listed, Then they are the module's,
    # and the warnings'
    assert sorted(document.__all__) == [
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
    assert all(hasattr(document, name) for name in document.__all__)
    # and the two constants stay importable from the package, outside __all__ as before
    assert document.DOCUMENT_VERSION == 1
    assert document.SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
