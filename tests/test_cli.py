import subprocess
import sys

from kiosk import __version__
from kiosk.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kiosk {__version__}"


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "bench" in result.stdout
    assert "mode démonstration" in result.stdout


def test_unknown_language_is_one_sentence(capsys):
    assert main(["run", "--lang", "xx"]) == 2
    err = capsys.readouterr().err
    assert "« xx » n'existe pas" in err
    assert "Traceback" not in err


def test_bad_config_is_one_sentence(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("warning_s = 5\n")
    result = run("run", "--config", str(config))
    assert result.returncode == 2
    assert "« warning_s »" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_documents_prints_its_figures(capsys):
    assert main(["bench", "documents", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "documents of the patient   : 1000" in out
    assert "first page of the list" in out and "next page" in out


def test_bench_fhir_without_server_is_one_sentence(capsys):
    assert main(["bench", "fhir", "http://127.0.0.1:9", "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert "Le serveur FHIR ne répond pas" in err and "Traceback" not in err
