# The whole set-up: `make run` (serve the demo on http://127.0.0.1:8080) and `make test` (every suite).
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM_PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test chromium lint unit e2e bench bench-sync bench-live bench-import bench-ventilation bench-load fuzz clean

$(PY):
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	RELAIS_DEMO=$${RELAIS_DEMO:-1} RELAIS_SCHEDULER=$${RELAIS_SCHEDULER:-1} $(PY) app.py

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo 'Installation de chromium (Debian)…'; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

lint: install-test
	$(PY) -m ruff check .

unit: install-test
	$(PY) -m pytest -q

e2e: install-test chromium
	$(PY) -m pytest -q -o addopts='' -W ignore::pytest.PytestConfigWarning tests/e2e

test: lint unit e2e

bench: install-test
	$(PY) bench/pages.py

bench-sync: install-test
	$(PY) bench/sync.py

bench-live: install-test chromium
	$(PY) bench/live.py

bench-import: install-test
	$(PY) bench/import.py

bench-ventilation: install-test chromium
	$(PY) bench/ventilation.py

bench-load: install-test chromium
	$(PY) bench/load.py

fuzz: install-test
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-10000} FUZZ_MAX_SECONDS=1 $(PY) -m pytest -q -p no:cacheprovider tests/fuzz

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
