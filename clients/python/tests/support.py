"""What the tests share: the servers the C# test suite started for them, raw clients written
directly on the websockets library (so the client package is checked against the wire, not against
itself), and waiting on conditions.

The C# test (Brax.Viewer.Tests/Python/PythonClientLibraryTests.cs) starts the real server in-process
on loopback ports and runs ``python3 -m unittest tests.MODULE`` with:

- BRAX_VIEWER_URL: a server without keys;
- BRAX_VIEWER_KEYED_URL, BRAX_VIEWER_STREAMER_KEY, BRAX_VIEWER_VIEWER_KEY: a server with both keys.

A test asks it to stop or start the server without keys, on the same port, by printing
``@@braxtest stop`` / ``@@braxtest start`` on standard output; it answers ``ok`` on standard input.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import threading
import time
import urllib.request
from typing import Any, Callable, List, Optional

import websockets

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PYTHON_ROOT = os.path.join(REPO_ROOT, "clients", "python")


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: these tests run from the C# suite "
                           "(dotnet test --filter FullyQualifiedName~PythonClientLibraryTests), which starts the servers")
    return value


URL = _required("BRAX_VIEWER_URL").rstrip("/")
KEYED_URL = _required("BRAX_VIEWER_KEYED_URL").rstrip("/")
STREAMER_KEY = _required("BRAX_VIEWER_STREAMER_KEY")
VIEWER_KEY = _required("BRAX_VIEWER_VIEWER_KEY")

_runs = itertools.count()


def unique_run(prefix: str) -> str:
    """A run of its own for one test, so tests sharing a server never see each other's frames."""
    return f"{prefix}-{os.getpid()}-{next(_runs)}"


def ws_url(url: str, path: str) -> str:
    return url.replace("http://", "ws://", 1) + path


def server_command(command: str) -> None:
    """Asks the C# test to ``stop`` or ``start`` the server at URL, and waits until it has."""
    print(f"@@braxtest {command}", flush=True)
    answer = sys.stdin.readline().strip()
    if answer != "ok":
        raise RuntimeError(f"the test host answered {answer!r} to {command!r}")


def http_json(method: str, url: str, body: Any = None, key: Optional[str] = None) -> Any:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers), timeout=10) as response:
        payload = response.read()
        return json.loads(payload) if payload else None


def diagnostics(url: str = URL, key: Optional[str] = None) -> dict:
    return http_json("GET", url + "/api/diagnostics", key=key)


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    """Polls ``condition`` until it is truthy; fails naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.01)


def wait_viewers(count: int, url: str = URL, key: Optional[str] = None) -> None:
    wait_until(lambda: diagnostics(url, key)["frame_viewers"] == count, f"{count} frame viewers are connected")


class RawSocket:
    """A raw WebSocket client on its own thread, collecting every text message it receives."""

    def __init__(self, uri: str, headers: Optional[dict] = None):
        self.messages: List[str] = []
        self._condition = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._ws: Any = None
        self._opened = threading.Event()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(uri, headers), daemon=True)
        self._thread.start()
        if not self._opened.wait(10):
            raise AssertionError(f"could not open {uri}")
        if self._error:
            raise self._error

    def _run(self, uri: str, headers: Optional[dict]) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main(uri, headers))
        pending = [task for task in asyncio.all_tasks(self._loop) if not task.done()]
        if pending:
            self._loop.run_until_complete(asyncio.wait(pending, timeout=5))

    async def _main(self, uri: str, headers: Optional[dict]) -> None:
        try:
            self._ws = await websockets.connect(uri, extra_headers=headers, max_size=None)
        except BaseException as error:
            self._error = error
            self._opened.set()
            return
        self._opened.set()
        try:
            async for message in self._ws:
                with self._condition:
                    self.messages.append(message)
                    self._condition.notify_all()
        except websockets.exceptions.ConnectionClosed:
            pass

    def send(self, text: str) -> None:
        asyncio.run_coroutine_threadsafe(self._ws.send(text), self._loop).result(10)

    def wait_for(self, predicate: Callable[[List[str]], Any], what: str, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                value = predicate(self.messages)
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting until {what}; got {len(self.messages)} messages")
                self._condition.wait(remaining)

    def frames(self) -> List[dict]:
        with self._condition:
            return [json.loads(m) for m in self.messages]

    def close(self) -> None:
        if self._ws is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._ws.close(), self._loop).result(10)
            except Exception:
                pass
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> "RawSocket":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def raw_viewer(run: str, url: str = URL, key: Optional[str] = None) -> RawSocket:
    """A raw viewer of ``run``, already counted by the server."""
    before = diagnostics(url, STREAMER_KEY if url == KEYED_URL else None)["frame_viewers"]
    headers = {"Authorization": f"Bearer {key}"} if key else None
    socket = RawSocket(ws_url(url, f"/ws/frame?run={run}"), headers)
    wait_viewers(before + 1, url, STREAMER_KEY if url == KEYED_URL else None)
    return socket


def raw_control(run: str, url: str = URL, key: Optional[str] = None) -> RawSocket:
    headers = {"Authorization": f"Bearer {key}"} if key else None
    socket = RawSocket(ws_url(url, f"/ws/control?run={run}"), headers)
    socket.wait_for(lambda m: m, "the control greeting")
    return socket


def frame(n: float, env_id: Optional[int] = None, bodies: int = 1) -> dict:
    """A small frame numbered ``n`` (the first body's x position)."""
    result = {"x": {"pos": [[float(n), 0.0, 0.5]] * bodies, "rot": [[1.0, 0.0, 0.0, 0.0]] * bodies}}
    if env_id is not None:
        result["env_id"] = env_id
    return result


def number_of(message: Any) -> float:
    data = json.loads(message) if isinstance(message, str) else message
    return data["x"]["pos"][0][0]
