"""The streamer: frames from a training loop to the server, without ever blocking the loop."""
from __future__ import annotations

import asyncio
import collections
import json
import logging
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

from . import _http, _ws
from ._backoff import Backoff
from ._endpoints import Endpoints
from .errors import AccessDenied
from .frames import FrameEncoder, env_id_of, frame_from_state, frames_from_state, looks_like_state
from .scene import Scene, put_scene, scene_bytes

log = logging.getLogger("braxviewer_client")

_Key = Optional[int]


class Streamer:
    """Streams frames to ``/ws/frame`` from a background thread and follows the run's render toggle.

    ``send()`` may be called from any thread and never waits for the network: it turns the frame into
    JSON and leaves it for the sender thread, which runs an asyncio loop. Waiting frames are kept per
    environment (``env_id``; frames without one are one environment): a newer frame of an environment
    replaces its waiting one in place, so a slow link skips frames but every environment's newest
    frame is sent, in turn, and none is starved. The connection is re-established after any loss,
    with a delay that doubles from ``reconnect_delay[0]`` to ``reconnect_delay[1]`` seconds, with
    jitter; waiting frames are kept meanwhile. After a reconnect the scene given as ``scene`` is
    uploaded again if the server no longer has one (a restarted server).

    ``rendering_enabled`` follows the toggle pushed on ``/ws/control`` (no polling); while that
    socket cannot be reached, ``GET /api/rendering_status`` is asked every ``poll_interval`` seconds
    instead. ``viewer_count`` is the number of viewers of the run when the server sends it
    (``{"type":"viewer_count","count":N}``), else None. Callbacks run on the sender thread.

    ``key`` (default: the environment variable ``BRAX_VIEWER_KEY``) must be the streamer key when
    the server has keys; a refused key raises :class:`AccessDenied` from the constructor, or from
    ``send()`` if it is refused later.

    Arguments: ``url`` the server (``http://127.0.0.1:8000``); ``run`` the run (``default``);
    ``scene`` and ``num_envs`` a scene to upload first (see :func:`upload_scene`); ``control``
    whether to follow the toggle at all; ``max_rate`` at most this many frames a second on the wire
    (None: as fast as the link takes them); ``connect_timeout`` how long the constructor waits for
    the first connection attempts (the streamer keeps trying in the background after it);
    ``reconnect_delay`` (minimum, maximum) seconds between attempts; ``poll_interval`` seconds
    between HTTP polls while the control socket is out of reach; ``max_pending_envs`` how many
    environments may have a frame waiting (beyond it the longest-waiting one is dropped).
    """

    # The control endpoint; a test points it elsewhere to show the HTTP fallback.
    _control_path = "/ws/control"

    def __init__(self, url: Optional[str] = None, *, run: Optional[str] = None, key: Optional[str] = None,
                 scene: Optional[Scene] = None, num_envs: Optional[int] = None, control: bool = True,
                 max_rate: Optional[float] = None,
                 on_rendering_changed: Optional[Callable[[bool], Any]] = None,
                 on_viewer_count: Optional[Callable[[int], Any]] = None,
                 on_scene_changed: Optional[Callable[[], Any]] = None,
                 connect_timeout: float = 5.0, reconnect_delay: Tuple[float, float] = (0.25, 5.0),
                 poll_interval: float = 1.0, max_pending_envs: int = 4096):
        self._endpoints = Endpoints(url, run, key)
        self._scene = scene_bytes(scene) if scene is not None else None
        self._num_envs = num_envs
        self._control_enabled = control
        self._interval = 1.0 / max_rate if max_rate else 0.0
        self.on_rendering_changed = on_rendering_changed
        self.on_viewer_count = on_viewer_count
        self.on_scene_changed = on_scene_changed
        self._reconnect_delay = reconnect_delay
        Backoff(reconnect_delay)  # validates
        self._poll_interval = poll_interval
        self._max_pending = max_pending_envs
        self._encoder = FrameEncoder(log)

        self._lock = threading.Lock()
        self._pending: "collections.OrderedDict[_Key, str]" = collections.OrderedDict()
        self._in_flight: Optional[Tuple[_Key, str]] = None
        self._rendering_enabled = True
        self._viewer_count: Optional[int] = None
        self._error: Optional[BaseException] = None
        self._closed = False
        self._counters: Dict[str, int] = collections.Counter()
        self._connected = threading.Event()
        self._control_connected = threading.Event()
        self._first_frame_attempt = threading.Event()
        self._first_control_state = threading.Event()
        self._ready = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._constructed = False

        # Uploaded on the first connection when the server cannot be reached yet; a refusal raises here.
        self._upload_on_connect = False
        if self._scene is not None:
            try:
                put_scene(self._endpoints, self._scene, num_envs, timeout=max(connect_timeout, 10.0))
            except OSError as error:  # urllib's URLError included: nothing answers yet
                log.warning("Cannot reach %s to upload the scene (%s); it is uploaded once the server answers.", self.url, error)
                self._upload_on_connect = True

        self._thread = threading.Thread(target=self._run_thread, name="braxviewer-streamer", daemon=True)
        self._thread.start()
        self._ready.wait()
        self._first_frame_attempt.wait(connect_timeout)
        if control:
            self._first_control_state.wait(connect_timeout)
        if self._error is not None:
            self.close(timeout=0)
            raise self._error
        self._constructed = True

    # ----- what the training loop uses -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's address."""
        return self._endpoints.base_url

    @property
    def run(self) -> str:
        """The run frames go to."""
        return self._endpoints.run or "default"

    @property
    def rendering_enabled(self) -> bool:
        """Whether rendering is on for the run, as last pushed by the server (True until told otherwise)."""
        return self._rendering_enabled

    @property
    def viewer_count(self) -> Optional[int]:
        """Viewers of the run, when the server sends the count; None until it does."""
        return self._viewer_count

    @property
    def should_render(self) -> bool:
        """Rendering is on and someone may be watching (``viewer_count`` is unknown or above zero)."""
        count = self._viewer_count
        return self._rendering_enabled and (count is None or count > 0)

    @property
    def connected(self) -> bool:
        """Whether the frame socket is open now."""
        return self._connected.is_set()

    @property
    def control_connected(self) -> bool:
        """Whether the control socket is open now (else the toggle is polled over HTTP)."""
        return self._control_connected.is_set()

    def wait_connected(self, timeout: Optional[float] = None) -> bool:
        """Waits until the frame socket is open; False after ``timeout`` seconds."""
        return self._connected.wait(timeout)

    def send(self, frame: Any, env_id: Optional[int] = None) -> bool:
        """Queues a frame and returns at once; True if it was queued.

        ``frame`` is a dict (arrays inside are fine), JSON text, or a Brax state (see
        :func:`frame_from_state`; a batched state sends one frame per environment). Nothing is queued
        while rendering is off, or for a frame dropped for a non-finite pose (see :mod:`frames`).
        """
        if self._error is not None:
            raise self._error
        if self._closed:
            raise RuntimeError("the streamer is closed")
        if not self._rendering_enabled:
            self._count("frames_skipped_rendering_off")
            return False
        if looks_like_state(frame):
            return self.send_state(frame, env_id)
        if env_id is not None and isinstance(frame, dict) and "env_id" not in frame:
            frame = dict(frame, env_id=int(env_id))
        key = env_id if env_id is not None else env_id_of(frame)
        text = self._encoder.encode(frame)
        if text is None:
            return False
        self._offer(key, text)
        return True

    def send_state(self, state: Any, env_id: Optional[int] = None, offsets: Any = None) -> bool:
        """Sends a Brax state: one frame, or one per environment of a batched state (``env_id`` None)."""
        if not self._rendering_enabled:
            self._count("frames_skipped_rendering_off")
            return False
        if env_id is not None:
            offset = offsets(env_id) if callable(offsets) else (offsets[env_id] if offsets is not None else None)
            frames = [frame_from_state(state, env_id, offset)]
        else:
            frames = frames_from_state(state, offsets)
        queued = False
        for frame in frames:
            text = self._encoder.encode(frame)
            if text is not None:
                self._offer(frame.get("env_id"), text)
                queued = True
        return queued

    def set_rendering(self, enabled: bool, timeout: float = 5.0) -> None:
        """Turns rendering on or off for every client of the run (``POST /api/rendering_status``).

        Needs the streamer key when the server has keys; raises :class:`AccessDenied` otherwise.
        """
        value = _http.set_rendering(self._endpoints, enabled, timeout)
        self._call_on_loop(self._apply_rendering, value)

    def upload_scene(self, scene: Scene, num_envs: Optional[int] = None, timeout: float = 30.0) -> None:
        """Stores a new scene for the run (and uploads it again after a server restart)."""
        body = scene_bytes(scene)
        put_scene(self._endpoints, body, num_envs, timeout)
        self._scene, self._num_envs = body, num_envs

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until every queued frame has been sent; False if that took longer than ``timeout``."""
        loop = self._loop
        if loop is None or loop.is_closed() or not self._thread.is_alive():
            return self._idle()
        future = asyncio.run_coroutine_threadsafe(self._drained(), loop)
        try:
            return future.result(timeout)
        except Exception:  # concurrent.futures.TimeoutError, or the loop ended
            future.cancel()
            return False

    def stats(self) -> Dict[str, int]:
        """Counters: frames_sent, frames_coalesced, frames_dropped_non_finite, frames_nulled_non_finite,
        frames_skipped_rendering_off, frames_dropped_overflow, connections, pending."""
        with self._lock:
            counters = dict(self._counters)
            counters["pending"] = len(self._pending)
        counters["frames_dropped_non_finite"] = self._encoder.dropped_non_finite
        counters["frames_nulled_non_finite"] = self._encoder.nulled_non_finite
        for name in ("frames_sent", "frames_coalesced", "frames_skipped_rendering_off", "frames_dropped_overflow", "connections"):
            counters.setdefault(name, 0)
        return counters

    def close(self, timeout: float = 2.0) -> None:
        """Sends what is queued (for up to ``timeout`` seconds), then closes both sockets."""
        if self._closed:
            return
        if timeout > 0 and self._error is None:
            self.flush(timeout)
        self._closed = True
        self._call_on_loop(lambda: self._stop.set())
        self._thread.join(max(timeout, 1.0) + 1.0)

    def __enter__(self) -> "Streamer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ----- the queue -------------------------------------------------------------------------------

    def _offer(self, key: _Key, text: str) -> None:
        with self._lock:
            was_empty = not self._pending
            if key in self._pending:
                self._pending[key] = text  # replaced in place: the environment keeps its turn
                self._counters["frames_coalesced"] += 1
            else:
                if len(self._pending) >= self._max_pending:
                    self._pending.popitem(last=False)
                    self._counters["frames_dropped_overflow"] += 1
                self._pending[key] = text
        if was_empty:
            self._call_on_loop(self._wake_set)

    def _requeue(self, key: _Key, text: str) -> None:
        """Puts back a frame whose send failed, first in line, unless a newer one of its environment waits."""
        with self._lock:
            if key not in self._pending:
                self._pending[key] = text
                self._pending.move_to_end(key, last=False)

    def _wake_set(self) -> None:
        self._wake.set()

    async def _next(self) -> Tuple[_Key, str]:
        while True:
            self._wake.clear()
            with self._lock:
                if self._pending:
                    return self._pending.popitem(last=False)
            await self._wake.wait()

    def _idle(self) -> bool:
        with self._lock:
            return not self._pending and self._in_flight is None

    async def _drained(self) -> bool:
        while True:
            self._sent.clear()
            if self._idle():
                return True
            await self._sent.wait()

    def _count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counters[name] += amount

    # ----- the sender thread -----------------------------------------------------------------------

    def _call_on_loop(self, callback: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass  # the loop has ended: the streamer is closed

    def _run_thread(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main(loop))
            _finish_tasks(loop)
        finally:
            self._connected.clear()
            self._control_connected.clear()
            self._first_frame_attempt.set()
            self._first_control_state.set()
            loop.close()

    async def _main(self, loop: asyncio.AbstractEventLoop) -> None:
        self._wake = asyncio.Event()
        self._sent = asyncio.Event()
        self._stop = asyncio.Event()
        self._loop = loop
        self._ready.set()
        tasks = [asyncio.ensure_future(self._frame_loop())]
        if self._control_enabled:
            tasks.append(asyncio.ensure_future(self._control_loop()))
        else:
            self._first_control_state.set()
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
            if self._constructed:
                log.error("%s", error)  # else the constructor raises it
        self._first_frame_attempt.set()
        self._first_control_state.set()
        self._stop.set()

    async def _frame_loop(self) -> None:
        uri = self._endpoints.websocket("/ws/frame", streamer=True)
        backoff = Backoff(self._reconnect_delay)
        was_connected = False
        reported_outage = False
        while True:
            ws, error = await self._open(uri)
            if ws is None:
                if isinstance(error, AccessDenied):
                    return
                if not reported_outage:
                    reported_outage = True
                    log.warning("Cannot reach %s (%s); retrying in the background, frames wait per environment.", uri, error)
                self._first_frame_attempt.set()
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            if reported_outage or was_connected:
                log.info("Connected to %s again.", uri)
            reported_outage = False
            self._count("connections")
            self._connected.set()
            self._first_frame_attempt.set()
            if self._scene is not None and (was_connected or self._upload_on_connect):
                asyncio.ensure_future(self._restore_scene(force=self._upload_on_connect))
            was_connected = True
            try:
                await self._pump(ws)
            except asyncio.CancelledError:
                await self._close_quietly(ws)
                raise
            except Exception as error:
                log.warning("Lost the connection to %s (%s); reconnecting.", uri, error)
                reported_outage = True
            finally:
                self._connected.clear()
            await self._close_quietly(ws)
            await asyncio.sleep(backoff.next_delay())

    async def _open(self, uri: str) -> Tuple[Any, Optional[Exception]]:
        """The socket at ``uri``, or the error that kept it closed; a refused key ends the streamer."""
        try:
            return await _ws.connect(uri, self._endpoints.headers(), open_timeout=10), None
        except asyncio.CancelledError:
            raise
        except Exception as error:
            status = _ws.refused_status(error)
            if status in (401, 403):
                denied = AccessDenied(status, uri)
                self._fail(denied)
                return None, denied
            return None, error

    async def _pump(self, ws: Any) -> None:
        closed = asyncio.ensure_future(ws.wait_closed())
        next_send = 0.0
        try:
            while True:
                getter = asyncio.ensure_future(self._next())
                try:
                    done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                except asyncio.CancelledError:
                    getter.cancel()
                    raise
                if getter not in done:
                    getter.cancel()
                    raise ConnectionError("the server closed the connection")
                key, text = getter.result()
                with self._lock:
                    self._in_flight = (key, text)
                try:
                    await ws.send(text)
                except BaseException:
                    self._requeue(key, text)
                    raise
                finally:
                    with self._lock:
                        self._in_flight = None
                self._count("frames_sent")
                self._sent.set()
                if self._interval:
                    now = time.monotonic()
                    next_send = max(next_send, now) + self._interval
                    if next_send > now:
                        await asyncio.sleep(next_send - now)
        finally:
            closed.cancel()

    async def _restore_scene(self, force: bool = False) -> None:
        """Uploads the scene when the server has none for the run (a restart), or when ``force``d."""
        loop = asyncio.get_event_loop()
        try:
            if not force:
                status, info = await loop.run_in_executor(None, lambda: _http.request(self._endpoints, "GET", "/api/system/info"))
                if status != 200 or not isinstance(info, dict) or info.get("loaded") is not False:
                    return
            scene = self._scene
            if scene is not None:
                await loop.run_in_executor(None, lambda: put_scene(self._endpoints, scene, self._num_envs))
                self._upload_on_connect = False
                log.info("Uploaded the scene for run %s.", self.run)
        except Exception as error:  # the next reconnect tries again
            log.warning("Could not upload the scene after connecting: %s", error)

    async def _control_loop(self) -> None:
        uri = self._endpoints.websocket(self._control_path)
        backoff = Backoff(self._reconnect_delay)
        while True:
            ws, error = await self._open(uri)
            if ws is None:
                if isinstance(error, AccessDenied):
                    return
                # The control socket is out of reach: ask over HTTP until it is time to try again.
                await self._poll_for(backoff.next_delay())
                continue
            backoff.reset()
            self._control_connected.set()
            try:
                async for message in ws:
                    self._on_control(message)
            except asyncio.CancelledError:
                await self._close_quietly(ws)
                raise
            except Exception:
                pass
            finally:
                self._control_connected.clear()
            await self._close_quietly(ws)
            await self._poll_for(backoff.next_delay())

    async def _poll_for(self, seconds: float) -> None:
        loop = asyncio.get_event_loop()
        deadline = loop.time() + seconds
        while True:
            try:
                enabled = await loop.run_in_executor(None, lambda: _http.get_rendering(self._endpoints, timeout=min(self._poll_interval, 5.0) + 1.0))
                self._apply_rendering(enabled)
            except AccessDenied as error:
                self._fail(error)
                return
            except Exception:
                pass
            self._first_control_state.set()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(self._poll_interval, remaining))

    def _on_control(self, message: Any) -> None:
        try:
            data = json.loads(message)
        except (TypeError, ValueError):
            return
        if not isinstance(data, dict):
            return
        kind = data.get("type")
        if kind == "set_render_state" and isinstance(data.get("enabled"), bool):
            self._apply_rendering(data["enabled"])
            self._first_control_state.set()
        elif kind == "viewer_count":
            count = data.get("count")
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                self._apply_viewer_count(count)
        elif kind == "refresh_web":
            self._callback(self.on_scene_changed)
        # Any other type is ignored: newer servers may send more.

    def _apply_rendering(self, enabled: bool) -> None:
        changed = enabled != self._rendering_enabled
        self._rendering_enabled = enabled
        if changed:
            self._callback(self.on_rendering_changed, enabled)

    def _apply_viewer_count(self, count: int) -> None:
        changed = count != self._viewer_count
        self._viewer_count = count
        if changed:
            self._callback(self.on_viewer_count, count)

    @staticmethod
    def _callback(callback: Optional[Callable[..., Any]], *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("A braxviewer_client callback raised")

    @staticmethod
    async def _close_quietly(ws: Any) -> None:
        try:
            await asyncio.wait_for(ws.close(), 1.0)
        except BaseException:
            pass


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancels what is left on the sender's loop (the websockets library's closing tasks) and lets it end."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
