"""Watching a run's frames from a script: ``async for frame in viewer(url, run=...)``."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, AsyncIterator, Optional, Tuple

from . import _ws
from ._backoff import Backoff
from ._endpoints import Endpoints
from .errors import AccessDenied

log = logging.getLogger("braxviewer_client")


async def viewer(url: Optional[str] = None, *, run: Optional[str] = None, key: Optional[str] = None,
                 raw: bool = False, reconnect: bool = True,
                 reconnect_delay: Tuple[float, float] = (0.25, 5.0)) -> AsyncIterator[Any]:
    """Yields every frame of the run as it arrives: a dict, or the JSON text as sent when ``raw``.

    A viewer gets the frames sent after it connects. When the connection is lost it reconnects
    (unless ``reconnect`` is False), with a doubling, jittered delay; frames sent meanwhile are
    missed. ``key`` defaults to ``BRAX_VIEWER_KEY``; a refused key raises :class:`AccessDenied`.
    Leaving the ``async for`` closes the connection.
    """
    endpoints = Endpoints(url, run, key)
    uri = endpoints.websocket("/ws/frame")
    backoff = Backoff(reconnect_delay)
    while True:
        try:
            ws = await _ws.connect(uri, endpoints.headers(), open_timeout=10)
        except Exception as error:
            status = _ws.refused_status(error)
            if status in (401, 403):
                raise AccessDenied(status, uri) from None
            if not reconnect:
                raise
            await asyncio.sleep(backoff.next_delay())
            continue
        backoff.reset()
        try:
            async for message in ws:
                yield message if raw else json.loads(message)
        except _ws.ConnectionClosed as closed:
            if not reconnect:
                return
            log.warning("Lost the viewer connection to %s (%s); reconnecting.", uri, closed)
        finally:
            try:
                await asyncio.wait_for(ws.close(), 1.0)
            except BaseException:
                pass
        if not reconnect:
            return
        await asyncio.sleep(backoff.next_delay())
