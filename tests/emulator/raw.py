"""Send a hand-made JSON body to the in-process emulator (types no SDK would send)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


def send_raw(client: Any, method: str, body: Any) -> dict[str, str] | None:
    """Call ``client.<method>()`` with ``body`` as the JSON sent; None or the error."""
    operation = client.meta.method_to_api_mapping[method]
    event = f"before-sign.sagemaker.{operation}"

    def replace_body(request: Any, **_: Any) -> None:
        request.data = json.dumps(body).encode()

    client.meta.events.register(event, replace_body)
    try:
        getattr(client, method)()
    except ClientError as error:
        info = error.response["Error"]
        return {"Code": info["Code"], "Message": info["Message"]}
    finally:
        client.meta.events.unregister(event, replace_body)
    return None
