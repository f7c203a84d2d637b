"""Writes are never lost silently and never doubled, even when an answer is lost on the way back."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import pytest
from pytest_httpserver import HTTPServer

from kiosk.core.clock import FakeClock
from kiosk.core.errors import Unavailable
from kiosk.core.models import new_idempotency_key
from kiosk.services.backend.demo import DEMO_NOW
from kiosk.services.backend.fhir import mapping as m
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import FhirClient
from tests.services.fhir.fake_fhir import FakeFhir, fhir_response


@pytest.fixture(scope="module")
def module_server():
    http = HTTPServer(host="127.0.0.1", port=0)
    http.start()
    yield http
    http.stop()


@pytest.fixture
def fake(module_server):
    module_server.clear()
    fake = FakeFhir()
    module_server.expect_request(re.compile(r"^/fhir/.*")).respond_with_handler(fake)
    yield fake
    module_server.clear()


@pytest.fixture
def space(module_server):
    client = FhirClient(module_server.url_for("/fhir"), retries=2, sleep=lambda s: None)
    return FhirHealthSpace(client, FakeClock(DEMO_NOW))


def sign_in(space, fake):
    challenge = space.start_sign_in(fake.ins)
    return space.finish_sign_in(challenge.handle, fake.code)


def test_a_reply_whose_answer_is_lost_is_stored_once(space, fake):
    session = sign_in(space, fake)
    stored: list[dict] = []
    posts = []

    def communication(request):
        if request.method == "GET":
            return fhir_response({"resourceType": "Bundle", "type": "searchset", "total": 1,
                                  "entry": [{"resource": r} for r in fake.communications + stored]})
        posts.append(request)
        condition = dict(parse_qsl(request.headers["If-None-Exist"]))
        existing = [r for r in stored if r["identifier"][0]["value"] == condition["identifier"].split("|")[1]]
        if existing:
            return fhir_response(existing[0], status=200)
        resource = dict(json.loads(request.data), id=f"reply-{len(stored) + 1}")
        stored.append(resource)
        if len(posts) == 1:
            return fhir_response({"resourceType": "OperationOutcome", "issue": []}, status=503)  # done, answer lost
        return fhir_response(resource, status=201)

    fake.faults["Communication"] = communication
    key = new_idempotency_key()
    message = space.reply(session, fake.communications[0]["id"], "Merci docteur.", idempotency_key=key)
    assert len(posts) == 2 and len(stored) == 1  # retried (conditional create), stored once
    assert message.id == "reply-1" and message.from_patient and message.body == "Merci docteur."
    assert posts[0].headers["If-None-Exist"] == posts[1].headers["If-None-Exist"]
    again = space.reply(session, fake.communications[0]["id"], "Merci docteur.", idempotency_key=key)
    assert again.id == message.id and len(stored) == 1


def test_a_reply_that_cannot_be_sent_says_so(space, fake):
    session = sign_in(space, fake)

    def communication(request):
        if request.method == "GET":
            return fhir_response({"resourceType": "Bundle", "type": "searchset", "total": 1,
                                  "entry": [{"resource": r} for r in fake.communications]})
        return fhir_response({"resourceType": "OperationOutcome", "issue": []}, status=503)

    fake.faults["Communication"] = communication
    with pytest.raises(Unavailable) as info:
        space.reply(session, fake.communications[0]["id"], "Merci.", idempotency_key=new_idempotency_key())
    assert info.value.key == "errors.unavailable.not_sent"


def test_a_hide_applied_but_unanswered_is_confirmed_by_reading_back(space, fake):
    session = sign_in(space, fake)
    state = {"doc": fake.document, "patches": 0}

    def document(request):
        if request.method == "PATCH":
            state["patches"] += 1
            state["doc"] = dict(state["doc"], securityLabel=[m.MASQUE_PS_LABEL])
            return fhir_response({"resourceType": "OperationOutcome", "issue": []}, status=504)  # applied, answer lost
        return fhir_response(state["doc"], headers={"ETag": 'W/"2"' if state["patches"] else 'W/"1"'})

    fake.faults["DocumentReference"] = document
    hidden = space.hide_document(session, fake.document["id"])
    assert hidden.hidden_from_professionals
    assert state["patches"] == 1  # confirmed by the read-back, not patched twice


def test_a_conflict_is_resolved_with_fresh_state(space, fake):
    session = sign_in(space, fake)
    state = {"patches": []}

    def document(request):
        if request.method == "PATCH":
            state["patches"].append(request.headers.get("If-Match"))
            if len(state["patches"]) == 1:
                return fhir_response({"resourceType": "OperationOutcome",
                                      "issue": [{"severity": "error", "code": "conflict"}]}, status=412)
            return fhir_response(dict(fake.document, securityLabel=[m.MASQUE_PS_LABEL]))
        version = "1" if not state["patches"] else "7"
        return fhir_response(fake.document, headers={"ETag": f'W/"{version}"'})

    fake.faults["DocumentReference"] = document
    assert space.hide_document(session, fake.document["id"]).hidden_from_professionals
    assert state["patches"] == ['W/"1"', 'W/"7"']
