"""Frames: building them from dicts, lists, numpy or JAX arrays and Brax states, and encoding them.

A frame is ``{"x": {"pos": [[x, y, z], ...], "rot": [[w, x, y, z], ...]}}`` with one entry per body,
optionally with ``"env_id": k`` (the environment of a batched scene) and any other members, which the
server passes through untouched. Arrays are recognised by their ``tolist()`` method, so numpy and JAX
arrays (and their scalars) work without this package importing either.

Non-finite numbers (``NaN``, ``Infinity``) have no JSON form, and the server refuses frames that
hold them. The rule here: a frame whose pose (``x.pos`` or ``x.rot``) holds one is dropped, since no
body can be drawn there; anywhere else (``reward``, ``q``, ...) the number becomes ``null``, as
JavaScript's ``JSON.stringify`` writes it. Either way one warning is logged, the first time.
"""
from __future__ import annotations

import json
import logging
import math
import re
from typing import Any, Iterable, List, Optional, Sequence, Tuple

log = logging.getLogger("braxviewer_client")

_ENV_ID = re.compile(r'"env_id"\s*:\s*(-?\d+)')


def make_frame(pos: Any, rot: Any, env_id: Optional[int] = None, **extra: Any) -> dict:
    """A frame from body positions ``[[x, y, z], ...]`` and rotations ``[[w, x, y, z], ...]``.

    ``pos`` and ``rot`` may be lists, tuples, or numpy / JAX arrays; ``extra`` members are added
    to the frame unchanged (after arrays are turned into lists).
    """
    frame = {"x": {"pos": to_plain(pos), "rot": to_plain(rot)}}
    if env_id is not None:
        frame["env_id"] = int(env_id)
    for name, value in extra.items():
        frame[name] = to_plain(value)
    return frame


def frame_from_state(state: Any, env_id: Optional[int] = None, offset: Optional[Sequence[float]] = None) -> dict:
    """A frame from a Brax state, read duck-typed: ``state.pipeline_state.x``, ``state.x`` or a transform.

    For a batched state (``pos`` of shape ``[envs, bodies, 3]``) ``env_id`` picks the environment and
    tags the frame with it; ``offset`` (``[dx, dy, dz]``) moves every body, as a batched scene lays
    its environments out on a grid.
    """
    pos, rot = _pose_lists(state)
    if _depth(pos) == 3:
        if env_id is None:
            raise ValueError("the state is batched (pos has shape [envs, bodies, 3]): pass env_id, or use frames_from_state")
        pos, rot = pos[env_id], rot[env_id]
    elif _depth(pos) != 2:
        raise ValueError("state.x.pos must have shape [bodies, 3] or [envs, bodies, 3]")
    return make_frame(_moved(pos, offset), rot, env_id)


def frames_from_state(state: Any, offsets: Optional[Any] = None) -> List[dict]:
    """One frame per environment of a batched Brax state, tagged ``env_id`` 0, 1, ...

    ``offsets`` is a list of ``[dx, dy, dz]`` (one per environment) or a function of the environment
    index returning one. A state that is not batched gives one frame without ``env_id``.
    """
    pos, rot = _pose_lists(state)
    if _depth(pos) == 2:
        return [make_frame(_moved(pos, _offset(offsets, 0)), rot)]
    if _depth(pos) != 3:
        raise ValueError("state.x.pos must have shape [bodies, 3] or [envs, bodies, 3]")
    return [make_frame(_moved(p, _offset(offsets, i)), r, i) for i, (p, r) in enumerate(zip(pos, rot))]


def to_plain(value: Any) -> Any:
    """``value`` with every array (anything with ``tolist()``) and tuple turned into lists, recursively."""
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    return value


class FrameEncoder:
    """Encodes frames as compact JSON text, applying the non-finite rule once per encoder."""

    def __init__(self, logger: Optional[logging.Logger] = None):
        self._log = logger or log
        self._warned = False
        self.dropped_non_finite = 0
        self.nulled_non_finite = 0

    def encode(self, frame: Any) -> Optional[str]:
        """The frame's JSON text, or None when it is dropped (a non-finite number in its pose)."""
        if isinstance(frame, (bytes, bytearray)):
            frame = bytes(frame).decode("utf-8")
        if isinstance(frame, str):
            if "NaN" not in frame and "Infinity" not in frame:
                return frame
            frame = json.loads(frame)  # Python reads NaN and Infinity, then the rule below applies.
        try:
            return json.dumps(frame, allow_nan=False, default=_tolist, separators=(",", ":"))
        except ValueError:
            pass
        plain = to_plain(frame)
        x = plain.get("x") if isinstance(plain, dict) else None
        if isinstance(x, dict) and (_has_non_finite(x.get("pos")) or _has_non_finite(x.get("rot"))):
            self.dropped_non_finite += 1
            self._warn_once()
            return None
        self.nulled_non_finite += 1
        self._warn_once()
        return json.dumps(_null_non_finite(plain), allow_nan=False, separators=(",", ":"))

    def _warn_once(self) -> None:
        if not self._warned:
            self._warned = True
            self._log.warning(
                "A frame holds NaN or Infinity, which JSON cannot carry: frames with one in x.pos or x.rot "
                "are dropped, and elsewhere it is sent as null. This is reported once.")


def env_id_of(frame: Any) -> Optional[int]:
    """The frame's ``env_id`` (an integer), or None; reads JSON text without parsing all of it."""
    if isinstance(frame, dict):
        value = frame.get("env_id")
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        tolist = getattr(value, "tolist", None)  # a numpy or JAX integer scalar
        if callable(tolist):
            value = tolist()
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        return None
    if isinstance(frame, (bytes, bytearray)):
        frame = bytes(frame).decode("utf-8", "replace")
    if isinstance(frame, str):
        match = _ENV_ID.search(frame)
        return int(match.group(1)) if match else None
    return None


def looks_like_state(value: Any) -> bool:
    """Whether ``value`` is a Brax state or transform rather than a frame."""
    return not isinstance(value, (dict, str, bytes, bytearray)) and _transform(value) is not None


def _tolist(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a frame")


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    return False


def _null_non_finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _null_non_finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_null_non_finite(v) for v in value]
    return value


def _transform(state: Any) -> Any:
    for candidate in (getattr(getattr(state, "pipeline_state", None), "x", None), getattr(state, "x", None), state):
        if candidate is not None and hasattr(candidate, "pos") and hasattr(candidate, "rot"):
            return candidate
    return None


def _pose_lists(state: Any) -> Tuple[list, list]:
    transform = _transform(state)
    if transform is None:
        raise TypeError("expected a Brax state: an object with pipeline_state.x.pos/rot, x.pos/rot, or pos/rot")
    return to_plain(transform.pos), to_plain(transform.rot)


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        if not value:
            return depth + 1 if depth == 1 else depth
        value = value[0]
    return depth


def _moved(pos: List[List[float]], offset: Optional[Sequence[float]]) -> List[List[float]]:
    if offset is None:
        return pos
    dx, dy, dz = (float(v) for v in to_plain(offset))
    return [[p[0] + dx, p[1] + dy, p[2] + dz] for p in pos]


def _offset(offsets: Any, index: int) -> Optional[Sequence[float]]:
    if offsets is None:
        return None
    if callable(offsets):
        return offsets(index)
    return to_plain(offsets)[index]


def iter_frames_jsonl(lines: Iterable[str]) -> Iterable[str]:
    """The non-empty lines of a JSONL frame stream, without their line ends."""
    for line in lines:
        line = line.strip()
        if line:
            yield line
