"""Errors raised by the client."""
from __future__ import annotations

from typing import Optional


class BraxViewerError(Exception):
    """Base class of the errors this package raises."""


class AccessDenied(BraxViewerError):
    """The server refused the request for want of the right access key (HTTP 401 or 403).

    ``status`` is 401 when no key or a wrong key was sent, 403 when the key is valid but does not
    allow the action (a viewer key used to stream, toggle rendering or upload a scene).
    """

    def __init__(self, status: int, url: str, server_message: Optional[str] = None):
        self.status = status
        self.url = url
        self.server_message = server_message
        super().__init__(_describe(status, url, server_message))


class SceneRejected(BraxViewerError):
    """``PUT /api/system`` refused the scene (400 or 413); ``message`` is the server's reason."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(f"the server refused the scene ({status}): {message}")


def _describe(status: int, url: str, server_message: Optional[str]) -> str:
    said = f" The server said: {server_message}." if server_message else ""
    if status == 401:
        return (
            f"401 Unauthorized from {url}: the server needs an access key, and none or a wrong one was sent."
            f"{said} Pass key=... or set the BRAX_VIEWER_KEY environment variable."
        )
    if status == 403:
        return (
            f"403 Forbidden from {url}: the access key is valid but does not allow this; streaming, toggling "
            f"rendering and uploading scenes need the streamer key (Viewer:StreamerKey).{said} "
            "Pass key=... or set the BRAX_VIEWER_KEY environment variable."
        )
    return f"{status} from {url}.{said}"
