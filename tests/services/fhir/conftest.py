"""One real FHIR server (sekmet-fhir) for the whole test run, seeded with `kiosk fhir seed`."""

from __future__ import annotations

import pytest

from kiosk.core.clock import FakeClock
from kiosk.services.backend.demo import DEMO_NOW
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import FhirClient
from tests.services.fhir.servers import TOKEN, seeded_sekmet


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory):
    with seeded_sekmet(tmp_path_factory.mktemp("sekmet")) as server:
        yield server


def make_client(url: str, **kw) -> FhirClient:
    kw.setdefault("token", TOKEN)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("retries", 1)
    return FhirClient(url, **kw)


@pytest.fixture
def fhir_clock():
    return FakeClock(DEMO_NOW)


@pytest.fixture
def fhir_space(fhir_server, fhir_clock):
    space = FhirHealthSpace(make_client(fhir_server.url), fhir_clock)
    yield space
    space.close()
