"""Real servers for the FHIR tests: a sekmet-fhir process, and a TCP proxy that can be cut."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from kiosk.core.clock import Clock, FakeClock

TOKEN = "kiosk-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sekmet_executable() -> str:
    beside = Path(sys.executable).with_name("sekmet")
    if beside.exists():
        return str(beside)
    found = shutil.which("sekmet")
    if not found:
        raise RuntimeError("sekmet-fhir is not installed (pip install sekmet-fhir==0.1.1)")
    return found


def server_environment(environ) -> dict[str, str]:
    """The server's environment: no SEKMET_ setting, and its own clock.

    The server stands for the national service, whose clock is not the kiosk's: under
    ``make test-faketime`` only the kiosk's side runs at the faked date (libfaketime also
    makes sekmet several times slower).
    """
    env = {k: v for k, v in environ.items() if not k.startswith(("SEKMET_", "FAKETIME"))}
    preload = [lib for lib in re.split(r"[:\s]+", env.pop("LD_PRELOAD", "")) if lib and "faketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    return env


class SekmetServer:
    """``sekmet serve`` on 127.0.0.1 with an in-memory store, a bearer token and no simulator."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/fhir"
        self.config = directory / "settings.yaml"
        self.config.write_text(
            "\n".join([
                f"base_url: {self.url}",
                "host: 127.0.0.1",
                f"port: {self.port}",
                f"data_dir: {directory / 'data'}",
                'db_path: ":memory:"',
                "log_inbound: false",
                "simulator: {enabled: false}",
                f"server_auth: {{types: [bearer], tokens: [{TOKEN}]}}",
                "",
            ]),
            encoding="utf-8",
        )
        self.log = (directory / "sekmet.log").open("wb")
        env = server_environment(os.environ)
        self.process = subprocess.Popen(
            [sekmet_executable(), "serve", "-c", str(self.config), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=directory, stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )

    def wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("sekmet stopped at start-up")
            try:
                if requests.get(f"{self.url}/metadata", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("sekmet did not answer in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class TcpProxy:
    """Forwards 127.0.0.1:port to a target port until ``cut()``: then every connection fails for real."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.listener.close()
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@contextmanager
def seed_command_on(clock: Clock):
    """`kiosk fhir seed` dates the demo data by the system clock (it has no other): here, by ``clock``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kiosk.services.backend.fhir.seed.SystemClock", lambda: clock)
        yield


@contextmanager
def seeded_sekmet(directory: Path, clock: Clock | None = None):
    """A sekmet server seeded with the demo patients through `kiosk fhir seed`; stopped afterwards.

    The data is dated around ``clock``'s today (default: FakeClock's start, the tests' clock).
    """
    from kiosk.cli import main

    server = SekmetServer(directory)
    try:
        server.wait()
        config = directory / "kiosk.toml"
        config.write_text(f'backend_token = "{TOKEN}"\n', encoding="utf-8")
        server.kiosk_config = config
        server.clock = clock or FakeClock()
        with seed_command_on(server.clock):
            assert main(["fhir", "seed", server.url, "--config", str(config)]) == 0
        yield server
    finally:
        server.stop()
