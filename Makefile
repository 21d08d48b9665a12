# AIToday — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo web test lint typecheck pytest bench format clean browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

pytest: install
	$(BIN)/pytest -q

browser:                            ## Debian's Chromium for the browser tests (they skip without it)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped (apt-get install chromium chromium-driver)"; fi; }

bench: install                      ## benchmarks; results go to BENCHMARKS.md
	$(BIN)/python -m bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf .aitoday outbox .pytest_cache .mypy_cache .ruff_cache
