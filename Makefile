# 绩效分级激励服务 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GIS_DATABASE_URL ?= sqlite:///var/gis.sqlite
export GIS_BIND ?= 127.0.0.1:8000
# make run's queue and limits (GIS_REDIS_URL wins); tests choose their own (TEST_REDIS_URL)
RUN_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test bench lint install install-test install-bench sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@

## make run: install, migrate the embedded SQLite database, load sample_data/ once, serve with gunicorn
## and run the job worker (RQ on Redis at GIS_REDIS_URL) beside it; stopping one stops both.
run: install var/secret_key
	$(BIN)/gis migrate
	$(BIN)/gis load-sample
	GIS_REDIS_URL=$${GIS_REDIS_URL:-$(RUN_REDIS_URL)} GIS_SECRET_KEY=$$(cat var/secret_key) PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-var/metrics} \
	  sh -c 'mkdir -p "$$PROMETHEUS_MULTIPROC_DIR" && rm -f "$$PROMETHEUS_MULTIPROC_DIR"/*.db || exit 1; \
	    $(BIN)/gis worker & worker=$$!; \
	    $(BIN)/gunicorn -c gunicorn.conf.py & web=$$!; \
	    trap "kill $$web $$worker 2>/dev/null" INT TERM; \
	    while kill -0 $$web 2>/dev/null && kill -0 $$worker 2>/dev/null; do sleep 1; done; \
	    kill $$web $$worker 2>/dev/null; wait'

## make test: install the test extra and run the whole suite (SQLite, and PostgreSQL when it answers).
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: benchmarks, each printed as a ratio to a baseline measured in the same run.
bench: install-bench
	$(BIN)/python -m bench

lint: install-test
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check incentives policies api tests bench

sample: install
	$(BIN)/python sample_data/make_register.py
	$(BIN)/python sample_data/make_hj212.py

clean:
	rm -rf var .pytest_cache
