# AIToday — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Every package, with its version and hashes, that `make test` ran with: pyproject.toml
# names what we need, requirements.lock pins it. `make lock` after editing pyproject.toml.
LOCK   := requirements.lock

.PHONY: install demo web test lint typecheck pytest bench format clean browser infra lock

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: install                       ## ingest, cluster, brief and deliver on embedded defaults
	$(BIN)/aitoday demo

web: install                        ## serve what `make demo` left: its brief pages and links
	$(BIN)/aitoday web --demo

test: lint typecheck pytest         ## ruff, mypy, pytest

lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .

typecheck: install
	$(BIN)/mypy

pytest: install                     ## the tests; one file or test: make pytest ARGS="tests/stories -k merged"
	$(BIN)/pytest -q $(ARGS)

BROWSER_PACKAGES = chromium chromium-driver fonts-noto-cjk fonts-noto-core

browser:                            ## Debian's Chromium and the Noto fonts (CJK, Thai) for the browser tests (they skip without)
	@{ command -v chromium >/dev/null 2>&1 && dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "chromium or its fonts not found: browser tests will be skipped (apt-get install $(BROWSER_PACKAGES))"; fi; }

infra:                              ## Debian's Postfix and Redis Sentinel for the infrastructure tests (they skip without)
	@{ command -v postfix >/dev/null 2>&1 || test -x /usr/sbin/postfix; } && command -v redis-sentinel >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix redis-server redis-sentinel >/dev/null; } \
	      || echo "could not install postfix/redis-sentinel: their tests will be skipped"; \
	  else echo "postfix/redis-sentinel not found: their tests will be skipped (apt-get install postfix redis-server redis-sentinel)"; fi; }

lock:                               ## re-pin requirements.lock from pyproject.toml (UPGRADE=1: newest allowed)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)

bench: install                      ## benchmarks; results go to BENCHMARKS.md
	$(BIN)/python -m bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf .aitoday outbox .pytest_cache .mypy_cache .ruff_cache
