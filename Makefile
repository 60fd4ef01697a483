# Two commands for a fresh machine (Python 3.11, pip, git, apt):
#   make demo   build the resource center, load demo traffic, start the edge on :8000
#   make test   install everything (incl. Debian's chromium, postgresql, nginx) and run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo/abm.sqlite
DEMO_SECRET := demo/secret.key
DEMO_GEOIP := demo/abm-demo-enterprise.mmdb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# mkdocs-material prints an end-of-life banner on every build; it is noise in a demo and in CI.
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test lint install build serve chromium postgres nginx lighthouse clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# a CJK font, so screenshots of the Chinese pages show text rather than empty boxes
chromium:
	@command -v chromium >/dev/null && fc-list | grep -qi wqy || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-wqy-microhei; }

# the PostgreSQL tests start their own throwaway cluster with initdb/pg_ctl; the packaged service is not used
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql; }

# the two-edge test runs Debian's nginx as a reverse proxy in a temporary directory; the packaged service is not used
nginx:
	@[ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nginx; }

build: install
	$(BIN)/mkdocs build --strict

$(DEMO_SECRET):
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(32))" > $@

demo: build $(DEMO_SECRET)
	$(BIN)/python demo/make_geoip.py $(DEMO_GEOIP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/abm demo traffic --db $(DEMO_DB) --days 90 --seed 7 --accounts demo/accounts.csv
	$(BIN)/abm report dashboard --db $(DEMO_DB) --accounts demo/accounts.csv --out demo/dashboard.html
	$(BIN)/abm serve --settings demo/settings.toml

lint: install
	$(BIN)/ruff check . && $(BIN)/mypy

test: install lint chromium postgres nginx
	$(BIN)/python -m pytest

# Lighthouse 12.2.3 (pinned in benchmarks/lighthouse/package-lock.json; 13 needs Node 22) on the demo through the edge
benchmarks/lighthouse/node_modules/.bin/lighthouse: benchmarks/lighthouse/package-lock.json
	cd benchmarks/lighthouse && npm ci --no-audit --no-fund --loglevel=error

lighthouse: build chromium benchmarks/lighthouse/node_modules/.bin/lighthouse
	$(BIN)/python benchmarks/lighthouse.py

clean:
	rm -rf site build $(DEMO_DB)* demo/dashboard.html
