"""A scripted FHIR endpoint on a real local HTTP server (pytest-httpserver), for the fault tests.

It answers the few reads a sign-in needs, so a real session exists, and lets a test
replace the answer of one resource type with a fault.
"""

from __future__ import annotations

import json
from typing import Callable

from werkzeug import Request, Response

from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data
from kiosk.services.backend.fhir import mapping as m

FHIR = "application/fhir+json"


def bundle(resources: list[dict], total: int | None = None, next_url: str | None = None) -> dict:
    out = {
        "resourceType": "Bundle", "type": "searchset",
        "total": len(resources) if total is None else total,
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
        "link": [{"relation": "self", "url": "x"}],
    }
    if next_url:
        out["link"].append({"relation": "next", "url": next_url})
    return out


def fhir_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {}, content_type=FHIR)


class FakeFhir:
    """Routes /fhir/<Type>... ; ``faults[Type]`` replaces the answer (a Response or a callable)."""

    def __init__(self) -> None:
        data = load_demo_data()
        self.record = data.by_id(DEMO_ROLES["rich"])
        self.patient = m.patient_resource(self.record.patient)
        self.sign_in = m.sign_in_resource(self.record.patient.id, self.record.sign_in_code, "sms")
        self.space = m.space_resource(self.record.patient.id, self.record.status)
        pros = {p.name: p.id for p in data.professionals}
        document = self.record.documents[0]
        self.document = m.document_resources(self.record.patient.id, document,
                                             self.record.contents[document.id], pros)[0]
        thread = self.record.threads[0]
        self.thread = thread
        self.communications = [
            m.message_resource(self.record.patient.id, msg, root_id=None if n == 0 else thread.messages[0].id,
                               previous_id=None, subject=thread.subject if n == 0 else None,
                               professional_id=thread.professional.id)
            for n, msg in enumerate(thread.messages)
        ]
        self.practitioner = m.practitioner_resource(thread.professional)
        self.role = m.practitioner_role_resource(thread.professional)
        self.faults: dict[str, Response | Callable[[Request], Response]] = {}
        self.requests: list[Request] = []

    @property
    def ins(self) -> str:
        return self.record.patient.ins

    @property
    def code(self) -> str:
        return self.record.sign_in_code

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        parts = [p for p in request.path.split("/") if p][1:]  # after "fhir"
        rtype = parts[0] if parts else ""
        fault = self.faults.get(rtype)
        if fault is not None:
            return fault if isinstance(fault, Response) else fault(request)
        if rtype == "Patient":
            return fhir_response(bundle([self.patient]))
        if rtype == "Basic":
            wanted = self.sign_in if m.BASIC_SIGN_IN in request.args.get("code", "") else self.space
            return fhir_response(bundle([wanted]))
        if rtype == "DocumentReference" and len(parts) == 2:
            if parts[1] == self.document["id"]:
                return fhir_response(self.document, headers={"ETag": 'W/"1"'})
            return fhir_response({"resourceType": "OperationOutcome", "issue": []}, status=404)
        if rtype == "DocumentReference":
            return fhir_response(bundle([self.document]))
        if rtype == "Communication" and request.method == "GET":
            return fhir_response(bundle(self.communications))
        if rtype == "PractitionerRole":
            out = bundle([self.role])
            out["entry"].append({"resource": self.practitioner, "search": {"mode": "include"}})
            return fhir_response(out)
        return fhir_response(bundle([]))
