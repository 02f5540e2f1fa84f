"""export: a desired-state document from the live workforce and teams, to adopt them.

The client secret cannot be read back from SageMaker, so the document carries a
placeholder reference that the user replaces; everything else round-trips: a plan
of the export (reference filled in) shows no change besides the secret itself.
The policy is ``detect``, so adopting never writes until the user says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce_reconciler.errors import AwsError, ReconcilerError

if TYPE_CHECKING:
    from workforce_reconciler.adapters.sagemaker import SageMakerGateway

# Shaped like an ARN but not a valid one, so ``validate`` and ``plan`` reject the export
# until the user fills it in (a plain name would be taken for a secret's name, and a
# plan without --state-table would never notice it).
SECRET_PLACEHOLDER = "arn:aws:secretsmanager:<region>:<account-id>:secret:REPLACE-ME"  # noqa: S105

_OIDC_FIELDS = (
    "ClientId",
    "Issuer",
    "AuthorizationEndpoint",
    "TokenEndpoint",
    "UserInfoEndpoint",
    "LogoutEndpoint",
    "JwksUri",
    "Scope",
    "AuthenticationRequestExtraParams",
)
_TEAM_FIELDS = (
    "Description",
    "MemberDefinitions",
    "NotificationConfiguration",
    "WorkerAccessConfiguration",
)


def _user_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items()) if not k.startswith("aws:")]


def export_document(gateway: SageMakerGateway, workforce_name: str | None = None) -> dict[str, Any]:
    if workforce_name:
        workforce = gateway.describe_workforce(workforce_name)
        if workforce is None:
            raise ReconcilerError(f"workforce {workforce_name} does not exist in {gateway.region}")
    else:
        found = gateway.list_workforces()
        if not found:
            raise ReconcilerError(f"there is no workforce in {gateway.region}")
        workforce = gateway.describe_workforce(found[0]["WorkforceName"]) or found[0]

    spec: dict[str, Any] = {"WorkforceName": workforce["WorkforceName"]}
    if workforce.get("CognitoConfig"):
        cognito = workforce["CognitoConfig"]
        spec["CognitoConfig"] = {"UserPool": cognito["UserPool"], "ClientId": cognito["ClientId"]}
    if workforce.get("OidcConfig"):
        oidc = workforce["OidcConfig"]
        spec["OidcConfig"] = {
            "ClientId": oidc.get("ClientId"),
            "ClientSecretArn": SECRET_PLACEHOLDER,
            **{k: oidc[k] for k in _OIDC_FIELDS if k != "ClientId" and oidc.get(k) is not None},
        }
    cidrs = (workforce.get("SourceIpConfig") or {}).get("Cidrs")
    if cidrs is not None:
        spec["SourceIpConfig"] = {"Cidrs": list(cidrs)}
    vpc = workforce.get("WorkforceVpcConfig")
    if vpc:
        spec["WorkforceVpcConfig"] = {
            k: vpc[k] for k in ("VpcId", "SecurityGroupIds", "Subnets") if k in vpc
        }
    if workforce.get("IpAddressType"):
        spec["IpAddressType"] = workforce["IpAddressType"]
    try:
        spec["Tags"] = _user_tags(gateway.list_tags(workforce["WorkforceArn"]))
    except AwsError as exc:
        if exc.code != "ValidationException":
            raise
        # Workforce tags are not listable here: leave them unmanaged.

    teams = []
    for team in sorted(gateway.list_workteams(), key=lambda t: str(t["WorkteamName"])):
        if team.get("WorkforceArn") != workforce.get("WorkforceArn"):
            continue
        entry: dict[str, Any] = {"WorkteamName": team["WorkteamName"]}
        entry.update({k: team[k] for k in _TEAM_FIELDS if team.get(k)})
        entry["Tags"] = _user_tags(gateway.list_tags(team["WorkteamArn"]))
        teams.append(entry)

    return {
        "Version": 1,
        "Workforce": spec,
        "Workteams": teams,
        "Policy": {
            "Mode": "detect",
            "DeleteUnlistedWorkteams": False,
            "AllowDisruptiveChanges": False,
        },
    }
