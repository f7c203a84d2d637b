"""The contract's description of seeded data, for any backend seeded from the demo data.

The demo backend uses it directly; a FHIR server seeded with ``kiosk admin
seed-fhir`` holds the same patients, so its tests can use it too.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data, paris_day
from tests.contract.healthspace_contract import KnownData

#: Well-formed (valid key) but given to no demo patient.
UNKNOWN_IDENTIFIER = "299129999999911"


def known_from_demo(now: datetime | None = None) -> KnownData:
    """What the demo data holds when its "today" is ``now``'s day (None: the day it is written around)."""
    data = load_demo_data(None if now is None else paris_day(now))
    ins = {role: data.by_id(patient_id).patient.ins for role, patient_id in DEMO_ROLES.items()}
    large = data.by_id(DEMO_ROLES["large"])
    return KnownData(
        now=now or data.now,
        code_for=lambda identifier: data.by_ins(identifier.replace(" ", "")).sign_in_code,
        large_count=len(large.documents),
        unknown=UNKNOWN_IDENTIFIER,
        **ins,
    )
