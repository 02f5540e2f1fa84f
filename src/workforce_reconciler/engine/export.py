"""export: a desired-state document from the live workforce and teams, to adopt them.

It reads what ``observe`` reads (the same calls, the same "tags not listable" rule).
The client secret cannot be read back from SageMaker, so the document carries a
placeholder reference that the user replaces; everything else round-trips: a plan
of the export (reference filled in) shows no change besides the secret itself.
The policy is ``detect``, so adopting never writes until the user says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from workforce_reconciler.document.models import OIDC_ENDPOINTS
from workforce_reconciler.engine.observe import teams_of, workforce_tags
from workforce_reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

    from workforce_reconciler.ports import WorkforceGateway

# Shaped like an ARN but not a valid one, so ``validate`` and ``plan`` reject the export
# until the user fills it in (a plain name would be taken for a secret's name, and a
# plan without --state-table would never notice it).
SECRET_PLACEHOLDER = "arn:aws:secretsmanager:<region>:<account-id>:secret:REPLACE-ME"  # noqa: S105

_OIDC_FIELDS = (*OIDC_ENDPOINTS, "Scope", "AuthenticationRequestExtraParams")
_TEAM_FIELDS = (
    "Description",
    "MemberDefinitions",
    "NotificationConfiguration",
    "WorkerAccessConfiguration",
)
_VPC_FIELDS = ("VpcId", "SecurityGroupIds", "Subnets")


def _user_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items()) if not k.startswith("aws:")]


def _workforce(gateway: WorkforceGateway, name: str | None) -> WorkforceTypeDef:
    """The named workforce, or the account's only one."""
    if name:
        workforce = gateway.describe_workforce(name)
        if workforce is None:
            raise ReconcilerError(f"workforce {name} does not exist in {gateway.region}")
        return workforce
    found = gateway.list_workforces()
    if not found:
        raise ReconcilerError(f"there is no workforce in {gateway.region}")
    return found[0]  # (ListWorkforces answers whole Workforce objects, as Describe does)


def _workforce_spec(gateway: WorkforceGateway, live: WorkforceTypeDef) -> dict[str, Any]:
    spec: dict[str, Any] = {"WorkforceName": live["WorkforceName"]}
    if live.get("CognitoConfig"):
        cognito = live["CognitoConfig"]
        spec["CognitoConfig"] = {"UserPool": cognito["UserPool"], "ClientId": cognito["ClientId"]}
    if live.get("OidcConfig"):
        oidc = cast("dict[str, Any]", live["OidcConfig"])
        spec["OidcConfig"] = {
            "ClientId": oidc.get("ClientId"),
            "ClientSecretArn": SECRET_PLACEHOLDER,
            **{k: oidc[k] for k in _OIDC_FIELDS if oidc.get(k) is not None},
        }
    if "SourceIpConfig" in live:
        spec["SourceIpConfig"] = {"Cidrs": list(live["SourceIpConfig"].get("Cidrs", []))}
    vpc = cast("dict[str, Any]", live.get("WorkforceVpcConfig") or {})
    if vpc:
        spec["WorkforceVpcConfig"] = {k: vpc[k] for k in _VPC_FIELDS if k in vpc}
    if live.get("IpAddressType"):
        spec["IpAddressType"] = live["IpAddressType"]
    tags = workforce_tags(gateway, live)
    if tags is not None:  # (not listable here: left unmanaged)
        spec["Tags"] = _user_tags(tags)
    return spec


def _team_entry(gateway: WorkforceGateway, team: WorkteamTypeDef) -> dict[str, Any]:
    fields = cast("dict[str, Any]", team)
    entry: dict[str, Any] = {"WorkteamName": team["WorkteamName"]}
    entry.update({k: fields[k] for k in _TEAM_FIELDS if fields.get(k)})
    entry["Tags"] = _user_tags(gateway.list_tags(team["WorkteamArn"]))
    return entry


def export_document(gateway: WorkforceGateway, workforce_name: str | None = None) -> dict[str, Any]:
    live = _workforce(gateway, workforce_name)
    teams = teams_of(gateway, live)
    return {
        "Version": 1,
        "Workforce": _workforce_spec(gateway, live),
        "Workteams": [_team_entry(gateway, teams[name]) for name in sorted(teams)],
        "Policy": {
            "Mode": "detect",
            "DeleteUnlistedWorkteams": False,
            "AllowDisruptiveChanges": False,
        },
    }
