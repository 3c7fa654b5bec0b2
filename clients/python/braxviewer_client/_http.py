"""Small JSON-over-HTTP helpers on the standard library."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional, Tuple

from ._endpoints import Endpoints
from .errors import AccessDenied, BraxViewerError


def request(endpoints: Endpoints, method: str, path: str, body: Optional[bytes] = None,
            timeout: float = 10.0, query: str = "") -> Tuple[int, Any]:
    """Sends one request; returns (status, parsed JSON body or None). Raises AccessDenied on 401/403."""
    url = endpoints.http(path)
    if query:
        url += ("&" if "?" in url else "?") + query
    headers = dict(endpoints.headers())
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, _parse(response.read())
    except urllib.error.HTTPError as error:
        payload = _parse(error.read())
        message = payload.get("message") if isinstance(payload, dict) else None
        if error.code in (401, 403):
            raise AccessDenied(error.code, url, message) from None
        return error.code, payload


def error_message(payload: Any) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return payload["message"]
    return "no reason given"


def _parse(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def get_rendering(endpoints: Endpoints, timeout: float = 5.0) -> bool:
    """``GET /api/rendering_status``: whether rendering is on for the run."""
    status, payload = request(endpoints, "GET", "/api/rendering_status", timeout=timeout)
    if status != 200 or not isinstance(payload, dict) or not isinstance(payload.get("rendering_enabled"), bool):
        raise BraxViewerError(f"GET /api/rendering_status answered {status}: {error_message(payload)}")
    return payload["rendering_enabled"]


def set_rendering(endpoints: Endpoints, enabled: bool, timeout: float = 5.0) -> bool:
    """``POST /api/rendering_status``: turns rendering on or off for every client of the run."""
    body = json.dumps({"rendering_enabled": bool(enabled)}).encode()
    status, payload = request(endpoints, "POST", "/api/rendering_status", body, timeout=timeout)
    if status != 200 or not isinstance(payload, dict):
        raise BraxViewerError(f"POST /api/rendering_status answered {status}: {error_message(payload)}")
    return bool(payload.get("rendering_enabled"))
