"""The service errors the emulator answers with, as moto ServiceExceptions.

moto serializes a ServiceException with the operation's error shape, so botocore
surfaces ``code`` as ``e.response["Error"]["Code"]``. Where moto's SageMaker module
already has the class, it is reused.
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException
from moto.sagemaker.exceptions import (
    ConflictException,
    ResourceInUseException,
    ResourceNotFound,
    SagemakerClientError,
    ValidationError,
)

__all__ = [
    "ConflictException",
    "InjectedFault",
    "ResourceInUseException",
    "ResourceLimitExceeded",
    "ResourceNotFound",
    "SerializationException",
    "ValidationError",
]


class ResourceLimitExceeded(SagemakerClientError):
    code = "ResourceLimitExceeded"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class SerializationException(SagemakerClientError):
    code = "SerializationException"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InjectedFault(ServiceException):
    """An error a test asked for; ``status`` is the HTTP status to answer with."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code, message)
        self.status = status
