"""Fault matrix: each failure of a real local HTTP server gives the right typed error, never a crash.

Every fault is caused for real on 127.0.0.1 (refused port, full accept queue, a socket
that never answers, pytest-httpserver answers, a self-signed HTTPS server). Waits
between retries go through an injected ``sleep`` that records them.
"""

from __future__ import annotations

import json
import re
import socket
import ssl

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from kiosk.core.clock import FakeClock
from kiosk.core.errors import NotAllowed, NotFound, Rejected, SignInFailed, Unavailable, describe
from kiosk.core.i18n import Catalog
from kiosk.services.backend.demo import DEMO_NOW
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import ClientError, FhirClient, parse_retry_after
from tests.services.fhir.fake_fhir import FakeFhir, bundle, fhir_response
from tests.services.fhir.servers import free_port
from tests.tls import make_self_signed


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture(scope="module")
def module_server():
    http = HTTPServer(host="127.0.0.1", port=0)
    http.start()
    yield http
    http.stop()


@pytest.fixture
def server(module_server):
    module_server.clear()
    yield module_server
    module_server.clear()


@pytest.fixture
def fake(server):
    fake = FakeFhir()
    server.expect_request(re.compile(r"^/fhir/.*")).respond_with_handler(fake)
    return fake


def client_for(url: str, sleeps=None, **kw) -> FhirClient:
    kw.setdefault("connect_timeout", 0.5)
    kw.setdefault("read_timeout", 0.5)
    kw.setdefault("retries", 2)
    return FhirClient(url, sleep=sleeps if sleeps is not None else (lambda s: None), **kw)


def space_for(server: HTTPServer, sleeps=None, **kw) -> FhirHealthSpace:
    return FhirHealthSpace(client_for(server.url_for("/fhir"), sleeps, **kw), FakeClock(DEMO_NOW))


def signed_in(space: FhirHealthSpace, fake: FakeFhir):
    challenge = space.start_sign_in(fake.ins)
    return space.finish_sign_in(challenge.handle, fake.code)


def assert_clear_message(error) -> None:
    """The patient gets one French sentence from the catalogue, never an exception text."""
    for lang in ("fr", "en"):
        text = describe(error, Catalog.load(lang))
        assert text and not text.startswith("errors.") and "Traceback" not in text
    assert error.key.startswith("errors.")


# ------------------------------------------------------------ connection level
def test_connection_refused_is_unavailable_after_retries(sleeps):
    port = free_port()  # nothing listens there any more
    space = FhirHealthSpace(client_for(f"http://127.0.0.1:{port}/fhir", sleeps), FakeClock(DEMO_NOW))
    with pytest.raises(Unavailable) as info:
        space.start_sign_in("244039999900168")
    assert info.value.key == "errors.unavailable"
    assert sleeps == [0.2, 0.4]  # two retries, exponential back-off
    assert space.client.stats.requests == 3
    assert_clear_message(info.value)


def test_connect_timeout_on_a_full_accept_queue(sleeps):
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    filler = socket.create_connection(listener.getsockname(), timeout=1)  # fills the queue: next SYNs are dropped
    try:
        client = client_for(f"http://127.0.0.1:{listener.getsockname()[1]}/fhir", sleeps,
                            connect_timeout=0.3, retries=1)
        with pytest.raises(ClientError) as info:
            client.get("metadata")
        assert info.value.reason == "timeout"
        assert sleeps == [0.2]
        space = FhirHealthSpace(client, FakeClock(DEMO_NOW))
        with pytest.raises(Unavailable):
            space.start_sign_in("244039999900168")
    finally:
        filler.close()
        listener.close()


def test_read_timeout_when_the_server_never_answers(sleeps):
    listener = socket.create_server(("127.0.0.1", 0))  # the kernel accepts; nobody ever answers
    try:
        client = client_for(f"http://127.0.0.1:{listener.getsockname()[1]}/fhir", sleeps, read_timeout=0.3)
        with pytest.raises(ClientError) as info:
            client.get("metadata")
        assert info.value.reason == "timeout" and len(sleeps) == 2
        sleeps.clear()
        with pytest.raises(ClientError):  # a non-idempotent request is never retried
            client.request("POST", "Communication", json_body={"resourceType": "Communication"})
        assert sleeps == []
    finally:
        listener.close()


def test_tls_certificate_that_does_not_verify(tmp_path):
    cert_path, key_path = make_self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    https = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    https.expect_request("/fhir/metadata").respond_with_json(
        {"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"})
    https.start()
    try:
        url = https.url_for("/fhir")
        assert url.startswith("https://127.0.0.1:")
        with pytest.raises(ClientError) as info:
            client_for(url).capabilities()
        assert info.value.reason == "tls"
        space = FhirHealthSpace(client_for(url), FakeClock(DEMO_NOW))
        with pytest.raises(Unavailable):
            space.start_sign_in("244039999900168")
        # the same server, trusted through the configured CA bundle, works
        assert client_for(url, ca_bundle=str(cert_path)).capabilities()["fhirVersion"] == "4.0.1"
    finally:
        https.stop()




