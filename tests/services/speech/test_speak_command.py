"""`kiosk speak`: real synthesis to a WAV file, plain-French errors."""

from __future__ import annotations

import subprocess
import sys
import wave

from kiosk.cli import main


def test_speak_out_writes_a_valid_wav(tmp_path, capsys):
    out = tmp_path / "voix.wav"
    assert main(["speak", "Bonjour, je suis la borne de la pharmacie.", "--out", str(out)]) == 0
    with wave.open(str(out), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getframerate() >= 16000
        seconds = wav.getnframes() / wav.getframerate()
    assert 1.5 < seconds < 6
    assert "French (France)" in capsys.readouterr().out
    result = subprocess.run(["soxi", "-D", str(out)], capture_output=True, text=True)
    if result.returncode == 0:  # sox agrees on the duration
        assert abs(float(result.stdout) - seconds) < 0.01


def test_speak_rate_changes_the_file(tmp_path):
    slow, fast = tmp_path / "lent.wav", tmp_path / "rapide.wav"
    text = "Vous avez un nouveau message. Il vient de votre médecin."
    assert main(["speak", text, "--rate", "100", "--out", str(slow)]) == 0
    assert main(["speak", text, "--rate", "200", "--out", str(fast)]) == 0
    with wave.open(str(slow)) as a, wave.open(str(fast)) as b:
        assert a.getnframes() > b.getnframes() * 1.5


def test_speak_plays_on_the_null_device(capsys):
    assert main(["speak", "Bonjour.", "--device", "null"]) == 0
    assert "Texte dit" in capsys.readouterr().out


def test_speak_errors_are_one_french_sentence(tmp_path):
    cases = [
        (["speak", "Bonjour", "--lang", "tlh"], "pas de voix pour la langue"),
        (["speak", "Bonjour", "--rate", "20"], "La vitesse doit"),
        (["speak", "Bonjour", "--out", str(tmp_path / "absent" / "x.wav")], "n'existe pas"),
        (["speak", "Bonjour", "--out", str(tmp_path / "x.mp3")], "finir par .wav"),
        (["speak", "   "], "est vide"),
        (["speak", "Bonjour", "--device", "hw:97,0"], "Aucune sortie son"),
    ]
    for argv, words in cases:
        result = subprocess.run([sys.executable, "-m", "kiosk", *argv], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, argv
        assert words in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1
