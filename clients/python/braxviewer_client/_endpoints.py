"""Where the server's endpoints are, and which key and run to use."""
from __future__ import annotations

import os
import re
from typing import Dict, Optional
from urllib.parse import urlencode, urlsplit, urlunsplit

DEFAULT_URL = "http://127.0.0.1:8000"
KEY_VARIABLE = "BRAX_VIEWER_KEY"
_RUN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class Endpoints:
    """The server's base address, the run, and the access key, turned into request URLs and headers."""

    def __init__(self, url: Optional[str] = None, run: Optional[str] = None, key: Optional[str] = None):
        base = (url or DEFAULT_URL).strip()
        if "://" not in base:
            base = "http://" + base
        parts = urlsplit(base)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
        if scheme not in ("http", "https"):
            raise ValueError(f"url must be http://, https://, ws:// or wss://, not {url!r}")
        self._scheme = scheme
        self._netloc = parts.netloc
        self._path = parts.path.rstrip("/")
        if run is not None and run != "" and not _RUN.match(run):
            raise ValueError(f"run must be 1 to 64 of A-Z a-z 0-9 _ - . , not {run!r}")
        self.run = run or None
        resolved = key if key is not None else os.environ.get(KEY_VARIABLE)
        self.key = resolved or None

    @property
    def base_url(self) -> str:
        """The server's http(s) address, without a trailing slash."""
        return urlunsplit((self._scheme, self._netloc, self._path, "", ""))

    def http(self, path: str, with_run: bool = True) -> str:
        return self._url(self._scheme, path, {"run": self.run} if with_run and self.run else {})

    def websocket(self, path: str, streamer: bool = False) -> str:
        scheme = "wss" if self._scheme == "https" else "ws"
        query: Dict[str, str] = {}
        if streamer:
            query["is_streamer"] = "true"
        if self.run:
            query["run"] = self.run
        return self._url(scheme, path, query)

    def headers(self) -> Dict[str, str]:
        """The Authorization header carrying the key, when there is one."""
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def _url(self, scheme: str, path: str, query: Dict[str, str]) -> str:
        return urlunsplit((scheme, self._netloc, self._path + path, urlencode(query), ""))
