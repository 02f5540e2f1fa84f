"""The one Logger, Tracer and Metrics of the service (Powertools), shared by every module.

Service name and metrics namespace are given here, explicitly (the same for the Lambda,
the CLI and the tests).

Secrets in logs: with any logger at DEBUG (Lambda's ``AWS_LAMBDA_LOG_LEVEL``, a root logger
set by the runtime or a user), botocore logs request and response bodies: GetSecretValue's
answer, CreateWorkforce's request with the client secret. Those two loggers drop their
records below INFO whatever level anyone sets (a filter on the loggers themselves), and
every log record of the process is scrubbed of the secret values read so far, in every
spelling (``redaction.scrub``), before any handler sees it.

Tracing: in Lambda (``Tracing: Active``) the Tracer is Powertools' own, on the X-Ray SDK,
loaded and patched at init as ever. Where Powertools turns tracing off (outside Lambda, under
``sam local``, or POWERTOOLS_TRACE_DISABLED), it would still import the X-Ray SDK and build
its recorder, which outside Lambda makes a centralized sampler with two botocore clients of
its own: the CLI and the tests paid for X-Ray that never records. There the Tracer gets a
provider that records nothing instead, so the X-Ray SDK is never loaded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

from workforce_reconciler.redaction import known_secrets, scrub

SERVICE = "workforce-reconciler"
NAMESPACE = "WorkforceReconciler"


class _Unrecorded(BaseSegment):
    """A segment nothing is recorded on, as the disabled X-Ray SDK's dummy segments."""

    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class UntracedProvider(BaseProvider):
    """What a disabled Tracer calls: every method does nothing, as with the SDK disabled."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _Unrecorded()

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncIterator[BaseSegment]:
        yield _Unrecorded()

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


def make_tracer() -> Tracer:
    """Powertools' Tracer; on the X-Ray SDK only where Powertools would trace."""
    # Powertools' own rule (Lambda, not sam local / chalice, POWERTOOLS_TRACE_DISABLED unset).
    if Tracer._is_tracer_disabled():
        return Tracer(service=SERVICE, disabled=True, provider=UntracedProvider())
    return Tracer(service=SERVICE)


logger = Logger(service=SERVICE)
tracer = make_tracer()
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# botocore's loggers whose DEBUG lines carry request and response bodies.
BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers")


class _NoBodies(logging.Filter):
    """On botocore's body loggers: their DEBUG records (request and response bodies,
    GetSecretValue's answer among them) never leave, whatever the levels."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def hold_body_logging() -> None:
    """Attach the filter once to each of botocore's body-logging loggers."""
    for name in BODY_LOGGERS:
        body_logger = logging.getLogger(name)
        if not any(isinstance(f, _NoBodies) for f in body_logger.filters):
            body_logger.addFilter(_NoBodies())


def _scrubbing_factory(make: Any) -> Any:
    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made: logging.LogRecord = make(*args, **kwargs)
        secrets = known_secrets()
        if secrets:
            try:
                text = made.getMessage()
            except (TypeError, ValueError):  # a bad format: leave it to logging to report
                return made
            made.msg, made.args = scrub(text, secrets), ()
        return made

    record.scrubs_secrets = True  # type: ignore[attr-defined]
    return record


def scrub_every_log_record() -> None:
    """Install (once per process) a record factory that hides the secrets read so far."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "scrubs_secrets", False):
        logging.setLogRecordFactory(_scrubbing_factory(current))


hold_body_logging()
scrub_every_log_record()
