# MILD procedure-day dashboard -- developer / CI entry points.
# All recipes are non-interactive and work as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
BASE_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PYTEST_ARGS ?=

# Stamp files: pip only runs again when a requirements file is newer than its stamp.
STAMP_RUNTIME := $(VENV)/.installed-requirements
STAMP_DEV     := $(VENV)/.installed-requirements-dev

.PHONY: venv run cluster test system-deps lint clean

venv: $(STAMP_RUNTIME)

$(PY):
	@if [ -z "$(BASE_PYTHON)" ]; then echo "error: neither python3.11 nor python3 found" >&2; exit 1; fi
	$(BASE_PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check --quiet --upgrade pip

$(STAMP_RUNTIME): requirements.txt | $(PY)
	$(PIP) install --disable-pip-version-check -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(STAMP_RUNTIME)

run: venv
	$(PY) manage.py migrate
	$(PY) manage.py seed --if-empty
	STREAMLIT_BROWSER_GATHER_USAGE_STATS=false $(VENV)/bin/uvicorn serve:app --no-access-log \
	  --host $${HOST:-127.0.0.1} --port $${PORT:-8501}

# The app as REPLICAS processes behind Debian's nginx on PORT, on a throwaway PostgreSQL seeded
# with the demo (scripts/cluster.py; README "Deployment: replicas behind a proxy"). Ctrl-C stops
# and removes everything.
cluster: SYSTEM_PACKAGES = postgresql nginx
cluster: venv system-deps
	exec $(PY) scripts/cluster.py --port $${PORT:-8501} --replicas $${REPLICAS:-2}

# Debian packages needed by the test suite (browser tests, PostgreSQL tests, the cluster test)
# and by `make cluster` (which asks only for the ones it uses). Installed only when missing;
# uses sudo when not root. nginx's own service is never started by its install (a policy-rc.d
# refusing service starts while apt runs: port 80 may be taken) and is disabled right after:
# the cluster runs /usr/sbin/nginx with a configuration of its own, never the package's.
SYSTEM_PACKAGES ?= chromium postgresql libfaketime nginx

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do case $$pkg in \
	  chromium) [ -x /usr/bin/chromium ] || missing="$$missing chromium";; \
	  postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql";; \
	  libfaketime) ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || missing="$$missing libfaketime";; \
	  nginx) [ -x /usr/sbin/nginx ] || missing="$$missing nginx";; \
	esac; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	  else echo "error: need root or sudo to install:$$missing" >&2; exit 1; fi; \
	  echo "Installing Debian packages:$$missing"; \
	  case "$$missing " in *" nginx "*) if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    trap '$$sudo rm -f /usr/sbin/policy-rc.d' EXIT; \
	    printf '#!/bin/sh\nexit 101\n' | $$sudo tee /usr/sbin/policy-rc.d >/dev/null; \
	    $$sudo chmod 755 /usr/sbin/policy-rc.d; \
	  fi;; esac; \
	  $$sudo apt-get update; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  case "$$missing " in *" nginx "*) \
	    $$sudo systemctl disable --now nginx >/dev/null 2>&1 \
	      || $$sudo service nginx stop >/dev/null 2>&1 || true;; \
	  esac; \
	fi

test: $(STAMP_DEV) system-deps
	$(VENV)/bin/ruff check .
	scripts/with-test-postgres.sh $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV)
	rm -f data/*.db data/*.db-wal data/*.db-shm

# Server-side rerun times of the metrics, schedule, checklist and follow-up screens on a
# 25-office one-month and a 25-office five-year demo database (SQLite files kept in data/bench/,
# seeded when missing or not seeded today). A benchmark: never part of `make test`.
BENCH_ARGS ?=

.PHONY: bench
BROWSER_BENCH_ARGS ?=
LOAD_BENCH_ARGS ?=

bench: SYSTEM_PACKAGES = postgresql nginx
bench: $(STAMP_DEV) system-deps
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  scripts/with-test-postgres.sh $(PY) scripts/bench.py $(BENCH_ARGS); \
	else \
	  $(PY) scripts/bench.py $(BENCH_ARGS); \
	fi
	$(PY) scripts/bench_browser.py $(BROWSER_BENCH_ARGS)
	$(PY) scripts/bench_load.py $(LOAD_BENCH_ARGS)
