# One command from raw export to finished report. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/raw/politie20_survey_2011_synthetic.csv
OUT ?= outputs
LANG_REPORT ?= en
MIN_CELL ?= 5
# more build options, e.g. ARGS="--sheet Export --weights weight" (python -m analysis build --help)
ARGS ?=
CODING ?= data/coding

.DEFAULT_GOAL := help
.PHONY: help venv report report-compare pdf bench-waves a11y test validate synth notebooks bench calibrate lab clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned dependencies

report: $(STAMP) ## Build outputs/report.html from the bundled (synthetic) data and its coding (CODING=)
	$(BIN)/python -m analysis build --data $(DATA) --out $(OUT) --lang $(LANG_REPORT) --min-cell $(MIN_CELL) --coding $(CODING) $(ARGS)

COMPARE ?= data/raw/politie20_survey_2011_synthetic.csv
DATA_NEW ?= data/raw/politie20_survey_2026_synthetic.csv
report-compare: $(STAMP) ## Build outputs/report.html of the 2026 wave with a "Change since 2011" part in every chapter (DATA_NEW=, COMPARE=)
	$(BIN)/python -m analysis build --data $(DATA_NEW) --compare $(COMPARE) --out $(OUT) --lang $(LANG_REPORT) --min-cell $(MIN_CELL) $(ARGS)

pdf: $(STAMP) ## Build outputs/report.html and outputs/report.pdf (print layout, WeasyPrint)
	$(BIN)/python -m analysis build --data $(DATA) --out $(OUT) --lang $(LANG_REPORT) --min-cell $(MIN_CELL) --coding $(CODING) --pdf $(ARGS)

# --- accessibility check (not part of make test): Debian's Chromium + axe-core from npm ------------
A11Y_OUT := $(OUT)/a11y
CHROMIUM ?= /usr/bin/chromium
A11Y_NODE := .a11y/node_modules/.package-lock.json
A11Y_SOURCES := $(shell git ls-files src notebooks data 2>/dev/null)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(A11Y_NODE): .a11y/package.json .a11y/package-lock.json
	cd .a11y && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(A11Y_OUT)/report-%/report.html: $(STAMP) $(A11Y_SOURCES)
	$(BIN)/python -m analysis build --data $(DATA) --out $(A11Y_OUT)/report-$* --lang $* --min-cell $(MIN_CELL) --coding $(CODING)

a11y: $(CHROMIUM) $(A11Y_NODE) $(A11Y_OUT)/report-en/report.html $(A11Y_OUT)/report-nl/report.html ## WCAG 2.1 AA check (axe-core in headless Chromium) of the en and nl reports; screenshots in outputs/a11y/
	node .a11y/check.mjs $(A11Y_OUT) en=$(A11Y_OUT)/report-en/report.html nl=$(A11Y_OUT)/report-nl/report.html

validate: $(STAMP) ## Validate an export: make validate DATA=path/to/export.csv
	$(BIN)/python -m analysis validate $(DATA)

synth: $(STAMP) ## Regenerate the bundled synthetic exports of both waves (seeds in src/analysis/paths.py)
	$(BIN)/python -m analysis synth
	$(BIN)/python -m analysis synth --wave 2026
	$(BIN)/python -m analysis coding simulate

notebooks: $(STAMP) ## Re-run notebooks/ in place (parameters cells from BuildParameters; stored outputs for nbval)
	MPLBACKEND=Agg $(BIN)/python -m analysis notebooks

test: $(STAMP) ## Run the whole test suite (ruff check, pytest, nbval on notebooks/)
	$(BIN)/ruff check src tests benchmarks scripts
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 --dist loadgroup tests
	MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

bench: $(STAMP) ## Run the benchmarks (speed targets live here, not in tests)
	$(BIN)/python benchmarks/run.py

bench-waves: $(STAMP) ## Calibrate the wave comparison: planted changes found, unchanged items flagged (benchmarks/waves.md)
	$(BIN)/python benchmarks/waves.py

calibrate: $(STAMP) ## Claims on 1000 noise and 100 synthetic exports: false positives and power (benchmarks/CALIBRATION.md, about 40 min)
	MPLBACKEND=Agg $(BIN)/python benchmarks/calibrate.py

lab: $(STAMP) ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

clean: ## Remove build products (keeps .venv)
	rm -rf $(OUT)/* .pytest_cache
