"""The emulator as an HTTP server: every moto service plus the workforce operations
and the ``/_emulator/*`` test controls.

Console script::

    workforce-emulator [--host 127.0.0.1] [--port PORT] [--config FILE]

The first stdout line, printed once the socket accepts connections, is the endpoint
URL (``http://127.0.0.1:PORT``; ``--port 0`` picks a free port). SIGINT/SIGTERM stop
it cleanly (exit 0); an address that cannot be bound, or a ``--config`` file that cannot
be used, gives one line on stderr and exit 2.

In tests and scripts::

    with running_server() as url:
        boto3.client("sagemaker", endpoint_url=url, ...)

The server is moto's own WSGI application (``DomainDispatcherApplication``) served
by werkzeug's ``make_server`` with moto's request handler, as moto's
``ThreadedMotoServer`` does; the socket is bound here first so a busy port is a
clean error instead of werkzeug's multi-line message and ``sys.exit(1)``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_pascal
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from . import controls
from . import state as st
from .controls import DEFAULT_ACCOUNT_ID, ControlError, UnknownResource

__all__ = ["create_app", "main", "running_server"]

CONTROL_PREFIX = "/_emulator/"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_pascal, populate_by_name=True)


class StatusBody(_Body):
    workforce_name: str
    status: str
    failure_reason: str | None = None
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = "us-east-1"


class LabelingJobBody(_Body):
    workteam_name: str
    labeling_job_name: str
    status: str = "InProgress"
    job_reference_code: str | None = None
    creation_time: float | str | None = None
    label_counters: dict[str, int] | None = None
    number_of_human_workers_per_data_object: int | None = None
    work_requester_account_id: str | None = None
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = "us-east-1"


class FingerprintOfBody(_Body):
    value: str


class FaultBody(_Body):
    operation: str
    error: str | None = None
    message: str | None = None
    count: int = Field(default=1, ge=1)
    delay_ms: int = Field(default=0, ge=0)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _describe_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


class ControlsApp:
    """WSGI middleware: ``/_emulator/*`` here, everything else to moto."""

    def __init__(self, moto_app: Any) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CONTROL_PREFIX):
            return self.moto_app(environ, start_response)  # type: ignore[no-any-return]
        response = self.handle(Request(environ))
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        route = request.path[len(CONTROL_PREFIX) :].strip("/")
        try:
            handler = _ROUTES.get((route, request.method))
            if handler is None:
                return _json(
                    404,
                    {"Message": f"No control {request.method} {request.path}; known: {_known()}."},
                )
            return handler(request)
        except ValidationError as error:
            return _json(
                400, {"Message": f"Invalid body for {request.path}: {_describe_errors(error)}"}
            )
        except UnknownResource as error:
            return _json(404, {"Message": str(error)})
        except ControlError as error:
            return _json(400, {"Message": str(error)})


def _reset(request: Request) -> Response:
    controls.reset()
    return _json(200, {})


def _calls(request: Request) -> Response:
    return _json(200, {"Calls": controls.calls()})


def _clear_calls(request: Request) -> Response:
    controls.clear_calls()
    return _json(200, {})


def _status(request: Request) -> Response:
    status = StatusBody.model_validate_json(request.get_data() or b"{}")
    controls.set_status(
        status.workforce_name,
        status.status,
        status.failure_reason,
        account_id=status.account_id,
        region=status.region,
    )
    return _json(200, {})


def _faults(request: Request) -> Response:
    fault = FaultBody.model_validate_json(request.get_data() or b"{}")
    controls.add_fault(
        fault.operation,
        error=fault.error,
        message=fault.message,
        count=fault.count,
        delay_ms=fault.delay_ms,
    )
    return _json(200, {})


def _config(request: Request) -> Response:
    if request.method == "POST":
        try:
            changes = json.loads(request.get_data() or b"{}")
        except ValueError:
            raise ControlError("The body of /_emulator/config is not valid JSON.") from None
        if not isinstance(changes, dict):
            raise ControlError("The body of /_emulator/config must be a JSON object.")
        with st.LOCK:
            merged = {**st.PROCESS.settings.model_dump(by_alias=True), **changes}
            st.PROCESS.settings = st.EmulatorSettings.model_validate(merged)
    return _json(200, controls.settings().model_dump(by_alias=True))


def _secret_fingerprint(request: Request) -> Response:
    name = request.args.get("WorkforceName")
    if not name:
        raise ControlError(
            "GET /_emulator/secret-fingerprint needs ?WorkforceName=... "
            "(and optionally &AccountId=...&Region=...)."
        )
    found = controls.secret_fingerprint(
        name,
        account_id=request.args.get("AccountId", DEFAULT_ACCOUNT_ID),
        region=request.args.get("Region", "us-east-1"),
    )
    return _json(200, {"WorkforceName": name, "Fingerprint": found})


def _fingerprint_of(request: Request) -> Response:
    body = FingerprintOfBody.model_validate_json(request.get_data() or b"{}")
    return _json(200, {"Fingerprint": controls.fingerprint_of(body.value)})


def _labeling_job(request: Request) -> Response:
    job = LabelingJobBody.model_validate_json(request.get_data() or b"{}")
    summary = controls.add_labeling_job(
        job.workteam_name,
        job.labeling_job_name,
        job.status,
        job_reference_code=job.job_reference_code,
        creation_time=job.creation_time,
        label_counters=job.label_counters,
        workers_per_data_object=job.number_of_human_workers_per_data_object,
        work_requester_account_id=job.work_requester_account_id,
        account_id=job.account_id,
        region=job.region,
    )
    summary["CreationTime"] = summary["CreationTime"].timestamp()
    return _json(200, summary)


# (route under /_emulator/, HTTP method) -> handler; the 404 answer lists them in this order.
_ROUTES: dict[tuple[str, str], Callable[[Request], Response]] = {
    ("reset", "POST"): _reset,
    ("calls", "GET"): _calls,
    ("calls", "DELETE"): _clear_calls,
    ("status", "POST"): _status,
    ("faults", "POST"): _faults,
    ("config", "GET"): _config,
    ("config", "POST"): _config,
    ("secret-fingerprint", "GET"): _secret_fingerprint,
    ("fingerprint-of", "POST"): _fingerprint_of,
    ("labeling-jobs", "POST"): _labeling_job,
}


def _known() -> str:
    methods: dict[str, list[str]] = {}
    for route, method in _ROUTES:
        methods.setdefault(route, []).append(method)
    return ", ".join(f"{'|'.join(verbs)} {route}" for route, verbs in methods.items())


def create_app() -> ControlsApp:
    """moto's server application with the emulator's controls in front."""
    return ControlsApp(DomainDispatcherApplication(create_backend_app))


class _QuietHandler(MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _serve(sock: socket.socket, host: str, quiet: bool) -> BaseWSGIServer:
    handler = _QuietHandler if quiet else MotoRequestHandler
    server = make_server(
        host,
        sock.getsockname()[1],
        create_app(),
        threaded=True,
        request_handler=handler,
        fd=sock.fileno(),
    )
    sock.close()  # werkzeug keeps its own duplicate of the descriptor
    return server


@contextlib.contextmanager
def running_server(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread; yields the endpoint URL; stops on exit.

    Raises ``OSError`` when the address cannot be bound.
    """
    import workforce_emulator  # noqa: F401  (installs the operations)

    server = _serve(_bind(host, port), host, quiet=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="workforce-emulator",
        daemon=True,
    )
    thread.start()
    try:
        yield _url(host, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="workforce-emulator",
        description="moto's services plus SageMaker workforces and work teams, over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=5000, help="port to listen on (0 picks a free one)"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="JSON file of the assumption settings, PascalCase as POST /_emulator/config "
        "takes them (the rest keep their defaults); reset returns to them",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)

    import workforce_emulator  # noqa: F401  (installs the operations)

    if args.config is not None:
        try:
            controls.load_config(args.config, keep_on_reset=True)
        except ControlError as error:
            print(f"workforce-emulator: --config {error}", file=sys.stderr, flush=True)
            return 2

    try:
        sock = _bind(args.host, args.port)
    except (OSError, OverflowError) as error:
        errno = getattr(error, "errno", None)
        reason = os.strerror(errno) if isinstance(errno, int) and errno > 0 else str(error)
        print(
            f"workforce-emulator: cannot listen on {args.host}:{args.port}: {reason}",
            file=sys.stderr,
            flush=True,
        )
        return 2
    server = _serve(sock, args.host, quiet=False)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="workforce-emulator",
        daemon=True,
    )
    thread.start()
    print(_url(args.host, server.server_address[1]), flush=True)
    stop.wait()  # a signal interrupts the wait; the handler sets the event
    server.shutdown()
    server.server_close()
    thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
