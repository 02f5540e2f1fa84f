"""The engine's own exceptions. Adapters translate botocore ClientErrors into these."""

from __future__ import annotations


class ReconcilerError(Exception):
    """Base class. ``str(exc)`` is always safe to show a person: no secret, no traceback."""


class TransientError(ReconcilerError):
    """Worth retrying later (throttling that outlived botocore's retries, 5xx, timeouts)."""

    def __init__(self, message: str, code: str = "TransientError") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AwsError(ReconcilerError):
    """An AWS call failed with a code; ``code`` and ``message`` come from the service."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message


class NotFoundError(AwsError):
    """The resource does not exist (ResourceNotFound, ValidationException 'not found')."""


class ConflictError(AwsError):
    """The service refused because of the resource's state (ConflictException)."""


class SecretUnavailableError(ReconcilerError):
    """The OIDC client secret reference cannot be read, or holds what SageMaker refuses."""

    def __init__(self, message: str, *, reference: str | None = None) -> None:
        super().__init__(message)
        self.reference = reference  # where the secret lives (its display), never the value
