# Kiosque Santé — set-up and checks on a Debian 12 machine.
#   make demo   installs what is missing, then starts the kiosk in demo mode
#   make test   installs what is missing (with the test tools), then runs the whole suite under Xvfb,
#               then the non-screen tests again at two dates years away (make test-faketime)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
XVFB   := xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp"

# Runtime: display server libraries Kivy needs, the voice, sound output.
APT_RUN  := python3-venv libsdl2-2.0-0 libsdl2-image-2.0-0 libsdl2-ttf-2.0-0 libsdl2-mixer-2.0-0 \
            libmtdev1 libgl1 libgl1-mesa-dri libegl1 espeak-ng alsa-utils sox xvfb xauth
# Tests: OCR and QR reading of screenshots, gettext tools, systemd and Debian packaging checks,
# faketime for the runs at far dates.
APT_TEST := tesseract-ocr-fra zbar-tools gettext systemd dpkg-dev fakeroot faketime

# make test-faketime: the core, storage and demo tests (FAKETIME_TESTS="tests --ignore=tests/ui
# --ignore=tests/packaging" for every non-screen test), at two dates years away from the demo
# data's day, both runs side by side. Each crosses a boundary while it runs: Paris moves
# to summer time at 01:00 UTC on 2031-03-30; February 2022 ends in Paris at 23:00 UTC on 02-28.
# Only the wall clock is faked: tests/faketime/sitecustomize.py says why and mends time.sleep.
FAKETIME_TESTS  ?= tests/core tests/services/storage tests/services/test_demo_backend.py tests/test_app.py \
                   tests/test_training_mode.py tests/test_nothing_kept.py
FAKETIME_RUN    := TZ=UTC PYTHONPATH=$(CURDIR)/tests/faketime FAKETIME_DONT_FAKE_MONOTONIC=1 faketime
FAKETIME_PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider $(FAKETIME_TESTS)

.PHONY: demo test test-faketime faketime-2031 faketime-2022 setup setup-test system system-test shots bench deb clean

demo: setup
	$(BIN)/kiosk run --demo

# Two workers (pytest-xdist): each has its own kiosk window on the one virtual display.
test: setup-test
	$(XVFB) $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-faketime

test-faketime: setup-test
	$(MAKE) --no-print-directory -j2 --output-sync=target faketime-2031 faketime-2022

faketime-2031:
	$(FAKETIME_RUN) '2031-03-30 00:58:00' $(FAKETIME_PYTEST)

faketime-2022:
	$(FAKETIME_RUN) '2022-02-28 22:58:00' $(FAKETIME_PYTEST)

setup: system $(VENV)/.installed
setup-test: system-test $(VENV)/.installed-test

system:
	@missing=$$(for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets système : $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

system-test: system
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets système : $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

shots: setup
	$(XVFB) $(BIN)/kiosk shots --out shots --all

bench: setup
	$(XVFB) $(BIN)/kiosk bench startup

# Debian package of the kiosk (venv under /opt/kiosque-sante): dist/kiosque-sante_<version>_<arch>.deb
deb: system-test
	sh packaging/build-deb.sh --out dist

clean:
	rm -rf $(VENV) shots build dist *.egg-info
