"""``export_document``: the whole document an export writes, field by field, for a workforce
the reconciler made (so what it should say is known), with the tags AWS itself adds left
out and the client secret replaced by the placeholder a person must fill in."""

from __future__ import annotations

from typing import Any

import pytest

from engine.world import World
from workforce_emulator import state as st
from workforce_reconciler.adapters.sagemaker import SageMakerGateway
from workforce_reconciler.engine.export import SECRET_PLACEHOLDER, export_document
from workforce_reconciler.errors import ReconcilerError

DETECT = {"Mode": "detect", "DeleteUnlistedWorkteams": False, "AllowDisruptiveChanges": False}


def _aws_tag(name: str, key: str = "aws:cloudformation:stack-name") -> None:
    """A tag AWS adds itself (CloudFormation does): users cannot, so it goes in directly."""
    region = st.region_state("123456789012", "us-east-1")
    resource: Any = region.workforces.get(name) or region.workteams[name]
    list.append(resource.tags, {"Key": key, "Value": "labeling-stack"})


def test_an_oidc_export_is_the_document_that_made_it(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the OIDC example applied, and tags CloudFormation added to it and a team
    world.run(oidc_doc)
    _aws_tag("labeling-oidc")
    _aws_tag("text-reviewers")

    # When it is exported, naming the workforce or not (the account's only one)
    gateway = SageMakerGateway(world.sagemaker)
    named = export_document(gateway, "labeling-oidc")
    only = export_document(gateway)

    # Then the document is the example's, in detect mode, with the placeholder for the
    # secret, the CIDRs and tags in a stable order, and no aws: tags
    oidc = {**oidc_doc["Workforce"]["OidcConfig"], "ClientSecretArn": SECRET_PLACEHOLDER}
    image, text = oidc_doc["Workteams"]
    assert (
        named
        == only
        == {
            "Version": 1,
            "Workforce": {
                "WorkforceName": "labeling-oidc",
                "OidcConfig": oidc,
                "SourceIpConfig": {
                    "Cidrs": ["198.51.100.16/28", "203.0.113.0/24", "2001:db8:4000::/48"]
                },
                "IpAddressType": "dualstack",
                "Tags": [
                    {"Key": "cost-center", "Value": "CC-1234"},
                    {"Key": "team", "Value": "ml-data"},
                ],
            },
            "Workteams": [image, {**text, "Tags": []}],
            "Policy": DETECT,
        }
    )


def test_a_cognito_export_carries_the_user_pool_and_the_vpc(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given the Cognito example (a VPC, no workforce tags) applied
    world.run(cognito_doc)

    # When it is exported
    exported = export_document(SageMakerGateway(world.sagemaker))

    # Then the workforce is the example's, field for field, and so are the teams
    assert exported["Workforce"] == cognito_doc["Workforce"]
    medical, quality = cognito_doc["Workteams"]
    assert exported["Workteams"] == [medical, {**quality, "Tags": []}]
    assert exported["Policy"] == DETECT


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("labeling-elsewhere", "workforce labeling-elsewhere does not exist in us-east-1"),
        (None, "there is no workforce in us-east-1"),
    ],
)
def test_an_export_with_nothing_to_export_says_what_is_missing_and_where(
    world: World, name: str | None, message: str
) -> None:
    with pytest.raises(ReconcilerError) as raised:
        export_document(SageMakerGateway(world.sagemaker), name)
    assert str(raised.value) == message
