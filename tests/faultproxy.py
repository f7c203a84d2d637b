"""A fault proxy for tests and benchmarks: real HTTP on 127.0.0.1, in front of a local FHIR server.

    with FaultProxy(server.port) as proxy:          # pass-through at first
        url = proxy.url_for(server.url)             # the same base URL, through the proxy
        proxy.stall(30)                             # hold every answer up to 30 s, or until release()
        ...
        proxy.release()                             # what is held goes on; pass-through again

Modes (each request takes the mode in force when it arrives; ``match`` limits a fault to
the requests whose resource type or path contains it):

- ``pass_through()``: forwards.
- ``stall(seconds)``: forwards the request (the server does it), holds the answer up to
  ``seconds`` or until ``release()``; ``times`` limits how many answers are held.
- ``trickle(every_s)``: the status and headers at once, then the body one byte every
  ``every_s`` seconds, until ``release()`` (the rest at once) or ``limit_s`` (closed).
- ``endless_pages(rtype)``: a search for ``rtype`` is forwarded and its answer gets a
  ``next`` link to the proxy's own pages; each of those is a searchset Bundle with no entry
  and a ``next`` link again: a new URL every time (``fresh``), or itself. After
  ``max_pages`` pages the link is left out, so even a client that never stops ends.
- ``cut_writes()``: a POST, PUT, PATCH or DELETE is read whole, forwarded (the server does
  it; ``forward=False``: it never reaches the server), then the connection is closed
  without an answer. ``times`` limits how many are cut.

One request per connection (``Connection: close`` both ways), bodies re-sent with their
length, and the upstream origin in answers rewritten to the proxy's (as a reverse proxy
does), so paging links stay on the origin the client knows. Only loopback: it listens on
127.0.0.1 and forwards to 127.0.0.1. Every wait is bounded, and the proxy stops accepting
by itself after ``life_s`` seconds; ``close()`` (or the ``with`` block) stops it at once,
lets every held answer go and joins its threads.
"""

from __future__ import annotations

import collections
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_HEAD = 64 * 1024
MAX_BODY = 32 * 1024 * 1024
PAGE_PARAM = "_proxy_page"
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length",
                        "te", "trailer", "upgrade"})


@dataclass
class Request:
    method: str
    target: str                       # path and query, as sent
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Answer:
    status_line: bytes
    headers: list[tuple[str, str]]
    body: bytes

    def head(self) -> bytes:
        lines = [self.status_line]
        for name, value in self.headers:
            if name.lower() not in HOP_BY_HOP:
                lines.append(f"{name}: {value}".encode("latin-1"))
        lines += [f"Content-Length: {len(self.body)}".encode(), b"Connection: close", b"", b""]
        return b"\r\n".join(lines)


@dataclass(frozen=True)
class Mode:
    kind: str = "pass"                # pass, stall, trickle, endless, cut
    match: str | None = None
    seconds: float = 30.0             # stall: longest hold; trickle: longest trickle
    every_s: float = 1.0              # trickle: one byte every
    rtype: str = ""                   # endless: the resource type searched
    fresh: bool = True                # endless: a new URL on every page
    max_pages: int = 200              # endless: the last page has no next link
    forward: bool = True              # cut: the server gets the write first
    times: int | None = None          # stall, cut: how many requests (None: all)


@dataclass
class Counts:
    """What the proxy did, by kind (thread-safe through the proxy's lock)."""

    by_kind: collections.Counter = field(default_factory=collections.Counter)
    seen: list[tuple[str, str]] = field(default_factory=list)   # (method, resource type)

    def __getitem__(self, kind: str) -> int:
        return self.by_kind[kind]


