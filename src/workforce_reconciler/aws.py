"""boto3 clients, configured once: botocore's retry modes handle throttling and 5xx."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import IO, TYPE_CHECKING, Any, Literal, cast

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)

from workforce_reconciler import __version__

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

RetryMode = Literal["standard", "adaptive", "legacy"]


_botocore_loaders_log = logging.getLogger("botocore.loaders")


class PlainJSONFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSON file loader, parsing into plain dicts instead of ``OrderedDict``.

    botocore asked for ``OrderedDict`` to keep the files' member order, which a dict has kept
    since Python 3.7; nothing that reads the loaded models relies on more (botocore.model
    copies them into its own ordered maps by iterating). Plain dicts parse in less than half
    the time (SageMaker's model: ~28 -> ~13 ms; the endpoints: ~17 -> ~6 ms) and take less
    memory. tests/unit/test_aws.py holds the result equal, key order included, to botocore's.
    """

    def _load_file(self, full_path: str, open_method: Callable[..., IO[bytes]]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as fp:
            payload = fp.read().decode("utf-8")
        _botocore_loaders_log.debug("Loading JSON file: %s", full_path)
        return json.loads(payload)


@cache
def data_loader(data_path: str | None = None) -> botocore.loaders.Loader:
    """The process's one botocore data loader for ``data_path`` (AWS_DATA_PATH / the profile's
    ``data_path``; None for botocore's own models).

    botocore gives each session a loader of its own, and each loader parses the JSON it is
    asked for again (the endpoints, every service model: SageMaker's is the largest). Every
    session ``Clients.create`` makes, and ``constraints``, read through this one instead, so
    each file is parsed once per process. Loaded data is only read (as by the clients of one
    session, which share their session's loader anyway). Its files parse into plain dicts
    (``PlainJSONFileLoader``).
    """
    loader = botocore.loaders.create_loader(data_path)
    loader.file_loader = PlainJSONFileLoader()
    return loader


# One call's worst case, so that a run's deadline (and the Lambda's timeout) holds: at most
# MAX_ATTEMPTS attempts of CONNECT + READ seconds, plus botocore's backoff between them
# (standard mode: at most 1 then 2 seconds, jittered). SageMaker's workforce calls answer
# in well under a second.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
MAX_ATTEMPTS = 3
CALL_BUDGET_SECONDS = MAX_ATTEMPTS * (CONNECT_TIMEOUT + READ_TIMEOUT) + 3


def client_config(retry_mode: RetryMode = "standard", attempts: int | None = None) -> Config:
    """Client settings. The number of attempts is botocore's to resolve (AWS_MAX_ATTEMPTS or
    ``max_attempts`` in the profile; 3 in standard mode), up to MAX_ATTEMPTS, so that one
    call can never outlive CALL_BUDGET_SECONDS."""
    retries: Any = {"mode": retry_mode, "total_max_attempts": min(attempts or 3, MAX_ATTEMPTS)}
    return Config(
        retries=retries,
        user_agent_extra=f"workforce-reconciler/{__version__}",
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


@dataclass
class Clients:
    """The clients the engine and the notifier need, from one session: one client per service,
    made when first asked for (the handler and the CLI each ask for SSM twice, and a client
    costs its creation and memory; boto3 clients are safe to share).

    ``endpoint_url`` of None lets boto3 apply ``AWS_ENDPOINT_URL`` /
    ``AWS_ENDPOINT_URL_<SERVICE>`` itself, as every AWS SDK does.
    """

    session: boto3.session.Session
    endpoint_url: str | None = None
    config: Config | None = None
    _made: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        credentials: Credentials | None = None,
    ) -> Clients:
        """``credentials``: the session's only credentials (an assumed role's,
        ``assumed_role_credentials``) instead of the environment's or the profile's."""
        core = botocore.session.Session(profile=profile)
        if credentials is not None:
            resolver = CredentialResolver(providers=[_GivenCredentials(credentials)])
            core.register_component("credential_provider", resolver)
        loader = data_loader(core.get_config_variable("data_path"))
        core.register_component("data_loader", loader)
        session = boto3.session.Session(botocore_session=core, region_name=region)
        # boto3 appends its own data directory to the loader of every session it wraps; once
        # is enough for a loader they all share.
        loader.search_paths[:] = dict.fromkeys(loader.search_paths)
        # AWS_RETRY_MODE / retry_mode in the profile win; botocore's own default is the
        # legacy mode, which this tool upgrades to standard (throttling-aware, with quotas).
        configured = core.get_config_variable("retry_mode")
        mode: RetryMode = configured if configured in ("standard", "adaptive") else "standard"
        attempts = core.get_config_variable("max_attempts")
        return cls(session, endpoint_url, client_config(mode, int(attempts) if attempts else None))

    @property
    def region(self) -> str | None:
        return self.session.region_name

    def _client(self, service: str, region: str | None = None) -> Any:
        key = service if region in (None, self.region) else f"{service}@{region}"
        if key not in self._made:
            self._made[key] = self.session.client(  # type: ignore[call-overload]
                service,
                region_name=region or self.region,
                endpoint_url=self.endpoint_url,
                config=self.config,
            )
        return self._made[key]

    def sagemaker(self) -> SageMakerClient:
        return cast("SageMakerClient", self._client("sagemaker"))

    def ssm(self) -> SSMClient:
        return cast("SSMClient", self._client("ssm"))

    def secretsmanager(self) -> SecretsManagerClient:
        return cast("SecretsManagerClient", self._client("secretsmanager"))

    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self._client("dynamodb"))

    def sts(self) -> STSClient:
        return cast("STSClient", self._client("sts"))

    def sns(self, region: str | None = None) -> SNSClient:
        """``region``: the topic's, when it is not the session's (a fleet's central topic):
        SNS takes a Publish to a topic only at its own Region's endpoint."""
        return cast("SNSClient", self._client("sns", region))

    def cloudformation(self) -> CloudFormationClient:
        """For the CLI's ``status --stack`` only (the function never reads its stack)."""
        return cast("CloudFormationClient", self._client("cloudformation"))


class _GivenCredentials(CredentialProvider):
    """A botocore credential provider that hands out credentials made elsewhere."""

    METHOD = "assume-role"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


def assumed_role_credentials(source: Clients, role_arn: str, session_name: str) -> Credentials:
    """Credentials of ``role_arn`` (a role in another account), obtained with ``source``'s:
    botocore's own assume-role fetcher, called on first use and again before they expire
    (a plan that outlives them goes on). AssumeRole goes through ``source``'s STS client
    (its endpoint, retries and refreshing credentials); botocore clients are thread-safe,
    so one serves every role.
    """
    sts = source.sts()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=lambda *_args, **_kwargs: sts,
        source_credentials=source.session.get_credentials(),
        role_arn=role_arn,
        extra_args={"RoleSessionName": session_name},
    )
    return DeferredRefreshableCredentials(
        refresh_using=fetcher.fetch_credentials, method="assume-role"
    )
