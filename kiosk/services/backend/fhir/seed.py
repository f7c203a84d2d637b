"""Load patient records (the demo's, by default) into a FHIR server as transaction Bundles.

Every resource is written with ``PUT Type/id`` (update-as-create), so seeding twice
updates instead of duplicating. Big patients are cut into several transactions of at
most ``chunk`` entries, each atomic.

The demo patients are dated around the given clock's today, exactly as the demo
backend dates them on that clock, so a FHIR server seeded today and the demo
show the same agenda, documents and messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.models import Professional
from kiosk.services.backend.fhir import mapping as m
from kiosk.services.backend.fhir.client import FhirClient


@dataclass
class SeedReport:
    patients: int = 0
    resources: int = 0
    transactions: int = 0

    def as_dict(self) -> dict:
        return {"patients": self.patients, "resources": self.resources, "transactions": self.transactions}


def directory_resources(professionals: Iterable[Professional]) -> list[dict]:
    out = []
    for pro in professionals:
        out += [m.practitioner_resource(pro), m.practitioner_role_resource(pro)]
    return out


def record_resources(record, professionals: Iterable[Professional], now) -> list[dict]:
    """Every resource of one patient record (kiosk.services.backend.demo.PatientRecord)."""
    pid = record.patient.id
    pros = {p.name: p.id for p in professionals}
    out: list[dict] = [m.patient_resource(record.patient)]
    out.append(m.sign_in_resource(pid, record.sign_in_code, record.channel))
    out.append(m.space_resource(pid, record.status))
    out.append(m.emergency_consent(pid, refused=not record.emergency_access, when=now))
    for right in record.access_rights:
        out.append(m.access_consent(pid, right.professional, right.blocked, now))
    for document in record.documents:
        out += m.document_resources(pid, document, record.contents[document.id], pros)
    for thread in record.threads:
        root = thread.messages[0].id
        previous = None
        for n, message in enumerate(thread.messages):
            out.append(m.message_resource(
                pid, message, root_id=None if n == 0 else root, previous_id=previous,
                subject=thread.subject if n == 0 else None, professional_id=thread.professional.id,
            ))
            previous = message.id
    for appointment in record.appointments:
        out.append(m.appointment_resource(pid, appointment))
    for reminder in record.reminders:
        out.append(m.reminder_resource(pid, reminder, now))
    titles = {d.title: d.id for d in record.documents}
    for event in record.access_events:
        out.append(m.audit_event_resource(pid, event, pros, titles))
    return out


def transactions(resources: list[dict], chunk: int = 250) -> Iterator[dict]:
    for start in range(0, len(resources), chunk):
        part = resources[start : start + chunk]
        yield {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r,
                 "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
                for r in part
            ],
        }


def seed(
    client: FhirClient,
    records=None,
    professionals=None,
    now=None,
    *,
    clock: Clock | None = None,
    chunk: int = 250,
) -> SeedReport:
    """Write the directory then each patient; raises ClientError if the server refuses.

    What is not given comes from the demo data dated around ``clock``'s today; only
    ``kiosk fhir seed``, which has no other clock, leaves it out and gets the system clock.
    """
    if records is None or professionals is None or now is None:
        from kiosk.services.backend.demo import demo_data_for

        data = demo_data_for(SystemClock() if clock is None else clock)
        records = data.records if records is None else records
        professionals = data.professionals if professionals is None else professionals
        now = data.now if now is None else now
    report = SeedReport()
    batches = [directory_resources(professionals)]
    for record in records:
        batches.append(record_resources(record, professionals, now))
        report.patients += 1
    for resources in batches:
        for bundle in transactions(resources, chunk):
            client.request(
                "POST", "", json_body=bundle, headers={"Prefer": "return=minimal"},
                idempotent=True, expect="Bundle",
            )
            report.transactions += 1
            report.resources += len(bundle["entry"])
    return report


__all__ = ["SeedReport", "directory_resources", "record_resources", "seed", "transactions"]