class FaultProxy:
    def __init__(self, upstream_port: int, *, base_path: str = "/fhir", life_s: float = 300.0,
                 io_timeout_s: float = 60.0) -> None:
        self.upstream_port = upstream_port
        self.base_path = "/" + base_path.strip("/")
        self.life_s = life_s
        self.io_timeout_s = io_timeout_s
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._mode = Mode()
        self._left: int | None = None   # stall, cut: requests still to fault (None: all)
        self._release = threading.Event()
        self._stop = threading.Event()
        #: set when an answer is being held (stall) or trickled: the client is waiting on us
        self.holding = threading.Event()
        #: set when a trickled body has sent its first byte
        self.trickling = threading.Event()
        #: set when a write was cut
        self.cut = threading.Event()
        self.counts = Counts()
        self._held_now = 0
        self._clients: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._started = time.monotonic()
        self._accepter = threading.Thread(target=self._accept, daemon=True, name="fault-proxy")
        self._accepter.start()

    # ------------------------------------------------------------ set-up
    def url_for(self, upstream_url: str) -> str:
        """The upstream base URL, through the proxy."""
        return upstream_url.replace(f"127.0.0.1:{self.upstream_port}", f"127.0.0.1:{self.port}")

    def _set(self, mode: Mode) -> None:
        with self._lock:
            self._mode = mode
            self._left = mode.times
            if mode.kind in ("stall", "trickle"):
                self._release.clear()
                self.holding.clear()
                self.trickling.clear()
            if mode.kind == "cut":
                self.cut.clear()

    def pass_through(self) -> None:
        self._set(Mode())

    def stall(self, seconds: float = 30.0, *, times: int | None = None, match: str | None = None) -> None:
        self._set(Mode("stall", match=match, seconds=seconds, times=times))

    def trickle(self, every_s: float = 1.0, *, limit_s: float = 60.0, match: str | None = None) -> None:
        self._set(Mode("trickle", match=match, seconds=limit_s, every_s=every_s))

    def endless_pages(self, rtype: str, *, fresh: bool = True, max_pages: int = 200) -> None:
        self._set(Mode("endless", rtype=rtype, fresh=fresh, max_pages=max_pages))

    def cut_writes(self, *, forward: bool = True, times: int | None = None, match: str | None = None) -> None:
        self._set(Mode("cut", match=match, forward=forward, times=times))

    def release(self) -> None:
        """Let every held or trickled answer go at once, and pass through from now on."""
        with self._lock:
            self._mode = Mode()
        self._release.set()

    @property
    def held_now(self) -> int:
        """Answers held or trickling right now (their clients are still waiting)."""
        with self._lock:
            return self._held_now

    def close(self) -> None:
        self._stop.set()
        self._release.set()
        try:
            self._listener.close()
        except OSError:
            pass
        self._accepter.join(timeout=5)
        with self._lock:
            clients, threads = list(self._clients), list(self._threads)
        for sock in clients:
            _shut(sock)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ serving
    def _accept(self) -> None:
        while not self._stop.is_set() and time.monotonic() - self._started < self.life_s:
            try:
                client, _addr = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True, name="fault-proxy-conn")
            with self._lock:
                self._clients.add(client)
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        try:
            self._listener.close()
        except OSError:
            pass

    def _note(self, kind: str, request: Request | None = None) -> None:
        with self._lock:
            self.counts.by_kind[kind] += 1
            if request is not None:
                self.counts.seen.append((request.method, self._rtype(request)))

    def _rtype(self, request: Request) -> str:
        path = request.path
        rest = path[len(self.base_path):] if path.startswith(self.base_path) else path
        return rest.strip("/").split("/", 1)[0]

    def _matches(self, mode: Mode, request: Request) -> bool:
        return mode.match is None or mode.match == self._rtype(request) or mode.match in request.path

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(self.io_timeout_s)
            request = _read_request(client)
            if request is None:
                return
            with self._lock:
                mode = self._mode
            self._note("request", request)
            if mode.kind == "endless" and request.method == "GET" and PAGE_PARAM in request.query:
                page = self._empty_page(mode, request)
                client.sendall(page.head() + page.body)
                return
            if mode.kind == "cut" and request.method in WRITE_METHODS and self._matches(mode, request):
                if self._take_one():
                    if mode.forward:
                        self._forward(request)  # the server does it; its answer is lost on the way back
                    self._note("cut")
                    self.cut.set()
                    return
            answer = self._forward(request)
            if mode.kind == "endless" and request.method == "GET" and self._rtype(request) == mode.rtype \
                    and request.path.rstrip("/").endswith("/" + mode.rtype):
                answer = self._with_next_link(answer, mode, request)
            if mode.kind == "stall" and self._matches(mode, request) and self._take_one():
                self._hold(lambda: self._release.wait(mode.seconds))
            if mode.kind == "trickle" and self._matches(mode, request):
                self._hold(lambda: self._trickle(client, answer, mode))
                return
            client.sendall(answer.head() + answer.body)
            self._note("answered")
        except OSError:
            pass
        finally:
            with self._lock:
                self._clients.discard(client)
            _shut(client)

    def _take_one(self) -> bool:
        """True when this request is to be faulted (``times`` not used up)."""
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def _hold(self, wait: Callable[[], object]) -> None:
        with self._lock:
            self._held_now += 1
        self.holding.set()
        self._note("held")
        try:
            wait()
        finally:
            with self._lock:
                self._held_now -= 1

    def _trickle(self, client: socket.socket, answer: Answer, mode: Mode) -> None:
        client.sendall(answer.head())
        started = time.monotonic()
        body = answer.body
        for i in range(len(body)):
            if self._release.is_set() or self._stop.is_set():
                client.sendall(body[i:])
                self._note("answered")
                return
            if time.monotonic() - started > mode.seconds:
                return  # too long: the connection is closed mid-body
            client.sendall(body[i:i + 1])
            self.trickling.set()
            self._release.wait(mode.every_s)
        self._note("answered")

    # ------------------------------------------------------------ upstream
    def _forward(self, request: Request) -> Answer:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=self.io_timeout_s)
        try:
            head = [f"{request.method} {request.target} HTTP/1.1".encode("latin-1")]
            for name, value in request.headers:
                if name.lower() not in HOP_BY_HOP:
                    head.append(f"{name}: {value}".encode("latin-1"))
            if request.body or request.method in WRITE_METHODS:
                head.append(f"Content-Length: {len(request.body)}".encode())
            head += [b"Connection: close", b"", b""]
            upstream.sendall(b"\r\n".join(head) + request.body)
            data = _read_until_closed(upstream)
        finally:
            _shut(upstream)
        answer = _parse_answer(data)
        ours, theirs = f"127.0.0.1:{self.port}", f"127.0.0.1:{self.upstream_port}"
        answer.body = answer.body.replace(theirs.encode(), ours.encode())
        answer.headers = [(k, v.replace(theirs, ours)) for k, v in answer.headers]
        return answer

    # ------------------------------------------------------------ endless pages
    def _page_url(self, request: Request, rtype: str, number: int) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_path}/{rtype}?{PAGE_PARAM}={number}"

    def _with_next_link(self, answer: Answer, mode: Mode, request: Request) -> Answer:
        try:
            bundle = json.loads(answer.body)
        except ValueError:
            return answer
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            return answer
        links = [link for link in bundle.get("link") or [] if link.get("relation") != "next"]
        links.append({"relation": "next", "url": self._page_url(request, mode.rtype, 1)})
        bundle["link"] = links
        self._note("search")
        answer.body = json.dumps(bundle).encode("utf-8")
        return answer

    def _empty_page(self, mode: Mode, request: Request) -> Answer:
        try:
            number = int(request.query[PAGE_PARAM][0])
        except (KeyError, ValueError, IndexError):
            number = 1
        self._note("empty_page")
        links = [{"relation": "self", "url": self._page_url(request, mode.rtype, number)}]
        if number < mode.max_pages:
            links.append({"relation": "next",
                          "url": self._page_url(request, mode.rtype, number + 1 if mode.fresh else number)})
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": 0, "link": links, "entry": []}
        body = json.dumps(bundle).encode("utf-8")
        return Answer(b"HTTP/1.1 200 OK", [("Content-Type", "application/fhir+json")], body)


# ------------------------------------------------------------ HTTP bits
def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_HEAD:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
    request = Request(method.upper(), target, headers)  # type: ignore[arg-type]
    length = int(request.header("Content-Length") or 0)
    if length > MAX_BODY:
        return None
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    request.body = body[:length]
    return request


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_HEAD + MAX_BODY:
            raise OSError("answer too large")


def _parse_answer(data: bytes) -> Answer:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = [tuple(part.strip() for part in line.decode("latin-1").split(":", 1))
               for line in lines[1:] if b":" in line]
    answer = Answer(lines[0], headers, body)  # type: ignore[arg-type]
    names = {k.lower(): v for k, v in answer.headers}
    if "chunked" in names.get("transfer-encoding", "").lower():
        answer.body = _dechunk(body)
    elif names.get("content-length", "").isdigit():
        answer.body = body[:int(names["content-length"])]
    return answer


def _dechunk(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


__all__ = ["FaultProxy", "Mode", "Request"]
