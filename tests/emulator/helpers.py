"""Sample requests and client settings shared by the emulator's tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_sagemaker.type_defs import CognitoConfigTypeDef

# One attempt: a test sees exactly the answer the emulator gave, without botocore retries.
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})
# No client-side validation either: what botocore would refuse reaches the server.
UNCHECKED = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False
)

POOL = "us-east-1_AbCdEf123"
CLIENT = "client-id-1"
COGNITO: CognitoConfigTypeDef = {"UserPool": POOL, "ClientId": CLIENT}
SECRET = "s3cr3t-VALUE-never-shown"


def oidc(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ClientId": "oidc-client",
        "ClientSecret": SECRET,
        "Issuer": "https://idp.example.com",
        "AuthorizationEndpoint": "https://idp.example.com/authorize",
        "TokenEndpoint": "https://idp.example.com/token",
        "UserInfoEndpoint": "https://idp.example.com/userinfo",
        "LogoutEndpoint": "https://idp.example.com/logout",
        "JwksUri": "https://idp.example.com/jwks",
    }
    config.update(overrides)
    return config


def cognito_member(
    group: str = "labelers", pool: str = POOL, client: str = CLIENT
) -> dict[str, Any]:
    return {"CognitoMemberDefinition": {"UserPool": pool, "UserGroup": group, "ClientId": client}}


def oidc_member(*groups: str) -> dict[str, Any]:
    return {"OidcMemberDefinition": {"Groups": list(groups or ("labelers",))}}


def client(
    session: boto3.session.Session,
    url: str,
    service: Literal["sagemaker", "sns", "ssm"] = "sagemaker",
) -> Any:
    """A client of the emulator server at ``url``, one attempt per call."""
    return session.client(service, endpoint_url=url, config=ONE_ATTEMPT)


def control(url: str, path: str, body: Any = None, method: str = "POST") -> tuple[int, Any]:
    """Call an ``/_emulator/*`` control; (HTTP status, JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}{path}", data=data, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
