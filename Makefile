# Zhixing — the two commands a court needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
ZX := $(VENV)/bin/zhixing
DEMO_CASES ?= 2000
HOST ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres bench lint system-deps clean

$(VENV)/.runtime: pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3-venv missing: installing it"; apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(VENV)/bin/pip install -q -e ".[test]"
	@touch $@

## make run: set up, migrate var/zhixing.sqlite3, build the demo province if empty, serve on http://127.0.0.1:8000
run: $(VENV)/.runtime
	$(ZX) migrate --noinput -v 0
	$(ZX) bootstrap --demo-cases $(DEMO_CASES)
	@echo "智慧执行 is serving on http://$(HOST)/  (Ctrl-C to stop); background jobs: zhixing run_huey"
	$(ZX) run_huey --quiet & jobs_pid=$$!; trap 'kill $$jobs_pid 2>/dev/null' EXIT INT TERM; \
	$(ZX) runserver $(HOST) --noreload

## make test: the whole suite on SQLite and on a throwaway PostgreSQL cluster, plus a browser test
test: $(VENV)/.test system-deps
	$(ZX) makemigrations --check --dry-run -v 0 || { echo "Models changed without a migration: run zhixing makemigrations"; exit 1; }
	$(VENV)/bin/ruff check zhixing tests benchmarks conftest.py
	@echo "=== SQLite ==="
	$(VENV)/bin/pytest
	@echo "=== PostgreSQL (throwaway cluster) ==="
	ZHIXING_TEST_DB=postgres $(VENV)/bin/pytest

test-sqlite: $(VENV)/.test
	$(VENV)/bin/pytest

test-postgres: $(VENV)/.test system-deps
	ZHIXING_TEST_DB=postgres $(VENV)/bin/pytest

## make bench: 100,000 demo cases on SQLite, then in a throwaway PostgreSQL cluster; prints p50/p95 figures;
## then `zhixing supervise` over 1,000,000 open cases on both (benchmarks/supervise.py), and the cash-ratio
## ranking of a court's 100,000+ open cases (benchmarks/ranking.py), a 200,000-row reply file (benchmarks/replies.py),
## document generation: one DOCX per kind and a batch of 1,000 (benchmarks/documents.py), and the money
## balance and aging reports over 1,200,000 ledger postings (benchmarks/money.py), and related-case detection
## (`zhixing relate`) over 1,000,000 open cases (benchmarks/related.py)
## and a netting proposal (抵销) over 100,000 obligations among 50,000 parties (benchmarks/netting.py)
## and every quality indicator over 1,000,000 cases plus the indicator pages from snapshots (benchmarks/indicators.py)
## and a batch valuation of 100,000 seized flats plus one auction listing package (benchmarks/disposal.py)
bench: $(VENV)/.test system-deps
	$(VENV)/bin/python benchmarks/run.py --database sqlite
	$(VENV)/bin/python benchmarks/run.py --database postgres
	$(VENV)/bin/python benchmarks/supervise.py --database sqlite
	$(VENV)/bin/python benchmarks/supervise.py --database postgres
	$(VENV)/bin/python benchmarks/ranking.py --database sqlite
	$(VENV)/bin/python benchmarks/ranking.py --database postgres
	$(VENV)/bin/python benchmarks/replies.py --database sqlite
	$(VENV)/bin/python benchmarks/replies.py --database postgres
	$(VENV)/bin/python benchmarks/documents.py --database sqlite
	$(VENV)/bin/python benchmarks/documents.py --database postgres
	$(VENV)/bin/python benchmarks/money.py --database sqlite
	$(VENV)/bin/python benchmarks/money.py --database postgres
	$(VENV)/bin/python benchmarks/related.py --database sqlite
	$(VENV)/bin/python benchmarks/related.py --database postgres
	$(VENV)/bin/python benchmarks/netting.py --database sqlite
	$(VENV)/bin/python benchmarks/netting.py --database postgres
	$(VENV)/bin/python benchmarks/indicators.py --database sqlite
	$(VENV)/bin/python benchmarks/indicators.py --database postgres
	$(VENV)/bin/python benchmarks/disposal.py --database sqlite
	$(VENV)/bin/python benchmarks/disposal.py --database postgres

lint: $(VENV)/.test
	$(VENV)/bin/ruff check zhixing tests benchmarks conftest.py

# Debian packages the tests need: the PostgreSQL server binaries, Chromium, CJK fonts, LibreOffice (PDF) and poppler.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

clean:
	rm -rf $(VENV) var
