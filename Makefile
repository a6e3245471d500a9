# The two commands: `make run` (the portal, a worker and beat, demo data) and `make test`.
# Each sets up what it needs: the virtual environment in .venv, packages, the database.
# With no DATABASE_URL / REDIS_URL they start an embedded PostgreSQL and Redis under var/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint mutation chromium gettext harfbuzz-subset wrk bench clean

# Installs the dependencies only (pyproject lists no packages): the code runs from this checkout.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP) harfbuzz-subset
	$(PY) -m polyplus.devstack run

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The catalogue check (tests/test_catalogues.py) runs Django's makemessages, which needs GNU
# gettext's xgettext and msgmerge; installed like chromium when missing. (Running the portal
# does not: the catalogues are compiled in Python.)
gettext:
	@command -v xgettext >/dev/null 2>&1 && command -v msgmerge >/dev/null 2>&1 || { \
	  echo "Installing Debian's gettext for the catalogue check"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

# WeasyPrint subsets the PDFs' fonts with HarfBuzz's libharfbuzz-subset when it finds it, several
# times faster than its fontTools fallback; installed like chromium when it is missing.
harfbuzz-subset:
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('harfbuzz-subset'))" || { \
	  echo "Installing Debian's libharfbuzz-subset0 for the PDF reports and quotes"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libharfbuzz-subset0 >/dev/null; }

test: $(STAMP) chromium gettext harfbuzz-subset
	$(PY) -m polyplus.devstack test $(PYTEST_ARGS)

# The load generator for `make bench`; installed like chromium when it is missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmark"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

# Seeds a 10k-case and a full-size world, serves each with gunicorn and loads it with wrk;
# prints the tables and writes docs/benchmarks.md. BENCH_SCALES=small (or full) runs one.
BENCH_SCALES ?= small,full
BENCH_DURATION ?= 10
bench: $(STAMP) wrk
	$(PY) -m polyplus.devstack bench --scales $(BENCH_SCALES) --duration $(BENCH_DURATION)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Mutation testing of the rule modules (docs/mutation.md); not part of `make test`.
# MODULES="coverage rules sla" by default; MUTATION_ARGS=--resume or --survivors.
mutation: $(STAMP)
	$(PY) mutation/run.py $(MUTATION_ARGS) $(MODULES)

clean:
	rm -rf var test-artifacts build *.egg-info
