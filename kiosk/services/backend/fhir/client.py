"""A small, careful FHIR REST client on one ``requests.Session``.

What it guarantees (and the fault tests check on a real local HTTP server):

- explicit (connect, read) timeouts, plus a total deadline while reading a body;
- TLS verified against ``ca_bundle`` (or the system store), ``trust_env`` off (no proxy
  or netrc from the environment), no redirects followed (a bearer token never leaves
  the configured server), and ``next`` links accepted only on the same origin;
- an OAuth2 bearer token and an ``X-Request-ID`` on every request;
- retries with exponential back-off only for idempotent requests (GET, HEAD, PUT,
  DELETE, or a request flagged idempotent such as a conditional create) on 429, 502,
  503, 504 and on connection failures, honouring ``Retry-After`` up to a cap;
- a cap on the response size;
- every failure raised as :class:`ClientError` with a closed ``reason``, which
  :func:`to_port_error` turns into the port's typed errors; a change that left for the
  server and got no answer (the connection cut after sending, no answer in time) is
  ``maybe_done``: the person is told the outcome is unknown, never that nothing was sent.

Logs hold only the method, resource type, status, request id, attempt and duration:
never a URL query, an id, a header value or a body.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from kiosk.core.errors import HealthSpaceError, NotAllowed, NotFound, Rejected, Unavailable

log = logging.getLogger("kiosk.fhir")

FHIR_JSON = "application/fhir+json"
JSON_PATCH = "application/json-patch+json"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # they change nothing on the server
UNKNOWN = "errors.unavailable.unknown"
RETRY_STATUSES = frozenset({429, 502, 503, 504})

#: Closed set of failure reasons.
REASONS = frozenset(
    {"connect", "timeout", "tls", "too_large", "bad_json", "bad_resource", "redirect", "http", "origin"}
)


class ClientError(Exception):
    """A request that did not give a usable answer. Carries no URL, id or body."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        *,
        issue_codes: tuple[str, ...] = (),
        retry_after: float | None = None,
        maybe_done: bool = False,
    ) -> None:
        assert reason in REASONS, reason
        self.reason = reason
        self.status = status
        self.issue_codes = issue_codes
        self.retry_after = retry_after
        #: a change that may have reached the server, whose answer never came back
        self.maybe_done = maybe_done
        super().__init__(f"{reason} {status or ''}".strip())

    @property
    def not_supported(self) -> bool:
        """The server refused a search parameter or feature it does not implement."""
        return self.status in (400, 501) and "not-supported" in self.issue_codes


def to_port_error(error: ClientError, *, write: bool) -> HealthSpaceError:
    """The port's typed error for a client failure (messages are catalogue keys)."""
    if write and error.maybe_done:
        return Unavailable(UNKNOWN, retry_after=error.retry_after)
    if error.reason == "http":
        if error.status in (404, 410):
            return NotFound()
        if error.status == 403:
            return NotAllowed()
        if error.status in (400, 422):
            return Rejected()
    return Unavailable("errors.unavailable.not_sent" if write else None, retry_after=error.retry_after)


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any = None  # parsed JSON, or bytes when ``raw`` was asked
    request_id: str = ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag") or self.headers.get("etag")


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    sleeps: list[float] = field(default_factory=list)


def _may_have_left(exc: requests.exceptions.RequestException) -> bool:
    """False only when no connection could be made: then nothing reached the server."""
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    return not isinstance(cause, urllib3.exceptions.ConnectTimeoutError)  # NewConnectionError is one


