"""A SageMaker client that calls the emulator's operations in this process, with no
botocore serialization and no moto HTTP layer in between: about fifty times faster per call.

The engine tests run on it when ``WORKFORCE_TESTS_SAGEMAKER=direct`` (``make mutation``
sets it: each mutant runs the engine's tests again, and botocore's ~5 ms a call was most
of that time). ``make test`` runs them over botocore and moto as before, and
``tests/engine/test_direct_client.py`` checks that the two answer alike.

What a call meets is the emulator's own: the call log, injected faults, validation
against botocore's model (``workforce_emulator._install.admit``), the operations and the
tag operations moto serves with the emulator's resource lookup. Errors arrive as
``ClientError`` with the code, message and HTTP status the wire would carry, and are
retried as botocore's ``standard`` mode retries them (its own checkers, ``translate``'s
``is_transient``), up to ``max_attempts``, without sleeping. Pagination is botocore's own
``Paginator`` over the service's paginator model.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.paginate import Paginator
from moto.core.exceptions import ServiceException
from moto.sagemaker.models import sagemaker_backends

from workforce_emulator import _install, _operations
from workforce_emulator import state as st
from workforce_emulator.errors import InjectedFault
from workforce_reconciler.adapters.translate import is_transient

ACCOUNT = "123456789012"


@cache
def _service() -> tuple[Any, Any]:
    session = botocore.session.get_session()
    return session.get_service_model("sagemaker"), session.get_paginator_model("sagemaker")


@cache
def _operation_names() -> dict[str, str]:
    """``create_workforce`` -> ``CreateWorkforce``, for the operations served here."""
    served = [*_operations.OPERATIONS, *_install.TAG_OPERATIONS]
    return {xform_name(name): name for name in served}


class _Meta:
    def __init__(self, region: str) -> None:
        self.region_name = region


class DirectSageMaker:
    """The subset of a boto3 SageMaker client the engine and its tests use."""

    def __init__(self, region: str = "us-east-1", *, max_attempts: int = 2) -> None:
        self.meta = _Meta(region)
        self._max_attempts = max_attempts

    def __getattr__(self, name: str) -> Any:
        operation = _operation_names().get(name)
        if operation is None:
            raise AttributeError(name)

        def method(**params: Any) -> dict[str, Any]:
            return self._call(operation, params)

        return method

    def get_paginator(self, name: str) -> Paginator[dict[str, Any]]:
        model, paginators = _service()
        operation = _operation_names()[name]
        config = paginators.get_paginator(operation)
        return Paginator(getattr(self, name), config, model.operation_model(operation))

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        # As on the wire: the request is a copy (JSON, as botocore would serialize it).
        params = json.loads(json.dumps(params))
        for attempt in range(1, self._max_attempts + 1):
            try:
                return self._attempt(operation, params)
            except ClientError as error:
                if attempt == self._max_attempts or not is_transient(error):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        region = self.meta.region_name
        try:
            _install.admit(operation, params, region)
            result = self._serve(operation, params, region)
        except ServiceException as error:
            status = error.status if isinstance(error, InjectedFault) else 400
            response: Any = {
                "Error": {"Code": error.code, "Message": error.message},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
            raise ClientError(response, operation) from None
        answer = copy.deepcopy(result)
        answer["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return answer

    @staticmethod
    def _serve(operation: str, params: dict[str, Any], region: str) -> dict[str, Any]:
        if operation in _operations.OPERATIONS:
            with st.LOCK:
                return _operations.OPERATIONS[operation](st.region_state(ACCOUNT, region), params)
        backend = sagemaker_backends[ACCOUNT][region]
        arn = params["ResourceArn"]
        if operation == "AddTags":
            return {"Tags": list(backend.add_tags(arn, params["Tags"]))}
        if operation == "DeleteTags":
            backend.delete_tags(arn, params["TagKeys"])
            return {}
        tags, token = backend.list_tags(
            arn=arn, MaxResults=params.get("MaxResults"), NextToken=params.get("NextToken")
        )
        return {"Tags": list(tags), **({"NextToken": token} if token else {})}
