"""A local HTTP server on 127.0.0.1 that answers like the Hub's /api/spaces.

- `GET /api/spaces?filter=<tag>` lists the Spaces whose `tags` hold every
  filter, `page_size` at a time, with a `Link: <...>; rel="next"` header
  while more remain (as the Hub paginates).
- `fail_next` queues statuses (429, 500...) served before normal answers;
  `fail_always` makes every API request fail with that status, and
  `fail_next_pages` every request for a page after the first.
- `files` maps a path to (body, content type) for static documents such as
  feeds, served with ETag and Last-Modified and answering conditional
  requests with 304.
- `redirects` maps a path to a Location answered with 302.
- Every request is recorded (method, path, headers) for assertions.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

# A fixed Last-Modified for static files, so answers do not depend on the clock.
FILE_LAST_MODIFIED = formatdate(1_790_000_000, usegmt=True)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    status: int | None = None  # what the server answered


@dataclass
class HubState:
    spaces: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    fail_next: list[int] = field(default_factory=list)
    fail_always: int | None = None
    fail_next_pages: int | None = None  # status for every page after the first
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location (302)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _HubHTTPServer
    _record: Request

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # keep test output quiet

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        state = self.server.state
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        with state.lock:
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._record = Request("GET", parts.path, query, headers)
            state.requests.append(self._record)
        if parts.path == "/api/spaces":
            self._spaces(state, query)
        elif parts.path in state.redirects:
            self._send(302, b"", "text/plain", {"Location": state.redirects[parts.path]})
        elif parts.path in state.files:
            self._file(*state.files[parts.path])
        else:
            self._send(404, b'{"error": "not found"}', "application/json")

    def _spaces(self, state: HubState, query: dict[str, list[str]]) -> None:
        with state.lock:
            failure = state.fail_next.pop(0) if state.fail_next else state.fail_always
            if failure is None and "cursor" in query:
                failure = state.fail_next_pages
        if failure is not None:
            body = json.dumps({"error": f"simulated {failure}"}).encode()
            self._send(failure, body, "application/json")
            return
        wanted = set(query.get("filter", []))
        matching = [s for s in state.spaces if wanted <= set(s.get("tags") or [])]
        offset = int(query.get("cursor", ["0"])[0])
        page = matching[offset : offset + state.page_size]
        headers = {}
        if offset + state.page_size < len(matching):
            rest = {k: v for k, v in query.items() if k != "cursor"}
            rest["cursor"] = [str(offset + state.page_size)]
            host, port = self.server.server_address[:2]
            next_url = f"http://{host}:{port}/api/spaces?{urlencode(rest, doseq=True)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        self._send(200, json.dumps(page).encode(), "application/json", headers)

    def _file(self, body: bytes, content_type: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": FILE_LAST_MODIFIED}
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", content_type, validators)
        else:
            self._send(200, body, content_type, validators)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self._record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _HubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: HubState):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class HubServer:
    """Start with `with HubServer(state) as hub:`; `hub.url` is the endpoint."""

    def __init__(self, state: HubState | None = None):
        self.state = state or HubState()
        self._server = _HubHTTPServer(self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def api_requests(self) -> list[Request]:
        return [r for r in self.state.requests if r.path == "/api/spaces"]

    def __enter__(self) -> HubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
