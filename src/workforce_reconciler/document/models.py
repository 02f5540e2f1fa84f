"""The desired-state document's pydantic v2 models, from ``Tag`` up to ``DesiredState``.

The models mirror SageMaker's request shapes: attribute names are the API's
PascalCase member names and field types (``types.py``) carry the API's limits, so
``model_dump(exclude_none=True)`` of a section is (nearly) the API request. The only
non-API fields are the top-level ``Version`` and ``Policy`` and the OIDC client
secret reference (``OidcConfig.ClientSecretArn`` / ``ClientSecretParameter``).

Every model is strict, frozen and forbids unknown keys. Single-field rules are
validators here; rules that span fields live in ``rules.py`` and run from
``DesiredState`` only for models built in code (``parse_document`` checks them on
the raw data, together with the field problems).
"""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workforce_reconciler.constraints import DOCUMENTED_LIMITS, api
from workforce_reconciler.document.problems import render_path
from workforce_reconciler.document.rules import rule_problems
from workforce_reconciler.document.types import (
    CREATE_WORKFORCE,
    CREATE_WORKTEAM,
    TEAM_MEMBER,
    Cidr,
    ClientIdStr,
    DescriptionStr,
    EnabledOrDisabled,
    ExtraParams,
    Group,
    IpAddressTypeLiteral,
    MemberClientId,
    MemberUserPool,
    OidcClientId,
    OidcEndpoint,
    ParameterName,
    ScopeStr,
    SecretId,
    SecurityGroupId,
    SubnetId,
    TagKey,
    TagValue,
    TopicArn,
    UserGroupStr,
    UserPoolId,
    VpcIdStr,
    WorkforceNameStr,
    WorkteamNameStr,
    normalize_cidrs,
)
from workforce_reconciler.plan import Mode
from workforce_reconciler.ports import SecretReference

DOCUMENT_VERSION = 1

# Field names are the API's, and several equal their model's class name
# (``CognitoConfig: CognitoConfig | None = None``). In a class body the field's default
# would shadow the class in its own annotation, so such fields are annotated with a
# private alias (``_CognitoConfig``) defined right after each class.


NULL_MESSAGE = "must not be null: to omit it, leave the key out"


class _Model(BaseModel):
    # strict: a JSON document's types are what they say ("true" is not a boolean);
    # extra="forbid": a typo is an error, never a silently ignored field.
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        field_title_generator=lambda name, _info: name,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        # One rule for every optional key: it is omitted by leaving it out, never by
        # null (the JSON Schema shows optional keys with their type only). A None field
        # (``X | None = None``) still means "absent" to the code. A required key given
        # null gets its type's message ("must be a string, not null").
        field = cls.model_fields.get(info.field_name or "")
        if value is None and field is not None and not field.is_required():
            raise PydanticCustomError("null", NULL_MESSAGE)
        return value


class Tag(_Model):
    Key: TagKey
    Value: TagValue

    @field_validator("Key")
    @classmethod
    def _not_reserved(cls, key: str) -> str:
        if key.lower().startswith("aws:"):
            raise PydanticCustomError(
                "reserved_tag", "tag keys starting with aws: are reserved for AWS"
            )
        return key


class CognitoConfig(_Model):
    """The Amazon Cognito user pool and app client the workforce signs workers in with."""

    UserPool: UserPoolId
    ClientId: ClientIdStr


_CognitoConfig = CognitoConfig


_SECRETS_MANAGER_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+")
_SSM_PARAMETER_ARN = re.compile(r"arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+")


# The OIDC configuration's endpoint URLs (what the stack's AllowedOidcHosts bounds).
OIDC_ENDPOINTS = (
    "Issuer",
    "AuthorizationEndpoint",
    "TokenEndpoint",
    "UserInfoEndpoint",
    "LogoutEndpoint",
    "JwksUri",
)


