"""The one Logger, Tracer and Metrics of the service (Powertools), shared by every module.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE (template.yaml); the defaults serve the CLI and tests.

Tracing: in Lambda (``Tracing: Active``) the Tracer is Powertools' own, on the X-Ray SDK,
loaded and patched at init as ever. Where Powertools turns tracing off (outside Lambda, under
``sam local``, or POWERTOOLS_TRACE_DISABLED), it would still import the X-Ray SDK and build
its recorder, which outside Lambda makes a centralized sampler with two botocore clients of
its own: the CLI and the tests paid for X-Ray that never records. There the Tracer gets a
provider that records nothing instead, so the X-Ray SDK is never loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

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
