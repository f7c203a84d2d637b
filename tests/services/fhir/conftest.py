"""One real FHIR server (sekmet-fhir) for the whole test run, seeded with `kiosk fhir seed`."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.core.clock import FakeClock
from kiosk.services.backend.demo import DEMO_NOW
from kiosk.services.backend.fhir.backend import FhirHealthSpace
from kiosk.services.backend.fhir.client import FhirClient
from tests.services.fhir.servers import TOKEN, SekmetServer


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sekmet")
    server = SekmetServer(directory)
    try:
        server.wait()
        config = directory / "kiosk.toml"
        config.write_text(f'backend_token = "{TOKEN}"\n', encoding="utf-8")
        server.kiosk_config = config
        assert main(["fhir", "seed", server.url, "--config", str(config)]) == 0
        yield server
    finally:
        server.stop()


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