class OidcSpec(_Model):
    """CreateWorkforce's OidcConfig without ClientSecret, plus where to read the secret."""

    ClientId: OidcClientId
    ClientSecretArn: SecretId | None = Field(
        default=None,
        description="Secrets Manager secret (ARN or name) holding the OIDC client secret. "
        "Exactly one of ClientSecretArn and ClientSecretParameter.",
    )
    ClientSecretParameter: ParameterName | None = Field(
        default=None,
        description="SSM SecureString parameter (name or ARN) holding the OIDC client secret. "
        "Exactly one of ClientSecretArn and ClientSecretParameter.",
    )
    Issuer: OidcEndpoint
    AuthorizationEndpoint: OidcEndpoint
    TokenEndpoint: OidcEndpoint
    UserInfoEndpoint: OidcEndpoint
    LogoutEndpoint: OidcEndpoint
    JwksUri: OidcEndpoint
    Scope: ScopeStr | None = None
    AuthenticationRequestExtraParams: ExtraParams | None = None

    @field_validator("ClientSecretArn")
    @classmethod
    def _secrets_manager_arn(cls, value: str | None) -> str | None:
        if (
            value is not None
            and value.startswith("arn:")
            and not _SECRETS_MANAGER_ARN.fullmatch(value)
        ):
            raise PydanticCustomError(
                "secret_arn",
                "is an ARN but not a Secrets Manager secret ARN "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>); "
                "for an SSM parameter use ClientSecretParameter",
            )
        return value

    @field_validator("ClientSecretParameter")
    @classmethod
    def _ssm_parameter(cls, value: str | None) -> str | None:
        if (
            value is not None
            and value.startswith("arn:")
            and not _SSM_PARAMETER_ARN.fullmatch(value)
        ):
            raise PydanticCustomError(
                "parameter_arn",
                "is an ARN but not an SSM parameter ARN "
                "(arn:aws:ssm:<region>:<account>:parameter/<name>); "
                "for a Secrets Manager secret use ClientSecretArn",
            )
        return value


class SourceIpConfig(_Model):
    """The IP ranges workers may sign in from; ``[]`` means no restriction."""

    Cidrs: Annotated[
        list[Cidr],
        Field(max_length=DOCUMENTED_LIMITS["MaxCidrs"]),
        AfterValidator(lambda cidrs: list(normalize_cidrs(cidrs))),
    ] = Field(
        description="CIDR blocks, compared as networks: order, duplicates and host bits "
        "make no difference."
    )


_SourceIpConfig = SourceIpConfig


class WorkforceVpcConfig(_Model):
    """The VPC workers reach the workforce through: all three members, or ``{}`` for none
    (an existing workforce is detached from its VPC)."""

    VpcId: VpcIdStr | None = None
    SecurityGroupIds: (
        Annotated[
            list[SecurityGroupId], api(CREATE_WORKFORCE, "WorkforceVpcConfig", "SecurityGroupIds")
        ]
        | None
    ) = None
    Subnets: (
        Annotated[list[SubnetId], api(CREATE_WORKFORCE, "WorkforceVpcConfig", "Subnets")] | None
    ) = None

    @property
    def detached(self) -> bool:
        """``{}``: no VPC."""
        return self.VpcId is None and self.SecurityGroupIds is None and self.Subnets is None


_WorkforceVpcConfig = WorkforceVpcConfig


class WorkforceSpec(_Model):
    WorkforceName: WorkforceNameStr
    CognitoConfig: _CognitoConfig | None = None
    OidcConfig: OidcSpec | None = None
    SourceIpConfig: _SourceIpConfig | None = None
    WorkforceVpcConfig: _WorkforceVpcConfig | None = None
    IpAddressType: IpAddressTypeLiteral | None = None
    Tags: Annotated[list[Tag], api(CREATE_WORKFORCE, "Tags")] | None = Field(
        default=None,
        description="Present (even []): the workforce's tags are managed exactly. "
        "Absent: its tags are left alone.",
    )

    @property
    def identity_provider(self) -> Literal["cognito", "oidc"]:
        """Which kind of workforce this is (a valid document sets exactly one config)."""
        return "oidc" if self.OidcConfig is not None else "cognito"

    def secret_reference(self) -> SecretReference | None:
        """Where the OIDC client secret lives; None for a Cognito workforce."""
        oidc = self.OidcConfig
        if oidc is None:
            return None
        return SecretReference(
            secret_arn=oidc.ClientSecretArn, parameter_name=oidc.ClientSecretParameter
        )

    def oidc_request(self) -> dict[str, Any] | None:
        """OidcConfig as Create/UpdateWorkforce want it, minus ClientSecret (apply adds it)."""
        if self.OidcConfig is None:
            return None
        return self.OidcConfig.model_dump(
            mode="json",
            exclude_none=True,
            exclude={"ClientSecretArn", "ClientSecretParameter"},
        )


class CognitoMemberDefinition(_Model):
    UserPool: MemberUserPool
    UserGroup: UserGroupStr
    ClientId: MemberClientId


_CognitoMemberDefinition = CognitoMemberDefinition


class OidcMemberDefinition(_Model):
    Groups: Annotated[list[Group], api(*TEAM_MEMBER, "OidcMemberDefinition", "Groups")]


_OidcMemberDefinition = OidcMemberDefinition


class MemberDefinition(_Model):
    """Exactly one of the two, matching the workforce's identity provider."""

    CognitoMemberDefinition: _CognitoMemberDefinition | None = None
    OidcMemberDefinition: _OidcMemberDefinition | None = None