def _resource_type(path: str) -> str:
    """First path segment when it looks like a FHIR type ("Patient"), else "-" (never an id)."""
    first = path.strip("/").split("/", 1)[0].split("?", 1)[0]
    if first in ("metadata", ""):
        return first or "(base)"
    return first if first[:1].isupper() and first.isalpha() else "-"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class FhirClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        ca_bundle: str = "",
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        total_timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.2,
        max_retry_after: float = 3.0,
        max_bytes: int = 25 * 1024 * 1024,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("FHIR base URL must be http(s)")
        self.base_url = base_url.rstrip("/") + "/"
        origin = urlsplit(self.base_url)
        self._origin = (origin.scheme, origin.netloc.lower())
        self.timeout = (connect_timeout, read_timeout)
        self.total_timeout = total_timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._monotonic = monotonic
        self.stats = ClientStats()
        session = requests.Session()
        session.trust_env = False  # no proxy, netrc or CA bundle from the environment
        session.verify = ca_bundle or True
        session.headers.update({"Accept": FHIR_JSON, "User-Agent": "kiosque-sante"})
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        self.session = session

    def close(self) -> None:
        self.session.close()

    def drop_connections(self) -> None:
        """Close every pooled connection and forget cookies; the client stays usable (the next
        request opens a new connection). Local only: nothing is sent, nothing waits."""
        self.session.cookies.clear()
        self.session.close()

    # ------------------------------------------------------------ urls
    def url_for(self, path_or_url: str) -> str:
        """An absolute URL on the configured server; other origins are refused."""
        url = urljoin(self.base_url, path_or_url)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise ClientError("origin")
        return url

    def _log_path(self, url: str) -> str:
        path = url[len(self.base_url):] if url.startswith(self.base_url) else urlsplit(url).path
        return _resource_type(path)

    # --------------------------------------------------------- request
    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Any = None,
        json_body: Any = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        raw: bool = False,
        expect: str | tuple[str, ...] | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Reply:
        method = method.upper()
        url = self.url_for(path_or_url)
        retriable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        request_id = uuid.uuid4().hex
        send_headers = {"X-Request-ID": request_id}
        data = None
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            send_headers["Content-Type"] = content_type or FHIR_JSON
        if headers:
            send_headers.update(headers)
        rtype = self._log_path(url)
        attempt = 0
        maybe_done = False
        while True:
            attempt += 1
            try:
                reply = self._once(method, url, params, data, send_headers, raw, rtype, request_id, attempt)
                if reply.status not in ok:
                    raise self._http_error(reply)
            except ClientError as error:
                maybe_done = error.maybe_done = maybe_done or error.maybe_done  # an earlier try may have done it
                wait = self._retry_wait(error, attempt, retriable)
                if wait is None:
                    raise
                self.stats.retries += 1
                self.stats.sleeps.append(wait)
                self._sleep(wait)
                continue
            if expect is not None and not raw:
                wanted = (expect,) if isinstance(expect, str) else expect
                if not isinstance(reply.body, dict) or reply.body.get("resourceType") not in wanted:
                    raise ClientError("bad_resource", reply.status)
            return reply

    def _retry_wait(self, error: ClientError, attempt: int, retriable: bool) -> float | None:
        if not retriable or attempt > self.retries:
            return None
        if error.reason in ("connect", "timeout"):
            return self.backoff * 2 ** (attempt - 1)
        if error.reason == "http" and error.status in RETRY_STATUSES:
            if error.retry_after is not None:
                if error.retry_after > self.max_retry_after:
                    return None  # too long to keep a person waiting: give up now, say so
                return max(error.retry_after, 0.0)
            return self.backoff * 2 ** (attempt - 1)
        return None

    def _http_error(self, reply: Reply) -> ClientError:
        codes: tuple[str, ...] = ()
        body = reply.body
        if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
            issues = body.get("issue")
            if isinstance(issues, list):
                codes = tuple(str(i.get("code")) for i in issues if isinstance(i, dict) and i.get("code"))
        if 300 <= reply.status < 400:
            return ClientError("redirect", reply.status)
        retry_after = parse_retry_after(reply.headers.get("Retry-After")) if reply.status in RETRY_STATUSES else None
        return ClientError("http", reply.status, issue_codes=codes, retry_after=retry_after)

    def _once(self, method, url, params, data, headers, raw, rtype, request_id, attempt) -> Reply:
        started = self._monotonic()
        status: int | str = "-"
        changes = method not in SAFE_METHODS
        self.stats.requests += 1
        try:
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers,
                    timeout=self.timeout, allow_redirects=False, stream=True,
                )
            except requests.exceptions.SSLError:
                status = "tls"
                raise ClientError("tls") from None
            except requests.exceptions.ConnectTimeout:
                status = "connect-timeout"
                raise ClientError("timeout") from None
            except requests.exceptions.ReadTimeout:
                status = "read-timeout"
                raise ClientError("timeout", maybe_done=changes) from None
            except requests.exceptions.ConnectionError as exc:
                status = "connect-error"
                raise ClientError("connect", maybe_done=changes and _may_have_left(exc)) from None
            except requests.exceptions.RequestException as exc:
                status = "request-error"
                raise ClientError("connect", maybe_done=changes and _may_have_left(exc)) from None
            with response:
                status = response.status_code
                try:
                    content = self._read_capped(response, started)
                except ClientError as error:
                    error.maybe_done = changes and 200 <= response.status_code < 300  # done, answer lost
                    raise
                headers_out = dict(response.headers)
                ctype = response.headers.get("Content-Type", "").lower()
            body: Any = None
            if raw and response.status_code < 300 and "json" not in ctype:
                body = content
            elif content.strip():
                try:
                    body = json.loads(content)
                except (ValueError, RecursionError):
                    if response.status_code < 300:
                        status = f"{status}/bad-json"
                        raise ClientError("bad_json", response.status_code) from None
                    body = None  # an error page that is not JSON: the status says enough
            return Reply(response.status_code, headers_out, body, request_id)
        finally:
            elapsed_ms = (self._monotonic() - started) * 1000
            log.info("fhir %s %s -> %s id=%s try=%d %.0f ms", method, rtype, status, request_id, attempt, elapsed_ms)

    def _read_capped(self, response: requests.Response, started: float) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise ClientError("too_large", response.status_code)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ClientError("too_large", response.status_code)
                if self._monotonic() - started > self.total_timeout:
                    raise ClientError("timeout", response.status_code)
                chunks.append(chunk)
        except requests.exceptions.SSLError:
            raise ClientError("tls") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            reason = "timeout" if "timed out" in str(exc).lower() else "connect"
            raise ClientError(reason, response.status_code) from None
        except requests.exceptions.RequestException:
            raise ClientError("connect", response.status_code) from None
        return b"".join(chunks)

    # ------------------------------------------------------- shortcuts
    def get(self, path_or_url: str, **kw) -> Reply:
        return self.request("GET", path_or_url, **kw)

    def search(self, rtype: str, params: list[tuple[str, str]], **kw) -> dict:
        """A search answered in strict mode: an unknown parameter is an error, never silently ignored."""
        headers = {"Prefer": "handling=strict"}
        return self.request("GET", rtype, params=params, headers=headers, expect="Bundle", **kw).body

    def follow(self, url: str) -> dict:
        """A ``next``/``previous`` link of a Bundle (same origin only)."""
        return self.request("GET", url, headers={"Prefer": "handling=strict"}, expect="Bundle").body

    def capabilities(self) -> dict:
        return self.request("GET", "metadata", expect="CapabilityStatement").body


__all__ = ["ClientError", "FhirClient", "Reply", "parse_retry_after", "to_port_error"]
