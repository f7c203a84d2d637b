"""`kiosk bench taps` runs the real app with real taps and prints its figures (it decides nothing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_bench_taps_prints_median_and_p95_per_journey():
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "bench", "taps", "--runs", "1", "--journeys", "agenda"],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-2000:]
    figure = r"median\s+[\d.]+ ms\s+p95\s+[\d.]+ ms"
    lines = proc.stdout.splitlines()
    assert any(re.match(rf"agenda\s+: {figure}", line) for line in lines), proc.stdout
    assert any(re.match(rf"all taps\s+: {figure}", line) for line in lines), proc.stdout
    assert any(line.startswith("frame, nothing new") for line in lines), proc.stdout
    assert not any(line.startswith("documents") for line in lines)  # only the journey asked for


def test_bench_taps_refuses_an_unknown_journey():
    from kiosk.ui.bench_taps import main

    assert main(["--journeys", "nowhere"]) == 2
