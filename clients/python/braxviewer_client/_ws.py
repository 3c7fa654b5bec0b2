"""The websockets library, whichever version is installed (10 and later)."""
from __future__ import annotations

from typing import Any, Dict, Optional

import websockets
import websockets.exceptions

try:  # websockets 13 and later: the new asyncio implementation takes additional_headers.
    from websockets.asyncio.client import connect as _connect  # type: ignore

    _HEADERS_ARGUMENT = "additional_headers"
except ImportError:  # websockets 10 to 12 (Debian 12 ships 10.4).
    from websockets.legacy.client import connect as _connect  # type: ignore

    _HEADERS_ARGUMENT = "extra_headers"

ConnectionClosed = websockets.exceptions.ConnectionClosed

# Larger than the server's largest frame (Viewer:MaxFrameBytes, 16 MiB).
MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def connect(uri: str, headers: Dict[str, str], open_timeout: float = 10.0, **options: Any) -> Any:
    """``websockets.connect`` with headers, no compression and a size limit above the server's."""
    kwargs: Dict[str, Any] = {
        _HEADERS_ARGUMENT: headers or None,
        "open_timeout": open_timeout,
        "max_size": MAX_MESSAGE_BYTES,
        "compression": None,
    }
    kwargs.update(options)
    return _connect(uri, **kwargs)


def refused_status(error: BaseException) -> Optional[int]:
    """The HTTP status of a refused opening handshake, or None for any other failure."""
    status = getattr(error, "status_code", None)  # InvalidStatusCode (10 to 13)
    if status is None:
        response = getattr(error, "response", None)  # InvalidStatus (13 and later)
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None
