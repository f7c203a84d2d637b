"""The Debian package: built by packaging/build-deb.sh, inspected with dpkg-deb.

The real package (its virtual environment from PyPI) is built once for this module and
every test reads that one .deb: its fields and files, its maintainer scripts, and a
throw-away root it is extracted into, where the kiosk runs. It is built with --fast
(gzip -1 instead of xz: the same files; xz of the venv took minutes on 2 cores).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "build-deb.sh"

pytestmark = [
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb missing (apt package dpkg-dev)"),
    pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="the Debian python3 is needed"),
    pytest.mark.timeout(900),  # the first test also builds the package (its dependencies may come from PyPI)
]

REQUIRED_DEPENDS = ("python3 (>= 3.11)", "cage", "espeak-ng", "alsa-utils", "libsdl2-2.0-0", "libmtdev1",
                    "libgl1-mesa-dri", "adduser", "libpam-systemd")


def build(out: Path, *options: str) -> Path:
    done = subprocess.run(["sh", str(BUILD), "--out", str(out), *options], capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    deb = Path(done.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.parent == out
    return deb


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    """The real package, built once: every test here reads this one file."""
    return build(tmp_path_factory.mktemp("deb"), "--fast")


@pytest.fixture(scope="module")
def installed(deb, tmp_path_factory) -> Path:
    """The package extracted with dpkg -x into a throw-away root."""
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root


def field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True,
                          check=True).stdout.strip()


def contents(deb: Path) -> dict[str, str]:
    """path -> the `dpkg-deb --contents` line (mode, owner, size, …)."""
    out = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        table[path.lstrip(".")] = line
    return table


def test_info_declares_package_and_dependencies(deb):
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert " Package: kiosque-sante" in info
    depends = [d.strip() for d in field(deb, "Depends").split(",")]
    for needed in REQUIRED_DEPENDS:
        assert needed in depends, f"{needed} not in Depends"
    assert any(d.startswith("python3 (<< 3.") for d in depends)  # the venv is tied to one Python minor version
    assert field(deb, "Architecture") == subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                                        text=True).stdout.strip()
    assert deb.name == f"kiosque-sante_{field(deb, 'Version')}_{field(deb, 'Architecture')}.deb"
    for script in ("postinst", "prerm", "postrm", "conffiles"):
        assert f" {script}" in info


def test_service_config_and_tools_are_installed_root_owned(deb):
    table = contents(deb)
    for path in ("/lib/systemd/system/kiosque-sante.service", "/etc/kiosque-sante/kiosk.toml",
                 "/etc/kiosque-sante/kivy-config.ini", "/etc/pam.d/kiosque-sante",
                 "/usr/sbin/kiosque-sante-admin", "/usr/share/doc/kiosque-sante/README.md",
                 "/usr/share/doc/kiosque-sante/CONFIGURATION.md", "/usr/share/doc/kiosque-sante/GUIDE-COMPTOIR.md",
                 "/usr/share/doc/kiosque-sante/backend.conf.example"):
        assert path in table, path
        assert " root/root " in table[path]
    assert table["/usr/sbin/kiosque-sante-admin"].startswith("-rwxr-xr-x")
    assert table["/lib/systemd/system/kiosque-sante.service"].startswith("-rw-r--r--")
    assert "/usr/bin/kiosk -> /opt/kiosque-sante/bin/kiosk" in table["/usr/bin/kiosk"]
    # Nothing for the kiosk to write inside the package: its data folder is made by systemd and postinst.
    assert not any(p.startswith("/var/") for p in table)


def test_packaged_unit_is_the_repository_unit(installed):
    packaged = (installed / "lib/systemd/system/kiosque-sante.service").read_text()
    assert packaged == (REPO / "packaging/systemd/kiosque-sante.service").read_text()
    config = (installed / "etc/kiosque-sante/kiosk.toml").read_text()
    assert 'state_dir = "/var/lib/kiosque-sante"' in config


def test_conffiles_and_maintainer_scripts(deb, tmp_path):
    control = tmp_path / "DEBIAN"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    conffiles = (control / "conffiles").read_text().split()
    assert "/etc/kiosque-sante/kiosk.toml" in conffiles and "/etc/pam.d/kiosque-sante" in conffiles
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        assert os.access(path, os.X_OK)
        assert subprocess.run(["sh", "-n", str(path)]).returncode == 0, f"{script}: shell syntax"
    postinst = (control / "postinst").read_text()
    assert "adduser --system" in postinst and "kiosque" in postinst
    assert "systemctl enable kiosque-sante.service" in postinst
    assert "dpkg-statoverride --update --add root kiosque 0640 /etc/kiosque-sante/kiosk.toml" in postinst
    postrm = (control / "postrm").read_text()
    purge = postrm.split("purge)", 1)[1]
    assert "rm -rf /var/lib/kiosque-sante /etc/kiosque-sante" in purge
    assert "rm -rf" not in postrm.split("purge)", 1)[0]  # a plain remove keeps the data


def test_admin_wrapper_runs_like_the_service():
    text = (REPO / "packaging/bin/kiosque-sante-admin").read_text()
    assert "--uid=kiosque" in text
    assert "LoadCredentialEncrypted=kiosk-db-key:/etc/kiosque-sante/kiosk-db-key.cred" in text
    assert subprocess.run(["sh", "-n", str(REPO / "packaging/bin/kiosque-sante-admin")]).returncode == 0


def test_the_venv_holds_every_dependency_the_project_declares(installed):
    """What pyproject.toml asks for is installed in /opt/kiosque-sante, in versions that match."""
    from packaging.requirements import Requirement

    venv = installed / "opt/kiosque-sante"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(d) for d in project["dependencies"]]
    probe = ("import sys\nfrom importlib.metadata import version\n"
             "for name in sys.argv[1:]:\n    print(name, version(name))\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run([str(venv / "bin/python"), "-c", probe, "kiosk", *(r.name for r in wanted)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    versions = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert versions["kiosk"] == project["version"]
    for requirement in wanted:
        assert requirement.specifier.contains(versions[requirement.name], prereleases=True), \
            (str(requirement), versions[requirement.name])


def test_full_package_runs_from_a_throwaway_root(installed, tmp_path):
    """The real package (venv from PyPI): extracted with dpkg -x, the kiosk runs and `kiosk doctor` answers."""
    root = installed
    venv = root / "opt/kiosque-sante"
    assert (venv / "bin/kiosk").read_text().startswith("#!/opt/kiosque-sante/bin/python\n")
    assert os.readlink(venv / "bin/python3") == "/usr/bin/python3"
    assert not (venv / "bin/pip").exists()  # the build's pip is not shipped
    site = next(venv.glob("lib/python3.*/site-packages"))
    assert (site / "kiosk/locales/fr/LC_MESSAGES").is_dir() and (site / "kiosk/assets").is_dir()
    # Byte code was compiled for its installed place, not for the build folder.
    pyc = next((site / "kiosk/__pycache__").glob("cli.*.pyc")).read_bytes()
    assert b"/opt/kiosque-sante/lib/" in pyc and b"/kiosque-deb." not in pyc   # build-deb.sh's staging folder
    # Run from the throw-away root: the venv finds its own packages through pyvenv.cfg.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    version = subprocess.run([str(venv / "bin/python"), "-m", "kiosk", "--version"], capture_output=True,
                             text=True, env=env, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("kiosk "), version.stderr
    state = tmp_path / "state"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'backend = "demo"\nstate_dir = "{state}"\n')
    checks = subprocess.run([str(venv / "bin/python"), "-m", "kiosk", "doctor", "--config", str(config)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert "problème  Clé de la base" in checks.stdout and checks.returncode == 1, checks.stdout + checks.stderr
    assert "ok        Serveur : démonstration, sans réseau." in checks.stdout
    # At its real path (/opt/kiosque-sante), in a private mount namespace when allowed (root).
    if os.geteuid() == 0 and shutil.which("unshare"):
        script = (f"mount -t tmpfs none /opt && mkdir /opt/kiosque-sante && "
                  f"mount --bind {venv} /opt/kiosque-sante && /opt/kiosque-sante/bin/kiosk --version")
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                              capture_output=True, text=True, env=env, timeout=120)
        if "Operation not permitted" not in done.stderr and "permission denied" not in done.stderr.lower():
            assert done.returncode == 0 and done.stdout.startswith("kiosk "), done.stderr
