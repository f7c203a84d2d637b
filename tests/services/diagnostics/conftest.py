"""Fixtures for the doctor checks: real key files and SQLCipher stores, a real espeak-ng, real TLS."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.core.clock import FakeClock
from kiosk.services.storage import initialise
from tests.tls import make_self_signed


@pytest.fixture(autouse=True)
def _no_systemd_credential(monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)


@pytest.fixture
def state(tmp_path) -> Path:
    """A real installed store: private folder, key file 0600, SQLCipher database."""
    directory = tmp_path / "state"
    initialise(directory, clock=FakeClock(), environ={})
    return directory


def espeak_data_dir() -> Path | None:
    for candidate in sorted(Path("/usr/lib").glob("*/espeak-ng-data")) + [Path("/usr/share/espeak-ng-data")]:
        if (candidate / "phontab").exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def english_only_espeak(tmp_path_factory) -> Path:
    """A real espeak-ng data folder holding the English voice only (no French voice at all)."""
    if shutil.which("espeak-ng") is None or espeak_data_dir() is None:
        pytest.skip("espeak-ng missing (apt package espeak-ng)")
    source = espeak_data_dir()
    root = tmp_path_factory.mktemp("espeak") / "espeak-ng-data"
    root.mkdir()
    for item in source.iterdir():
        if item.name.endswith("_dict") or item.name in ("lang", "voices"):
            continue
        (shutil.copytree if item.is_dir() else shutil.copy)(item, root / item.name)
    shutil.copy(source / "en_dict", root / "en_dict")
    (root / "lang" / "gmw").mkdir(parents=True)
    shutil.copy(source / "lang" / "gmw" / "en", root / "lang" / "gmw" / "en")
    return root.parent




class _Fhir(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/fhir/metadata":
            body = json.dumps({"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"}).encode()
            self.send_response(200)
        else:
            body = b"{}"
            self.send_response(404)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def https_server(tmp_path):
    """A real HTTPS server on localhost with a self-signed certificate: (base URL, its certificate)."""
    cert, key = make_self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fhir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/fhir", cert
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