class NotificationConfiguration(_Model):
    NotificationTopicArn: TopicArn | None = None


_NotificationConfiguration = NotificationConfiguration


class IamPolicyConstraints(_Model):
    SourceIp: EnabledOrDisabled | None = None
    VpcSourceIp: EnabledOrDisabled | None = None


_IamPolicyConstraints = IamPolicyConstraints


class S3Presign(_Model):
    IamPolicyConstraints: _IamPolicyConstraints | None = None


_S3Presign = S3Presign


class WorkerAccessConfiguration(_Model):
    S3Presign: _S3Presign | None = None


_WorkerAccessConfiguration = WorkerAccessConfiguration


_TEAM_API_FIELDS = {
    "MemberDefinitions",
    "Description",
    "NotificationConfiguration",
    "WorkerAccessConfiguration",
}


class WorkteamSpec(_Model):
    WorkteamName: WorkteamNameStr
    Description: DescriptionStr
    MemberDefinitions: Annotated[list[MemberDefinition], api(CREATE_WORKTEAM, "MemberDefinitions")]
    NotificationConfiguration: _NotificationConfiguration | None = None
    WorkerAccessConfiguration: _WorkerAccessConfiguration | None = None
    Tags: Annotated[list[Tag], api(CREATE_WORKTEAM, "Tags")] | None = Field(
        default=None,
        description="Present (even []): the team's tags are managed exactly. "
        "Absent: its tags are left alone.",
    )

    def api_fields(self) -> dict[str, Any]:
        """The fields Create/UpdateWorkteam take besides the names, as the API wants them."""
        return self.model_dump(mode="json", exclude_none=True, include=_TEAM_API_FIELDS)


_Mode = Mode


class Policy(_Model):
    """What the reconciler may do about drift."""

    # Not strict: the JSON string "enforce" is how a document spells Mode.ENFORCE.
    Mode: Annotated[_Mode, Field(strict=False)] = Field(
        default=Mode.ENFORCE,
        description="enforce: apply the plan. detect: only report it.",
    )
    DeleteUnlistedWorkteams: bool = Field(
        default=False,
        description="Delete work teams the document does not list (otherwise they are "
        "reported as blocked drift).",
    )
    AllowDisruptiveChanges: bool = Field(
        default=False,
        description="Allow replacing the workforce (DeleteWorkforce + CreateWorkforce, which "
        "first deletes every team), e.g. to switch between Cognito and OIDC, or to re-create "
        "a Failed workforce (otherwise reported as blocked drift).",
    )
    RecreateWorkteamsForOidcChanges: bool = Field(
        default=False,
        description="SageMaker updates an OIDC configuration (a client secret rotation "
        "included) only while the workforce has no work teams: allow deleting every team, "
        "updating the workforce and re-creating each team as it was (its workers are cut off "
        "meanwhile). Otherwise such a change is reported as blocked drift.",
    )


_Policy = Policy


# In parse_document's validation context: the cross-field rules were checked on the raw data.
RULES_CHECKED = "workforce_reconciler.rules_checked"


class DesiredState(_Model):
    """The whole desired-state document."""

    model_config = ConfigDict(
        title="workforce-reconciler desired-state document",
        json_schema_extra={
            "description": "One SageMaker private workforce and its work teams, as they "
            "should be. Keys mirror the SageMaker API; see docs/document.md."
        },
    )

    Version: Literal[1] = Field(description="The document format version: 1.")
    Workforce: WorkforceSpec
    Workteams: Annotated[
        list[WorkteamSpec], Field(max_length=DOCUMENTED_LIMITS["MaxWorkteams"])
    ] = Field(default_factory=list)
    Policy: _Policy = Field(default_factory=lambda: _Policy())

    @field_validator("Version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        # Literal[1] alone would take true and 1.0 for 1.
        if type(value) is not int or value != DOCUMENT_VERSION:
            raise PydanticCustomError(
                "version", "must be 1, the only version of this document format"
            )
        return value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> "DesiredState":
        # parse_document checks the cross-field rules on the raw document (so they are
        # reported together with field errors); this covers models built in code.
        if isinstance(info.context, dict) and info.context.get(RULES_CHECKED):
            return self
        problems = rule_problems(self.to_document())
        if problems:
            raise PydanticCustomError(
                "document_rules",
                "{problems}",
                {"problems": "; ".join(f"{render_path(loc)}: {msg}" for loc, msg in problems)},
            )
        return self

    def to_document(self) -> dict[str, Any]:
        """The document as JSON-ready data (absent fields left out); parses back equal."""
        return self.model_dump(mode="json", exclude_none=True)

    def workteam(self, name: str) -> WorkteamSpec | None:
        return next((team for team in self.Workteams if team.WorkteamName == name), None)
