"""Python client of Brax Viewer Hub: stream frames from a training loop, follow the render toggle,
upload scenes, and watch a run from a script.

    from braxviewer_client import Streamer
    streamer = Streamer("http://127.0.0.1:8000", run="cartpole", scene=brax_json)
    streamer.send(state)        # a Brax state, a dict or JSON text; never blocks

Standard library plus ``websockets`` (10 or later) only; numpy and JAX arrays are read through
their ``tolist()`` without importing either.
"""
from .errors import AccessDenied, BraxViewerError, SceneRejected
from .frames import FrameEncoder, frame_from_state, frames_from_state, make_frame
from .scene import upload_scene
from .streamer import Streamer
from .viewer import viewer
from ._endpoints import KEY_VARIABLE
from ._http import get_rendering as _get_rendering, set_rendering as _set_rendering
from ._endpoints import Endpoints as _Endpoints

__version__ = "0.1.0"

__all__ = [
    "AccessDenied",
    "BraxViewerError",
    "FrameEncoder",
    "KEY_VARIABLE",
    "SceneRejected",
    "Streamer",
    "frame_from_state",
    "frames_from_state",
    "get_rendering",
    "make_frame",
    "set_rendering",
    "upload_scene",
    "viewer",
]


def get_rendering(url=None, *, run=None, key=None, timeout=5.0) -> bool:
    """Whether rendering is on for the run (``GET /api/rendering_status``)."""
    return _get_rendering(_Endpoints(url, run, key), timeout)


def set_rendering(url=None, enabled=True, *, run=None, key=None, timeout=5.0) -> bool:
    """Turns rendering on or off for every client of the run (``POST /api/rendering_status``)."""
    return _set_rendering(_Endpoints(url, run, key), enabled, timeout)
