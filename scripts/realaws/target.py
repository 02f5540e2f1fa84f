"""The account and region a run talks to, checked before anything is created."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

# Standard retries (throttling-aware); a run makes few calls, so no tuning beyond that.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})

NO_CREDENTIALS = (
    "no AWS credentials found: configure a profile (AWS_PROFILE) or set AWS_ACCESS_KEY_ID "
    "and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
)
ACCEPTANCE_ADOPT_HINT = (
    "Run it in a region without a workforce (AWS_REGION=...), or hand that one over with "
    "WORKFORCE_ACCEPTANCE_ADOPT=1: it is then exported to a file and removed."
)
NO_REGION = "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or give the profile a region"


class NotReady(Exception):
    """The run cannot start; the message says why and what to do. Nothing was created."""


@dataclass(frozen=True)
class Target:
    session: boto3.session.Session
    region: str
    account: str
    endpoint_url: str | None
    """``AWS_ENDPOINT_URL`` when set (the emulator, in the tests), else None: AWS itself."""
    _clients: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def client(self, service: str) -> Any:
        """One client per service (making one loads its model: ~0.1-0.4 s)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(  # type: ignore[call-overload]
                service, config=CLIENT_CONFIG
            )
        return self._clients[service]

    @property
    def where(self) -> str:
        place = f"account {self.account}, region {self.region}"
        return f"{place} (endpoint {self.endpoint_url})" if self.endpoint_url else place


def connect(*, region: str | None = None, profile: str | None = None) -> Target:
    """The account the usual AWS variables and files name, once its credentials work.

    Raises ``NotReady`` without a region, without credentials, or when AWS refuses them
    (expired, wrong): one STS GetCallerIdentity call, which needs no permission.
    """
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as error:
        raise NotReady(f"{error}: check AWS_PROFILE or --profile") from None
    if not session.region_name:
        raise NotReady(NO_REGION)
    if session.get_credentials() is None:
        raise NotReady(NO_CREDENTIALS)
    try:
        identity = session.client("sts", config=CLIENT_CONFIG).get_caller_identity()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise NotReady(f"AWS refused the credentials ({code}): {error}") from None
    except BotoCoreError as error:
        raise NotReady(f"cannot reach AWS with these settings: {error}") from None
    return Target(
        session=session,
        region=session.region_name,
        account=identity["Account"],
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
    )


def workforces(target: Target) -> list[str]:
    """The names of the workforces in the target's region (at most one, by SageMaker's rule)."""
    sagemaker = target.client("sagemaker")
    names: list[str] = []
    for page in sagemaker.get_paginator("list_workforces").paginate():
        names += [w["WorkforceName"] for w in page["Workforces"]]
    return names


def refuse_a_workforce_that_is_not_ours(target: Target, *, adopt: bool, adopt_hint: str) -> None:
    """One workforce per account and region: a run that creates one cannot start while
    another exists (it is not the run's to touch), unless the user hands it over."""
    existing = workforces(target)
    if existing and not adopt:
        raise NotReady(
            f"workforce {existing[0]!r} already exists in {target.where}; SageMaker allows one "
            f"per account and region and it is not this run's to touch. {adopt_hint}"
        )
