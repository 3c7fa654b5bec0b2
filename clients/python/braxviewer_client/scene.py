"""Uploading a Brax scene (``PUT /api/system``)."""
from __future__ import annotations

import json
import os
from typing import Any, Optional, Union

from . import _http
from ._endpoints import Endpoints
from .errors import BraxViewerError, SceneRejected
from .frames import _tolist

Scene = Union[str, bytes, dict, "os.PathLike[str]"]


def scene_bytes(scene: Any) -> bytes:
    """The scene as JSON bytes: from the text ``brax.io.json.dumps`` returns, bytes, a dict, or a file path.

    A string whose first non-blank character is ``{`` is JSON text; any other string is a path.
    """
    if isinstance(scene, (bytes, bytearray)):
        return bytes(scene)
    if isinstance(scene, str) and scene.lstrip().startswith("{"):
        return scene.encode("utf-8")
    if isinstance(scene, (str, os.PathLike)):
        with open(scene, "rb") as file:
            return file.read()
    if isinstance(scene, dict):
        try:
            return json.dumps(scene, allow_nan=False, default=_tolist).encode("utf-8")
        except ValueError as error:
            raise ValueError("the scene holds NaN or Infinity, which JSON cannot carry") from error
    raise TypeError(f"a scene is JSON text, bytes, a dict or a path, not {type(scene).__name__}")


def upload_scene(url: Optional[str], scene: Scene, *, run: Optional[str] = None, key: Optional[str] = None,
                 num_envs: Optional[int] = None, timeout: float = 30.0) -> None:
    """Stores ``scene`` as the run's scene; every page of the run redraws it.

    ``url`` is the server (``http://127.0.0.1:8000`` when None); ``key`` defaults to the environment
    variable ``BRAX_VIEWER_KEY`` and must be the streamer key when the server has one. ``num_envs``
    names the environment count of a batched scene. Raises :class:`AccessDenied` on 401/403 and
    :class:`SceneRejected` when the server refuses the scene.
    """
    put_scene(Endpoints(url, run, key), scene, num_envs=num_envs, timeout=timeout)


def put_scene(endpoints: Endpoints, scene: Scene, num_envs: Optional[int] = None, timeout: float = 30.0) -> None:
    body = scene_bytes(scene)
    query = f"num_envs={int(num_envs)}" if num_envs is not None else ""
    status, payload = _http.request(endpoints, "PUT", "/api/system", body, timeout=timeout, query=query)
    if status in (400, 413, 415):
        raise SceneRejected(status, _http.error_message(payload))
    if status not in (200, 204):
        raise BraxViewerError(f"PUT /api/system answered {status}: {_http.error_message(payload)}")
