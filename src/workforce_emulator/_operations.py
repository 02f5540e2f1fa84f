"""What each workforce/workteam operation does to the state (after model validation).

Functions take the region's state and the request parameters (AWS names) and return
the response body (AWS names; datetimes are serialized by moto as epoch seconds).
"""

from __future__ import annotations

import ipaddress
import string
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import InvalidToken
from moto.moto_api._internal import mock_random
from moto.utilities.paginator import paginate
from moto.utilities.utils import get_partition

from . import _model
from . import state as st
from .errors import (
    ConflictException,
    ResourceInUseException,
    ResourceLimitExceeded,
    ResourceNotFound,
    ValidationError,
)
from .state import LabelingJob, RegionState, TagList, Workforce, Workteam

_CHANGING = ("Initializing", "Updating", "Deleting")
_TEAM_WRITES_WAIT_FOR = ("Initializing", "Updating")


class InvalidNextToken(ValidationError):
    def __init__(self, token: Any = None) -> None:
        super().__init__("Invalid pagination token: NextToken is not valid for this request")


_PAGINATION = {
    "_page_workforces": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "name",
        "fail_on_invalid_token": InvalidNextToken,
    },
    "_page_workteams": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "name",
        "fail_on_invalid_token": InvalidNextToken,
    },
    "_page_labeling_jobs": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 10,
        "unique_attribute": "name",
        "fail_on_invalid_token": InvalidNextToken,
    },
}


def _arn(state: RegionState, resource: str) -> str:
    return (
        f"arn:{get_partition(state.region)}:sagemaker:{state.region}:{state.account_id}:{resource}"
    )


def _subdomain(region: str) -> str:
    # Random like AWS's (moto's mock_random, so /moto-api/seed makes it repeatable).
    alphabet = string.ascii_lowercase + string.digits
    label = "".join(mock_random.choice(alphabet) for _ in range(10))
    return f"{label}.labeling.{region}.sagemaker.aws"


def _not_found_workforce(name: str) -> ValidationError:
    # The real service answers ValidationException "No workforce ..." (clients such as
    # the Terraform provider match on that prefix).
    return ValidationError(f"No workforce found with name '{name}'.")


def _not_found_workteam(name: str) -> ValidationError:
    # The real service answers ValidationException "The work team ..." (as above).
    return ValidationError(f"The work team '{name}' does not exist.")


def _get_workforce(state: RegionState, name: str) -> Workforce:
    workforce = state.workforces.get(name)
    if workforce is None:
        raise _not_found_workforce(name)
    return workforce


def _get_workteam(state: RegionState, name: str) -> Workteam:
    team = state.workteams.get(name)
    if team is None:
        raise _not_found_workteam(name)
    return team


def _check_cidrs(cidrs: list[str], path: str) -> list[str]:
    settings = st.PROCESS.settings
    if len(cidrs) > 10 or (not cidrs and not settings.empty_cidrs_allowed):
        shown = "[" + ", ".join(cidrs) + "]"
        bound = (
            "Member must have length less than or equal to 10"
            if cidrs
            else "Member must have length greater than or equal to 1"
        )
        raise ValidationError(
            f"1 validation error detected: Value '{shown}' at '{path}' "
            f"failed to satisfy constraint: {bound}"
        )
    for index, cidr in enumerate(cidrs, start=1):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValidationError(
                f"Invalid CIDR '{cidr}' at '{path}.{index}.member': not an IPv4 or IPv6 "
                "network in CIDR notation."
            ) from None
    return list(cidrs)


def _check_vpc(vpc: dict[str, Any], path: str) -> dict[str, Any] | None:
    if not vpc:
        return None
    missing = [k for k in ("VpcId", "SecurityGroupIds", "Subnets") if not vpc.get(k)]
    if missing:
        names = ", ".join(f"{path}.{k[:1].lower()}{k[1:]}" for k in missing)
        raise ValidationError(
            f"WorkforceVpcConfig needs VpcId, SecurityGroupIds and Subnets together; missing: "
            f"{names}."
        )
    return {
        "VpcId": vpc["VpcId"],
        "SecurityGroupIds": list(vpc["SecurityGroupIds"]),
        "Subnets": list(vpc["Subnets"]),
        "VpcEndpointId": f"vpce-{mock_random.get_random_hex(17)}",
    }


def _oidc_without_secret(oidc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in oidc.items() if k != "ClientSecret"}


