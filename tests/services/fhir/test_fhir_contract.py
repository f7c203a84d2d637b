"""The HealthSpace contract on the FHIR backend, against a real sekmet-fhir server."""

from __future__ import annotations

import pytest

from kiosk.services.backend.fhir.backend import FhirHealthSpace
from tests.contract.healthspace_contract import HealthSpaceContract, OfflineSetup
from tests.contract.known import known_from_demo
from tests.services.fhir.conftest import make_client
from tests.services.fhir.servers import TcpProxy


class TestFhirHealthSpaceContract(HealthSpaceContract):
    @pytest.fixture
    def space(self, fhir_space):
        return fhir_space

    @pytest.fixture
    def known(self, fhir_clock):
        return known_from_demo(fhir_clock.now())

    @pytest.fixture
    def offline(self, fhir_server, fhir_clock, known):
        proxy = TcpProxy(fhir_server.port)
        space = FhirHealthSpace(make_client(f"http://127.0.0.1:{proxy.port}/fhir"), fhir_clock)
        session = self.sign_in(space, known, known.rich)
        assert space.list_documents(session).total > 0  # it worked through the proxy
        proxy.cut()  # the service goes away for real: connections are refused
        yield OfflineSetup(space, session)
        space.close()
