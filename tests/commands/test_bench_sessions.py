"""`kiosk bench sessions N`: whole demo visits through the real flows, then the memory kept."""

from __future__ import annotations

import re

from kiosk.cli import main


def test_bench_sessions_prints_the_memory_growth_and_an_empty_backend(capsys):
    assert main(["bench", "sessions", "12", "--warm-up", "3", "--top", "2"]) == 0
    out = capsys.readouterr().out
    growth = re.search(r"^memory growth: (\d+\.\d\d) MB", out, re.M)
    assert growth and float(growth.group(1)) < 5
    assert "sessions measured           : 12 (after 3 to warm up)" in out
    assert "backend after the last one  : 0 session(s), 0 sign-in challenge(s) held" in out


def test_bench_sessions_needs_at_least_one(capsys):
    assert main(["bench", "sessions", "0"]) == 2
    assert "au moins 1" in capsys.readouterr().err