def _secret_fingerprint(oidc: dict[str, Any] | None) -> str | None:
    """The fingerprint of the request's ClientSecret; the value goes no further."""
    if oidc is None or oidc.get("ClientSecret") is None:
        return None
    return st.fingerprint(oidc["ClientSecret"])


# -- workforces ---------------------------------------------------------------------------


def create_workforce(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    settings = st.PROCESS.settings
    name = params["WorkforceName"]
    cognito, oidc = params.get("CognitoConfig"), params.get("OidcConfig")
    if (cognito is None) == (oidc is None):
        raise ValidationError(
            "Exactly one of CognitoConfig and OidcConfig must be specified "
            f"(got {'both' if cognito else 'neither'})."
        )
    if state.workforces:
        raise ValidationError(
            f"Cannot create more than one workforce for account {state.account_id} "
            f"in region {state.region}: workforce '{next(iter(state.workforces))}' exists."
        )
    cidrs: list[str] = []
    if "SourceIpConfig" in params:
        cidrs = _check_cidrs(params["SourceIpConfig"]["Cidrs"], "sourceIpConfig.cidrs")
    vpc = None
    if "WorkforceVpcConfig" in params:
        vpc = _check_vpc(params["WorkforceVpcConfig"], "workforceVpcConfig")
    created = st.now()
    workforce = Workforce(
        name=name,
        arn=_arn(state, f"workforce/{name}"),
        subdomain=_subdomain(state.region),
        created=created,
        last_updated=created,
        cognito=dict(cognito) if cognito is not None else None,
        oidc=_oidc_without_secret(oidc) if oidc is not None else None,
        cidrs=cidrs,
        vpc=vpc,
        ip_address_type=params.get("IpAddressType", "ipv4"),
        tags=TagList(),
    )
    workforce.secret_fingerprint = _secret_fingerprint(oidc)
    workforce.tags.extend(params.get("Tags", []))
    workforce.begin_change("Initializing", settings)
    state.workforces[name] = workforce
    return {"WorkforceArn": workforce.arn}


def describe_workforce(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    workforce = _get_workforce(state, params["WorkforceName"])
    workforce.settle(st.PROCESS.settings)
    shown = workforce.as_aws()
    if workforce.settling:
        workforce.describes_seen += 1
        workforce.settle(st.PROCESS.settings)
    _looked_at(state, workforce)
    return {"Workforce": shown}


def update_workforce(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    settings = st.PROCESS.settings
    workforce = _get_workforce(state, params["WorkforceName"])
    workforce.settle(settings)
    if workforce.status in _CHANGING:
        raise ConflictException(
            f"Workforce '{workforce.name}' is {workforce.status}; "
            "wait until it is Active before updating it."
        )
    oidc = params.get("OidcConfig")
    if oidc is not None:
        if workforce.cognito is not None:
            raise ValidationError(
                f"Workforce '{workforce.name}' uses CognitoConfig; OidcConfig cannot be set on "
                "it (delete and re-create the workforce to change its identity provider)."
            )
        teams = [t.name for t in state.workteams.values() if t.workforce is workforce]
        if teams and settings.oidc_update_conflicts_with_workteams:
            raise ConflictException(
                f"Workforce '{workforce.name}' has work teams ({', '.join(sorted(teams))}); "
                "OidcConfig cannot be updated while work teams exist."
            )
    cidrs = workforce.cidrs
    if "SourceIpConfig" in params:
        cidrs = _check_cidrs(params["SourceIpConfig"]["Cidrs"], "sourceIpConfig.cidrs")
    vpc = workforce.vpc
    if "WorkforceVpcConfig" in params:
        vpc = _check_vpc(params["WorkforceVpcConfig"], "workforceVpcConfig")
    workforce.cidrs = cidrs
    workforce.vpc = vpc
    if oidc is not None:
        workforce.oidc = _oidc_without_secret(oidc)
        workforce.secret_fingerprint = _secret_fingerprint(oidc)
    if "IpAddressType" in params:
        workforce.ip_address_type = params["IpAddressType"]
    workforce.last_updated = st.now()
    workforce.begin_change("Updating", settings)
    return {"Workforce": workforce.as_aws()}


def delete_workforce(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    workforce = _get_workforce(state, params["WorkforceName"])
    teams = [t.name for t in state.workteams.values() if t.workforce is workforce]
    if teams:
        if not st.PROCESS.settings.delete_workforce_with_workteams:
            raise ResourceInUseException(
                f"Workforce '{workforce.name}' has work teams ({', '.join(sorted(teams))}); "
                "delete them with DeleteWorkteam first."
            )
        for team in teams:
            _drop_workteam(state, state.workteams[team])
    if workforce.status == "Deleting":
        return {}  # (already going: accepted again, nothing changes)
    looks = st.PROCESS.settings.deletion_describes
    if looks == 0:
        del state.workforces[workforce.name]
        return {}
    workforce.status, workforce.failure_reason, workforce.settling = "Deleting", None, False
    workforce.deletion_looks_left = looks
    return {}


def _looked_at(state: RegionState, workforce: Workforce) -> None:
    """A workforce DeleteWorkforce left Deleting is gone once shown ``deletion_describes``
    times (one set Deleting by ``controls.set_status`` stays so)."""
    if workforce.status != "Deleting" or workforce.deletion_looks_left <= 0:
        return
    workforce.deletion_looks_left -= 1
    if workforce.deletion_looks_left <= 0:
        del state.workforces[workforce.name]


def _sorted(items: list[Any], params: dict[str, Any]) -> list[Any]:
    by_name = params.get("SortBy", "CreateDate") == "Name"
    reverse = params.get("SortOrder", "Ascending") == "Descending"
    return sorted(
        items,
        key=(lambda i: (i.name,)) if by_name else (lambda i: (i.created, i.name)),
        reverse=reverse,
    )


def _name_filter(items: list[Any], needle: str | None) -> list[Any]:
    if not needle:
        return items
    if st.PROCESS.settings.name_contains_ignores_case:
        return [i for i in items if needle.lower() in i.name.lower()]
    return [i for i in items if needle in i.name]


@paginate(pagination_model=_PAGINATION)
def _page_workforces(items: list[Workforce], **_: Any) -> list[Workforce]:
    return items


@paginate(pagination_model=_PAGINATION)
def _page_workteams(items: list[Workteam], **_: Any) -> list[Workteam]:
    return items


@paginate(pagination_model=_PAGINATION)
def _page_labeling_jobs(items: list[LabelingJob], **_: Any) -> list[LabelingJob]:
    return items


def _page(function: Any, items: list[Any], params: dict[str, Any]) -> tuple[list[Any], Any]:
    # Every other request parameter is a filter: a token is refused with different ones.
    filters = {k: v for k, v in params.items() if k not in ("MaxResults", "NextToken")}
    try:
        page, token = function(
            items,
            filters=filters,
            max_results=params.get("MaxResults"),
            next_token=params.get("NextToken"),
        )
    except InvalidToken:
        raise InvalidNextToken() from None
    return page, token


def list_workforces(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    settings = st.PROCESS.settings
    for workforce in state.workforces.values():
        workforce.settle(settings)
    items = _sorted(
        _name_filter(list(state.workforces.values()), params.get("NameContains")), params
    )
    page, token = _page(_page_workforces, items, params)
    out: dict[str, Any] = {"Workforces": [w.as_aws() for w in page]}
    for workforce in page:
        _looked_at(state, workforce)
    if token:
        out["NextToken"] = token
    return out


# -- work teams ---------------------------------------------------------------------------


def _check_members(workforce: Workforce, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cognito = [m for m in members if "CognitoMemberDefinition" in m]
    oidc = [m for m in members if "OidcMemberDefinition" in m]
    for index, member in enumerate(members, start=1):
        kinds = [k for k in ("CognitoMemberDefinition", "OidcMemberDefinition") if k in member]
        if len(kinds) != 1:
            raise ValidationError(
                f"memberDefinitions.{index}.member must have exactly one of "
                "CognitoMemberDefinition and OidcMemberDefinition."
            )
    if cognito and oidc:
        raise ValidationError(
            "MemberDefinitions cannot mix CognitoMemberDefinition and OidcMemberDefinition."
        )
    if cognito:
        if workforce.cognito is None:
            raise ValidationError(
                f"Workforce '{workforce.name}' uses OIDC; CognitoMemberDefinition is only "
                "allowed on a Cognito workforce."
            )
        pools = {
            (m["CognitoMemberDefinition"]["UserPool"], m["CognitoMemberDefinition"]["ClientId"])
            for m in cognito
        }
        if len(pools) > 1:
            raise ValidationError(
                "Every CognitoMemberDefinition must use the same UserPool and ClientId."
            )
        pool, client = next(iter(pools))
        if (pool, client) != (workforce.cognito["UserPool"], workforce.cognito["ClientId"]):
            raise ValidationError(
                f"CognitoMemberDefinition UserPool '{pool}' and ClientId '{client}' must match "
                f"workforce '{workforce.name}' (UserPool "
                f"'{workforce.cognito['UserPool']}', ClientId '{workforce.cognito['ClientId']}')."
            )
    if oidc and workforce.oidc is None:
        raise ValidationError(
            f"Workforce '{workforce.name}' uses Cognito; OidcMemberDefinition is only allowed "
            "on an OIDC workforce."
        )
    for member in oidc:
        if not member["OidcMemberDefinition"].get("Groups"):
            raise ValidationError("OidcMemberDefinition needs Groups (1 to 10 group names).")
    return [dict(m) for m in members]


def _worker_access(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """The WorkerAccessConfiguration to store: as sent, or with server-filled defaults.

    With ``server_fills_defaults`` every IamPolicyConstraints member the request left out
    (the members are read from the model) is ``Disabled``, as is the chain down to it.
    """
    if config is None or not st.PROCESS.settings.server_fills_defaults:
        return config
    presign = dict(config.get("S3Presign") or {})
    constraints = dict(presign.get("IamPolicyConstraints") or {})
    for member in _model.member_names("IamPolicyConstraints"):
        constraints.setdefault(member, "Disabled")
    presign["IamPolicyConstraints"] = constraints
    return {**config, "S3Presign": presign}


def _check_workforce_takes_team_writes(workforce: Workforce) -> None:
    """With ``workteam_writes_need_active``: refuse team writes while the workforce changes.

    ValidationException, because that is the code the Terraform provider retries
    CreateWorkteam on (for two minutes, whatever the message); the wording is ours.
    """
    settings = st.PROCESS.settings
    workforce.settle(settings)
    if settings.workteam_writes_need_active and workforce.status in _TEAM_WRITES_WAIT_FOR:
        raise ValidationError(
            f"Workforce '{workforce.name}' is {workforce.status}; work teams can be created "
            "or updated only while it is Active."
        )


def create_workteam(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    settings = st.PROCESS.settings
    name = params["WorkteamName"]
    if name in state.workteams:
        raise ResourceInUseException(f"Workteam '{name}' already exists.")
    if len(state.workteams) >= settings.max_workteams:
        raise ResourceLimitExceeded(
            f"The account-level service limit 'Maximum number of work teams' is "
            f"{settings.max_workteams} work teams, with current utilization of "
            f"{len(state.workteams)} work teams and a request delta of 1 work teams."
        )
    workforce = _get_workforce(state, params.get("WorkforceName", "default"))
    _check_workforce_takes_team_writes(workforce)
    members = _check_members(workforce, params["MemberDefinitions"])
    created = st.now()
    team = Workteam(
        name=name,
        arn=_arn(state, f"workteam/private-crowd/{name}"),
        workforce=workforce,
        description=params["Description"],
        members=members,
        created=created,
        last_updated=created,
        notification=params.get("NotificationConfiguration"),
        worker_access=_worker_access(params.get("WorkerAccessConfiguration")),
        tags=TagList(),
    )
    team.tags.extend(params.get("Tags", []))
    state.workteams[name] = team
    return {"WorkteamArn": team.arn}


def describe_workteam(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    return {"Workteam": _get_workteam(state, params["WorkteamName"]).as_aws()}


def update_workteam(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    team = _get_workteam(state, params["WorkteamName"])
    _check_workforce_takes_team_writes(team.workforce)
    members = team.members
    if "MemberDefinitions" in params:
        members = _check_members(team.workforce, params["MemberDefinitions"])
    team.members = members
    if "Description" in params:
        team.description = params["Description"]
    if "NotificationConfiguration" in params:
        team.notification = params["NotificationConfiguration"]
    if "WorkerAccessConfiguration" in params:
        team.worker_access = _worker_access(params["WorkerAccessConfiguration"])
    team.last_updated = st.now()
    return {"Workteam": team.as_aws()}


def delete_workteam(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    # Allowed with labeling jobs in progress (the API reference names no such refusal);
    # the team's jobs go with it.
    _drop_workteam(state, _get_workteam(state, params["WorkteamName"]))
    return {"Success": True}


def _drop_workteam(state: RegionState, team: Workteam) -> None:
    """Forget a work team and the labeling jobs assigned to it."""
    del state.workteams[team.name]
    for job in [j for j in state.labeling_jobs.values() if j.workteam_arn == team.arn]:
        del state.labeling_jobs[job.name]


def list_workteams(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    items = _sorted(
        _name_filter(list(state.workteams.values()), params.get("NameContains")), params
    )
    page, token = _page(_page_workteams, items, params)
    out: dict[str, Any] = {"Workteams": [t.as_aws() for t in page]}
    if token:
        out["NextToken"] = token
    return out


# -- labeling jobs ------------------------------------------------------------------------


def timestamp(value: Any, path: str) -> datetime:
    """A request timestamp (epoch seconds on the JSON wire, or ISO 8601) as UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        pass
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"Value '{value}' at '{path}' is not a valid timestamp.") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def list_labeling_jobs_for_workteam(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["WorkteamArn"]
    if not any(team.arn == arn for team in state.workteams.values()):
        # ResourceNotFound is the one error the model lists for this operation.
        raise ResourceNotFound(f"Workteam '{arn}' does not exist.")
    jobs = [j for j in state.labeling_jobs.values() if j.workteam_arn == arn]
    if "CreationTimeAfter" in params:
        after = timestamp(params["CreationTimeAfter"], "creationTimeAfter")
        jobs = [j for j in jobs if j.created > after]
    if "CreationTimeBefore" in params:
        before = timestamp(params["CreationTimeBefore"], "creationTimeBefore")
        jobs = [j for j in jobs if j.created < before]
    if "JobReferenceCodeContains" in params:
        jobs = [j for j in jobs if params["JobReferenceCodeContains"] in j.job_reference_code]
    # SortBy has one value, CreationTime (the default); ties broken by name.
    jobs.sort(
        key=lambda j: (j.created, j.name),
        reverse=params.get("SortOrder", "Ascending") == "Descending",
    )
    page, token = _page(_page_labeling_jobs, jobs, params)
    out: dict[str, Any] = {"LabelingJobSummaryList": [j.as_aws() for j in page]}
    if token:
        out["NextToken"] = token
    return out


def describe_labeling_job(state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
    """A job added with ``controls.add_labeling_job``: its status and what a team needs;
    the members the model requires but the emulator does not model are placeholders."""
    job = state.labeling_jobs.get(params["LabelingJobName"])
    if job is None:
        raise ResourceNotFound(f"Could not find labeling job '{params['LabelingJobName']}'.")
    bucket = f"s3://{job.name}-data"
    return {
        "LabelingJobStatus": job.status,
        "LabelCounters": dict(job.label_counters or {}),
        "CreationTime": job.created,
        "LastModifiedTime": job.created,
        "JobReferenceCode": job.job_reference_code,
        "LabelingJobName": job.name,
        "LabelingJobArn": _arn(state, f"labeling-job/{job.name}"),
        "LabelAttributeName": "label",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": f"{bucket}/in"}}},
        "OutputConfig": {"S3OutputPath": f"{bucket}/out"},
        "RoleArn": f"arn:{get_partition(state.region)}:iam::{state.account_id}:role/labeling",
        "HumanTaskConfig": {
            "WorkteamArn": job.workteam_arn,
            "UiConfig": {"UiTemplateS3Uri": f"{bucket}/template.liquid"},
            "PreHumanTaskLambdaArn": (
                "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox"
            ),
            "TaskTitle": job.name,
            "TaskDescription": job.name,
            "NumberOfHumanWorkersPerDataObject": job.workers_per_data_object or 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": (
                    "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox"
                )
            },
        },
    }


# -- tags (moto's AddTags/ListTags/DeleteTags look resources up through this) -----------------


def resource_for_arn(state: RegionState, arn: str) -> Workforce | Workteam:
    kind = arn.split(":", 5)[-1].split("/", 1)[0]
    if kind == "workforce":
        if not st.PROCESS.settings.workforce_tags_listable:
            raise ValidationError("Invalid resource type: workforce")
        for workforce in state.workforces.values():
            if workforce.arn == arn:
                return workforce
    else:
        for team in state.workteams.values():
            if team.arn == arn:
                return team
    raise ValidationError(f"Could not find resource {arn}.")


OPERATIONS = {
    "CreateWorkforce": create_workforce,
    "DescribeWorkforce": describe_workforce,
    "UpdateWorkforce": update_workforce,
    "DeleteWorkforce": delete_workforce,
    "ListWorkforces": list_workforces,
    "CreateWorkteam": create_workteam,
    "DescribeWorkteam": describe_workteam,
    "UpdateWorkteam": update_workteam,
    "DeleteWorkteam": delete_workteam,
    "ListWorkteams": list_workteams,
    "ListLabelingJobsForWorkteam": list_labeling_jobs_for_workteam,
    "DescribeLabelingJob": describe_labeling_job,
}