# --------------------------------------------------------------- HTTP status
def outcome(code: str = "processing") -> dict:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code}]}


@pytest.mark.parametrize(
    "status, error_type, key",
    [
        (401, Unavailable, "errors.unavailable"),  # the kiosk's token: nothing the patient can do
        (403, NotAllowed, "errors.not_allowed"),
        (404, NotFound, "errors.not_found"),
        (410, NotFound, "errors.not_found"),
        (400, Rejected, "errors.rejected"),
        (500, Unavailable, "errors.unavailable"),
        (502, Unavailable, "errors.unavailable"),
        (503, Unavailable, "errors.unavailable"),
        (504, Unavailable, "errors.unavailable"),
    ],
)
def test_status_codes_on_a_read(server, fake, sleeps, status, error_type, key):
    space = space_for(server, sleeps)
    session = signed_in(space, fake)
    fake.faults["DocumentReference"] = fhir_response(outcome(), status=status)
    with pytest.raises(error_type) as info:
        space.get_document(session, fake.document["id"])
    assert info.value.key == key
    assert_clear_message(info.value)
    assert len(sleeps) == (2 if status in (502, 503, 504) else 0)  # only these are retried


@pytest.mark.parametrize("status", [401, 500, 503])
def test_status_codes_on_a_write_say_not_sent(server, fake, sleeps, status):
    space = space_for(server, sleeps)
    session = signed_in(space, fake)
    fake.faults["DocumentReference"] = fhir_response(outcome(), status=status)
    with pytest.raises(Unavailable) as info:
        space.hide_document(session, fake.document["id"])
    assert info.value.key == "errors.unavailable.not_sent"
    assert_clear_message(info.value)


def test_a_patch_that_fails_is_not_retried_blindly_and_says_not_sent(server, fake, sleeps):
    space = space_for(server, sleeps)
    session = signed_in(space, fake)
    patches = []

    def failing_patch(request):
        if request.method == "PATCH":
            patches.append(request)
            return fhir_response(outcome(), status=503)
        return fhir_response(fake.document, headers={"ETag": 'W/"1"'})

    fake.faults["DocumentReference"] = failing_patch
    with pytest.raises(Unavailable) as info:
        space.hide_document(session, fake.document["id"])
    assert info.value.key == "errors.unavailable.not_sent"
    # the step ran twice (read, compare, write): the PATCH itself is never retried by the client
    assert len(patches) == 2 and sleeps == []
    assert json.loads(patches[0].data)[0]["path"] == "/securityLabel"
    assert patches[0].headers["If-Match"] == 'W/"1"'
    assert patches[0].headers["Content-Type"] == "application/json-patch+json"


def test_429_with_retry_after_is_honoured_then_succeeds(server, fake, sleeps):
    space = space_for(server, sleeps)
    answers = iter([
        fhir_response(outcome("throttled"), 429, {"Retry-After": "1"}),
        fhir_response(outcome("throttled"), 429, {"Retry-After": "2"}),
    ])
    fake.faults["Patient"] = lambda request: next(answers, None) or fhir_response(bundle([fake.patient]))
    challenge = space.start_sign_in(fake.ins)
    assert challenge.code_length == len(fake.code)
    assert sleeps == [1.0, 2.0]


def test_429_asking_too_long_a_wait_gives_up_at_once(server, fake, sleeps):
    space = space_for(server, sleeps)
    fake.faults["Patient"] = fhir_response(outcome("throttled"), 429, {"Retry-After": "3600"})
    with pytest.raises(Unavailable) as info:
        space.start_sign_in(fake.ins)
    assert info.value.retry_after == 3600 and sleeps == []
    assert_clear_message(info.value)


def test_429_always_ends_unavailable_after_the_retries(server, fake, sleeps):
    space = space_for(server, sleeps)
    fake.faults["Patient"] = fhir_response(outcome("throttled"), 429)
    with pytest.raises(Unavailable):
        space.start_sign_in(fake.ins)
    assert sleeps == [0.2, 0.4]


def test_retry_after_as_an_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after("5") == 5.0


# ----------------------------------------------------------- bad answers
def test_invalid_json_is_unavailable(server, fake):
    space = space_for(server)
    fake.faults["Patient"] = Response("{not json", status=200, content_type="application/fhir+json")
    with pytest.raises(Unavailable) as info:
        space.start_sign_in(fake.ins)
    assert_clear_message(info.value)


@pytest.mark.parametrize(
    "body",
    [
        {"resourceType": "Patient", "id": "x"},  # not a Bundle
        [1, 2, 3],
        {"resourceType": "Bundle", "type": "searchset", "total": 1,
         "entry": [{"resource": {"resourceType": "Observation", "id": "o"}}]},  # wrong type inside
        {"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": [{"resource": {"resourceType": "Patient"}}]},
        {"resourceType": "Bundle", "type": "searchset", "entry": "nope"},
    ],
)
def test_json_that_is_not_the_expected_resource(server, fake, body):
    space = space_for(server)
    fake.faults["Patient"] = fhir_response(body)
    with pytest.raises(Unavailable):
        space.start_sign_in(fake.ins)


def test_a_document_of_another_patient_is_not_found(server, fake):
    space = space_for(server)
    session = signed_in(space, fake)
    other = dict(fake.document, subject={"reference": "Patient/someone-else"})
    fake.faults["DocumentReference"] = fhir_response(other)
    with pytest.raises(NotFound):
        space.get_document(session, fake.document["id"])


def test_unusable_ids_never_reach_the_server(server, fake):
    space = space_for(server)
    session = signed_in(space, fake)
    before = len(fake.requests)
    for bad in ("../Patient/x", "a" * 65, "", "id with space", None):
        with pytest.raises(NotFound):
            space.get_document(session, bad)
    assert len(fake.requests) == before


@pytest.mark.parametrize("chunked", [False, True])
def test_a_response_far_too_large(server, fake, chunked):
    space = space_for(server, max_bytes=64 * 1024)
    big = json.dumps(bundle([fake.patient] * 2000)).encode()
    assert len(big) > 8 * 64 * 1024

    def answer(request):
        if chunked:  # no Content-Length: the cap must hold while reading
            return Response((big[i:i + 8192] for i in range(0, len(big), 8192)), content_type="application/fhir+json")
        return Response(big, content_type="application/fhir+json")

    fake.faults["Patient"] = answer
    with pytest.raises(Unavailable):
        space.start_sign_in(fake.ins)
    with pytest.raises(ClientError) as info:
        space.client.search("Patient", [])
    assert info.value.reason == "too_large"


def test_redirects_are_not_followed(server, fake):
    space = space_for(server)
    fake.faults["Patient"] = Response("", status=302, headers={"Location": "http://127.0.0.1:9/steal"})
    with pytest.raises(Unavailable):
        space.start_sign_in(fake.ins)


def test_a_next_link_to_another_server_is_refused(server, fake):
    space = space_for(server)
    session = signed_in(space, fake)
    fake.faults["DocumentReference"] = fhir_response(
        bundle([fake.document], total=40, next_url="http://127.0.0.2:1/fhir/DocumentReference?page=2"))
    assert space.list_documents(session, page_size=1).total == 40
    with pytest.raises(Unavailable):
        space.list_documents(session, page=2, page_size=1)


def test_headers_sent_bearer_request_id_and_accept(server, fake):
    space = space_for(server, token="t0ken")
    signed_in(space, fake)
    first = fake.requests[0]
    assert first.headers["Authorization"] == "Bearer t0ken"
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["Accept"] == "application/fhir+json"
    assert first.headers["Prefer"] == "handling=strict"
    assert len({r.headers["X-Request-ID"] for r in fake.requests}) == len(fake.requests)


def test_chained_search_refused_falls_back_to_the_patient_reference(server, fake):
    space = space_for(server)
    session = signed_in(space, fake)
    seen = []

    def no_chaining(request):
        seen.append(dict(request.args))
        if "patient.identifier" in request.args:
            return fhir_response(outcome("not-supported"), status=400)
        return fhir_response(bundle([fake.document]))

    fake.faults["DocumentReference"] = no_chaining
    assert space.list_documents(session).total == 1
    assert "patient.identifier" in seen[0] and seen[1]["patient"] == f"Patient/{fake.record.patient.id}"
    space.list_documents(session)
    assert "patient.identifier" not in seen[2]  # remembered


def test_sign_in_failures_are_typed(server, fake):
    space = space_for(server)
    fake.faults["Patient"] = fhir_response(bundle([]))
    with pytest.raises(SignInFailed) as info:
        space.start_sign_in(fake.ins)
    assert info.value.key == "errors.sign_in_failed.unknown_identifier"


def test_no_personal_data_in_logs(server, fake, caplog):
    caplog.set_level("DEBUG", logger="kiosk.fhir")
    space = space_for(server)
    session = signed_in(space, fake)
    space.get_document(session, fake.document["id"])
    fake.faults["DocumentReference"] = fhir_response(outcome(), status=500)
    with pytest.raises(Unavailable):
        space.list_documents(session)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "kiosk.fhir")
    assert "DocumentReference" in text and "Patient" in text and "500" in text
    patient = fake.record.patient
    for secret in (patient.ins, patient.family_name, patient.given_name, fake.document["id"], fake.code,
                   patient.id, session.token):
        assert secret not in text
